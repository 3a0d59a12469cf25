# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The conditions of a [Match] section (Host=, Virtualization=, KernelVersion=...), tested against the host.

networkd tests them once, when it loads the file (config_parse_net_condition() and
condition_test() in src/shared/condition.c); a file whose conditions are false is skipped.
Each test answers True, False, or None when the fact it needs is unknown here.
"""

from __future__ import annotations

import fnmatch
import operator
import re
import string
from typing import Callable, Dict, NamedTuple, Optional, Tuple

from .._parsing.values import WHITESPACE, parse_boolean, split_words
from .facts import HostFacts

DIGITS = "0123456789"


class ConditionVerdict(NamedTuple):
    """Whether a file's conditions hold on the host.

    ``holds`` is True when every condition holds (or there is none), False when
    one is false, None when one cannot be evaluated here; ``reason`` says which.
    """

    holds: Optional[bool]
    reason: str


NO_CONDITIONS = ConditionVerdict(True, "no conditions")   # shared by most files: a verdict never changes


class InvalidCondition(Exception):
    """A condition systemd cannot parse: condition_test() fails, which counts as false."""


def compare_versions(a, b):
    """systemd's strverscmp_improved() (src/fundamental/string-util-fundamental.c): -1, 0 or 1.

    Numeric and alphabetic segments compare in turn; '~' marks an older
    pre-release, '-' and '^' and '.' separate segments; other characters are dropped.
    """
    i = j = 0
    while True:
        i, j = _skip_invalid(a, i), _skip_invalid(b, j)
        if _at(a, i) == "~" or _at(b, j) == "~":
            result = _cmp(_at(a, i) != "~", _at(b, j) != "~")
            if result:
                return result
            i, j = i + 1, j + 1
        if i >= len(a) or j >= len(b):
            return _cmp(_at(a, i), _at(b, j))
        for separator in "-^.":
            if _at(a, i) == separator or _at(b, j) == separator:
                result = _cmp(_at(a, i) != separator, _at(b, j) != separator)
                if result:
                    return result
                i, j = i + 1, j + 1
        if _at(a, i) in DIGITS or _at(b, j) in DIGITS:
            end_a, end_b = _run_end(a, i, DIGITS), _run_end(b, j, DIGITS)
            result = _cmp(end_a != i, end_b != j)   # a number is newer than no number
            i, j = _run_end(a, i, "0"), _run_end(b, j, "0")   # leading zeros do not count
            result = result or _cmp(end_a - i, end_b - j) or _cmp(a[i:end_a], b[j:end_b])
        else:
            end_a, end_b = _run_end(a, i, string.ascii_letters), _run_end(b, j, string.ascii_letters)
            common = min(end_a - i, end_b - j)
            result = _cmp(a[i:i + common], b[j:j + common]) or _cmp(end_a - i, end_b - j)
        if result:
            return result
        i, j = end_a, end_b


def _cmp(x, y):
    return (x > y) - (x < y)


def _at(text, index):
    """The character at ``index``; NUL past the end, like a C string."""
    return text[index] if index < len(text) else "\0"


def _run_end(text, start, chars):
    end = start
    while end < len(text) and text[end] in chars:
        end += 1
    return end


def _skip_invalid(text, index):
    while index < len(text) and not (text[index] in string.ascii_letters or text[index] in DIGITS + "~-^."):
        index += 1
    return index


# parse_compare_operator(): longer operators first, since "<" is a prefix of "<=".
VERSION_OPERATORS = (("<=", operator.le), (">=", operator.ge), ("<", operator.lt), (">", operator.gt),
                     ("!=", operator.ne), ("=", operator.eq))


def kernel_version_holds(parameter, release):
    """condition_test_kernel_version(): every space-separated expression must hold.

    An expression is an operator followed by a version, compared with
    compare_versions(), or else a glob. The first expression may have blanks
    between operator and version.
    """
    words, complete = split_words(parameter, unquote=True)
    if not complete:
        raise InvalidCondition("unbalanced quotes")
    position = 0
    while position < len(words):
        compare, version = _split_operator(words[position])
        position += 1
        if compare is None:
            if not fnmatch.fnmatchcase(release, version):
                return False
            continue
        if not version and position == 1 and position < len(words):
            version = words[position]
            position += 1
        if not version:
            raise InvalidCondition("unexpected end of expression")
        if not compare(compare_versions(release, version), 0):
            return False
    return True


def _split_operator(word):
    """(comparison, version) for ``>=5.4``; (None, word) when the word has no operator."""
    for prefix, comparison in VERSION_OPERATORS:
        if word.startswith(prefix):
            return comparison, word[len(prefix):].lstrip(WHITESPACE)
    return None, word


def _machine_id(parameter):
    """sd_id128_from_string(): a 32-digit or UUID-formatted ID, lower-cased without dashes; else None."""
    if re.match(r"^[0-9a-fA-F]{32}$", parameter) or re.match(
            r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", parameter):
        return parameter.replace("-", "").lower()
    return None


# Each test returns (result, what the host has) with result None when the needed fact is unknown.

def _test_host(parameter, facts):
    """A machine ID is compared with the host's; anything else is a case-insensitive glob on the hostname."""
    machine_id = _machine_id(parameter)
    if machine_id is not None:
        if facts.machine_id is None:
            return None, "the machine ID is unknown"
        return machine_id == facts.machine_id.lower(), "machine ID is %s" % facts.machine_id
    if facts.hostname is None:
        return None, "the hostname is unknown"
    return fnmatch.fnmatchcase(facts.hostname.lower(), parameter.lower()), "hostname is %s" % facts.hostname


def _test_virtualization(parameter, facts):
    """A boolean (any virtualization at all), "vm", "container", or one technology's name."""
    if parameter == "private-users":
        return None, "whether systemd-networkd runs in a user namespace is unknown"
    virtualization = facts.virtualization
    if virtualization is None:
        return None, "the virtualization is unknown"
    detail = "virtualization is %s" % virtualization
    boolean = parse_boolean(parameter)
    if boolean is not None:
        return boolean == (virtualization != "none"), detail
    if virtualization == "none":
        return False, detail
    if parameter in ("vm", "container"):
        if facts.container is None:
            return None, "whether %s is a container is unknown" % virtualization
        return facts.container == (parameter == "container"), detail
    return parameter == virtualization, detail


def _test_kernel_command_line(parameter, facts):
    """With '=' the parameter must equal a word; without, a word must equal it or start with "parameter="."""
    if facts.kernel_command_line is None:
        return None, "the kernel command line is unknown"
    words, _complete = split_words(facts.kernel_command_line, unquote=True)
    if "=" in parameter:
        found = parameter in words
    else:
        found = any(word == parameter or word.startswith(parameter + "=") for word in words)
    return found, "kernel command line is '%s'" % facts.kernel_command_line


def _test_kernel_version(parameter, facts):
    if facts.kernel_release is None:
        return None, "the kernel release is unknown"
    return kernel_version_holds(parameter, facts.kernel_release), "kernel release is %s" % facts.kernel_release


def _test_architecture(parameter, facts):
    """"native" is the architecture systemd was built for, which is taken to be the host's."""
    if parameter == "native":
        return True, "architecture is native"
    if facts.architecture is None:
        return None, "the architecture is unknown"
    return parameter == facts.architecture, "architecture is %s" % facts.architecture


def _test_credential(parameter, facts):
    if facts.credentials is None:
        return None, "the credentials passed to systemd-networkd are unknown"
    return parameter in facts.credentials, "credentials are %s" % (", ".join(sorted(facts.credentials)) or "none")


def _test_firmware(parameter, facts):
    """facts.firmware knows "uefi" and "device-tree"; device-tree-compatible(...) and smbios-field(...) are unknown."""
    if facts.firmware is None:
        return None, "the firmware is unknown"
    if "(" in parameter and parameter not in facts.firmware:
        return None, "firmware property %s is unknown" % parameter
    return parameter in facts.firmware, "firmware is %s" % (", ".join(sorted(facts.firmware)) or "neither uefi nor device-tree")


CONDITION_TESTS: Dict[str, Callable[[str, HostFacts], Tuple[Optional[bool], str]]] = {
    "Host": _test_host,
    "Virtualization": _test_virtualization,
    "KernelCommandLine": _test_kernel_command_line,
    "KernelVersion": _test_kernel_version,
    "Credential": _test_credential,
    "Architecture": _test_architecture,
    "Firmware": _test_firmware,
}


class Condition(NamedTuple):
    """One condition key of [Match]; ``parameter`` is the value without its negating ``!``."""

    key: str
    parameter: str
    negate: bool
    location: str

    def __str__(self):
        return "%s=%s%s" % (self.key, "!" if self.negate else "", self.parameter)

    def verdict(self, facts):
        """(holds, reason); the reason is empty when the condition holds."""
        try:
            result, detail = CONDITION_TESTS[self.key](self.parameter, facts)
        except InvalidCondition as error:
            return False, "%s (%s) is false: systemd cannot parse it (%s)" % (self, self.location, error)
        if result is None:
            return None, "%s (%s) cannot be evaluated: %s" % (self, self.location, detail)
        if result == self.negate:
            return False, "%s (%s) is false: %s" % (self, self.location, detail)
        return True, ""


def conditions_verdict(conditions, facts):
    """The verdict of a file's conditions against ``facts``: one false condition decides, before any unknown one."""
    if not conditions:
        return NO_CONDITIONS
    facts = facts if facts is not None else HostFacts()
    verdicts = [condition.verdict(facts) for condition in conditions]
    false = [reason for holds, reason in verdicts if holds is False]
    if false:
        return ConditionVerdict(False, false[0])
    unknown = [reason for holds, reason in verdicts if holds is None]
    if unknown:
        return ConditionVerdict(None, "; ".join(unknown))
    return ConditionVerdict(True, "all conditions hold")
