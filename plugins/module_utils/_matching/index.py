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
only links named eth0 or starting with ``wl``. Both indexes below look links
and files up by those values, normalised once per link and once per file, and
still run MatchSection.matches() on every candidate: they change which tests
run, never their outcome.

- FileIndex.candidates(link): the files that may govern a link, in load
  order. A file is filed under one key that a link must pass; a file whose
  keys only exclude (or that has no list key) is filed under what it excludes,
  and the first such file that excludes nothing of the link is sure to match,
  so no file after it is looked at.
- LinkIndex.matching(match): the links one [Match] matches, as the links it
  lists, or as every link but a few when its keys only exclude; matched_count()
  counts them without listing every link of a negation.

The cost is the number of files and links, plus for each file the links
that share the literal text its most selective key looks up (for a file that
only excludes, the links it excludes).
"""

from __future__ import annotations

import bisect
from typing import List, NamedTuple

from .links import normalize_mac
from .match import tested_names

ATTRIBUTES = ("path", "driver", "type", "kind")     # the strv keys' Link attributes
# The key a file is filed under, most selective first: exact addresses, then names, then the rest.
PREFERENCE = {"mac": 0, "permanent_mac": 0, "properties": 1, "names": 2, "path": 3, "driver": 4, "kind": 5, "type": 6}


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

    def exact(self, value):
        return self._by_value.get(value, ())

    def _range(self, prefix):
        start = bisect.bisect_left(self._values, prefix)
        successor = _successor(prefix)
        end = len(self._values) if successor is None else bisect.bisect_left(self._values, successor, start)
        return self._offsets[start], self._offsets[end]

    def prefixed(self, prefix):
        """The positions of every value that starts with ``prefix``."""
        start, end = self._range(prefix)
        return self._flat[start:end]

    def count(self, literals, prefixes):
        """How many positions exact() and prefixed() give for these, duplicates included (a cost, not an answer)."""
        total = sum(len(self.exact(value)) for value in literals)
        for prefix in prefixes:
            start, end = self._range(prefix)
            total += end - start
        return total

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

    def _index(self, values):
        index = self._indexes.get(values)
        if index is None:
            index = self._indexes[values] = ValueIndex(
                (value, position) for position, link in enumerate(self.links)
                for value in link_values(link, values, self.systemd_version))
        return index

    def matching(self, match):
        """The links ``match`` (a MatchSection) matches, as a Matching."""
        listed, positions = self._answer(match)
        return Matching(listed, sorted(positions))

    def _answer(self, match):
        """(listed, positions): the links ``match`` matches, or (not listed) every link but those."""
        selectors = match.selectors()
        if len(selectors) == 1 and selectors[0].exact and selectors[0].values is not None:
            # One key, which a lookup decides, as for most files (Name=eth0, MACAddress=...).
            selector = selectors[0]
            if selector.positive:
                return True, self._index(selector.values).lookup(selector.included, selector.included_prefixes)
            return False, self._index(selector.values).lookup(selector.excluded, selector.excluded_prefixes)
        if any(_sure_to_fail(selector) for selector in selectors):
            return True, ()
        positive = [selector for selector in selectors if selector.positive]
        if positive:
            # Candidates from the key that names the fewest links, narrowed by the keys a lookup
            # decides; matches() tests what is left when a key needs it.
            chosen = min(positive, key=lambda s: self._index(s.values).count(s.included, s.included_prefixes))
            found = self._index(chosen.values).lookup(chosen.included, chosen.included_prefixes)
            undecided = not chosen.exact
            for selector in selectors:
                if selector is chosen or selector.values is None:
                    continue        # a key on an unknown value without included patterns passes every link
                if not selector.exact:
                    undecided = True
                elif selector.positive:
                    found &= self._index(selector.values).lookup(selector.included, selector.included_prefixes)
                else:
                    found -= self._index(selector.values).lookup(selector.excluded, selector.excluded_prefixes)
            if undecided:
                found = [position for position in found if match.matches(self.links[position])]
            return True, found
        # Only exclusions: the links that may fail are those some key excludes.
        failing = set()
        undecided = False
        for selector in selectors:
            if selector.values is not None:
                failing |= self._index(selector.values).lookup(selector.excluded, selector.excluded_prefixes)
                undecided = undecided or not selector.exact
        if undecided:
            failing = [position for position in failing if not match.matches(self.links[position])]
        return False, failing

    def matched_links(self, match):
        """The links ``match`` matches, in their given order."""
        answer = self.matching(match)
        if answer.listed:
            return [self.links[position] for position in answer.positions]
        excluded = set(answer.positions)
        return [link for position, link in enumerate(self.links) if position not in excluded]

    def matched_count(self, match):
        """How many links ``match`` matches, without listing every link a negation matches."""
        listed, positions = self._answer(match)
        return len(positions) if listed else len(self.links) - len(positions)


class FileIndex:
    """Usable .network files in load order, by the values their [Match] keys look for."""

    def __init__(self, networks, systemd_version):
        self.networks = list(networks)
        self.systemd_version = systemd_version
        self._included = {}     # values -> (ValueIndex-like dicts): files filed under a key a link must pass
        self._excluded = {}     # values -> dicts: files that only exclude, by what they exclude
        self._only_excluding = []   # positions of the files whose keys only exclude (or that have no list key)
        for position, network in enumerate(self.networks):
            self._file(position, network.match.selectors())

    def _file(self, position, selectors):
        if len(selectors) == 1 and selectors[0].positive and selectors[0].values is not None:
            selector = selectors[0]     # one key a link must pass, as for most files (Name=eth0)
            self._add(self._included, selector.values, selector.included, selector.included_prefixes, position)
            return
        if any(_sure_to_fail(selector) for selector in selectors):
            return      # matches no link
        positive = [selector for selector in selectors if selector.positive]
        if positive:
            selector = min(positive, key=lambda s: (PREFERENCE[s.values], bool(s.included_prefixes)))
            self._add(self._included, selector.values, selector.included, selector.included_prefixes, position)
            return
        self._only_excluding.append(position)
        for selector in selectors:
            if selector.values is not None:
                self._add(self._excluded, selector.values, selector.excluded, selector.excluded_prefixes, position)

    @staticmethod
    def _add(table, values, literals, prefixes, position):
        exact, by_prefix = table.setdefault(values, ({}, {}))
        for value in literals:
            exact.setdefault(value, []).append(position)
        for prefix in prefixes:
            by_prefix.setdefault(prefix, []).append(position)

    def _lookup(self, table, link):
        """The positions filed in ``table`` under a value of ``link`` or a prefix of one."""
        found = set()
        for values, (exact, by_prefix) in table.items():
            for value in link_values(link, values, self.systemd_version):
                found.update(exact.get(value, ()))
                if by_prefix:
                    for end in range(len(value) + 1):
                        found.update(by_prefix.get(value[:end], ()))
        return found

    def candidates(self, link):
        """The files that may govern ``link``, in load order, up to the first that surely matches it."""
        positions = self._lookup(self._included, link)
        excluding = self._lookup(self._excluded, link) if self._excluded else set()
        for position in self._only_excluding:
            if position not in excluding:
                # Excludes nothing of the link, so it matches it: no later file can govern the link.
                positions = {p for p in positions if p < position}
                positions.add(position)
                positions.update(p for p in excluding if p < position)
                break
        else:
            positions.update(excluding)
        for position in sorted(positions):
            yield self.networks[position]
