# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The small value rules systemd applies in every kind of file: booleans, globs, words."""

from __future__ import annotations

import re

WHITESPACE = " \t\n\r"      # systemd's WHITESPACE, what extract_first_word() splits on
_WORD = re.compile("[^%s]+" % WHITESPACE)   # a word without quotes

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


def split_words(text, unquote):
    """extract_first_word() as [Match] uses it: words separated by whitespace.

    With ``unquote``, '...' and "..." group text and lose their quotes. Returns
    (words, complete); ``complete`` is False when a quote is left open, and the
    unfinished word is then dropped, since systemd keeps the words before the error.
    """
    if not unquote or not any(quote in text for quote in "'\""):
        return _WORD.findall(text), True    # nothing to unquote: the runs of non-blank characters
    words = []
    word = None
    quote = None
    for char in text:
        if quote is not None:
            if char == quote:
                quote = None
            else:
                word += char
        elif unquote and char in "'\"":
            quote = char
            word = word or ""
        elif char in WHITESPACE:
            if word is not None:
                words.append(word)
            word = None
        else:
            word = (word or "") + char
    if quote is not None:
        return words, False
    if word is not None:
        words.append(word)
    return words, True
