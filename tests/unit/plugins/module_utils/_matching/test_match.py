# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""[Match] keys against docs/internals/networkd-configuration.md, "[Match] keys" and "How [Match] values combine"."""

from __future__ import annotations

import fnmatch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.match import MatchSection, ifname_valid
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.unit_file import Assignment

PATH = "/etc/systemd/network/10-x.network"
ETH0 = Link(name="eth0", type="ether", mac="02:00:00:00:00:01", driver="e1000e",
            path="pci-0000:00:1f.6", properties={"ID_NET_NAME_PATH": "enp0s31f6", "ID_BUS": "pci"})
VETH = Link(name="veth0", type="ether", kind="veth", mac="02:00:00:00:00:02")
LAB = HostFacts(hostname="lab", machine_id="0123456789abcdef0123456789abcdef", virtualization="none",
                container=False, kernel_release="6.1.0-13-amd64", architecture="x86-64",
                kernel_command_line="BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet", credentials=frozenset({"wg.key"}),
                firmware=frozenset({"uefi"}))


def assignment(key, value, line=2, section="Match"):
    return Assignment(path=PATH, section=section, section_line=1, key=key, value=value, line=line, end_line=line)


def match(*lines, version=257):
    """A MatchSection from ``Key=value`` lines of [Match]; the first is on line 2."""
    assignments = [assignment(*text.split("=", 1), line=number) for number, text in enumerate(lines, start=2)]
    return MatchSection.from_assignments(assignments, version)


def link(name, altnames=(), **attributes):
    return Link(name=name, altnames=tuple(altnames), **attributes)


def matched(section, *names):
    return [name for name in names if section.matches(link(name))]


# -- list keys: accumulation, reset, negation --------------------------------------------------

def test_a_single_name_matches_only_that_link():
    assert matched(match("Name=eth0"), "eth0", "eth1") == ["eth0"]


def test_words_of_one_assignment_are_alternatives():
    assert matched(match("Name=eth0 uplink*"), "eth0", "uplink7", "eth1") == ["eth0", "uplink7"]


def test_assignments_accumulate():
    assert matched(match("Name=eth0", "Name=eth1"), "eth0", "eth1", "eth2") == ["eth0", "eth1"]


def test_an_empty_assignment_resets_the_list():
    assert matched(match("Name=eth0", "Name=", "Name=eth1"), "eth0", "eth1") == ["eth1"]


def test_systemd_247_ignores_an_empty_name_but_resets_other_keys():
    """Measured in the lab on Debian 11: Name=br0 then Name= still matches br0."""
    old = match("Name=eth0", "Name=", "Type=wlan", "Type=", version=247)
    assert matched(old, "eth0", "eth1") == ["eth0"]
    assert matched(match("Name=eth0", "Name=", "Name=eth1", version=252), "eth0", "eth1") == ["eth1"]


def test_a_reset_only_affects_its_own_key():
    section = match("Name=eth0", "Type=wlan", "Type=")
    assert section.matches(ETH0)
    assert section.describe() == "Name=eth0"


def test_a_leading_bang_negates_every_word_of_the_assignment():
    assert matched(match("Name=!eth0 eth1"), "eth0", "eth1", "eth2") == ["eth2"]


def test_positive_and_negative_assignments_mix():
    assert matched(match("Name=eth*", "Name=!eth1"), "eth0", "eth1", "wlan0") == ["eth0"]


def test_a_negative_pattern_wins_over_a_positive_one_in_any_order():
    assert matched(match("Name=!eth1", "Name=eth*"), "eth0", "eth1") == ["eth0"]


def test_a_bang_inside_a_positive_assignment_is_kept_and_negates_that_word():
    # config_parse_match_ifnames() stores "!eth1" as is; the test then reads it as a negation.
    assert matched(match("Name=eth* !eth1"), "eth0", "eth1") == ["eth0"]


def test_only_negative_patterns_match_anything_else():
    assert matched(match("Name=!eth0", "Name=!eth1"), "eth0", "eth1", "wlan0") == ["wlan0"]


def test_keys_are_anded():
    assert match("Name=eth0", "Type=ether").matches(ETH0)
    assert not match("Name=eth0", "Type=wlan").matches(ETH0)


def test_glob_matching_is_case_sensitive():
    assert not match("Name=ETH0").matches(ETH0)


@pytest.mark.parametrize("key, value, expected", [
    ("Type", "ether", True),
    ("Type", "wlan", False),
    ("Driver", "e1000*", True),
    ("Driver", "!e1000e", False),
    ("Path", "pci-0000:00:*", True),
    ("Path", "platform-*", False),
    ("Kind", "veth", False),       # a physical NIC has no kind...
    ("Kind", "!*", True),          # ...so only negative patterns pass
    ("WLANInterfaceType", "station", False),
    ("WLANInterfaceType", "!station", True),
    ("SSID", "*", False),          # the wireless state is unknown: a missing value
    ("SSID", "!home", True),
])
def test_glob_keys_against_a_physical_nic(key, value, expected):
    assert match("%s=%s" % (key, value)).matches(ETH0) is expected


def test_kind_matches_a_virtual_link():
    assert match("Kind=veth").matches(VETH)
    assert not match("Kind=!veth").matches(VETH)


def test_a_missing_attribute_fails_positive_patterns():
    assert not match("Driver=*").matches(VETH)
    assert match("Driver=!*").matches(VETH)


def test_strv_keys_unquote_their_words():
    section = match('Path="pci-0000:00:1f.6" \'platform-*\'')
    assert section.matches(ETH0)
    assert section.describe() == "Path=pci-0000:00:1f.6 platform-*"


def test_quotes_keep_blanks_inside_one_word():
    assert match('SSID="my home" office').describe() == "SSID=my home office"


def test_an_unbalanced_quote_keeps_the_words_before_it():
    section = match('Type=wlan "ether')
    assert section.warnings == ['%s:2: Invalid syntax, ignoring: wlan "ether' % PATH]
    assert section.describe() == "Type=wlan"
    assert not section.matches(ETH0)


def test_name_words_are_not_unquoted():
    assert not match('Name="eth0"').matches(ETH0)


def test_assignments_outside_match_are_ignored():
    section = MatchSection.from_assignments([assignment("Name", "wlan0", section="Network")], 257)
    assert section.is_empty
    assert section.warnings == []


# -- Name= and alternative names -------------------------------------------------------------

def test_name_matches_an_alternative_name_from_245():
    eno1 = link("eno1", altnames=["enp0s31f6"])
    assert match("Name=enp*", version=245).matches(eno1)
    assert not match("Name=enp*", version=244).matches(eno1)


def test_a_negated_name_still_matches_a_link_that_has_an_altname():
    eth0 = link("eth0", altnames=["enp0s31f6"])
    assert match("Name=!eth0", version=257).matches(eth0)
    assert not match("Name=!eth0", version=244).matches(eth0)
    assert not match("Name=!eth0", version=257).matches(link("eth0"))


def test_each_name_is_tested_on_its_own():
    # One altname must pass alone: "enp*" and "!eno1" are not split across two names.
    eno1 = link("eno1", altnames=["enp0s31f6"])
    assert match("Name=enp*", "Name=!enp0s31f6").matches(eno1) is False


@pytest.mark.parametrize("word", [
    "a" * 128, "eth/0", "eth:0", "eth%d", "all", "default", "123", "0", ".", "..", "ethé", "eth\x7f",
])
def test_invalid_names_are_dropped_with_a_warning(word):
    section = MatchSection.from_assignments([assignment("Name", "eth0"), assignment("Name", word, line=3)], 257)
    assert section.describe() == "Name=eth0"
    assert section.warnings == ["%s:3: Interface name is not valid or too long, ignoring assignment: %s" % (PATH, word)]


@pytest.mark.parametrize("word", ["a" * 127, "eth*", "en[op]?", "all0", "eth0.100", "1a", "br-lan"])
def test_valid_names_include_globs_and_long_altnames(word):
    assert ifname_valid(word)
    assert match("Name=" + word).describe() == "Name=" + word


def test_only_the_invalid_words_of_an_assignment_are_dropped():
    section = match("Name=!eth0 all eth1")
    assert section.describe() == "Name=!eth0 !eth1"
    assert len(section.warnings) == 1


@pytest.mark.parametrize("word", ["eth\x010", "eth 0", "eth\t0", ""])
def test_names_with_blanks_or_control_characters_are_invalid(word):
    assert not ifname_valid(word)


# -- address sets ----------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["02:00:00:00:00:01", "02-00-00-00-00-01", "0200.0000.0001", "02:00:00:00:00:01".upper()])
def test_mac_addresses_are_normalized(written):
    section = match("MACAddress=" + written)
    assert section.matches(ETH0)
    assert section.describe() == "MACAddress=02:00:00:00:00:01"


def test_mac_addresses_accumulate_and_reset():
    assert match("MACAddress=02:00:00:00:00:09", "MACAddress=02:00:00:00:00:01").matches(ETH0)
    assert not match("MACAddress=02:00:00:00:00:01", "MACAddress=", "MACAddress=02:00:00:00:00:09").matches(ETH0)


def test_the_links_address_is_normalized_too():
    assert match("MACAddress=02:00:00:00:00:0a").matches(link("eth0", mac="02-00-00-00-00-0A"))


def test_a_link_without_a_mac_does_not_match_an_address_set():
    assert not match("MACAddress=02:00:00:00:00:01").matches(link("eth0"))


def test_invalid_addresses_are_dropped_with_a_warning():
    section = match("MACAddress=02:00:00:00:00:01 zz:00:00:00:00:01 02:00:00:00:01")
    assert section.describe() == "MACAddress=02:00:00:00:00:01"
    assert section.warnings == ["%s:2: Invalid hardware address, ignoring: zz:00:00:00:00:01" % PATH,
                                "%s:2: Invalid hardware address, ignoring: 02:00:00:00:01" % PATH]


def test_addresses_cannot_be_negated():
    section = match("MACAddress=!02:00:00:00:00:01")
    assert section.is_empty
    assert section.warnings == ["%s:2: Invalid hardware address, ignoring: !02:00:00:00:00:01" % PATH]


def test_duplicate_addresses_form_a_set():
    assert match("MACAddress=02:00:00:00:00:01 02-00-00-00-00-01").describe() == "MACAddress=02:00:00:00:00:01"


def test_permanent_mac_address_tests_the_permanent_address():
    nic = link("eth0", mac="02:00:00:00:00:99", permanent_mac="02:00:00:00:00:01")
    assert match("PermanentMACAddress=02:00:00:00:00:01").matches(nic)
    assert not match("MACAddress=02:00:00:00:00:01").matches(nic)


def test_a_bssid_set_never_matches_because_the_wireless_state_is_unknown():
    assert not match("BSSID=02:00:00:00:00:01").matches(ETH0)
    assert match("BSSID=02:00:00:00:00:01", "BSSID=").matches(ETH0)


# -- Property= -------------------------------------------------------------------------------

def test_every_property_entry_must_hold():
    assert match("Property=ID_BUS=pci ID_NET_NAME_PATH=enp*").matches(ETH0)
    assert not match("Property=ID_BUS=pci ID_NET_NAME_PATH=wlp*").matches(ETH0)


def test_property_entries_accumulate_as_and():
    assert not match("Property=ID_BUS=pci", "Property=ID_BUS=usb").matches(ETH0)


def test_a_negated_property_entry_must_not_match():
    assert not match("Property=!ID_BUS=pci").matches(ETH0)
    assert match("Property=!ID_BUS=usb").matches(ETH0)


def test_a_missing_property_fails_a_positive_entry_and_passes_a_negative_one():
    assert not match("Property=ID_MODEL=*").matches(ETH0)
    assert match("Property=!ID_MODEL=*").matches(ETH0)


def test_property_values_may_be_quoted():
    nic = link("eth0", properties={"ID_MODEL_FROM_DATABASE": "I219-LM Ethernet"})
    assert match('Property="ID_MODEL_FROM_DATABASE=I219* Ethernet"').matches(nic)


def test_a_property_entry_without_a_key_is_dropped():
    section = match("Property=ID_BUS=pci =x novalue")
    assert section.describe() == "Property=ID_BUS=pci"
    assert section.warnings == ["%s:2: Invalid property or value, ignoring assignment: =x" % PATH,
                                "%s:2: Invalid property or value, ignoring assignment: novalue" % PATH]


# -- version gating and unknown keys ---------------------------------------------------------

GATED = [
    ("Kind", "veth", 251),
    ("Property", "ID_BUS=pci", 243),
    ("PermanentMACAddress", "02:00:00:00:00:01", 245),
    ("WLANInterfaceType", "station", 244),
    ("SSID", "home", 244),
    ("BSSID", "02:00:00:00:00:01", 244),
    ("KernelVersion", ">=5.4", 237),
    ("Credential", "wg.key", 252),
    ("Firmware", "uefi", 249),
]


@pytest.mark.parametrize("key, value, introduced", GATED)
def test_keys_newer_than_the_version_are_unknown(key, value, introduced):
    older = match("%s=%s" % (key, value), version=introduced - 1)
    assert older.is_empty
    assert older.warnings == ["%s:2: Unknown key '%s' in section [Match], ignoring." % (PATH, key)]


@pytest.mark.parametrize("key, value, introduced", GATED)
def test_keys_are_known_from_their_version(key, value, introduced):
    current = match("%s=%s" % (key, value), version=introduced)
    assert not current.is_empty
    assert current.warnings == []


def test_an_ignored_key_does_not_filter_links():
    assert match("Name=veth0", "Kind=ether", version=250).matches(VETH)
    assert not match("Name=veth0", "Kind=ether", version=251).matches(VETH)


def test_original_name_is_not_a_network_key():
    section = match("OriginalName=*")
    assert section.is_empty
    assert section.warnings == ["%s:2: Unknown key 'OriginalName' in section [Match], ignoring." % PATH]


def test_x_keys_are_ignored_silently():
    section = match("X-Vendor=1")
    assert section.is_empty
    assert section.warnings == []


# -- is_empty and describe -------------------------------------------------------------------

@pytest.mark.parametrize("lines", [
    (),
    ("OriginalName=eth0",),
    ("Name=all default",),
    ("Name=eth0", "Name="),
    ("Host=lab", "Host="),
    ("MACAddress=nonsense",),
    ("X-Foo=bar",),
])
def test_empty_sections(lines):
    assert match(*lines).is_empty


@pytest.mark.parametrize("lines", [("Name=*",), ("Host=lab",), ("Name=eth0", "Name=", "Type=ether"), ("BSSID=02:00:00:00:00:01",)])
def test_non_empty_sections(lines):
    assert not match(*lines).is_empty


def test_describe_lists_keys_then_conditions():
    section = match("Kind=!veth", "Host=!lab", "Name=eth0 uplink*")
    assert section.describe() == "Name=eth0 uplink*, Kind=!veth, Host=!lab"


def test_describe_an_empty_section():
    assert match().describe() == "(empty)"


def test_a_conditions_only_section_matches_every_link():
    section = match("Host=lab")
    assert section.matches(ETH0) and section.matches(VETH)


def test_matches_does_not_test_conditions():
    assert match("Name=eth0", "Host=other").matches(ETH0)


# -- properties ------------------------------------------------------------------------------

NAME_CHARS = "abe0"
names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=5).filter(ifname_valid)
patterns = st.text(alphabet=NAME_CHARS + "*?", min_size=1, max_size=5).filter(ifname_valid)


@given(st.lists(patterns, min_size=1, max_size=4), names)
def test_a_positive_name_list_matches_iff_some_word_matches(words, name):
    section = match("Name=" + " ".join(words))
    assert section.matches(link(name)) == any(fnmatch.fnmatchcase(name, word) for word in words)


@given(patterns, names)
def test_negating_a_single_word_inverts_the_result(word, name):
    assert match("Name=" + word).matches(link(name)) != match("Name=!" + word).matches(link(name))


@given(st.lists(patterns, min_size=1, max_size=4), st.lists(patterns, max_size=4), names)
def test_negative_words_only_ever_remove_links(positive, negative, name):
    section = match("Name=" + " ".join(positive), *["Name=!" + word for word in negative])
    expected = (any(fnmatch.fnmatchcase(name, word) for word in positive)
                and not any(fnmatch.fnmatchcase(name, word) for word in negative))
    assert section.matches(link(name)) == expected


@given(st.lists(st.lists(patterns, min_size=1, max_size=3), min_size=1, max_size=3), names)
def test_splitting_words_over_assignments_changes_nothing(groups, name):
    separate = match(*["Name=" + " ".join(group) for group in groups])
    together = match("Name=" + " ".join(word for group in groups for word in group))
    assert separate.matches(link(name)) == together.matches(link(name))


@given(st.lists(patterns, min_size=1, max_size=4), names)
def test_a_final_empty_assignment_matches_every_link(words, name):
    assert match("Name=" + " ".join(words), "Name=", "Type=*").matches(link(name, type="ether"))


@given(st.binary(min_size=6, max_size=6), st.sampled_from([":", "-"]), st.booleans())
def test_any_spelling_of_a_mac_matches(raw, separator, upper):
    text = separator.join("%02x" % byte for byte in raw)
    section = match("MACAddress=" + (text.upper() if upper else text))
    assert section.matches(link("eth0", mac=":".join("%02x" % byte for byte in raw)))
    assert not section.matches(link("eth0", mac="ff:ff:ff:ff:ff:ff" if raw != b"\xff" * 6 else "00:00:00:00:00:00"))


# -- keys that cannot be decided for a link that lacks the property --------------------------------

def test_permanent_mac_of_a_link_described_without_it_cannot_be_decided():
    section = match("PermanentMACAddress=02:1d:6f:3a:8c:01", "Name=ens5")
    assert section.unknown_keys({"permanent_mac", "path"}) == [("PermanentMACAddress", PATH + ":2", "permanent_mac")]
    assert section.matches(Link(name="ens5", type="ether", mac="02:1d:6f:3a:8c:01")) is False


def test_a_key_the_link_has_the_property_for_is_decided():
    assert match("PermanentMACAddress=02:1d:6f:3a:8c:01", "Name=ens5").unknown_keys({"path"}) == []


def test_negative_only_patterns_and_kind_are_decided_without_the_property():
    assert match("Name=*", "Driver=!veth dummy").unknown_keys({"driver"}) == []
    assert match("Name=ve-*", "Kind=veth").unknown_keys({"kind"}) == []


def test_a_positive_driver_pattern_without_a_driver_cannot_be_decided():
    assert match("Driver=ena ixgbevf vif").unknown_keys({"driver", "mac"}) == [("Driver", PATH + ":2", "driver")]
