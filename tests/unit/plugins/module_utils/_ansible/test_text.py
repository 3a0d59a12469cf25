# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Escaping for the controller: every string strict UTF-8, undecodable bytes as \\xNN."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._ansible.text import (
    check_serializable,
    controller_safe,
    escape_bytes,
    escape_text,
)

NAME = b"/etc/systemd/network/10-\xffeth\xe9.network".decode("utf-8", "surrogateescape")


def test_valid_text_is_left_alone():
    assert escape_text("caf\u00e9 /etc/x.network") == "caf\u00e9 /etc/x.network"


def test_a_surrogate_escaped_name_becomes_backslash_escapes():
    assert escape_text(NAME) == "/etc/systemd/network/10-\\xffeth\\xe9.network"


def test_a_lone_surrogate_from_elsewhere_stays_visible():
    assert escape_text("a\ud800b") == "a\\ud800b"


def test_contents_decode_utf8_and_escape_the_rest():
    assert escape_bytes(b"# caf\xc3\xa9 caf\xe9\n") == "# caf\u00e9 caf\\xe9\n"
    assert escape_bytes(None) == ""


def test_every_string_of_a_result_is_escaped_keys_included():
    result = controller_safe({"changes": {"modified": [NAME]}, NAME: (1, NAME), "n": None})
    check_serializable(result)
    assert result["changes"]["modified"] == [escape_text(NAME)]
    assert result[escape_text(NAME)] == [1, escape_text(NAME)]


def test_a_result_the_controller_would_refuse_is_detected():
    with pytest.raises(UnicodeEncodeError):
        check_serializable({"path": NAME})


def test_a_result_that_is_already_clean_is_passed_through_without_a_copy():
    clean = {"links": [{"name": "caf\u00e9", "ipv4": {"risk": None}}], "n": 1}
    assert controller_safe(clean) is clean


def test_bytes_anywhere_make_the_result_escaped_not_refused():
    assert controller_safe({"diff": [{"after": b"x\xff\n"}], "ok": "yes"}) == {"diff": [{"after": "x\\xff\n"}], "ok": "yes"}
