# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facts [Match] conditions test, read from a fake host."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._live.facts import host_facts
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._live.fake_host import (
    DEFAULT_ANSWERS,
    FakeRunner,
    host_files,
    make_which,
)


# --------------------------------------------------------------------------- host facts

def test_host_facts_read_the_basics():
    facts = host_facts(FakeRunner(DEFAULT_ANSWERS), make_which(), MemoryFileSystem(host_files()))
    assert facts.hostname == "router1"
    assert facts.machine_id == "3d1219c7c4c5404aaa1f6d2a48adfda4"
    assert facts.kernel_release == "6.12.48+deb13-amd64"
    assert facts.kernel_command_line == "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro net.ifnames=1"
    assert facts.architecture == "x86-64"
    assert facts.virtualization == "kvm"
    assert facts.container is False


def test_hostname_falls_back_to_etc_hostname():
    files = host_files(**{"/proc/sys/kernel/hostname": None, "/etc/hostname": b"# comment\nedge2\n"})
    assert host_facts(FakeRunner(), make_which({}), MemoryFileSystem(files)).hostname == "edge2"


def test_uninitialized_machine_id_is_none():
    files = host_files(**{"/etc/machine-id": b"uninitialized\n"})
    assert host_facts(FakeRunner(), make_which({}), MemoryFileSystem(files)).machine_id is None


@pytest.mark.parametrize("machine,expected", [
    ("x86_64", "x86-64"), ("i686", "x86"), ("aarch64", "arm64"), ("armv7l", "arm"),
    ("ppc64le", "ppc64-le"), ("s390x", "s390x"), ("riscv64", "riscv64"), ("loongarch64", "loongarch64"),
])
def test_architecture_uses_systemd_names(machine, expected):
    facts = host_facts(FakeRunner(), make_which({}), MemoryFileSystem(host_files()), machine=machine)
    assert facts.architecture == expected


def test_architecture_is_read_from_proc_sys_kernel_arch():
    files = host_files(**{"/proc/sys/kernel/arch": b"aarch64\n"})
    assert host_facts(FakeRunner(), make_which({}), MemoryFileSystem(files)).architecture == "arm64"


def test_unknown_architecture_is_none_with_a_warning():
    warnings = []
    facts = host_facts(FakeRunner(), make_which({}), MemoryFileSystem(host_files()), machine="vax",
                       warnings=warnings)
    assert facts.architecture is None
    assert any("Architecture=" in warning for warning in warnings)


def test_detect_virt_none_means_bare_metal():
    runner = FakeRunner({("systemd-detect-virt",): (1, "none\n", "")})
    facts = host_facts(runner, make_which(), MemoryFileSystem(host_files()))
    assert facts.virtualization == "none"
    assert facts.container is False


def test_detect_virt_container_sets_container():
    runner = FakeRunner({("systemd-detect-virt",): (0, "podman\n", "")})
    facts = host_facts(runner, make_which(), MemoryFileSystem(host_files()))
    assert facts.virtualization == "podman"
    assert facts.container is True


def test_unknown_virtualization_id_asks_detect_virt_about_containers():
    runner = FakeRunner({("systemd-detect-virt",): (0, "future-vm\n", ""),
                         ("systemd-detect-virt", "--container", "--quiet"): (1, "", "")})
    facts = host_facts(runner, make_which(), MemoryFileSystem(host_files()))
    assert facts.virtualization == "future-vm"
    assert facts.container is False


def test_missing_detect_virt_leaves_virtualization_unknown():
    warnings = []
    facts = host_facts(FakeRunner(), make_which({}), MemoryFileSystem(host_files()), warnings=warnings)
    assert facts.virtualization is None
    assert facts.container is None
    assert any("Virtualization=" in warning for warning in warnings)


def test_container_kernel_command_line_is_pid1s():
    # systemd's proc_cmdline() reads /proc/1/cmdline inside a container.
    runner = FakeRunner({("systemd-detect-virt",): (0, "docker\n", "")})
    facts = host_facts(runner, make_which(), MemoryFileSystem(host_files()))
    assert facts.kernel_command_line == "/sbin/init splash"


def test_credentials_are_the_names_in_networkds_credentials_directory():
    files = host_files(**{
        "/run/credentials/systemd-networkd.service/network.wireguard.private.wg0": b"x",
        "/run/credentials/systemd-networkd.service/network.link.extra": b"y",
    })
    facts = host_facts(FakeRunner(), make_which({}), MemoryFileSystem(files))
    assert facts.credentials == frozenset({"network.wireguard.private.wg0", "network.link.extra"})


def test_no_credentials_directory_means_no_credentials():
    facts = host_facts(FakeRunner(), make_which({}), MemoryFileSystem(host_files()))
    assert facts.credentials == frozenset()


def test_firmware_uefi_and_device_tree():
    files = host_files(**{"/sys/firmware/efi/systab": b"x", "/sys/firmware/devicetree/base/model": b"y"})
    runner = FakeRunner({("systemd-detect-virt",): (1, "none\n", "")})
    facts = host_facts(runner, make_which(), MemoryFileSystem(files))
    assert facts.firmware == frozenset({"uefi", "device-tree"})


def test_firmware_is_empty_on_bios_hosts():
    facts = host_facts(FakeRunner(), make_which({}), MemoryFileSystem(host_files()))
    assert facts.firmware == frozenset()


def test_uefi_is_false_inside_a_container():
    # systemd's is_efi_boot() returns false in a container.
    files = host_files(**{"/sys/firmware/efi/systab": b"x"})
    runner = FakeRunner({("systemd-detect-virt",): (0, "lxc\n", "")})
    facts = host_facts(runner, make_which(), MemoryFileSystem(files))
    assert facts.firmware == frozenset()
