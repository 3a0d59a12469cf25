# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Link discovery: ip's JSON, sysfs, udev and ethtool, as networkd's matcher sees a link."""

from __future__ import annotations

import os

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._live.links import discover_links, parse_link_json, parse_udev_database
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._live.fake_host import (
    ALL_TOOLS,
    DEFAULT_ANSWERS,
    FakeEthtool,
    FakeRunner,
    IP_LINK_JSON,
    MOUNTINFO_UNPRIVILEGED_CONTAINER,
    UDEV_ENP1S0,
    answers_with,
    host_files,
    links_by_name,
    make_which,
    sysfs_link,
)


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
