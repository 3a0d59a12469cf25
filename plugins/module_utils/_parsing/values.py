# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The small value rules systemd applies in every kind of file: booleans and globs."""

from __future__ import annotations

# fnmatch's special characters, which systemd's string_is_glob() and procps-ng test alike:
# the text before the first of them matches only itself.
GLOB_CHARS = "*?["

_TRUE = frozenset(("1", "yes", "y", "true", "t", "on"))
_FALSE = frozenset(("0", "no", "n", "false", "f", "off"))


def parse_boolean(value):
    """systemd's parse_boolean(): True, False, or None for anything else (case-insensitive)."""
    word = value.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def is_glob(text):
    """string_is_glob(): whether ``text`` holds a glob character."""
    return any(char in text for char in GLOB_CHARS)
