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
import posixpath
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import List, Optional

from .._parsing.conf_files import dropin_directories, dropin_paths, list_config_files
from .._parsing.unit_file import UnitFile, parse_unit_file
from .._parsing.values import parse_boolean
from .._parsing.versions import EMPTY_MATCH_REJECTED, EMPTY_MATCH_WARNS, network_dirs
from .index import FileIndex
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


# The Link attributes a [Match] key may test that a link can lack (MatchSection.undecidable).
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

    def build_index(self):
        """Build the index of the loaded files now rather than on the first governing_file().

        Every audit needs it, and it reads each file's [Match] once: built by the load, while the
        cycle collector is paused, its objects join those the load keeps instead of setting off
        collections of all of them afterwards (docs/performance.md).
        """
        return self._loaded_index

    @cached_property
    def _loaded_index(self):
        # Built on first use: ``files`` is complete by then and never changes afterwards.
        return FileIndex(self.loaded, self.systemd_version)

    def governing_file(self, link):
        """The first loaded file whose [Match] matches ``link``, or None.

        See docs/internals/networkd-configuration.md, "The first matching file wins".
        A link whose udev ID_NET_MANAGED_BY names another manager matches nothing.
        """
        if foreign_manager(link, self.systemd_version) is not None:
            return None
        for network in self._loaded_index.candidates(link):
            if network.match.matches(link):
                return network
        return None

    @cached_property
    def _attribute_tests(self):
        """{Link attribute: ([positions in load order], [files])} of the loaded files whose [Match] tests
        that attribute positively, which a link may lack; most files test only Name=."""
        found = {}
        for position, network in enumerate(self.loaded):
            for attribute in network.match.tested_attributes():
                positions, networks = found.setdefault(attribute, ([], []))
                positions.append(position)
                networks.append(network)
        return found

    def undecided(self, link):
        """The files before the governing one (all, when none governs) that could take ``link``.

        Returns [(file, [(key, file:line, Link attribute)])] for the files whose [Match] cannot be
        decided for the link because it lacks a property they test (MatchSection.undecidable). The
        indexes leave such files out of the candidates, so the files that test such a property are
        looked up by that property, only for a link that lacks one, and only up to its governing file.
        """
        missing = [attribute for attribute in UNDECIDABLE_ATTRIBUTES
                   if getattr(link, attribute) is None and attribute in self._attribute_tests]
        if not missing:
            return []
        governing = self.governing_file(link)
        last = len(self.loaded) if governing is None else self._load_positions[id(governing)]
        tests = {}
        for attribute in missing:
            positions, networks = self._attribute_tests[attribute]
            for index in range(bisect.bisect_left(positions, last)):
                tests[positions[index]] = networks[index]
        found = []
        for position in sorted(tests):
            keys = tests[position].match.undecidable(link)
            if keys:
                found.append((tests[position], keys))
        return found

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
        configuration = NetworkConfiguration(files=files, systemd_version=version)
        configuration.build_index()
    return configuration
