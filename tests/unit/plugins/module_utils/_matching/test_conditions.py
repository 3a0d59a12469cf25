# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""[Match] conditions (Host=, Virtualization=, KernelVersion=...) against docs/internals/networkd-configuration.md, "Conditions"."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.hostnet.networkd.plugins.module_utils._matching.conditions import compare_versions
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._matching.test_match import LAB, PATH, match


def verdict(*lines, facts=LAB, version=257):
    return match(*lines, version=version).conditions(facts)


def test_no_conditions_hold():
    assert verdict("Name=eth0").holds is True


def test_a_false_host_names_the_condition_and_the_fact():
    result = verdict("Host=other", facts=HostFacts(hostname="lab"))
    assert result.holds is False
    assert result.reason == "Host=other (%s:2) is false: hostname is lab" % PATH


@pytest.mark.parametrize("value, expected", [
    ("lab", True), ("LAB", True), ("l?b", True), ("La*", True), ("other", False),
    ("!lab", False), ("!other", True),
    ("0123456789abcdef0123456789abcdef", True), ("0123456789ABCDEF0123456789ABCDEF", True),
    ("01234567-89ab-cdef-0123-456789abcdef", True), ("fedcba9876543210fedcba9876543210", False),
])
def test_host(value, expected):
    assert verdict("Host=" + value).holds is expected


def test_a_machine_id_is_not_compared_with_the_hostname():
    machine_id = "0123456789abcdef0123456789abcdef"
    assert verdict("Host=" + machine_id, facts=HostFacts(hostname=machine_id)).holds is None
    assert verdict("Host=" + machine_id, facts=HostFacts(machine_id=machine_id)).holds is True
    assert verdict("Host=" + machine_id, facts=HostFacts(machine_id=machine_id.upper())).holds is True


def test_an_unknown_hostname_cannot_be_evaluated():
    result = verdict("Host=lab", facts=HostFacts(machine_id="0123456789abcdef0123456789abcdef"))
    assert result.holds is None
    assert result.reason == "Host=lab (%s:2) cannot be evaluated: the hostname is unknown" % PATH


@pytest.mark.parametrize("value, virtualization, container, expected", [
    ("yes", "none", False, False),
    ("no", "none", False, True),
    ("true", "kvm", False, True),
    ("YES", "kvm", False, True),
    ("0", "docker", True, False),
    ("vm", "kvm", False, True),
    ("vm", "docker", True, False),
    ("vm", "none", False, False),
    ("container", "docker", True, True),
    ("container", "kvm", False, False),
    ("container", "none", None, False),
    ("kvm", "kvm", False, True),
    ("kvm", "qemu", False, False),
    ("none", "none", False, False),      # a technology name: never true on bare metal
    ("!container", "lxc", True, False),
    ("container", "something-new", None, None),
    ("private-users", "none", False, None),
    ("vm", None, None, None),
])
def test_virtualization(value, virtualization, container, expected):
    facts = HostFacts(virtualization=virtualization, container=container)
    assert verdict("Virtualization=" + value, facts=facts).holds is expected


@pytest.mark.parametrize("value, expected", [
    ("quiet", True), ("root", True), ("root=/dev/sda1", True), ("BOOT_IMAGE", True),
    ("quie", False), ("root=/dev", False), ("/dev/sda1", False), ("splash", False), ("!splash", True),
])
def test_kernel_command_line(value, expected):
    assert verdict("KernelCommandLine=" + value).holds is expected


def test_kernel_command_line_words_are_unquoted():
    facts = HostFacts(kernel_command_line='ro "console=ttyS0,115200 n8" quiet')
    assert verdict("KernelCommandLine=console=ttyS0,115200 n8", facts=facts).holds is True


def test_an_unknown_kernel_command_line_cannot_be_evaluated():
    result = verdict("KernelCommandLine=quiet", facts=HostFacts())
    assert result.holds is None
    assert "kernel command line is unknown" in result.reason


@pytest.mark.parametrize("value, expected", [
    (">=5.4", True), (">6.1", True), ("<5.4", False), ("<=6.1.0-13-amd64", True), ("<6.1.0-13-amd64", False),
    ("=6.1.0-13-amd64", True), ("=6.1", False), ("!=6.1", True), ("6.1.*", True), ("5.*", False),
    (">= 6", True), (">5 <7", True), (">5 <6", False), ("6.* >=6.1.0", True),
    ("!>=7", True), ("!6.1.*", False),
])
def test_kernel_version(value, expected):
    assert verdict("KernelVersion=" + value).holds is expected


@pytest.mark.parametrize("value", [">=", "!>=", ">5 <", '"6.1'])
def test_an_unparsable_kernel_version_is_false_even_negated(value):
    result = verdict("KernelVersion=" + value)
    assert result.holds is False
    assert "cannot parse" in result.reason


SORTED_VERSIONS = ["122.1", "123~rc1-1", "123", "123-a", "123-a.1", "123-1", "123-1.1", "123^post1",
                   "123.a-1", "123.1-1", "123a-1", "124-1"]


def test_compare_versions_orders_systemds_own_example():
    for (i, a), (j, b) in itertools.product(enumerate(SORTED_VERSIONS), repeat=2):
        assert compare_versions(a, b) == (i > j) - (i < j), (a, b)


@pytest.mark.parametrize("a, b, expected", [
    ("5.10", "5.9", 1), ("5.010", "5.10", 0), ("6.1.0-13-amd64", "6.1", 1), ("6.1", "6.1.0", -1), ("5.4_x", "5.4x", 0),
])
def test_compare_versions(a, b, expected):
    assert compare_versions(a, b) == expected


@given(st.lists(st.integers(0, 300), min_size=1, max_size=4), st.lists(st.integers(0, 300), min_size=1, max_size=4))
def test_dotted_numbers_compare_like_tuples(a, b):
    expected = (a > b) - (a < b)
    assert compare_versions(".".join(map(str, a)), ".".join(map(str, b))) == expected


@given(st.text(alphabet="0123456789.-~^ab_", max_size=8), st.text(alphabet="0123456789.-~^ab_", max_size=8))
def test_compare_versions_is_antisymmetric(left, right):
    forward, backward = compare_versions(left, right), compare_versions(right, left)
    assert forward == -backward


@pytest.mark.parametrize("value, expected", [
    ("x86-64", True), ("arm64", False), ("!arm64", True), ("native", True), ("no-such-arch", False),
])
def test_architecture(value, expected):
    assert verdict("Architecture=" + value).holds is expected


def test_native_architecture_needs_no_facts():
    assert verdict("Architecture=native", facts=HostFacts()).holds is True
    assert verdict("Architecture=x86-64", facts=HostFacts()).holds is None


@pytest.mark.parametrize("credentials, expected", [(frozenset({"wg.key"}), True), (frozenset(), False), (None, None)])
def test_credential(credentials, expected):
    assert verdict("Credential=wg.key", facts=HostFacts(credentials=credentials)).holds is expected


@pytest.mark.parametrize("value, firmware, expected", [
    ("uefi", frozenset({"uefi"}), True),
    ("uefi", frozenset({"device-tree"}), False),
    ("device-tree", frozenset({"device-tree"}), True),
    ("bios", frozenset(), False),
    ("device-tree-compatible(raspberrypi,4-model-b)", frozenset({"device-tree"}), None),
    ("smbios-field(board_vendor = Dell*)", frozenset(), None),
    ("uefi", None, None),
])
def test_firmware(value, firmware, expected):
    assert verdict("Firmware=" + value, facts=HostFacts(firmware=firmware)).holds is expected


def test_a_later_condition_of_the_same_key_replaces_the_earlier():
    assert verdict("Host=other", "Host=lab").holds is True
    assert verdict("Host=lab", "Host=other").holds is False


def test_conditions_of_different_keys_are_anded():
    assert verdict("Host=lab", "Architecture=x86-64").holds is True
    assert verdict("Host=lab", "Architecture=arm64").holds is False


def test_an_empty_condition_clears_it():
    section = match("Host=other", "Host=")
    assert section.conditions(LAB).holds is True
    assert section.is_empty


def test_a_cleared_condition_can_be_set_again():
    assert verdict("Host=lab", "Host=", "Host=other").holds is False


def test_a_false_condition_beats_an_unknown_one_in_either_order():
    facts = HostFacts(hostname="lab")
    for lines in (("KernelCommandLine=quiet", "Host=other"), ("Host=other", "KernelCommandLine=quiet")):
        result = verdict(*lines, facts=facts)
        assert result.holds is False
        assert result.reason.startswith("Host=other")


def test_every_unknown_fact_is_named():
    result = verdict("KernelCommandLine=quiet", "Architecture=x86-64", facts=HostFacts(hostname="lab"))
    assert result.holds is None
    assert "kernel command line" in result.reason and "architecture" in result.reason


def test_without_facts_every_fact_is_unknown():
    assert match("Host=lab").conditions(None).holds is None
    assert match("Name=eth0").conditions(None).holds is True


def test_a_condition_reason_names_the_last_assignment_location():
    result = verdict("Host=lab", "Name=eth0", "Host=other")
    assert result.reason == "Host=other (%s:4) is false: hostname is lab" % PATH
