# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sysctl_conflicts: the entries that set a needed forwarding key to 0, and the keys each covers."""

from __future__ import annotations

import pytest

from ansible.module_utils import _internal as module_utils_internal

# Importing the controller's code marks the process as the controller (see test_report_files.py).
_WAS_CONTROLLER = module_utils_internal.is_controller
from ansible.errors import AnsibleFilterError  # noqa: E402
from ansible_collections.hostnet.networkd.plugins.filter.sysctl import FilterModule, sysctl_conflicts  # noqa: E402
module_utils_internal.is_controller = _WAS_CONTROLLER

NEEDED = ["net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv4.conf.default.forwarding",
          "net.ipv4.conf.eth0.forwarding", "net.ipv4.conf.eth0/100.forwarding"]


@pytest.fixture(autouse=True)
def controller(monkeypatch):
    monkeypatch.setattr(module_utils_internal, "is_controller", True)


def entry(key, value="0", file="/etc/sysctl.d/60-cis.conf", line=1):
    return {"file": file, "line": line, "key": key, "value": value, "effective": True}


def covers(entries, ignore=()):
    return [conflict["covers"] for conflict in sysctl_conflicts(entries, NEEDED, list(ignore))]


def test_an_entry_that_sets_a_needed_key_to_0_is_returned_whole_with_what_it_covers():
    cis = entry("net.ipv4.conf.eth0.forwarding", line=7)
    assert sysctl_conflicts([cis], NEEDED) == [dict(cis, covers=["net.ipv4.conf.eth0.forwarding"])]


def test_ip_forward_and_all_forwarding_cover_each_other():
    assert covers([entry("net.ipv4.ip_forward")]) == [["net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding"]]
    assert covers([entry("net.ipv4.conf.all.forwarding")]) == [["net.ipv4.conf.all.forwarding", "net.ipv4.ip_forward"]]


def test_globs_cover_every_key_they_match_and_nothing_else():
    assert covers([entry("net.ipv4.conf.*.forwarding")]) == [NEEDED[1:]]
    assert covers([entry("net.ipv4.conf.eth?.forwarding")]) == [["net.ipv4.conf.eth0.forwarding"]]
    # Dots in a key are literal, not "any character".
    assert covers([entry("net.ipv4.conf.eth0.forwarding")]) == [["net.ipv4.conf.eth0.forwarding"]]
    assert covers([entry("net.ipv4xconf.eth0.forwarding")]) == []


@pytest.mark.parametrize("value, conflicts", [
    ("0", True), (" 0 ", True), ("0.0", True), ("00", True),
    ("1", False), ("2", False), ("", False), ("off", False), ("0x0", False),
])
def test_only_a_value_that_reads_as_0_conflicts(value, conflicts):
    assert bool(sysctl_conflicts([entry("net.ipv4.ip_forward", value)], NEEDED)) is conflicts


def test_entries_of_ignored_files_and_keys_nobody_needs_are_left_out():
    own = entry("net.ipv4.ip_forward", file="/etc/sysctl.d/99-hostnet-forwarding.conf")
    assert covers([own], ignore=[own["file"]]) == []
    assert covers([entry("net.ipv6.conf.all.forwarding"), entry("net.ipv4.conf.eth1.forwarding")]) == []


def test_the_order_of_the_entries_is_kept():
    first, second = entry("net.ipv4.conf.eth0.forwarding", line=9), entry("net.ipv4.ip_forward", line=2)
    assert [conflict["line"] for conflict in sysctl_conflicts([first, second], NEEDED)] == [9, 2]


def test_input_that_is_not_a_list_of_entries_is_refused():
    with pytest.raises(AnsibleFilterError, match="the input must be the list of sysctl entries"):
        sysctl_conflicts({"net.ipv4.ip_forward": "0"}, NEEDED)


def test_the_filter_is_published():
    assert FilterModule().filters() == {"sysctl_conflicts": sysctl_conflicts}
