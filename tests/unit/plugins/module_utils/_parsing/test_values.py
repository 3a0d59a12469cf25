# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd's booleans and globs."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.values import is_glob, parse_boolean


@pytest.mark.parametrize("word, expected", [
    ("1", True), ("yes", True), ("Y", True), ("TRUE", True), ("t", True), ("On", True),
    ("0", False), ("no", False), ("N", False), ("false", False), ("F", False), ("off", False),
    ("", None), ("ipv4", None), ("kernel", None), ("2", None), ("yes please", None),
])
def test_parse_boolean(word, expected):
    assert parse_boolean(word) is expected


@pytest.mark.parametrize("text, expected", [
    ("eth0", False), ("eth*", True), ("en?1", True), ("en[ops]*", True), ("", False), ("!eth0", False),
])
def test_is_glob(text, expected):
    assert is_glob(text) is expected
