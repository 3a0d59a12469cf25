# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The INI reader against docs/internals/networkd-configuration.md, "The INI dialect", and byte-exact editing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.unit_file import (
    LONG_LINE_MAX,
    UnitFile,
    _FileRejected,
    _Parser,
    parse_unit_file,
    rewrite,
)

MODERN = 257
LEGACY = 219


def values(raw, section="Network", key="IPv4Forwarding", version=MODERN):
    unit = parse_unit_file(raw, "/etc/systemd/network/10-x.network", version)
    assert unit.error is None, unit.error
    return [a.value for a in unit.get(section, key)]


# -- reading -----------------------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r", b"\n\r", b"\0"])
def test_every_line_ending_networkd_accepts_ends_a_line(eol):
    raw = eol.join([b"[Network]", b"IPv4Forwarding=yes", b"DHCP=yes"]) + eol
    assert values(raw) == ["yes"]
    assert values(raw, key="DHCP") == ["yes"]


def test_terminators_combine_as_read_line_does():
    unit = parse_unit_file(b"[Network]\n\0A=1\r\n\0B=2\n\nC=3", "/f", MODERN)
    assert [(a.key, a.line) for a in unit.assignments] == [("A", 2), ("B", 3), ("C", 5)]


def test_comments_only_at_the_start_of_a_line():
    raw = b"[Network]\n# IPv4Forwarding=no\n  ; IPv4Forwarding=no\nIPv4Forwarding=yes # not a comment\n"
    assert values(raw) == ["yes # not a comment"]


def test_comment_lines_inside_a_continuation_are_skipped():
    raw = b"[Match]\nName=eth0 \\\n# eth9\n  eth1\n"
    unit = parse_unit_file(raw, "/f", MODERN)
    (name,) = unit.get("Match", "Name")
    assert name.value == "eth0    eth1"
    assert (name.line, name.end_line) == (2, 4)


def test_old_reader_appends_comment_lines_to_a_continued_value():
    raw = b"[Match]\nName=eth0 \\\n# eth9\n"
    assert values(raw, "Match", "Name", LEGACY) == ["eth0  # eth9"]


def test_escaped_backslash_does_not_continue():
    raw = b"[Network]\nDescription=a\\\\\nIPv4Forwarding=yes\n"
    assert values(raw, key="Description") == ["a\\\\"]
    assert values(raw) == ["yes"]


def test_continuation_at_end_of_file_is_parsed():
    assert values(b"[Network]\nIPv4Forwarding=yes\\") == ["yes"]


def test_key_and_value_are_stripped_around_the_first_equals():
    assert values(b"[Network]\n  IPv4Forwarding \t=  a=b  \n") == ["a=b"]


def test_sections_and_keys_are_case_sensitive():
    raw = b"[network]\nIPv4Forwarding=yes\n[Network]\nipv4forwarding=yes\n"
    assert values(raw) == []


def test_repeated_sections_and_keys_are_kept_in_order():
    raw = b"[Network]\nIPv4Forwarding=no\n[Match]\nName=a\n[Network]\nIPv4Forwarding=\nIPv4Forwarding=yes\n"
    unit = parse_unit_file(raw, "/f", MODERN)
    assert values(raw) == ["no", "", "yes"]
    assert unit.sections == [("Network", 1), ("Match", 3), ("Network", 5)]
    assert [a.section_line for a in unit.get("Network", "IPv4Forwarding")] == [1, 5, 5]


def test_bom_is_stripped_once():
    assert values(b"\xef\xbb\xbf[Network]\nIPv4Forwarding=yes\n") == ["yes"]
    unit = parse_unit_file(b"\xef\xbb\xbf[Network]\n\xef\xbb\xbfIPv4Forwarding=yes\n", "/f", MODERN)
    assert unit.get("Network", "\ufeffIPv4Forwarding")


def test_bom_before_a_comment_is_not_a_comment():
    unit = parse_unit_file(b"[Network]\n\xef\xbb\xbf# hello\n", "/f", MODERN)
    assert unit.warnings == ["/f:2: Missing '=', ignoring line."]


@pytest.mark.parametrize("raw, message", [
    (b"[Network\nIPv4Forwarding=yes\n", "/f:1: Invalid section header '[Network'"),
    (b"[Net\"work]\n", "/f:1: Bad characters in section header"),
    (b"[Network]\nDescription=caf\xe9\n", "/f:2: String is not UTF-8 clean"),
    (b"[Network]\nDescription=" + b"x" * LONG_LINE_MAX + b"\n", "/f:2: Line too long"),
    (b"[Network]\nA=" + b"x" * (LONG_LINE_MAX // 2) + b"\\\n" + b"x" * (LONG_LINE_MAX // 2) + b"\n",
     "/f:3: Continuation line too long"),
])
def test_fatal_errors_reject_the_file_with_its_line(raw, message):
    unit = parse_unit_file(raw, "/f", MODERN)
    assert unit.error.startswith(message)
    assert unit.assignments == []
    assert unit.physical_lines() and b"".join(unit.physical_lines()) == raw


def test_systemd_247_accepts_bad_characters_in_a_section_header():
    """Measured in the lab: Debian 11's networkd loads such a file; 252 and newer drop it."""
    unit = parse_unit_file(b"[Net\"work]\nIPv4Forwarding=yes\n", "/f", 247)
    assert unit.error is None
    assert unit.sections == [("Net\"work", 1)]


def test_warnings_do_not_reject_the_file():
    raw = b"Stray=1\n[Network]\nno equals sign\n=value\nIPv4Forwarding=yes\n"
    unit = parse_unit_file(raw, "/f", MODERN)
    assert unit.error is None
    assert unit.warnings == [
        "/f:1: Assignment outside of section. Ignoring.",
        "/f:3: Missing '=', ignoring line.",
        "/f:4: Missing key name before '=', ignoring line.",
    ]
    assert values(raw) == ["yes"]


def test_old_reader_rejects_a_line_without_equals():
    unit = parse_unit_file(b"[Network]\nbogus\n", "/f", LEGACY)
    assert unit.error == "/f:2: Missing '='."


def test_old_reader_splits_long_lines_at_2047_bytes():
    raw = b"[Network]\nDescription=" + b"x" * 2100 + b"\n"
    unit = parse_unit_file(raw, "/f", LEGACY)
    assert unit.error == "/f:3: Missing '='."
    assert parse_unit_file(raw, "/f", MODERN).error is None


# -- editing -----------------------------------------------------------------------------


def test_adding_a_missing_section_appends_it_after_a_blank_line():
    unit = parse_unit_file(b"[Match]\nName=uplink0\n", "/f", MODERN)
    assert rewrite(unit, add=[("Network", "IPv4Forwarding", "yes")]) == (
        b"[Match]\nName=uplink0\n\n[Network]\nIPv4Forwarding=yes\n")


def test_adding_to_a_file_without_final_newline_terminates_the_last_line():
    unit = parse_unit_file(b"[Network]\nDHCP=yes", "/f", MODERN)
    assert rewrite(unit, add=[("Network", "IPv4Forwarding", "yes")]) == b"[Network]\nDHCP=yes\nIPv4Forwarding=yes\n"


def test_adding_goes_into_the_last_section_of_that_name_after_its_last_assignment():
    raw = b"[Network]\nDHCP=yes\n\n[Match]\nName=a\n[Network]\nDNS=1.1.1.1\n\n# end\n"
    unit = parse_unit_file(raw, "/f", MODERN)
    assert rewrite(unit, add=[("Network", "IPv4Forwarding", "yes")]) == (
        b"[Network]\nDHCP=yes\n\n[Match]\nName=a\n[Network]\nDNS=1.1.1.1\nIPv4Forwarding=yes\n\n# end\n")


def test_adding_to_an_empty_section_goes_right_after_its_header():
    unit = parse_unit_file(b"[Network]\n# nothing yet\n", "/f", MODERN)
    assert rewrite(unit, add=[("Network", "IPForward", "yes")]) == b"[Network]\nIPForward=yes\n# nothing yet\n"


def test_edits_keep_crlf_files_crlf():
    unit = parse_unit_file(b"[Network]\r\nIPForward=yes\r\nDHCP=yes\r\n", "/f", MODERN)
    (legacy,) = unit.get("Network", "IPForward")
    assert rewrite(unit, remove=[legacy], add=[("Network", "IPv4Forwarding", "yes")]) == (
        b"[Network]\r\nDHCP=yes\r\nIPv4Forwarding=yes\r\n")


def test_removing_a_continued_assignment_removes_all_its_lines():
    raw = b"[Network]\nIPForward=\\\n# why\nyes\nDHCP=yes\n"
    unit = parse_unit_file(raw, "/f", MODERN)
    assert rewrite(unit, remove=unit.get("Network", "IPForward")) == b"[Network]\nDHCP=yes\n"


def test_rewrite_refuses_a_rejected_file():
    with pytest.raises(ValueError, match="Invalid section header"):
        rewrite(parse_unit_file(b"[Network\n", "/f", MODERN), add=[("Network", "A", "b")])


# -- properties --------------------------------------------------------------------------

ANY_BYTES = st.binary(max_size=400)
SEPARATORS = st.sampled_from([b"\n", b"\r\n", b"\r", b"\n\r", b"\0", b"\\\n"])
TEXTS = st.text(alphabet=st.sampled_from(list("ab =#;[]\t\\")), max_size=12).map(lambda s: s.encode())
LINES = st.lists(st.tuples(TEXTS, SEPARATORS), max_size=30).map(lambda parts: b"".join(a + b for a, b in parts))


@settings(max_examples=300)
@given(raw=st.one_of(ANY_BYTES, LINES), version=st.sampled_from([LEGACY, MODERN]))
def test_any_input_parses_without_raising_and_keeps_its_bytes(raw, version):
    unit = parse_unit_file(raw, "/f", version)
    assert b"".join(unit.physical_lines()) == raw
    for assignment in unit.assignments:
        assert 1 <= assignment.line <= assignment.end_line <= len(unit.physical_lines())


PLAIN_PIECES = st.sampled_from([
    b"[Match]", b"[Network]", b"[Net work]", b"[", b"]", b"Name=eth0", b" Key = a = b ", b"=x", b"novalue",
    b"# c", b"  ; c", b"#", b"\t", b" ", b"\xc3\xa9", b"\xff", b"\xe2\x80\xa8", b"\x0b", b"\x85", b"'", b'"', b"\n", b"\n\n",
])


def read_line_by_line(raw):
    """(error, assignments, sections, warnings) of the modern reader with no shortcut for plain files."""
    unit = UnitFile(path="/f", raw=raw)
    try:
        _Parser(unit, checks_header_chars=True).run_lines()
    except _FileRejected as rejected:
        return str(rejected), [], [], unit.warnings
    return None, unit.assignments, unit.sections, unit.warnings


@settings(max_examples=300)
@given(raw=st.one_of(st.lists(PLAIN_PIECES, max_size=30).map(b"".join), ANY_BYTES, LINES))
def test_plain_files_read_as_the_line_by_line_reader_reads_them(raw):
    unit = parse_unit_file(raw, "/f", MODERN)
    assert (unit.error, unit.assignments, unit.sections, unit.warnings) == read_line_by_line(raw)


FORWARDING_KEYS = ("IPForward", "IPv4Forwarding", "IPv6Forwarding")
OTHER_LINES = st.sampled_from([
    b"DHCP=yes", b"Address=192.0.2.1/24", b"# comment", b"", b"; note", b"DNS=192.0.2.53 \\\n  192.0.2.54",
    b"Gateway=192.0.2.254", b"[Match]", b"Name=uplink0", b"[Network]", b"[Route]",
])
FORWARDING_LINES = st.builds(lambda k, v: ("%s=%s" % (k, v)).encode(),
                             st.sampled_from(FORWARDING_KEYS), st.sampled_from(["yes", "no", "ipv4", ""]))


@settings(max_examples=300)
@given(body=st.lists(st.one_of(OTHER_LINES, FORWARDING_LINES), max_size=25),
       eol=st.sampled_from([b"\n", b"\r\n"]))
def test_an_edit_touches_only_forwarding_lines(body, eol):
    raw = b"[Network]" + eol + eol.join(body) + eol
    unit = parse_unit_file(raw, "/f", MODERN)
    forwarding = [a for a in unit.assignments if a.key in FORWARDING_KEYS]
    after = rewrite(unit, remove=forwarding, add=[("Network", "IPv4Forwarding", "yes")])

    edited = parse_unit_file(after, "/f", MODERN)
    assert [(a.section, a.key, a.value) for a in edited.assignments if a.key in FORWARDING_KEYS] == [
        ("Network", "IPv4Forwarding", "yes")]
    kept = [line for n, line in enumerate(unit.physical_lines(), 1)
            if not any(a.line <= n <= a.end_line for a in forwarding)]
    added = (b"IPv4Forwarding=yes" + eol)
    remaining = list(edited.physical_lines())
    remaining.remove(added)
    assert remaining == kept
