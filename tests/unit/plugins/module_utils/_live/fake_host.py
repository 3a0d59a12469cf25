# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake host for the live readers: sysfs, procfs and udev files, command answers, an ethtool."""

from __future__ import annotations

import json
import os

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._live.links import discover_links

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


# What read_networkd_service() asks systemctl.
SHOW_NETWORKD = ("systemctl", "show", "systemd-networkd.service", "--property=LoadState,ActiveState,SubState")


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
