# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Skip the [Match] tests that cannot pass, so matching stays near-linear on large hosts.

"The first matching file wins" costs files x links tests when done naively:
10 million on a host with 10,000 files and 1,000 links. Most files name
their links (``Name=eth0``, ``Name=enp3s*``), and such a file can only match
a link whose name starts with one of its literal prefixes
(MatchSection.name_prefixes()). Both indexes below use that to pick
candidates, in the original order, and still run MatchSection.matches() on
every candidate: they change which tests run, never their outcome.
"""

from __future__ import annotations

import bisect
import heapq

from .match import tested_names


class FileIndex:
    """Usable .network files in load order, by the literal prefixes of their Name= patterns."""

    def __init__(self, networks, systemd_version):
        self.networks = list(networks)
        self.systemd_version = systemd_version
        self._by_prefix = {}
        self._any_name = []     # positions of files that may match a link of any name
        for position, network in enumerate(self.networks):
            prefixes = network.match.name_prefixes()
            if prefixes is None:
                self._any_name.append(position)
            for prefix in prefixes or ():
                self._by_prefix.setdefault(prefix, []).append(position)

    def candidates(self, link):
        """The files that may match ``link``, in load order."""
        lists = [self._any_name]
        for name in tested_names(link, self.systemd_version):
            lists.extend(self._by_prefix[name[:end]] for end in range(len(name) + 1) if name[:end] in self._by_prefix)
        seen = set()
        for position in heapq.merge(*lists):
            if position not in seen:
                seen.add(position)
                yield self.networks[position]


class LinkIndex:
    """Links in their given order, found by the start of any name Name= tests for them."""

    def __init__(self, links, systemd_version):
        self.links = list(links)
        self._positions = {}
        for position, link in enumerate(self.links):
            for name in tested_names(link, systemd_version):
                self._positions.setdefault(name, []).append(position)
        self._names = sorted(self._positions)

    def candidates(self, match):
        """The links that ``match`` (a MatchSection) may match, in their given order."""
        prefixes = match.name_prefixes()
        if prefixes is None:
            return self.links
        positions = set()
        for prefix in prefixes:
            # The names that start with ``prefix`` follow one another in sorted order.
            index = bisect.bisect_left(self._names, prefix)
            while index < len(self._names) and self._names[index].startswith(prefix):
                positions.update(self._positions[self._names[index]])
                index += 1
        return [self.links[position] for position in sorted(positions)]
