# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evidence for auditors: which switch is 1, what sets it, why, and which benchmark items it deviates from."""

from __future__ import annotations

import json

from ansible_collections.hostnet.networkd.plugins.module_utils._report.evidence import BENCHMARK_ITEMS, build_evidence

from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils.hosts import host, network

ETC = "/etc/systemd/network/"
SYSCTL_FILE = "/etc/sysctl.d/90-hostnet-forwarding.conf"
UNMANAGED = "[Match]\nName=docker0 br-* veth*\n\n[Link]\nUnmanaged=yes\n"
LIVE_ON = {"ipv4": {"all": 1, "default": 1, "uplink0": 1, "docker0": 1, "veth1a2b": 1, "lo": 1},
           "ipv6": {"all": 0, "default": 0, "uplink0": 0, "docker0": 0, "veth1a2b": 0, "lo": 0}}


def evidence(files, version, live=None, ip_forward=1, covered=None):
    view = host(files, version, live=LIVE_ON if live is None else live)
    view.ip_forward = ip_forward
    links = [link for link in view.links if not link.is_loopback and (covered is None or link.name in covered)]
    return build_evidence(view, links)


def entry(document, key):
    matches = [item for item in document["forwarding"] if item["key"] == key]
    assert len(matches) <= 1
    return matches[0] if matches else None


def items(document, key):
    return [(item["benchmark"], item["version"], item["item"]) for item in entry(document, key)["deviates_from"]]


def test_a_key_set_by_a_sysctl_d_line_names_that_file_and_line():
    files = {ETC + "10-up.network": network(),
             SYSCTL_FILE: "# forwarding for Docker\nnet.ipv4.ip_forward = 1\nnet.ipv4.conf.uplink0.forwarding = 1\n"}
    document = evidence(files, 257)
    assert entry(document, "net.ipv4.ip_forward")["set_by"] == [SYSCTL_FILE + ":2 (net.ipv4.ip_forward = 1)"]
    assert entry(document, "net.ipv4.conf.uplink0.forwarding")["set_by"] == [
        SYSCTL_FILE + ":3 (net.ipv4.conf.uplink0.forwarding = 1)"]


def test_a_link_set_by_sysctl_d_and_by_networkd_names_both():
    files = {ETC + "10-up.network": network(network="IPv4Forwarding=yes"),
             SYSCTL_FILE: "net.ipv4.conf.uplink0.forwarding = 1\n"}
    assert entry(evidence(files, 257), "net.ipv4.conf.uplink0.forwarding")["set_by"] == [
        SYSCTL_FILE + ":1 (net.ipv4.conf.uplink0.forwarding = 1)", ETC + "10-up.network:5 (IPv4Forwarding=yes)"]


def test_ip_forward_and_all_forwarding_are_one_switch_with_the_same_sources():
    files = {ETC + "10-up.network": network(), SYSCTL_FILE: "net.ipv4.conf.all.forwarding = 1\n"}
    document = evidence(files, 257)
    expected = [SYSCTL_FILE + ":1 (net.ipv4.conf.all.forwarding = 1)"]
    assert entry(document, "net.ipv4.ip_forward")["set_by"] == expected
    assert entry(document, "net.ipv4.conf.all.forwarding")["set_by"] == expected


def test_an_overridden_sysctl_d_line_is_not_a_source():
    files = {ETC + "10-up.network": network(),
             "/etc/sysctl.d/10-early.conf": "net.ipv4.ip_forward = 0\n",
             "/usr/lib/sysctl.d/10-early.conf": "net.ipv4.ip_forward = 1\n"}
    document = evidence(files, 257)
    assert not any("/usr/lib/sysctl.d" in source for source in entry(document, "net.ipv4.ip_forward")["set_by"])


def test_a_networkd_key_that_writes_the_link_is_named_with_file_and_line():
    document = evidence({ETC + "10-up.network": network(network="IPv4Forwarding=yes")}, 257)
    assert entry(document, "net.ipv4.conf.uplink0.forwarding")["set_by"] == [
        ETC + "10-up.network:5 (IPv4Forwarding=yes)"]


def test_networkd_conf_global_setting_is_the_source_of_all_and_default():
    files = {ETC + "10-up.network": network(),
             "/etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf": "[Network]\nIPv4Forwarding=yes\n"}
    document = evidence(files, 257, live={"ipv4": {"all": 0, "default": 0, "uplink0": 0}}, ip_forward=0)
    source = "/etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf:2 (IPv4Forwarding=yes)"
    assert entry(document, "net.ipv4.conf.all.forwarding")["set_by"] == [source]
    assert entry(document, "net.ipv4.conf.default.forwarding")["set_by"] == [source]
    assert entry(document, "net.ipv4.ip_forward")["live"] == 0
    assert entry(document, "net.ipv4.ip_forward")["after_boot"] == 1


def test_networkd_conf_is_named_even_when_an_equal_value_makes_networkd_skip_the_write():
    conf = "/etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf"
    files = {ETC + "10-up.network": network(), conf: "[Network]\nIPv4Forwarding=yes\n",
             SYSCTL_FILE: "net.ipv4.ip_forward = 1\n"}
    assert entry(evidence(files, 257), "net.ipv4.conf.all.forwarding")["set_by"] == [
        SYSCTL_FILE + ":1 (net.ipv4.ip_forward = 1)", conf + ":2 (IPv4Forwarding=yes)"]


def test_ipforward_before_256_turns_ip_forward_on_and_the_link_follows_by_propagation():
    files = {ETC + "10-up.network": network(network="IPForward=yes")}
    document = evidence(files, 252, live={"ipv4": {"all": 0, "default": 0, "uplink0": 0}}, ip_forward=0)
    assert entry(document, "net.ipv4.ip_forward")["set_by"] == [ETC + "10-up.network:5 (IPForward=yes)"]
    assert entry(document, "net.ipv4.conf.uplink0.forwarding")["set_by"] == [
        "kernel propagation from net.ipv4.ip_forward"]


def test_ipforward_before_256_is_named_even_when_ip_forward_is_on_already():
    files = {ETC + "10-up.network": network(network="IPForward=ipv4"), SYSCTL_FILE: "net.ipv4.ip_forward = 1\n"}
    assert entry(evidence(files, 252), "net.ipv4.ip_forward")["set_by"] == [
        SYSCTL_FILE + ":1 (net.ipv4.ip_forward = 1)", ETC + "10-up.network:5 (IPForward=ipv4)"]


def test_a_switch_no_file_sets_is_a_runtime_write():
    document = evidence({ETC + "10-up.network": network()}, 257)
    assert entry(document, "net.ipv4.ip_forward")["after_boot"] == 0
    assert entry(document, "net.ipv4.ip_forward")["set_by"][0].startswith("no configuration file sets it")
    assert entry(document, "net.ipv4.conf.uplink0.forwarding")["set_by"] == [
        "kernel propagation from net.ipv4.ip_forward"]


def test_a_link_at_0_is_not_listed_as_deviating():
    live = {"ipv4": {"all": 1, "default": 1, "uplink0": 0, "docker0": 1, "veth1a2b": 1}}
    document = evidence({ETC + "10-up.network": network()}, 257, live=live, ip_forward=1)
    assert entry(document, "net.ipv4.conf.uplink0.forwarding") is None
    assert entry(document, "net.ipv4.conf.docker0.forwarding") is not None


def test_a_link_at_0_now_but_1_after_boot_is_listed():
    files = {ETC + "10-up.network": network(), SYSCTL_FILE: "net.ipv4.conf.uplink0.forwarding = 1\n"}
    live = {"ipv4": {"all": 0, "default": 0, "uplink0": 0}}
    item = entry(evidence(files, 257, live=live, ip_forward=0), "net.ipv4.conf.uplink0.forwarding")
    assert (item["live"], item["after_boot"]) == (0, 1)


def test_ipv6_at_0_is_not_listed():
    document = evidence({ETC + "10-up.network": network()}, 257)
    assert not [item for item in document["forwarding"] if item["key"].startswith("net.ipv6.")]


def test_cis_items_name_ip_forward_and_the_stig_item_names_all_forwarding():
    document = evidence({ETC + "10-up.network": network()}, 257)
    assert items(document, "net.ipv4.ip_forward") == [
        ("CIS Debian Linux 12 Benchmark", "v1.1.0", "3.3.1"), ("CIS Debian Linux 11 Benchmark", "v1.0.0", "3.2.2")]
    assert items(document, "net.ipv4.conf.all.forwarding") == [
        ("DISA Red Hat Enterprise Linux 9 STIG", "V2R8", "RHEL-09-253075")]


def test_ipv6_all_forwarding_carries_the_cis_and_stig_ipv6_items():
    live = {"ipv4": {"all": 0, "default": 0, "uplink0": 0}, "ipv6": {"all": 1, "default": 1, "uplink0": 1}}
    document = evidence({ETC + "10-up.network": network()}, 257, live=live, ip_forward=0)
    assert items(document, "net.ipv6.conf.all.forwarding") == [
        ("CIS Debian Linux 12 Benchmark", "v1.1.0", "3.3.1"), ("CIS Debian Linux 11 Benchmark", "v1.0.0", "3.2.2"),
        ("DISA Red Hat Enterprise Linux 9 STIG", "V2R8", "RHEL-09-254025")]


def test_per_link_and_default_keys_deviate_from_no_benchmark_item():
    document = evidence({ETC + "10-up.network": network()}, 257)
    assert entry(document, "net.ipv4.conf.uplink0.forwarding")["deviates_from"] == []
    assert entry(document, "net.ipv4.conf.default.forwarding")["deviates_from"] == []


def test_every_catalogued_key_is_a_key_the_evidence_can_list():
    listed = {"net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv6.conf.all.forwarding"}
    assert {key for item in BENCHMARK_ITEMS for key in item.keys} <= listed
    assert all(item.benchmark and item.version and item.item and item.title and item.reference
               for item in BENCHMARK_ITEMS)


def test_uplinks_are_the_covered_links_that_are_not_dockers():
    document = evidence({ETC + "10-up.network": network(), ETC + "05-c.network": UNMANAGED}, 257)
    assert document["uplinks"] == ["uplink0"]
    assert "uplink0" in entry(document, "net.ipv4.ip_forward")["reason"]
    assert "is one of Docker's links" in entry(document, "net.ipv4.conf.docker0.forwarding")["reason"]
    assert "is an uplink" in entry(document, "net.ipv4.conf.uplink0.forwarding")["reason"]


def test_a_link_networkd_does_not_manage_is_not_an_uplink():
    document = evidence({ETC + "05-c.network": UNMANAGED}, 257)
    assert document["uplinks"] == []
    assert entry(document, "net.ipv4.conf.uplink0.forwarding")["reason"].startswith(
        "uplink0 is neither one of Docker's links nor an uplink networkd manages")


def test_a_link_docker_created_after_boot_copied_default():
    files = {ETC + "10-up.network": network(), ETC + "05-c.network": UNMANAGED,
             SYSCTL_FILE: "net.ipv4.ip_forward = 1\n"}
    assert entry(evidence(files, 257), "net.ipv4.conf.docker0.forwarding")["set_by"] == [
        "copied from net.ipv4.conf.default.forwarding when the link appeared"]


def test_only_covered_links_are_listed():
    document = evidence({ETC + "10-up.network": network()}, 257, covered=["uplink0"])
    keys = [item["key"] for item in document["forwarding"]]
    assert "net.ipv4.conf.docker0.forwarding" not in keys
    assert "net.ipv4.conf.uplink0.forwarding" in keys


def test_the_document_is_the_same_on_every_run_and_serializes_to_json():
    files = {ETC + "10-up.network": network(network="IPv4Forwarding=yes"), SYSCTL_FILE: "net.ipv4.ip_forward = 1\n"}
    first, second = evidence(files, 257), evidence(files, 257)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
