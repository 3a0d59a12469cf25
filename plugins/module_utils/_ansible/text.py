# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Results the controller accepts: every string valid UTF-8, whatever bytes the host's files hold.

File names are read as ``str`` with Python's surrogateescape (a byte 0xff becomes U+DCFF), and
the controller refuses such strings in a module's JSON ("Refusing to deserialize an invalid UTF8
string value"). Every string of a result, a warning or a failure message is therefore turned into
escaped text: the byte 0xff is written ``\\xff``, as Python's backslashreplace writes it. Valid
UTF-8 text is left as it is. File contents in diffs are decoded the same way.
"""

from __future__ import annotations

import json


def escape_text(text):
    """``text`` with every undecodable byte (a lone surrogate) written as ``\\xNN``."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:     # a surrogate surrogateescape did not make: keep its code point visible
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def escape_bytes(content):
    """File content as text for a diff: UTF-8 where it is, ``\\xNN`` for every other byte."""
    return (content or b"").decode("utf-8", "backslashreplace")


def controller_safe(value):
    """``value`` (dicts, lists, tuples, strings, numbers) with every string escaped by escape_text().

    A value that already encodes as strict UTF-8 JSON, as nearly every result does, is returned
    as it is: one pass of the C encoder instead of a Python walk over every string of it.
    """
    try:
        check_serializable(value)
        return value
    except (TypeError, ValueError):     # bytes, or a string that is not UTF-8
        return _escaped(value)


def _escaped(value):
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, dict):
        return {_escaped(key): _escaped(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escaped(item) for item in value]
    if isinstance(value, bytes):
        return escape_bytes(value)
    return value


def check_serializable(result):
    """Raise ValueError unless ``result`` encodes as the strict UTF-8 JSON the controller reads."""
    json.dumps(result, ensure_ascii=False).encode("utf-8")


def escape_module_output(module):
    """Make every exit_json(), fail_json() and warn() of ``module`` escape its text first.

    The library's failures name files, and a file name may hold any byte: this covers them all,
    including the calls made by shared helpers, instead of each call site remembering it.
    """
    exit_json, fail_json, warn = module.exit_json, module.fail_json, module.warn

    def safe_exit_json(**result):
        exit_json(**controller_safe(result))

    def safe_fail_json(msg, **result):
        fail_json(msg=escape_text(msg), **controller_safe(result))

    def safe_warn(warning):
        warn(escape_text(warning))

    module.exit_json, module.fail_json, module.warn = safe_exit_json, safe_fail_json, safe_warn
    return module
