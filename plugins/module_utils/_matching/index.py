# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Skip the [Match] tests that cannot change an answer, so matching stays linear on large hosts.

"The first matching file wins", and "which links does this file match",
cost files x links tests when done naively: 10 million on a host with 10,000
files and 1,000 links. Every list key of [Match] says something about the
links that can pass it or fail it (MatchSection.selectors()): ``Name=eth0``
passes only a link named or alternatively named eth0, ``Name=enp3s*`` only
links with a name that starts with ``enp3s``, ``MACAddress=`` only links with
one of its addresses, and ``Name=!eth0 wl*``, with no included pattern, fails
only links named eth0 or starting with ``wl``. LinkIndex looks links up by
those values, normalised once per link. A key the lookup cannot decide (a glob
such as ``*0`` or ``en?s*``, a negation on a link with altnames) has its test
run on the links the lookup leaves.

Files repeat keys: thousands of files say ``Name=veth*`` or ``Driver=*net``.
So the answer of each key (the links that pass it, or those that fail it) is
computed once per key name and patterns, and a [Match] is answered by
combining the answers of its keys, once per combination. The cost is the
number of files and links, plus for each distinct key the links its lookup
leaves, plus for each file the links it matches (for a file that only
excludes, the links it excludes). NetworkConfiguration.governing_files() and
the audit's network_files report both read their answers from here.
"""

from __future__ import annotations

import bisect
from typing import List, NamedTuple

from .links import normalize_mac
from .match import tested_names


def link_values(link, values, systemd_version):
    """The values of ``link`` that a selector on ``values`` tests (MACs normalised), as a tuple."""
    if values == "names":
        return tested_names(link, systemd_version)
    if values == "properties":
        return tuple(link.properties)
    value = getattr(link, values)
    if values in ("mac", "permanent_mac"):
        value = normalize_mac(value)
    return () if value is None else (value,)


_NOTHING = frozenset()     # no link: the answer of a key that passes or fails none, shared


def _sure_to_fail(selector):
    """A key no link passes: included patterns on a value the library does not know (wireless state)."""
    return selector.values is None and selector.positive


def _successor(prefix):
    """The first string after every string that starts with ``prefix`` (None: there is none)."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            return prefix[:-1] + chr(last + 1)
        prefix = prefix[:-1]
    return None


class ValueIndex:
    """Positions by value: whole values in a dict, and a sorted list for the values that start with a prefix."""

    def __init__(self, pairs):
        by_value = {}
        for value, position in pairs:
            by_value.setdefault(value, []).append(position)
        self._by_value = by_value
        self._values = sorted(by_value)
        self._offsets = [0]     # _flat[_offsets[i]:_offsets[i + 1]] are the positions of _values[i]
        self._flat = []
        for value in self._values:
            self._flat.extend(by_value[value])
            self._offsets.append(len(self._flat))

    def _range(self, prefix):
        start = bisect.bisect_left(self._values, prefix)
        successor = _successor(prefix)
        end = len(self._values) if successor is None else bisect.bisect_left(self._values, successor, start)
        return self._offsets[start], self._offsets[end]

    def prefixed(self, prefix):
        """The positions of every value that starts with ``prefix``."""
        start, end = self._range(prefix)
        return self._flat[start:end]

    def lookup(self, literals, prefixes):
        """The positions of the values in ``literals`` or starting with one of ``prefixes``, as a set."""
        found = set()
        by_value = self._by_value
        for value in literals:
            if value in by_value:
                found.update(by_value[value])
        for prefix in prefixes:
            found.update(self.prefixed(prefix))
        return found


class Matching(NamedTuple):
    """The links one [Match] matches: ``positions`` when ``listed``, else every link but ``positions``."""

    listed: bool
    positions: List[int]


class LinkIndex:
    """Links in their given order, found by every value a [Match] key tests."""

    def __init__(self, links, systemd_version):
        self.links = list(links)
        self.systemd_version = systemd_version
        self._indexes = {}
        self._key_answers = {}     # (key, patterns) -> _key_answer()
        self._answers = {}         # ((key, patterns), ...) -> answer()

    def _index(self, values):
        index = self._indexes.get(values)
        if index is None:
            index = self._indexes[values] = ValueIndex(
                (value, position) for position, link in enumerate(self.links)
                for value in link_values(link, values, self.systemd_version))
        return index

    def matching(self, match):
        """The links ``match`` (a MatchSection) matches, as a Matching."""
        listed, positions = self.answer(match)
        return Matching(listed, sorted(positions))

    def answer(self, match, skipping=()):
        """(listed, positions): the links ``match`` matches, or (not listed) every link but those.

        ``positions`` is a frozenset, the same object for every [Match] with the same keys and
        patterns. A link matches when it passes every key, so the answer combines the answers of
        the keys (_key_answer()): the links that pass each key with included patterns, less those
        that fail a key without; with no key of the first kind, every link but those that fail
        some key. The keys named in ``skipping`` are left out, as if the file did not set them.
        """
        selectors = [selector for selector in match.selectors() if selector.key not in skipping]
        memo = tuple((selector.key, selector.patterns) for selector in selectors)
        answer = self._answers.get(memo)
        if answer is None:
            answer = self._answers[memo] = self._combined(match, selectors)
        return answer

    def _combined(self, match, selectors):
        if any(_sure_to_fail(selector) for selector in selectors):
            return True, _NOTHING
        answers = [self._key_answer(match, selector) for selector in selectors]
        if len(answers) == 1:
            return answers[0]
        passing = [positions for listed, positions in answers if listed]
        if not passing:
            return False, frozenset().union(*(positions for _listed, positions in answers))
        found = set(min(passing, key=len))
        for listed, positions in answers:
            if listed:
                found &= positions
            else:
                found -= positions
        return True, frozenset(found)

    def _key_answer(self, match, selector):
        """(listed, positions) for one key: the links that pass it (listed), or those that fail it.

        Looked up in the value indexes; a key they cannot decide (a glob such as ``*0`` or
        ``en?s*``) has its test run on the links the lookup leaves, once for every key of that
        name with the same patterns, however many files repeat it.
        """
        memo = (selector.key, selector.patterns)
        answer = self._key_answers.get(memo)
        if answer is not None:
            return answer
        if selector.values is None:
            answer = (False, _NOTHING)     # an unknown value with no included pattern: no link fails the key
        else:
            index = self._index(selector.values)
            if selector.positive:
                found = index.lookup(selector.included, selector.included_prefixes)
            else:
                found = index.lookup(selector.excluded, selector.excluded_prefixes)
            if not selector.exact:
                test = match.key_test(selector.key)
                found = {position for position in found if test(self.links[position]) == selector.positive}
            answer = (selector.positive, frozenset(found))
        self._key_answers[memo] = answer
        return answer

    def matched_links(self, match):
        """The links ``match`` matches, in their given order."""
        answer = self.matching(match)
        if answer.listed:
            return [self.links[position] for position in answer.positions]
        excluded = set(answer.positions)
        return [link for position, link in enumerate(self.links) if position not in excluded]

    def matched_count(self, match):
        """How many links ``match`` matches, without listing every link a negation matches."""
        listed, positions = self.answer(match)
        return len(positions) if listed else len(self.links) - len(positions)
