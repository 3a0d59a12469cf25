# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The [Match] section of a .network file: which links it selects, and whether its conditions hold.

This mirrors networkd's parsers
(config_parse_match_strv(), config_parse_match_ifnames(), config_parse_hw_addrs(),
config_parse_match_property(), config_parse_net_condition()) and its tests
(net_match_config() in src/shared/net-condition.c, condition_test() in
src/shared/condition.c), as described in docs/internals/networkd-configuration.md,
"[Match] keys", "How [Match] values combine" and "Conditions".

Match keys select links and are tested per link (``matches``); conditions
(Host=, Virtualization=, ...) are tested once per file against the host
(``conditions``), as networkd does when it loads the file.
"""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Tuple

from .._parsing.values import GLOB_CHARS, split_words
from .conditions import CONDITION_TESTS, Condition, conditions_verdict
from .links import normalize_mac

# [Match] keys newer than networkd itself (man page "version-info"; docs/internals/networkd-configuration.md,
# "[Match] keys"). Before
# these versions networkd logs "Unknown key" and ignores the assignment.
KERNEL_VERSION_MATCH = 237      # KernelVersion= (NEWS 237)
PROPERTY_MATCH = 243            # Property= (NEWS 243)
WIRELESS_MATCH = 244            # WLANInterfaceType=, SSID=, BSSID= (NEWS 244)
PERMANENT_MAC_MATCH = 245       # PermanentMACAddress= (NEWS 245)
NAME_MATCHES_ALTNAMES = 245     # Name= also tests alternative names (PR #14350, NEWS 245)
FIRMWARE_MATCH = 249            # Firmware= (NEWS 249)
KIND_MATCH = 251                # Kind= (NEWS 251)
CREDENTIAL_MATCH = 252          # Credential= (NEWS 252)
# An empty Name= resets the list. Measured in the lab: systemd 247 ignores an empty Name=
# (the other list keys reset there), 252 resets it. The first version in between that
# resets is UNCONFIRMED; 248, where the [Match] parsers moved to net-condition.c, is assumed.
NAME_EMPTY_RESETS = 248

KEY_INTRODUCED = {
    "KernelVersion": KERNEL_VERSION_MATCH,
    "Property": PROPERTY_MATCH,
    "WLANInterfaceType": WIRELESS_MATCH,
    "SSID": WIRELESS_MATCH,
    "BSSID": WIRELESS_MATCH,
    "PermanentMACAddress": PERMANENT_MAC_MATCH,
    "Firmware": FIRMWARE_MATCH,
    "Kind": KIND_MATCH,
    "Credential": CREDENTIAL_MATCH,
}

# List keys, in the order describe() shows them: key -> (parser, Link attribute tested).
# The library does not know a link's wireless state, so the wireless keys test a missing value.
LIST_KEYS = {
    "Name": ("ifnames", "name"),
    "MACAddress": ("addresses", "mac"),
    "PermanentMACAddress": ("addresses", "permanent_mac"),
    "Path": ("strv", "path"),
    "Driver": ("strv", "driver"),
    "Type": ("strv", "type"),
    "Kind": ("strv", "kind"),
    "Property": ("property", "properties"),
    "WLANInterfaceType": ("strv", None),
    "SSID": ("strv", None),
    "BSSID": ("addresses", None),
}

ALTIFNAMSIZ = 128

_LITERAL_PREFIX = re.compile("[^%s]*" % re.escape(GLOB_CHARS))
_EMPTY = frozenset()     # shared: an empty frozenset is a new 216-byte object each time it is built
_GLOB_CHAR = re.compile("[%s]" % re.escape(GLOB_CHARS)).search      # is_glob(), once per pattern
_STAR_AFTER_LITERAL = re.compile("[^%s]*\\*" % re.escape(GLOB_CHARS)).fullmatch   # "br-*": what starts with "br-"
_DIGITS_ONLY = re.compile("[0-9]+")
_IFNAME_FORBIDDEN_CHAR = re.compile("[^!-~]|[:/%]")         # not printable ASCII, a space, ':', '/' or '%'


def ifname_valid(word):
    """ifname_valid_full(word, IFNAME_VALID_ALTERNATIVE): what Name= accepts (glob characters included)."""
    if not word or len(word.encode("utf-8")) >= ALTIFNAMSIZ:
        return False
    if word in (".", "..", "all", "default") or _DIGITS_ONLY.fullmatch(word):
        return False
    return not _IFNAME_FORBIDDEN_CHAR.search(word)


# -- testing match keys ----------------------------------------------------------------------

def tested_names(link, systemd_version):
    """The names Name= tests for ``link``: its name and, from 245, its altnames."""
    if systemd_version >= NAME_MATCHES_ALTNAMES:
        return (link.name,) + tuple(link.altnames)
    return (link.name,)


class Patterns(NamedTuple):
    """One list key's patterns, split once: literals compare as strings, globs go to a regex."""

    included: FrozenSet[str]
    included_globs: Tuple[str, ...]
    excluded: FrozenSet[str]        # the patterns after their "!"
    excluded_globs: Tuple[str, ...]

    @classmethod
    def split(cls, patterns):
        literals = ([], [])
        globs = ([], [])
        for pattern in patterns:
            negative = pattern.startswith("!")
            word = pattern[1:] if negative else pattern
            (globs if _GLOB_CHAR(word) else literals)[negative].append(word)
        return cls(_frozen(literals[0]), tuple(globs[0]), _frozen(literals[1]), tuple(globs[1]))

    @property
    def has_included(self):
        return bool(self.included or self.included_globs)


class GlobList:
    """net_condition_test_strv() for one key's patterns: ``!``-prefixed patterns exclude, the others must match one.

    An empty list matches; a missing value (None) matches no pattern. A
    pattern without glob characters matches only itself, so those are
    compared as strings (most files name their links exactly); the others
    are tested with one regex per list.
    """

    def __init__(self, patterns):
        split = patterns if isinstance(patterns, Patterns) else Patterns.split(patterns)
        self.has_included = split.has_included
        self.included, self.excluded = split.included, split.excluded
        self.included_glob = _compile_globs(split.included_globs) if split.included_globs else None
        self.excluded_glob = _compile_globs(split.excluded_globs) if split.excluded_globs else None

    def matches(self, value):
        if value is None:
            return not self.has_included
        if value in self.excluded or (self.excluded_glob is not None and self.excluded_glob(value) is not None):
            return False
        return (not self.has_included or value in self.included
                or (self.included_glob is not None and self.included_glob(value) is not None))

    def matches_any(self, values):
        """Whether one of ``values`` matches (a loop, not any(): it runs for every link tested)."""
        for value in values:
            if self.matches(value):
                return True
        return False


@lru_cache(maxsize=4096)
def _compile_globs(globs):
    """The ``match`` of one regex that matches what any of ``globs`` matches with fnmatch.fnmatchcase()."""
    # translate() anchors each pattern in a group of its own, so the alternatives cannot mix.
    return re.compile("|".join(fnmatch.translate(glob) for glob in globs)).match


def properties_match(entries, properties):
    """net_condition_test_property(): every ``KEY=glob`` entry must match, every ``!KEY=glob`` must not."""
    for entry in entries:
        negative = entry.startswith("!")
        key, glob = (entry[1:] if negative else entry).split("=", 1)
        value = properties.get(key)
        hit = value is not None and fnmatch.fnmatchcase(value, glob)
        if hit == negative:
            return False
    return True


def _literal_prefix(pattern):
    """The text of a glob before its first glob character."""
    return _LITERAL_PREFIX.match(pattern).group()


@lru_cache(maxsize=65536)
def _normalized_mac(value):
    """normalize_mac() once per address seen, not once per comparison."""
    return normalize_mac(value)


class KeySelector(NamedTuple):
    """What one list key of [Match] needs of a link, for the indexes (MatchSection.selectors()).

    ``values`` says which of a link's values the key tests: ``names`` (its
    tested_names()), ``properties`` (the names of its udev properties), or a
    Link attribute (``mac`` and ``permanent_mac`` normalised); None for the
    wireless state the library does not know, which is a missing value.
    Addresses and property names are compared whole; the other keys hold globs,
    and a glob is known here by the literal text before its first glob character.

    When the key has included patterns (``positive``), a link passes it only if
    one of its values is in ``included`` or starts with one of
    ``included_prefixes``. When it has none, a link fails it only if one of its
    values is in ``excluded`` or starts with one of ``excluded_prefixes``. A
    missing value passes a key without included patterns and fails the others.
    ``exact`` says that "only if" is "if and only if": the links found that way
    are exactly the links that pass (or fail) the key, as for a MAC, a name
    without glob characters, or ``veth*``. Otherwise only the key's test
    (MatchSection.key_test()) can tell. Two selectors of the same key with the
    same ``patterns`` select the same links, so the indexes answer them once.
    """

    key: str
    values: Optional[str]
    positive: bool
    included: FrozenSet[str]
    included_prefixes: FrozenSet[str]
    excluded: FrozenSet[str]
    excluded_prefixes: FrozenSet[str]
    exact: bool
    patterns: Tuple[str, ...]   # the key's list as the file leaves it: two selectors with both equal select alike


def _frozen(items):
    return frozenset(items) if items else _EMPTY


def _prefixes(globs):
    return frozenset(_literal_prefix(glob) for glob in globs) if globs else _EMPTY


def _all_prefix_globs(globs):
    """Whether each glob matches exactly the values that start with its literal prefix (``veth*``)."""
    return all(_STAR_AFTER_LITERAL(glob) for glob in globs)


# -- the section -----------------------------------------------------------------------------

class MatchSection:
    """The [Match] keys and conditions of one .network file, after all its assignments."""

    def __init__(self, systemd_version):
        self.systemd_version = systemd_version
        self.warnings: List[str] = []
        self._lists: Dict[str, List[str]] = {}     # only the list keys the file sets
        self._locations: Dict[str, str] = {}       # list key -> file:line of its first assignment since a reset
        self._conditions: Dict[str, Condition] = {}
        self._key_tests = None      # key -> its test, built on first use: the section is complete by then
        self._selectors = None      # likewise, on the first use by an index
        self._split = None          # key -> Patterns, for both; built with the first of them

    @classmethod
    def from_assignments(cls, assignments, systemd_version):
        """The section built from every assignment of a file (main file, then drop-ins); only [Match] counts."""
        section = cls(systemd_version)
        for assignment in assignments:
            if assignment.section == "Match":
                section._apply(assignment)
        return section

    @property
    def is_empty(self):
        """No match key and no condition left: networkd rejects such a file from 245.

        See docs/internals/networkd-configuration.md, "An empty [Match]".
        """
        return not any(self._lists.values()) and not self._conditions

    def matches(self, link):
        """net_match_config(): every list key passes for ``link`` (conditions are not tested here).

        An empty list passes whatever the link, so only the keys the file sets are tested.
        """
        for test in self._tests().values():    # a loop, not all(): this runs for every file and link tested
            if not test(link):
                return False
        return True

    def key_test(self, key):
        """The test matches() runs for one list key the file sets: a function of a link."""
        return self._tests()[key]

    def _tests(self):
        if self._key_tests is None:
            self._key_tests = {key: self._key_test(key, self._lists[key]) for key in self._tested_keys()}
        return self._key_tests

    def tested_attributes(self):
        """The Link attributes a link may lack that a key of this file tests with a positive pattern."""
        attributes = set()
        for key, patterns in self._lists.items():
            parser, attribute = LIST_KEYS[key]
            if patterns and attribute not in (None, "name", "kind", "properties") and (
                    parser == "addresses" or any(not pattern.startswith("!") for pattern in patterns)):
                attributes.add(attribute)
        return attributes

    def unknown_keys(self, missing):
        """The keys that cannot be decided for a link that lacks the ``missing`` Link attributes.

        Returns [(key, file:line, Link attribute)]: the keys that test one of them (None: not
        described, or not read) with a positive pattern. When every other key matches the link,
        the file matches it exactly when the link's real value is in the list, which only the
        caller can tell (NetworkConfiguration.undecided_lines()). Kind= is left out (a physical
        NIC has no kind, so None is a real value), and so are the wireless keys and Property=,
        which the library never knows.
        """
        unknown = self.tested_attributes() & missing
        return [(key, self._locations.get(key), LIST_KEYS[key][1]) for key in self._lists
                if LIST_KEYS[key][1] in unknown]

    def selectors(self):
        """A KeySelector per list key the file sets, in the order matches() tests them; built once.

        Name= tests each of tested_names(): a link passes when one of them
        passes, so a passing link has a name that an included pattern matches,
        and a failing link has every name excluded, its own name included. A
        Property= entry needs the property (``KEY=glob``) or fails only on it
        (``!KEY=glob``), so its selector is on property names.
        """
        if self._selectors is None:
            self._selectors = [self._selector(key, self._lists[key]) for key in self._tested_keys()]
        return self._selectors

    def _tested_keys(self):
        # Name= last: the indexes usually chose the files and links to test by name.
        keys = [key for key, patterns in self._lists.items() if patterns]
        if len(keys) > 1 and "Name" in keys:
            keys.remove("Name")
            keys.append("Name")
        return keys

    def _selector(self, key, patterns):
        parser, attribute = LIST_KEYS[key]
        if parser == "addresses":
            return KeySelector(key, attribute, True, frozenset(patterns), _EMPTY, _EMPTY, _EMPTY, True, tuple(patterns))
        if parser == "property":
            included = _frozen([entry.split("=", 1)[0] for entry in patterns if not entry.startswith("!")])
            excluded = _frozen([entry[1:].split("=", 1)[0] for entry in patterns if entry.startswith("!")])
            return KeySelector(key, "properties", bool(included), included, _EMPTY, excluded, _EMPTY, False,
                               tuple(patterns))
        split = self._patterns(key)
        values = "names" if parser == "ifnames" else attribute
        if split.has_included:
            exact = not split.excluded and not split.excluded_globs and _all_prefix_globs(split.included_globs)
        else:
            # A failing link has every tested name excluded, which the lookup of one name cannot tell.
            several_names = values == "names" and self.systemd_version >= NAME_MATCHES_ALTNAMES
            exact = not several_names and _all_prefix_globs(split.excluded_globs)
        return KeySelector(key, values, split.has_included, split.included, _prefixes(split.included_globs),
                           split.excluded, _prefixes(split.excluded_globs), exact, tuple(patterns))

    def _patterns(self, key):
        """The key's patterns split into literals and globs, once (for matches() and selectors() alike)."""
        if self._split is None:
            self._split = {}
        split = self._split.get(key)
        if split is None:
            split = self._split[key] = Patterns.split(self._lists[key])
        return split

    def conditions(self, facts):
        """The conditions against ``facts``: one false condition decides, before any unknown one."""
        return conditions_verdict(self._conditions.values(), facts)

    def describe(self):
        """A short summary for reports, e.g. ``Name=eth0 uplink*, Kind=!veth, Host=lab``."""
        parts = ["%s=%s" % (key, " ".join(self._lists[key])) for key in LIST_KEYS if self._lists.get(key)]
        parts.extend(str(condition) for condition in self._conditions.values())
        return ", ".join(parts) or "(empty)"

    # -- parsing ---------------------------------------------------------------------------

    def _warn(self, assignment, message):
        self.warnings.append("%s: %s" % (assignment.location, message))

    def _apply(self, assignment):
        key = assignment.key
        if key.startswith("X-"):
            return
        known = key in LIST_KEYS or key in CONDITION_TESTS
        if not known or self.systemd_version < KEY_INTRODUCED.get(key, 0):
            self._warn(assignment, "Unknown key '%s' in section [Match], ignoring." % key)
        elif key in CONDITION_TESTS:
            self._set_condition(assignment)
        elif not assignment.value:
            if key != "Name" or self.systemd_version >= NAME_EMPTY_RESETS:
                self._lists.pop(key, None)
                self._locations.pop(key, None)
        else:
            parse = getattr(self, "_parse_" + LIST_KEYS[key][0])
            parse(assignment, self._lists.setdefault(key, []))
            self._locations.setdefault(key, assignment.location)

    def _set_condition(self, assignment):
        """config_parse_net_condition(): a new assignment replaces the previous one, an empty one clears it."""
        self._conditions.pop(assignment.key, None)
        value = assignment.value
        if value:
            negate = value.startswith("!")
            self._conditions[assignment.key] = Condition(
                assignment.key, value[1:] if negate else value, negate, assignment.location)

    def _words(self, assignment, unquote):
        """The words of a list assignment and whether a leading ``!`` negates them all."""
        value = assignment.value
        negate = value.startswith("!")
        words, complete = split_words(value[1:] if negate else value, unquote)
        if not complete:
            self._warn(assignment, "Invalid syntax, ignoring: %s" % value)
        return words, negate

    def _parse_strv(self, assignment, patterns):
        words, negate = self._words(assignment, unquote=True)
        patterns.extend("!" + word if negate else word for word in words)

    def _parse_ifnames(self, assignment, patterns):
        words, negate = self._words(assignment, unquote=False)
        for word in words:
            if ifname_valid(word):
                patterns.append("!" + word if negate else word)
            else:
                self._warn(assignment, "Interface name is not valid or too long, ignoring assignment: %s" % word)

    def _parse_property(self, assignment, entries):
        words, negate = self._words(assignment, unquote=True)
        for word in words:
            key, equals, _glob = word.partition("=")
            if key and equals:
                entries.append("!" + word if negate else word)
            else:
                self._warn(assignment, "Invalid property or value, ignoring assignment: %s" % word)

    def _parse_addresses(self, assignment, addresses):
        """config_parse_hw_addrs(): a set of addresses; no globs and no negation."""
        words, _complete = split_words(assignment.value, unquote=False)
        for word in words:
            address = normalize_mac(word)
            if address is None:
                self._warn(assignment, "Invalid hardware address, ignoring: %s" % word)
            elif address not in addresses:
                addresses.append(address)

    # -- matching --------------------------------------------------------------------------

    def _key_test(self, key, patterns):
        """The test of one list key: a function of a link."""
        parser, attribute = LIST_KEYS[key]
        if parser == "ifnames":
            names = GlobList(self._patterns(key))
            if self.systemd_version < NAME_MATCHES_ALTNAMES:
                return lambda link: names.matches(link.name)
            # net_condition_test_ifname(): the name or any single altname passes the test,
            # so ``Name=!eth0`` still matches eth0 when eth0 has an altname.
            return lambda link: names.matches(link.name) or names.matches_any(link.altnames)
        if parser == "property":
            return lambda link: properties_match(patterns, link.properties)
        if parser == "addresses":
            if attribute is None:
                return lambda link: False     # BSSID=: the library does not know a link's access point
            addresses = frozenset(patterns)
            return lambda link: _normalized_mac(getattr(link, attribute)) in addresses
        globs = GlobList(self._patterns(key))
        return lambda link: globs.matches(getattr(link, attribute) if attribute else None)
