# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Catch-all files, findings and the verification, from link reports as the audit gives them."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.checks import (
    catchall_files,
    catchall_problem,
    container_links,
    findings,
    probe_events,
    verification_problems,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.settings import Settings
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.sysctl_plan import plan_sysctl

SETTINGS = Settings(uplinks=("uplink0",))
ROLE_FILE = "/etc/systemd/network/05-hostnet-container-links.network"
ON = {"live": 1, "after_reconfigure": 1, "after_restart": None, "after_boot": 1, "after_sysctl_reload": None, "risk": None}
GLOBAL_ON = {"ipv4": {"ip_forward": 1, "all": 1, "default": 1}, "ipv6": {"all": 0, "default": 0}}


def link(name, network_file=None, unmanaged=False, **ipv4):
    return {"name": name, "network_file": network_file, "dropins": [], "unmanaged": unmanaged, "ipv4": dict(ON, **ipv4)}


def test_dockers_links_are_those_matching_the_patterns_each_once():
    reports = [link("uplink0"), link("docker0"), link("vethA"), link("docker0", live=None)]
    assert [r["name"] for r in container_links(SETTINGS, reports)] == ["docker0", "vethA"]


def test_a_catchall_sorting_after_the_roles_file_is_neutralized():
    reports = [link("docker0", "/etc/systemd/network/99-all.network"), link("vethA", "/etc/systemd/network/99-all.network"),
               link("veth0123abc", "/etc/systemd/network/01-early.network")]
    assert catchall_files(SETTINGS, reports) == [
        {"network_file": "/etc/systemd/network/99-all.network", "links": ["docker0", "vethA"], "neutralized": True},
        {"network_file": "/etc/systemd/network/01-early.network", "links": ["veth0123abc"], "neutralized": False}]


def test_nothing_is_neutralized_without_the_roles_file():
    reports = [link("docker0", "/etc/systemd/network/99-all.network")]
    assert catchall_files(Settings(uplinks=("x",), unmanaged_container_links=False), reports)[0]["neutralized"] is False


def test_the_roles_own_file_and_unmanaged_links_are_no_catchall():
    reports = [link("docker0", ROLE_FILE, unmanaged=True), link("vethA", "/etc/systemd/network/99-all.network", unmanaged=True)]
    assert catchall_files(SETTINGS, reports) == []


def test_only_a_catchall_the_role_cannot_outrank_stops_it_and_only_with_fail():
    early = {"network_file": "/etc/systemd/network/01-early.network", "links": ["docker0"], "neutralized": False}
    late = dict(early, network_file="/etc/systemd/network/99-all.network", neutralized=True)
    assert catchall_problem(SETTINGS, [late]) == []
    assert catchall_problem(SETTINGS, [late, early])[0].startswith(
        "/etc/systemd/network/01-early.network would govern Docker's links (docker0).")
    assert catchall_problem(Settings(uplinks=("x",), catchall_action="report"), [early]) == []


def test_findings_say_what_the_role_does_about_each():
    conflict = {"file": "/etc/sysctl.d/60-cis.conf", "line": 2, "key": "net.ipv4.ip_forward", "value": "0"}
    catchall = [{"network_file": "/etc/systemd/network/99-all.network", "links": ["docker0"], "neutralized": True}]
    uplink = link("uplink0", risk="uplink0 IPv4 forwarding becomes 0 after a reboot (kernel default).")
    lines = findings(SETTINGS, [uplink], catchall, plan_sysctl(SETTINGS, [conflict], ["uplink0"]))
    assert lines == [
        "uplink0 IPv4 forwarding becomes 0 after a reboot (kernel default).",
        "/etc/systemd/network/99-all.network would govern docker0: neutralized by 05-hostnet-container-links.network, "
        "which sorts before it.",
        "/etc/sysctl.d/60-cis.conf:2 sets net.ipv4.ip_forward = 0, against net.ipv4.ip_forward, "
        "net.ipv4.conf.all.forwarding: left in force (set docker_host_network_override_sysctl_conflicts to override it)."]


def test_an_uplink_that_forwards_and_stays_forwarding_verifies():
    assert verification_problems(SETTINGS, [link("uplink0")], [], GLOBAL_ON) == []


@pytest.mark.parametrize("value", [{"live": 0}, {"live": None}, {"after_boot": None}, {"after_reconfigure": 0},
                                   {"after_restart": 0}, {"after_sysctl_reload": 0}])
def test_an_uplink_must_read_1_now_and_after_every_event(value):
    problems = verification_problems(SETTINGS, [link("uplink0", **value)], [], GLOBAL_ON)
    assert len(problems) == 1 and problems[0].startswith("uplink0 ipv4 forwarding: now ")


def test_a_link_docker_will_create_has_no_live_value_yet():
    assert verification_problems(SETTINGS, [], [link("veth0123abc", ROLE_FILE, unmanaged=True, live=None)], GLOBAL_ON) == []


def test_a_docker_link_that_networkd_governs_fails_the_verification():
    problems = verification_problems(SETTINGS, [], [link("docker0", "/etc/systemd/network/01-early.network")], GLOBAL_ON)
    assert problems == ["docker0 is governed by /etc/systemd/network/01-early.network, not left unmanaged by %s." % ROLE_FILE]
    assert verification_problems(Settings(uplinks=("x",), catchall_action="report"), [],
                                 [link("docker0", "/etc/systemd/network/01-early.network")], GLOBAL_ON) == []


def test_ip_forward_all_and_default_must_read_1_now():
    problems = verification_problems(SETTINGS, [], [], {"ipv4": {"ip_forward": 0, "all": 0, "default": 1}})
    assert problems == ["net.ipv4.ip_forward reads 0 now.", "net.ipv4.conf.all.forwarding reads 0 now."]


def test_with_drop_the_forward_path_must_drop():
    verdict = {"ipv4": {"dropped": False, "summary": "IPv4 forwarding is on and no forward base chain drops..."}}
    drop = Settings(uplinks=("uplink0",), forward_policy="drop")
    assert verification_problems(drop, [], [], GLOBAL_ON, verdict) == ["IPv4 forwarding is on and no forward base chain drops..."]
    assert verification_problems(SETTINGS, [], [], GLOBAL_ON, verdict) == []


def test_the_probe_replays_each_event_on_the_uplinks():
    events = {event["name"]: event["commands"] for event in probe_events(["eth0", "eth1"])}
    assert events["networkctl reconfigure of the uplinks"] == [["networkctl", "reconfigure", "eth0", "eth1"]]
    assert events["the uplinks going down and up"] == [
        ["ip", "link", "set", "eth0", "down"], ["ip", "link", "set", "eth1", "down"],
        ["ip", "link", "set", "eth0", "up"], ["ip", "link", "set", "eth1", "up"]]
    assert list(events)[-1] == "sysctl --system"
