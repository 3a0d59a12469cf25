# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which .network files networkd loads, and which one governs each link.

This mirrors network_load() and link_get_network(): directories in priority
order, same-name override, masking, drop-ins, strcmp order, files dropped for
parse errors, empty [Match] or false conditions, and "the first matching file
wins" (docs/internals/networkd-configuration.md, from "Search directories" to
"The first matching file wins").
"""

from __future__ import annotations

import bisect
import gc
import itertools
import posixpath
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import List, Optional

from .._parsing.conf_files import dropin_directories, dropin_paths, list_config_files
from .._parsing.unit_file import UnitFile, parse_unit_file
from .._parsing.values import parse_boolean
from .._parsing.versions import EMPTY_MATCH_REJECTED, EMPTY_MATCH_WARNS, network_dirs
from .index import LinkIndex
from .conditions import ConditionVerdict
from .links import foreign_manager
from .match import MatchSection


@dataclass
class NetworkFile:
    """One .network file as networkd sees it, with its drop-ins.

    ``usable`` is False when networkd skips the file: masked, overridden by a
    same-name file of higher priority, unparsable, an empty [Match] (245+), or
    conditions that are false. Files whose conditions cannot be evaluated here
    stay usable and carry ``conditions.holds is None``.
    """

    path: str
    masked: bool = False
    overridden_by: Optional[str] = None
    dropins: List[str] = field(default_factory=list)
    units: List[UnitFile] = field(default_factory=list)
    match: Optional[MatchSection] = None
    conditions: Optional[ConditionVerdict] = None
    error: Optional[str] = None
    warnings: List[str] = field(default_factory=list)
    bad_dropin: Optional[str] = None    # a drop-in that is no regular file, which makes networkd drop the network

    @property
    def name(self):
        return posixpath.basename(self.path)

    @property
    def usable(self):
        return (not self.masked and self.overridden_by is None and self.error is None
                and self.conditions is not None and self.conditions.holds is not False)

    @property
    def assignments(self):
        """Every assignment of the main file, then of each drop-in, in the order networkd parses them."""
        return [assignment for unit in self.units for assignment in unit.assignments]

    @property
    def unmanaged(self):
        """The effective [Link] Unmanaged= (last valid boolean wins), with its assignment."""
        result = None
        for assignment in self.assignments:
            if assignment.section == "Link" and assignment.key == "Unmanaged":
                if parse_boolean(assignment.value) is not None:
                    result = assignment
        return result if result is not None and parse_boolean(result.value) else None


# The Link attributes a [Match] key may test that a link can lack (MatchSection.unknown_keys()).
UNDECIDABLE_ATTRIBUTES = ("mac", "permanent_mac", "path", "driver", "type")


@dataclass
class NetworkConfiguration:
    """Every .network file considered on a host, in the order networkd loads them."""

    files: List[NetworkFile]
    systemd_version: int

    @property
    def problems(self):
        """Warnings about drop-ins that make networkd drop their whole network (a directory named x.conf)."""
        return ["%s: remove it or make it a regular file" % network.error for network in self.files
                if network.bad_dropin is not None]

    @cached_property
    def loaded(self):
        """The files networkd would load, in match order (a list built once: ``files`` does not change)."""
        return [network for network in self.files if network.usable]

    @cached_property
    def _load_positions(self):
        """{id(file): its position in ``loaded``}."""
        return {id(network): position for position, network in enumerate(self.loaded)}

    def governing_files(self, links):
        """The file that governs each of ``links`` (None: none does), in their order.

        See docs/internals/networkd-configuration.md, "The first matching file wins".
        Files are taken in load order, and each governs the links its [Match] matches
        that no earlier file took. LinkIndex answers which links a [Match] matches from
        the answers of its keys, each computed once, so the cost grows with the files, the
        links and the links each file matches, not with files x links; a file whose answer
        an earlier file already applied takes no link. A link whose udev ID_NET_MANAGED_BY
        names another manager matches nothing.
        """
        links = list(links)
        governing = [None] * len(links)
        own = [position for position, link in enumerate(links) if foreign_manager(link, self.systemd_version) is None]
        index = LinkIndex([links[position] for position in own], self.systemd_version)
        ungoverned = set(range(len(own)))
        applied = set()
        for network in self.loaded:
            if not ungoverned:
                break
            listed, positions = index.answer(network.match)
            if (listed, id(positions)) in applied:
                continue
            applied.add((listed, id(positions)))
            taken = positions & ungoverned if listed else ungoverned - positions
            for position in taken:
                governing[own[position]] = network
            ungoverned -= taken
        return governing

    @cached_property
    def _attribute_tests(self):
        """{Link attribute: {position in load order: file}} of the loaded files whose [Match] tests
        that attribute positively, which a link may lack; most files test only Name=."""
        found = {}
        for position, network in enumerate(self.loaded):
            for attribute in network.match.tested_attributes():
                found.setdefault(attribute, {})[position] = network
        return found

    def undecided_lines(self, links, governing, shown):
        """The [Match] lines that cannot be decided for some of ``links``, with how many and which.

        Returns {(file:line, key, Link attribute): (count, names of the first ``shown`` links in
        the order of ``links``)}, ordered by the first such link, then by load order. A line
        counts for a link that lacks the property it tests (MatchSection.unknown_keys()) when
        its file comes before the file that governs the link (``governing``, from
        governing_files(); every loaded file when None) and every other key of the file matches
        the link. Links that lack the same properties are taken together: LinkIndex answers
        which of them each file's other keys match, and the files are swept from the last to
        the first, so that the links governed after a file are at hand for it. The cost grows
        with the files that test such a property, those links, and the links each file's other
        keys match, not with their product.
        """
        groups = {}
        for position, link in enumerate(links):
            missing = frozenset(attribute for attribute in UNDECIDABLE_ATTRIBUTES
                                if getattr(link, attribute) is None and attribute in self._attribute_tests)
            if missing:
                groups.setdefault(missing, []).append(position)
        found = {}
        for missing, members in groups.items():
            for file_position, line, count, first in self._undecided_in_group(links, governing, missing, members, shown):
                _file_position, total, earlier = found.get(line, (file_position, 0, []))
                found[line] = (file_position, total + count, sorted(earlier + first)[:shown])
        order = sorted(found, key=lambda line: (found[line][2][0], found[line][0]))
        return {line: (found[line][1], [links[position].name for position in found[line][2]]) for line in order}

    def _undecided_in_group(self, links, governing, missing, members, shown):
        """(file position, line, count, first positions in ``links``) for the ``members``, which all lack ``missing``."""
        ends = [len(self.loaded) if governing[position] is None else self._load_positions[id(governing[position])]
                for position in members]
        tests = {}
        for attribute in missing:
            tests.update(self._attribute_tests[attribute])
        index = LinkIndex([links[position] for position in members], self.systemd_version)
        by_end = sorted(range(len(members)), key=lambda member: ends[member], reverse=True)
        ahead = []      # the members governed after the file at hand (or not at all), in the order of ``links``
        taken = 0
        for file_position in sorted(tests, reverse=True):
            while taken < len(by_end) and ends[by_end[taken]] > file_position:
                bisect.insort(ahead, by_end[taken])
                taken += 1
            if not ahead:
                continue
            match = tests[file_position].match
            unknown = match.unknown_keys(missing)
            listed, positions = index.answer(match, skipping={key for key, _location, _attribute in unknown})
            if listed:
                hits = sorted(member for member in positions if ends[member] > file_position)
                count, first = len(hits), hits[:shown]
            else:
                count = len(ahead) - sum(1 for member in positions if ends[member] > file_position)
                first = list(itertools.islice((member for member in ahead if member not in positions), shown))
            if count:
                for key, location, attribute in unknown:
                    yield (file_position, (location or tests[file_position].path, key, attribute), count,
                           [members[member] for member in first])

    def find(self, path):
        for network in self.files:
            if network.path == path:
                return network
        return None


def load_network_file(fs, path, version, facts, existing_dropin_dirs=None):
    """Read, parse and verify one winning .network file as network_load_one() does."""
    network = NetworkFile(path=path)
    if not fs.is_file(path):
        network.error = "%s: %s, skipped" % (path, fs.why_not_a_file(path))
        return network
    if fs.is_masked(path):
        network.masked = True
        return network
    network.dropins = dropin_paths(fs, path, version, existing_dropin_dirs)
    for unit_path in [path] + network.dropins:
        if fs.is_masked(unit_path):
            continue  # an empty or /dev/null drop-in parses to nothing
        if unit_path != path and not fs.is_file(unit_path):
            # networkd lists drop-ins without looking at their type (conf_files_list_dropins()),
            # then fails to read a directory and drops the whole network (docs/internals/
            # file-safety.md, "Which files are read, and how much"). Never read here.
            network.bad_dropin = unit_path
            network.error = "%s: %s; networkd cannot load %s because of it" % (
                unit_path, fs.why_not_a_file(unit_path), path)
            return network
        try:
            raw = fs.read_bytes(unit_path)
        except OSError as error:
            network.error = "%s: cannot be read: %s" % (unit_path, error.strerror or error)
            return network
        unit = parse_unit_file(raw, unit_path, version)
        if unit.error:
            network.error = unit.error
            return network
        network.units.append(unit)
        network.warnings.extend(unit.warnings)
    network.match = MatchSection.from_assignments(network.assignments, version)
    network.warnings.extend(network.match.warnings)
    if network.match.is_empty:
        message = ("%s: No valid settings found in the [Match] section, ignoring file. "
                   "To match all interfaces, add Name=* in the [Match] section." % path)
        if version >= EMPTY_MATCH_REJECTED:
            network.error = message
            return network
        if version >= EMPTY_MATCH_WARNS:
            network.warnings.append("%s: empty [Match] section matches every link" % path)
    network.conditions = network.match.conditions(facts)
    return network


@contextmanager
def _cycle_collection_paused():
    """Pause Python's cycle collector while a load builds objects that all stay alive.

    CPython runs a collection every 700 new container objects (lists, dicts,
    class instances) and a full one each time their number grows by a
    quarter. Loading 10,000 files builds about 200,000 of them and none is
    garbage, so those collections only re-scan what is being built: up to
    half the time of the load. Reference counting frees objects as usual
    meanwhile. Afterwards one collection of the young generations moves the
    loaded objects to the oldest one (and collects cycles, if any), where the
    next allocations would have taken two.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(1)


def load_network_configuration(fs, version, facts, extra_paths=()):
    """Every .network file in the search path, in networkd's load order.

    ``extra_paths`` are files outside the search path to consider as well (a
    templated file before it is installed); they sort by name with the rest.
    """
    paths, overridden = list_config_files(fs, network_dirs(version), ".network")
    for path in extra_paths:
        if path not in paths:
            paths.append(path)
    paths.sort(key=posixpath.basename)
    existing = dropin_directories(fs, version)
    with _cycle_collection_paused():
        files = [load_network_file(fs, path, version, facts, existing) for path in paths]
        files.extend(NetworkFile(path=path, overridden_by=winner) for path, winner in overridden)
    return NetworkConfiguration(files=files, systemd_version=version)
