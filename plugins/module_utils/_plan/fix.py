# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan the file changes that make forwarding what the user asked for.

A plan is a list of FileChange (before/after bytes); writing them is the
module's job. Every change stays inside the networkd configuration
directories; files under /etc are edited, files anywhere else (netplan's
/run, packages' /usr/lib) are overridden with a drop-in under /etc, so the
fix survives regeneration and upgrades.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Optional

from .._model.keys import FAMILY_KEYS, LEGACY_KEY, read_link_settings
from .._parsing.families import FAMILIES
from .._parsing.unit_file import parse_unit_file, rewrite
from .._parsing.values import parse_boolean

ETC_NETWORK = "/etc/systemd/network"
# Where an edit does not last: /run is empty at every boot (netplan and amazon-ec2-net-utils write
# their files there again), package upgrades replace the files under /usr/lib and /lib.
VOLATILE = (("/run/", "files under /run are written again at every boot (by netplan, or the tool that wrote it)"),
            ("/usr/lib/", "package upgrades replace files under /usr/lib"),
            ("/lib/", "package upgrades replace files under /lib"))
ETC_NETWORKD_CONF_D = "/etc/systemd/networkd.conf.d"
HEADER = b"# Managed by hostnet.networkd.networkd_forwarding: forwarding for this network.\n"


class FixError(Exception):
    """A change that cannot be made safely; the message names the file and line."""


@dataclass
class FileChange:
    path: str
    before: Optional[bytes]     # None: the file is created
    after: Optional[bytes]      # None: the file is removed

    @property
    def action(self):
        if self.before is None:
            return "created"
        return "removed" if self.after is None else "modified"


def legacy_value(families):
    if set(families) == set(FAMILIES):
        return "yes"
    return next(iter(families)) if families else "no"


class FixPlanner:
    """Builds the changes for one host's files, family by family."""

    def __init__(self, fs, version, syntax, families, desired, dropin_name, method):
        self.fs = fs
        self.version = version
        self.syntax = syntax
        self.families = [f for f in FAMILIES if f in families]
        self.desired = desired
        self.dropin_name = dropin_name
        self.method = method
        self._pending = {}   # path -> (unit or None, bytes before)

    # -- which keys, and where --------------------------------------------------

    def conflicting_keys(self):
        """Keys whose assignments must go so the written one is the only one that counts."""
        keys = {FAMILY_KEYS[f] for f in self.families}
        keys.add(LEGACY_KEY)
        return keys

    def wanted_assignments(self, network):
        """The (section, key, value) lines this network's file should carry afterwards."""
        word = "yes" if self.desired else "no"
        if self.syntax == "modern":
            return [("Network", FAMILY_KEYS[f], word) for f in self.families]
        current = read_link_settings(network.assignments, self.version).ip_forward or frozenset()
        wanted = set(current) | set(self.families) if self.desired else set(current) - set(self.families)
        return [("Network", LEGACY_KEY, legacy_value(sorted(wanted)))]

    def target_path(self, network):
        in_etc = posixpath.dirname(network.path) == ETC_NETWORK
        if self.method == "inline":
            for prefix, why in VOLATILE:
                if network.path.startswith(prefix):
                    raise FixError("refusing to edit %s in place: %s, and the change would be lost; use "
                                   "method=auto or method=dropin (a drop-in under %s lasts)"
                                   % (network.path, why, ETC_NETWORK))
        if self.method == "inline" or (self.method == "auto" and in_etc):
            return network.path
        return posixpath.join(ETC_NETWORK, network.name + ".d", self.dropin_name)

    # -- planning ---------------------------------------------------------------

    def plan_network(self, network):
        """Changes so ``network`` (main file and drop-ins) says exactly what is wanted."""
        if network.error:
            raise FixError("refusing to edit %s: networkd cannot load it: %s" % (network.path, network.error))
        target = self.target_path(network)
        wanted = self.wanted_assignments(network)
        self._plan_files(target, [network.path] + network.dropins, wanted, ETC_NETWORK, network.name)

    def plan_global(self, networkd_conf):
        """A networkd.conf.d drop-in with the global keys.

        networkd.conf itself is never edited: networkd parses it before every drop-in, so the
        drop-in's keys win over it wherever the main file lives (/etc, or /run, /usr/local/lib,
        /usr/lib from 256), and a hardened main file stays as its owner wrote it.
        """
        target = posixpath.join(ETC_NETWORKD_CONF_D, self.dropin_name)
        word = "yes" if self.desired else "no"
        wanted = [("Network", FAMILY_KEYS[f], word) for f in self.families]
        main = [networkd_conf.main_file] if networkd_conf.main_file else []
        self._plan_files(target, networkd_conf.files, wanted, "/etc/systemd", "networkd.conf", overridden=main)

    def _plan_files(self, target, files, wanted, editable_root, what, overridden=()):
        """Remove conflicting keys from ``files``, put ``wanted`` into ``target``.

        ``overridden`` are files parsed before every drop-in (networkd.conf): their keys are left
        alone, the target overrides them.
        """
        keys = self.conflicting_keys()
        order = self._parse_order(files, target)
        existing = [(path, a) for path, unit in order if unit is not None and path not in overridden
                    for a in unit.assignments if a.section == "Network" and a.key in keys]
        if self._already_satisfied(existing, target, wanted):
            return
        for path, assignment in existing:
            if path == target or path.startswith(editable_root + "/"):
                continue
            if self._applied_after(order, path, target):
                raise FixError(
                    "%s sets %s=%s after %s and cannot be edited here; choose a dropin_name that sorts "
                    "after %s, or remove that line" % (assignment.location, assignment.key,
                                                       assignment.value, target, posixpath.basename(path)))
        removals = {}
        for path, assignment in existing:
            if path == target or path.startswith(editable_root + "/"):
                removals.setdefault(path, []).append(assignment)
        for path, assignments in removals.items():
            self._edit(path, remove=assignments)
        self._edit(target, add=wanted)

    def _parse_order(self, files, target):
        """(path, unit) in the order networkd applies them, with the target placed where it sorts."""
        paths = list(files)
        if target not in paths:
            # A new drop-in sorts by name among the other drop-ins; the main file stays first.
            paths = paths[:1] + sorted(paths[1:] + [target], key=posixpath.basename)
        return [(path, self._unit(path)) for path in paths]

    def _unit(self, path):
        if path in self._pending:
            return self._pending[path][0]
        if not self.fs.is_file(path) or self.fs.is_masked(path):
            before = None if not self.fs.is_file(path) else b""
            self._pending[path] = (None, before)
            return None
        try:
            raw = self.fs.read_bytes(path)
        except OSError as error:
            raise FixError("%s cannot be read: %s" % (path, error.strerror or error))
        unit = parse_unit_file(raw, path, self.version)
        if unit.error:
            raise FixError("refusing to edit %s: %s" % (path, unit.error))
        self._pending[path] = (unit, raw)
        return unit

    def _already_satisfied(self, existing, target, wanted):
        """True when the only forwarding lines are the wanted ones, in the target."""
        if len(existing) != len(wanted) or any(path != target for path, _a in existing):
            return False
        found = {(a.key, self._normal(a.value)) for _path, a in existing}
        return found == {(key, self._normal(value)) for _section, key, value in wanted}

    @staticmethod
    def _normal(value):
        boolean = parse_boolean(value)
        return value if boolean is None else boolean

    @staticmethod
    def _applied_after(order, path, target):
        paths = [p for p, _unit in order]
        return paths.index(path) > paths.index(target)

    def _edit(self, path, remove=(), add=()):
        unit, before = self._pending[path][0], self._pending[path][1]
        if unit is None:
            unit = parse_unit_file(HEADER if before is None else before, path, self.version)
        after = rewrite(unit, remove=remove, add=add)
        self._pending[path] = (parse_unit_file(after, path, self.version), before)

    def changes(self):
        """The planned FileChanges, files whose bytes do not change left out.

        One of this module's own drop-ins left without any assignment (the fix
        moved into the main file) is removed rather than kept as an empty shell.
        """
        result = []
        for path, (unit, before) in sorted(self._pending.items()):
            if unit is None or unit.raw == before:
                continue
            emptied = not unit.assignments and posixpath.basename(path) == self.dropin_name
            result.append(FileChange(path, before, None if emptied else unit.raw))
        return result
