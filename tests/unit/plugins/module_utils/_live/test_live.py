# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for live.py: a fake filesystem, runner, which and ethtool; no host state."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._live.state import (
    LiveState,
    NetworkdService,
    discover_links,
    ethtool_ioctl,
    host_facts,
    networkd_problem,
    parse_link_json,
    parse_udev_database,
    read_forwarding,
    read_live_state,
    read_networkd_service,
    systemd_version,
)

# `ip -d -j link show` on a host with lo, a physical NIC with an altname and a
# permanent address, a bridge and a veth enslaved to it (peer in another netns).
IP_LINK_JSON = json.dumps([
    {
        "ifindex": 1, "ifname": "lo", "flags": ["LOOPBACK", "UP", "LOWER_UP"], "mtu": 65536,
        "qdisc": "noqueue", "operstate": "UNKNOWN", "linkmode": "DEFAULT", "group": "default",
        "txqlen": 1000, "link_type": "loopback", "address": "00:00:00:00:00:00",
        "broadcast": "00:00:00:00:00:00", "promiscuity": 0, "allmulti": 0, "min_mtu": 0, "max_mtu": 0,
        "inet6_addr_gen_mode": "eui64", "num_tx_queues": 1, "num_rx_queues": 1,
        "gso_max_size": 65536, "gso_max_segs": 65535,
    },
    {
        "ifindex": 2, "ifname": "enp1s0", "flags": ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
        "mtu": 1500, "qdisc": "fq_codel", "operstate": "UP", "linkmode": "DEFAULT", "group": "default",
        "txqlen": 1000, "link_type": "ether", "address": "52:54:00:12:34:56",
        "broadcast": "ff:ff:ff:ff:ff:ff", "permaddr": "52:54:00:AA:BB:CC", "promiscuity": 0,
        "allmulti": 0, "min_mtu": 68, "max_mtu": 65535, "inet6_addr_gen_mode": "eui64",
        "num_tx_queues": 1, "num_rx_queues": 1, "gso_max_size": 65536, "gso_max_segs": 65535,
        "parentbus": "pci", "parentdev": "0000:01:00.0", "altnames": ["enx525400123456"],
    },
    {
        "ifindex": 3, "ifname": "br0", "flags": ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
        "mtu": 1500, "qdisc": "noqueue", "operstate": "UP", "linkmode": "DEFAULT", "group": "default",
        "txqlen": 1000, "link_type": "ether", "address": "de:ad:be:ef:00:03",
        "broadcast": "ff:ff:ff:ff:ff:ff", "promiscuity": 0, "allmulti": 0, "min_mtu": 68,
        "max_mtu": 65535,
        "linkinfo": {"info_kind": "bridge", "info_data": {
            "forward_delay": 1500, "hello_time": 200, "max_age": 2000, "ageing_time": 30000,
            "stp_state": 0, "priority": 32768, "vlan_filtering": 0, "vlan_protocol": "802.1Q",
            "bridge_id": "8000.de:ad:be:ef:0:3", "root_id": "8000.de:ad:be:ef:0:3"}},
        "inet6_addr_gen_mode": "eui64", "num_tx_queues": 1, "num_rx_queues": 1,
        "gso_max_size": 65536, "gso_max_segs": 65535,
    },
    {
        "ifindex": 4, "link_index": 2, "ifname": "veth0",
        "flags": ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], "mtu": 1500, "qdisc": "noqueue",
        "master": "br0", "operstate": "UP", "linkmode": "DEFAULT", "group": "default",
        "txqlen": 1000, "link_type": "ether", "address": "6a:1f:2e:3d:4c:5b",
        "broadcast": "ff:ff:ff:ff:ff:ff", "link_netnsid": 0, "promiscuity": 1, "allmulti": 1,
        "min_mtu": 68, "max_mtu": 65535,
        "linkinfo": {"info_kind": "veth", "info_slave_kind": "bridge", "info_slave_data": {
            "state": "forwarding", "priority": 32, "cost": 2, "hairpin": False, "guard": False}},
        "inet6_addr_gen_mode": "eui64", "num_tx_queues": 1, "num_rx_queues": 1,
        "gso_max_size": 65536, "gso_max_segs": 65535,
    },
])

UDEV_ENP1S0 = (
    "I:1723456789\n"
    "E:ID_NET_NAMING_SCHEME=v252\n"
    "E:ID_NET_NAME_MAC=enx525400123456\n"
    "E:ID_NET_NAME_PATH=enp1s0\n"
    "E:ID_BUS=pci\n"
    "E:ID_VENDOR_ID=0x1af4\n"
    "E:ID_MODEL_FROM_DATABASE=Virtio network device\n"
    "E:ID_PATH=pci-0000:01:00.0\n"
    "E:ID_PATH_TAG=pci-0000_01_00_0\n"
    "E:ID_NET_DRIVER=virtio_net\n"
    "E:ID_NET_LINK_FILE=/usr/lib/systemd/network/99-default.link\n"
    "E:ID_NET_LINK_FILE_DROPINS=\n"
    "E:SYSTEMD_ALIAS=/sys/subsystem/net/devices/enp1s0\n"
    "G:systemd\n"
    "Q:systemd\n"
    "V:1\n"
)

MOUNTINFO_HOST = (
    "22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "23 27 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
    "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
)

MOUNTINFO_UNPRIVILEGED_CONTAINER = (
    "600 500 0:60 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
    "601 600 0:63 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "605 600 0:65 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro\n"
    "640 601 0:63 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
)


def sysfs_link(name, ifindex, arphrd, address, devtype=None):
    base = "/sys/class/net/%s/" % name
    uevent = "INTERFACE=%s\nIFINDEX=%d\n" % (name, ifindex)
    if devtype:
        uevent = "DEVTYPE=%s\n" % devtype + uevent
    return {
        base + "ifindex": b"%d\n" % ifindex,
        base + "type": b"%d\n" % arphrd,
        base + "address": (address + "\n").encode(),
        base + "uevent": uevent.encode(),
    }


def host_files(**overrides):
    files = {}
    files.update(sysfs_link("lo", 1, 772, "00:00:00:00:00:00"))
    files.update(sysfs_link("enp1s0", 2, 1, "52:54:00:12:34:56"))
    files.update(sysfs_link("br0", 3, 1, "de:ad:be:ef:00:03", devtype="bridge"))
    files.update(sysfs_link("veth0", 4, 1, "6a:1f:2e:3d:4c:5b"))
    files["/sys/class/net/bonding_masters"] = b"\n"
    files["/sys/firmware/acpi/tables/DSDT"] = b"x"
    files["/run/udev/data/n2"] = UDEV_ENP1S0.encode()
    files["/run/udev/data/n1"] = b"I:1723456780\nE:ID_NET_LINK_FILE=/usr/lib/systemd/network/99-default.link\n"
    files["/proc/self/mountinfo"] = MOUNTINFO_HOST.encode()
    for family in ("ipv4", "ipv6"):
        for name, value in (("all", b"1\n"), ("default", b"1\n"), ("lo", b"1\n"),
                            ("enp1s0", b"1\n"), ("br0", b"1\n"), ("veth0", b"0\n")):
            files["/proc/sys/net/%s/conf/%s/forwarding" % (family, name)] = value
            files["/proc/sys/net/%s/conf/%s/rp_filter" % (family, name)] = b"2\n"
    files["/proc/sys/net/ipv4/ip_forward"] = b"1\n"
    files["/proc/sys/kernel/hostname"] = b"router1\n"
    files["/proc/sys/kernel/osrelease"] = b"6.12.48+deb13-amd64\n"
    files["/proc/sys/kernel/arch"] = b"x86_64\n"
    files["/proc/cmdline"] = b"BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro net.ifnames=1\n"
    files["/proc/1/cmdline"] = b"/sbin/init\0splash\0"
    files["/etc/machine-id"] = b"3D1219C7C4C5404AAA1F6D2A48ADFDA4\n"
    files["/etc/hostname"] = b"router1\n"
    files.update(overrides)
    return {path: value for path, value in files.items() if value is not None}


class FakeRunner:
    """Answers commands by (tool basename, args...); records every call."""

    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.calls = []

    def __call__(self, args):
        self.calls.append(list(args))
        key = (os.path.basename(args[0]),) + tuple(args[1:])
        if key in self.answers:
            return self.answers[key]
        return 127, "", "%s: command not found\n" % args[0]


DEFAULT_ANSWERS = {
    ("ip", "-d", "-j", "link", "show"): (0, IP_LINK_JSON + "\n", ""),
    ("networkctl", "--version"): (0, "systemd 257 (257.13-1~deb13u1)\n+PAM +AUDIT\n", ""),
    ("systemctl", "--version"): (0, "systemd 256 (256.1)\n+PAM\n", ""),
    ("systemd-detect-virt",): (0, "kvm\n", ""),
}


def answers_with(overrides):
    answers = dict(DEFAULT_ANSWERS)
    answers.update(overrides)
    return answers


ALL_TOOLS = {
    "ip": "/usr/sbin/ip",
    "networkctl": "/usr/bin/networkctl",
    "systemctl": "/usr/bin/systemctl",
    "systemd-detect-virt": "/usr/bin/systemd-detect-virt",
}


def make_which(tools=None):
    tools = ALL_TOOLS if tools is None else tools
    return tools.get


class FakeEthtool:
    def __init__(self, answers=None):
        self.answers = answers if answers is not None else {
            "enp1s0": ("virtio_net", "52:54:00:aa:bb:cc"),
            "br0": ("bridge", "00:00:00:00:00:00"),
            "veth0": ("veth", "00:00:00:00:00:00"),
        }
        self.calls = []

    def __call__(self, ifname):
        self.calls.append(ifname)
        return self.answers.get(ifname, (None, None))


def links_by_name(fs=None, runner=None, which=None, ethtool=None, warnings=None):
    links = discover_links(runner or FakeRunner(DEFAULT_ANSWERS), which or make_which(),
                           fs or MemoryFileSystem(host_files()), ethtool or FakeEthtool(), warnings=warnings)
    return {link.name: link for link in links}


# --------------------------------------------------------------------------- parsers

def test_parse_link_json_extracts_the_matcher_fields():
    parsed = parse_link_json(IP_LINK_JSON)
    assert parsed["enp1s0"] == {
        "ifindex": 2, "address": "52:54:00:12:34:56", "link_type": "ether", "kind": None,
        "altnames": ["enx525400123456"], "permaddr": "52:54:00:AA:BB:CC",
    }
    assert parsed["veth0"]["kind"] == "veth"
    assert parsed["br0"]["kind"] == "bridge"
    assert parsed["lo"]["altnames"] == []


def test_parse_link_json_rejects_output_that_is_not_json():
    with pytest.raises(ValueError):
        parse_link_json('Option "-j" is unknown, try "ip -help".')


def test_parse_udev_database_keeps_only_property_lines():
    properties = parse_udev_database(UDEV_ENP1S0 + "E:WITH_EQUALS=a=b\n")
    assert properties["ID_PATH"] == "pci-0000:01:00.0"
    assert properties["ID_NET_LINK_FILE_DROPINS"] == ""
    assert properties["WITH_EQUALS"] == "a=b"
    assert "systemd" not in properties.values()
    assert not any(key.startswith(("I:", "G:", "Q:", "V:")) for key in properties)


# --------------------------------------------------------------------------- links

def test_links_are_sorted_by_ifindex_and_skip_non_directories():
    links = discover_links(FakeRunner(DEFAULT_ANSWERS), make_which(), MemoryFileSystem(host_files()), FakeEthtool())
    assert [(link.ifindex, link.name) for link in links] == [(1, "lo"), (2, "enp1s0"), (3, "br0"), (4, "veth0")]


def test_type_is_devtype_when_uevent_has_one():
    assert links_by_name()["br0"].type == "bridge"


def test_type_falls_back_to_arphrd_name():
    links = links_by_name()
    assert links["veth0"].type == "ether"
    assert links["lo"].type == "loopback"


@pytest.mark.parametrize("arphrd,expected", [
    (768, "tunnel"), (769, "tunnel6"), (776, "sit"), (778, "ipgre"), (823, "ip6gre"),
    (801, "ieee80211"), (280, "can"), (512, "ppp"), (32, "infiniband"), (65534, "none"),
    (825, "6lowpan"),
])
def test_arphrd_names_follow_systemd(arphrd, expected):
    fs = MemoryFileSystem(sysfs_link("t0", 9, arphrd, ""))
    links = discover_links(FakeRunner(), make_which({}), fs, FakeEthtool({}))
    assert links[0].type == expected


def test_unknown_arphrd_gives_no_type():
    fs = MemoryFileSystem(sysfs_link("t0", 9, 4242, ""))
    assert discover_links(FakeRunner(), make_which({}), fs, FakeEthtool({}))[0].type is None


def test_devtype_is_ignored_when_sys_is_read_only():
    # networkd has no udev device when /sys is read-only (udev_available() is false).
    files = host_files(**{"/proc/self/mountinfo": MOUNTINFO_UNPRIVILEGED_CONTAINER.encode()})
    links = links_by_name(fs=MemoryFileSystem(files))
    assert links["br0"].type == "ether"
    assert links["enp1s0"].path is None
    assert links["enp1s0"].properties == {}


def test_kind_comes_from_ip_linkinfo():
    links = links_by_name()
    assert links["veth0"].kind == "veth"
    assert links["br0"].kind == "bridge"
    assert links["enp1s0"].kind is None
    assert links["lo"].kind is None


def test_altnames_come_from_ip():
    links = links_by_name()
    assert links["enp1s0"].altnames == ("enx525400123456",)
    assert links["br0"].altnames == ()


def test_mac_is_normalized_and_non_ethernet_addresses_are_none():
    files = {}
    files.update(sysfs_link("Up0", 1, 1, "52-54-00-AB-CD-EF"))
    files.update(sysfs_link("ipip0", 2, 768, "0.0.0.0"))
    files.update(sysfs_link("wg0", 3, 65534, ""))
    discovered = discover_links(FakeRunner(), make_which({}), MemoryFileSystem(files), FakeEthtool({}))
    links = {link.name: link for link in discovered}
    assert links["Up0"].mac == "52:54:00:ab:cd:ef"
    assert links["ipip0"].mac is None
    assert links["wg0"].mac is None


def test_permanent_mac_prefers_ip_permaddr():
    ethtool = FakeEthtool({"enp1s0": ("virtio_net", "11:22:33:44:55:66")})
    links = links_by_name(ethtool=ethtool)
    assert links["enp1s0"].permanent_mac == "52:54:00:aa:bb:cc"


def test_permanent_mac_falls_back_to_ethtool():
    runner = FakeRunner(answers_with({
        ("ip", "-d", "-j", "link", "show"): (0, IP_LINK_JSON.replace('"permaddr"', '"x_permaddr"'), "")}))
    links = links_by_name(runner=runner)
    assert links["enp1s0"].permanent_mac == "52:54:00:aa:bb:cc"


def test_all_zero_permanent_mac_from_ethtool_is_ignored():
    links = links_by_name()
    assert links["veth0"].permanent_mac is None
    assert links["br0"].permanent_mac is None


def test_driver_prefers_udev_id_net_driver():
    ethtool = FakeEthtool({"enp1s0": ("something_else", None)})
    assert links_by_name(ethtool=ethtool)["enp1s0"].driver == "virtio_net"


def test_driver_falls_back_to_ethtool_driver():
    links = links_by_name()
    assert links["veth0"].driver == "veth"
    assert links["br0"].driver == "bridge"
    assert links["lo"].driver is None


def test_ethtool_is_not_called_when_udev_and_ip_answer_everything():
    ethtool = FakeEthtool()
    links_by_name(ethtool=ethtool)
    assert "enp1s0" not in ethtool.calls


def test_ethtool_failure_is_contained():
    def broken(_ifname):
        raise OSError("boom")
    links = links_by_name(ethtool=broken)
    assert links["veth0"].driver is None
    assert links["enp1s0"].driver == "virtio_net"


def test_path_and_properties_come_from_the_udev_database():
    link = links_by_name()["enp1s0"]
    assert link.path == "pci-0000:01:00.0"
    assert link.properties["ID_NET_NAME_PATH"] == "enp1s0"
    assert link.properties["INTERFACE"] == "enp1s0"  # sd_device also exposes the uevent variables
    assert link.properties["SUBSYSTEM"] == "net"


def test_properties_are_empty_without_a_udev_database_entry():
    link = links_by_name()["veth0"]
    assert link.properties == {}
    assert link.path is None


def test_missing_udev_database_is_warned_when_sys_is_writable():
    files = host_files(**{"/run/udev/data/n1": None, "/run/udev/data/n2": None})
    warnings = []
    links_by_name(fs=MemoryFileSystem(files), warnings=warnings)
    assert any("/run/udev/data" in warning for warning in warnings)


def test_missing_ip_command_warns_and_keeps_sysfs_data():
    warnings = []
    tools = dict(ALL_TOOLS)
    del tools["ip"]
    runner = FakeRunner(DEFAULT_ANSWERS)
    links = links_by_name(runner=runner, which=make_which(tools), warnings=warnings)
    assert not any(os.path.basename(call[0]) == "ip" for call in runner.calls)
    assert len([w for w in warnings if "ip command" in w]) == 1
    assert links["enp1s0"].mac == "52:54:00:12:34:56"
    assert links["enp1s0"].altnames == ()
    assert links["veth0"].kind is None
    assert links["br0"].type == "bridge"
    # Without ip, the permanent address still comes from ethtool.
    assert links["enp1s0"].permanent_mac == "52:54:00:aa:bb:cc"


def test_ip_without_json_support_warns_once():
    warnings = []
    runner = FakeRunner(answers_with({
        ("ip", "-d", "-j", "link", "show"): (255, "", 'Option "-j" is unknown, try "ip -help".\n')}))
    links = links_by_name(runner=runner, warnings=warnings)
    assert len([w for w in warnings if "too old for JSON" in w]) == 1
    assert links["veth0"].kind is None
    assert links["enp1s0"].ifindex == 2


def test_link_only_reported_by_ip_is_included():
    files = host_files()
    for key in [k for k in files if k.startswith("/sys/class/net/veth0/")]:
        del files[key]
    link = links_by_name(fs=MemoryFileSystem(files))["veth0"]
    assert link.ifindex == 4
    assert link.kind == "veth"
    assert link.type == "ether"
    assert link.mac == "6a:1f:2e:3d:4c:5b"


def test_no_links_at_all_warns():
    warnings = []
    assert discover_links(FakeRunner(), make_which({}), MemoryFileSystem({}), FakeEthtool({}),
                          warnings=warnings) == []
    assert any("No network links" in warning for warning in warnings)


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


# --------------------------------------------------------------------------- systemd version

def test_networkctl_version_is_preferred():
    runner = FakeRunner(DEFAULT_ANSWERS)
    assert systemd_version(runner, make_which()) == 257
    assert [os.path.basename(call[0]) for call in runner.calls] == ["networkctl"]


def test_systemctl_version_is_the_fallback():
    tools = dict(ALL_TOOLS)
    del tools["networkctl"]
    assert systemd_version(FakeRunner(DEFAULT_ANSWERS), make_which(tools)) == 256


def test_failing_networkctl_falls_back_to_systemctl():
    runner = FakeRunner(answers_with({("networkctl", "--version"): (1, "", "error")}))
    assert systemd_version(runner, make_which()) == 256


def test_systemd_version_is_none_without_tools():
    runner = FakeRunner(DEFAULT_ANSWERS)
    assert systemd_version(runner, make_which({})) is None
    assert runner.calls == []


def test_one_installed_library_gives_the_version_without_a_command():
    runner = FakeRunner(DEFAULT_ANSWERS)
    files = {"/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so": b"ELF"}
    assert systemd_version(runner, make_which(), MemoryFileSystem(files)) == 252
    assert runner.calls == []


def test_the_same_library_seen_through_lib_and_usr_lib_is_one_version():
    runner = FakeRunner(DEFAULT_ANSWERS)
    files = {"/lib/systemd/libsystemd-shared-247.so": b"ELF", "/usr/lib/systemd/libsystemd-shared-247.so": b"ELF"}
    assert systemd_version(runner, make_which(), MemoryFileSystem(files)) == 247
    assert runner.calls == []


def test_two_installed_libraries_ask_networkctl():
    runner = FakeRunner(DEFAULT_ANSWERS)
    files = {"/usr/lib/systemd/libsystemd-shared-252.so": b"ELF", "/usr/lib/systemd/libsystemd-shared-257.so": b"ELF"}
    assert systemd_version(runner, make_which(), MemoryFileSystem(files)) == 257
    assert [os.path.basename(call[0]) for call in runner.calls] == ["networkctl"]


def test_no_installed_library_asks_networkctl():
    runner = FakeRunner(DEFAULT_ANSWERS)
    assert systemd_version(runner, make_which(), MemoryFileSystem(host_files())) == 257
    assert [os.path.basename(call[0]) for call in runner.calls] == ["networkctl"]


def test_systemd_version_parses_distribution_suffixes():
    runner = FakeRunner({("networkctl", "--version"): (0, "systemd 239 (239-82.el8_10.2)\n+PAM\n", "")})
    assert systemd_version(runner, make_which()) == 239


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


# --------------------------------------------------------------------------- systemd-networkd

SHOW_NETWORKD = ("systemctl", "show", "systemd-networkd.service", "--property=LoadState,ActiveState,SubState")


def networkd_service(load_state, active_state="inactive", sub_state="dead", tools=None):
    answer = (0, "LoadState=%s\nActiveState=%s\nSubState=%s\n" % (load_state, active_state, sub_state), "")
    return read_networkd_service(FakeRunner({SHOW_NETWORKD: answer}), make_which(tools))


def test_a_running_networkd_has_no_problem():
    service = networkd_service("loaded", "active", "running")
    assert (service.load_state, service.active_state, service.sub_state) == ("loaded", "active", "running")
    assert networkd_problem(service) is None


def test_an_unknown_unit_is_not_installed():
    assert networkd_problem(networkd_service("not-found")) == (
        "systemd-networkd is not installed (systemd-networkd.service: LoadState=not-found). "
        "Install systemd-networkd first.")


def test_missing_networkctl_is_not_installed_whatever_systemctl_says():
    tools = dict(ALL_TOOLS)
    del tools["networkctl"]
    service = networkd_service("loaded", "active", "running", tools=tools)
    assert service.networkctl is False and not service.loaded
    assert networkd_problem(service).startswith("systemd-networkd is not installed: networkctl is missing.")


def test_a_masked_unit_says_masked_and_how_to_unmask():
    problem = networkd_problem(networkd_service("masked"))
    assert problem.startswith("systemd-networkd is masked (systemd-networkd.service: LoadState=masked)")
    assert "systemctl unmask systemd-networkd.service" in problem


def test_a_stopped_unit_says_its_state_and_how_to_start_it():
    service = networkd_service("loaded", "inactive", "dead")
    problem = networkd_problem(service)
    assert service.loaded
    assert problem.startswith("systemd-networkd is installed but not running "
                              "(systemd-networkd.service: ActiveState=inactive, SubState=dead)")
    assert "systemctl enable --now systemd-networkd.service" in problem
    assert "journalctl" not in problem


def test_a_failed_unit_points_to_the_journal():
    assert "journalctl -u systemd-networkd.service" in networkd_problem(networkd_service("loaded", "failed", "failed"))


def test_without_systemctl_the_state_cannot_be_read():
    tools = dict(ALL_TOOLS)
    del tools["systemctl"]
    service = read_networkd_service(FakeRunner(), make_which(tools))
    assert service.load_state is None
    assert networkd_problem(service) == "The state of systemd-networkd cannot be read (systemctl is not available)."


def test_a_failing_systemctl_is_reported_with_its_message():
    answer = (1, "", "System has not been booted with systemd as init system (PID 1). Can't operate.\n")
    service = read_networkd_service(FakeRunner({SHOW_NETWORKD: answer}), make_which())
    assert networkd_problem(service) == (
        "The state of systemd-networkd cannot be read (`systemctl show systemd-networkd.service` failed: "
        "System has not been booted with systemd as init system (PID 1). Can't operate.).")


def test_a_runner_that_raises_is_a_missing_answer_not_a_traceback():
    def broken(args):
        raise OSError("exec format error")
    service = read_networkd_service(broken, make_which())
    assert service.error == "systemctl is not available"


NETWORKD_PROCS = "system.slice/systemd-networkd.service/cgroup.procs"


@pytest.mark.parametrize("pid1_cgroup, procs_path", [
    ("0::/init.scope\n", "/sys/fs/cgroup/" + NETWORKD_PROCS),                                # cgroup v2
    ("0::/init.scope\n", "/sys/fs/cgroup/unified/" + NETWORKD_PROCS),                        # hybrid
    ("2:cpu:/\n1:name=systemd:/init.scope\n", "/sys/fs/cgroup/systemd/" + NETWORKD_PROCS),   # cgroup v1
    ("1:name=systemd:/\n", "/sys/fs/cgroup/systemd/" + NETWORKD_PROCS),                      # v1, PID 1 at the root
    ("0::/docker/0a1b/init.scope\n", "/sys/fs/cgroup/docker/0a1b/" + NETWORKD_PROCS),        # a container's PID 1
])
def test_a_process_in_networkds_cgroup_means_running_without_asking_systemctl(pid1_cgroup, procs_path):
    runner = FakeRunner()
    fs = MemoryFileSystem({"/proc/1/cgroup": pid1_cgroup.encode(), procs_path: b"380\n"})
    assert read_networkd_service(runner, make_which(), fs) == NetworkdService(True, "loaded", "active", "running")
    assert runner.calls == []


@pytest.mark.parametrize("files", [
    {},                                                                          # nothing readable
    {"/proc/1/cgroup": b"0::/init.scope\n"},                                     # no cgroup: stopped
    {"/proc/1/cgroup": b"0::/init.scope\n", "/sys/fs/cgroup/" + NETWORKD_PROCS: b""},  # cgroup left empty
    {"/proc/1/cgroup": b"0::/init.scope\n",                                      # another slice's unit
     "/sys/fs/cgroup/user.slice/systemd-networkd.service/cgroup.procs": b"7\n"},
])
def test_without_a_process_in_networkds_cgroup_systemctl_says_the_state(files):
    answer = (0, "LoadState=masked\nActiveState=inactive\nSubState=dead\n", "")
    runner = FakeRunner({SHOW_NETWORKD: answer})
    service = read_networkd_service(runner, make_which(), MemoryFileSystem(files))
    assert (service.load_state, service.active_state) == ("masked", "inactive")
    assert [call[1:] for call in runner.calls] == [list(SHOW_NETWORKD[1:])]


def test_a_unit_that_cannot_be_loaded_says_so():
    assert networkd_problem(NetworkdService(True, "bad-setting", "inactive", "dead")) == (
        "systemd-networkd.service cannot be loaded (LoadState=bad-setting): "
        "see `systemctl status systemd-networkd.service`.")


# --------------------------------------------------------------------------- everything

def test_read_live_state_gathers_everything():
    state = read_live_state(FakeRunner(DEFAULT_ANSWERS), make_which(), MemoryFileSystem(host_files()),
                            FakeEthtool())
    assert isinstance(state, LiveState)
    assert [link.name for link in state.links] == ["lo", "enp1s0", "br0", "veth0"]
    assert state.forwarding["ipv4"]["all"] == 1
    assert state.ip_forward == 1
    assert state.systemd_version == 257
    assert state.facts.hostname == "router1"
    assert state.sysctl_writable is True
    assert state.warnings == []


def test_read_live_state_with_nothing_available_warns_instead_of_raising():
    state = read_live_state(FakeRunner(), make_which({}), MemoryFileSystem({}), FakeEthtool({}))
    assert state.links == []
    assert state.forwarding == {"ipv4": {}, "ipv6": {}}
    assert state.ip_forward is None
    assert state.systemd_version is None
    assert state.sysctl_writable is None
    assert len(state.warnings) >= 5
    assert state.networkd == NetworkdService(False, error="systemctl is not available")


def test_read_live_state_without_networkctl_uses_systemctl_and_reports_networkd_missing():
    tools = dict(ALL_TOOLS)
    del tools["networkctl"]
    answers = answers_with({SHOW_NETWORKD: (0, "LoadState=not-found\nActiveState=inactive\nSubState=dead\n", "")})
    state = read_live_state(FakeRunner(answers), make_which(tools), MemoryFileSystem(host_files()), FakeEthtool())
    assert state.systemd_version == 256
    assert networkd_problem(state.networkd).startswith("systemd-networkd is not installed")


def test_commands_run_only_when_which_finds_them():
    runner = FakeRunner(DEFAULT_ANSWERS)
    read_live_state(runner, make_which({"networkctl": "/usr/bin/networkctl"}), MemoryFileSystem(host_files()),
                    FakeEthtool())
    assert [os.path.basename(call[0]) for call in runner.calls] == ["networkctl"]


# --------------------------------------------------------------------------- real ethtool

def test_ethtool_ioctl_on_real_loopback_returns_a_pair():
    result = ethtool_ioctl("lo")
    assert isinstance(result, tuple) and len(result) == 2


def test_ethtool_ioctl_rejects_invalid_names_without_raising():
    assert ethtool_ioctl("x" * 40) == (None, None)
    assert ethtool_ioctl("") == (None, None)
