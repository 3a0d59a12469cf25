# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The forwarding sysctls as they read now, and whether /proc/sys/net can be written."""

from __future__ import annotations

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._live.state import read_live_state
from ansible_collections.hostnet.networkd.plugins.module_utils._live.sysctl import read_forwarding, read_procps_version
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._live.fake_host import (
    DEFAULT_ANSWERS,
    FakeEthtool,
    FakeRunner,
    MOUNTINFO_UNPRIVILEGED_CONTAINER,
    host_files,
    make_which,
)


# --------------------------------------------------------------------------- forwarding

def test_read_forwarding_reads_all_default_and_every_interface():
    forwarding, ip_forward = read_forwarding(MemoryFileSystem(host_files()))
    assert forwarding["ipv4"] == {"all": 1, "br0": 1, "default": 1, "enp1s0": 1, "lo": 1, "veth0": 0}
    assert forwarding["ipv6"]["veth0"] == 0
    assert ip_forward == 1


def test_unparseable_forwarding_value_is_none():
    files = host_files(**{"/proc/sys/net/ipv4/conf/br0/forwarding": b"garbage\n"})
    forwarding, _ip_forward = read_forwarding(MemoryFileSystem(files))
    assert forwarding["ipv4"]["br0"] is None
    assert forwarding["ipv4"]["all"] == 1


def test_kernel_without_ipv6_gives_an_empty_ipv6_dict():
    files = {k: v for k, v in host_files().items() if not k.startswith("/proc/sys/net/ipv6/")}
    forwarding, _ip_forward = read_forwarding(MemoryFileSystem(files))
    assert forwarding["ipv6"] == {}
    assert forwarding["ipv4"]["all"] == 1


def test_missing_ip_forward_is_none():
    files = host_files(**{"/proc/sys/net/ipv4/ip_forward": None})
    assert read_forwarding(MemoryFileSystem(files))[1] is None


# --------------------------------------------------------------------------- sysctl writability

def test_read_only_proc_sys_is_reported():
    files = host_files(**{"/proc/self/mountinfo": MOUNTINFO_UNPRIVILEGED_CONTAINER.encode()})
    state = read_live_state(FakeRunner(DEFAULT_ANSWERS), make_which(), MemoryFileSystem(files), FakeEthtool())
    assert state.sysctl_writable is False
    assert any("read-only" in warning for warning in state.warnings)


def test_read_only_proc_sys_from_proc_mounts():
    mounts = ("overlay / overlay rw,relatime 0 0\n"
              "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
              "proc /proc/sys proc ro,nosuid,nodev,noexec,relatime 0 0\n")
    files = host_files(**{"/proc/self/mountinfo": None, "/proc/mounts": mounts.encode()})
    state = read_live_state(FakeRunner(DEFAULT_ANSWERS), make_which(), MemoryFileSystem(files), FakeEthtool())
    assert state.sysctl_writable is False


def test_writable_proc_sys_net_overlay_wins():
    # LXC's proc:mixed: /proc/sys read-only, /proc/sys/net bind-mounted writable on top.
    mountinfo = MOUNTINFO_UNPRIVILEGED_CONTAINER + \
        "641 640 0:63 /sys/net /proc/sys/net rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
    files = host_files(**{"/proc/self/mountinfo": mountinfo.encode()})
    state = read_live_state(FakeRunner(DEFAULT_ANSWERS), make_which(), MemoryFileSystem(files), FakeEthtool())
    assert state.sysctl_writable is True


def test_sysctl_writable_is_none_without_a_mount_table():
    files = host_files(**{"/proc/self/mountinfo": None})
    state = read_live_state(FakeRunner(DEFAULT_ANSWERS), make_which(), MemoryFileSystem(files), FakeEthtool())
    assert state.sysctl_writable is None


# --------------------------------------------------------------------------- procps-ng

def test_procps_version_comes_from_sysctl_version():
    runner = FakeRunner({("sysctl", "--version"): (0, "sysctl from procps-ng 4.0.2\n", "")})
    found = read_procps_version(runner, make_which({"sysctl": "/usr/sbin/sysctl"}))
    assert (found.version, found.source) == ((4, 0, 2), "sysctl --version")
    assert runner.calls == [["/usr/sbin/sysctl", "--version"]]


def test_procps_version_is_none_for_busybox_or_a_missing_sysctl():
    busybox = FakeRunner({("sysctl", "--version"): (1, "", "sysctl: unrecognized option '--version'\n")})
    assert read_procps_version(busybox, make_which({"sysctl": "/sbin/sysctl"})) is None
    assert read_procps_version(FakeRunner(), make_which({})) is None
