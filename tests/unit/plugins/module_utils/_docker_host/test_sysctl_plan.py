# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sysctl plan: the keys a Docker host needs, the entries against them, what the role writes."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.settings import Settings
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.sysctl_plan import (
    needed_keys,
    plan_sysctl,
    proc_path,
    sysctl_conflicts,
    unbeatable_conflicts,
)

OWN = "/etc/sysctl.d/90-hostnet-forwarding.conf"


def entry(key, value="0", path="/etc/sysctl.d/60-cis.conf", line=2):
    return {"file": path, "line": line, "key": key, "value": value, "effective": True}


def test_ipv4_needs_ip_forward_then_all_default_and_each_uplink():
    assert needed_keys(["ipv4", "ipv6"], ["eth0", "vlan.10"]) == [
        "net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv4.conf.default.forwarding",
        "net.ipv4.conf.eth0.forwarding", "net.ipv4.conf.vlan/10.forwarding",
        "net.ipv6.conf.all.forwarding", "net.ipv6.conf.default.forwarding",
        "net.ipv6.conf.eth0.forwarding", "net.ipv6.conf.vlan/10.forwarding"]


def test_a_slash_in_a_key_is_a_dot_in_the_proc_path():
    assert proc_path("net.ipv4.conf.vlan/10.forwarding") == "/proc/sys/net/ipv4/conf/vlan.10/forwarding"
    assert proc_path("net.ipv4.ip_forward", "/tmp/proc") == "/tmp/proc/net/ipv4/ip_forward"


def test_ip_forward_and_all_are_one_knob():
    needed = needed_keys(["ipv4"], ["eth0"])
    assert sysctl_conflicts([entry("net.ipv4.ip_forward")], needed)[0]["covers"] == [
        "net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding"]
    assert sysctl_conflicts([entry("net.ipv4.conf.all.forwarding")], needed)[0]["covers"] == [
        "net.ipv4.conf.all.forwarding", "net.ipv4.ip_forward"]


def test_a_glob_key_covers_every_needed_key_it_matches():
    conflicts = sysctl_conflicts([entry("net.ipv4.conf.*.forwarding")], needed_keys(["ipv4"], ["eth0"]))
    assert conflicts[0]["covers"] == ["net.ipv4.conf.all.forwarding", "net.ipv4.conf.default.forwarding",
                                      "net.ipv4.conf.eth0.forwarding"]


@pytest.mark.parametrize("value, conflicting", [("0", True), (" 0.0 ", True), ("1", False), ("off", False)])
def test_only_a_zero_conflicts(value, conflicting):
    assert bool(sysctl_conflicts([entry("net.ipv4.ip_forward", value)], ["net.ipv4.ip_forward"])) is conflicting


def test_the_roles_own_files_are_not_conflicts():
    settings = Settings(uplinks=("eth0",))
    assert plan_sysctl(settings, [entry("net.ipv4.ip_forward", path=OWN)], ["eth0"]).conflicts == []


def test_conflicting_keys_are_left_out_unless_overridden():
    plan = plan_sysctl(Settings(uplinks=("eth0",)), [entry("net.ipv4.ip_forward")], ["eth0"])
    assert plan.left_out == ["net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding"]
    assert plan.written == ["net.ipv4.conf.default.forwarding", "net.ipv4.conf.eth0.forwarding"]
    assert plan.override is False


def test_override_writes_every_key_and_the_override_file():
    plan = plan_sysctl(Settings(uplinks=("eth0",), override_sysctl_conflicts=True), [entry("net.ipv4.ip_forward")], ["eth0"])
    assert plan.left_out == [] and plan.written == plan.needed and plan.override is True


@pytest.mark.parametrize("values", [{"override_sysctl_conflicts": True, "sysctl": False}, {"override_sysctl_conflicts": True}])
def test_no_override_file_without_a_conflict_or_without_the_sysctl_file(values):
    entries = [entry("net.ipv4.ip_forward")] if values.get("sysctl") is False else []
    assert plan_sysctl(Settings(uplinks=("eth0",), **values), entries, ["eth0"]).override is False


def test_sysctl_conf_and_later_sorting_files_cannot_be_overridden():
    entries = [entry("net.ipv4.ip_forward", path="/etc/sysctl.conf"),
               entry("net.ipv4.ip_forward", path="/etc/sysctl.d/99-zzz-harden.conf"),
               entry("net.ipv4.ip_forward", path="/etc/sysctl.d/60-cis.conf")]
    plan = plan_sysctl(Settings(uplinks=("eth0",), override_sysctl_conflicts=True), entries, ["eth0"])
    assert unbeatable_conflicts(plan, "/etc/sysctl.d/99-zz-hostnet-forwarding-override.conf") == [
        "/etc/sysctl.conf", "/etc/sysctl.d/99-zzz-harden.conf"]
