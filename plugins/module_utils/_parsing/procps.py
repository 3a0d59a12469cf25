# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which procps-ng runs `sysctl --system`: its releases differ on glob lines.

docs/internals/sysctl.md, "Globs and exclusions", has the rules and the lab
measurements; the releases come from procps-ng's NEWS:

- before 4.0.0 a key with a glob is taken as a literal path: the write fails
  ("cannot stat .../conf/*/forwarding", silent under --system) and nothing is set;
- 4.0.0 expands globs and skips the paths that have an entry of their own
  ("sysctl: Add support for systemd glob patterns", issue #191), but an
  exclusion (``-key``) only keeps a glob away from the exact path it names;
- 4.0.5 also matches exclusions as patterns ("sysctl: Add glob excludes", merge #206).

On a running host the program says its release (``sysctl --version``, read in
_live/sysctl.py); below an offline root the package database does: dpkg's
status file (Debian, Ubuntu) or pacman's local database (Arch). The rpm
database (/var/lib/rpm, /usr/lib/sysimage/rpm) is a binary format and is not read.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional, Tuple

PROCPS_EXPANDS_GLOBS = (4, 0, 0)
PROCPS_GLOB_EXCLUSIONS = (4, 0, 5)

DPKG_STATUS = "/var/lib/dpkg/status"
PACMAN_LOCAL = "/var/lib/pacman/local"

# "sysctl from procps-ng 4.0.4", "sysctl (procps version 3.2.8)".
_VERSION_TEXT = re.compile(r"\bprocps(?:-ng)?\b\D*?(\d+(?:\.\d+)+)")


class ProcpsVersion(NamedTuple):
    """A procps-ng release, and where it was read (``sysctl --version``, a package database entry)."""

    version: Tuple[int, ...]
    source: str

    @property
    def text(self):
        return ".".join(str(part) for part in self.version)


def _numbers(text):
    """(4, 0, 4) for "4.0.4"; the leading dotted numbers only ("4.0.4-9" -> (4, 0, 4))."""
    match = re.match(r"\d+(?:\.\d+)*", text)
    return tuple(int(part) for part in match.group(0).split(".")) if match else None


def parse_procps_version(text: str) -> Optional[Tuple[int, ...]]:
    """The release in ``sysctl --version``'s output; None for another sysctl (BusyBox) or no answer."""
    match = _VERSION_TEXT.search(text or "")
    return _numbers(match.group(1)) if match else None


def _from_dpkg(fs):
    try:
        text = fs.read_bytes(DPKG_STATUS).decode("utf-8", "replace")
    except OSError:
        return None
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.split("\n"):
            key, sep, value = line.partition(":")
            if sep and not key.startswith((" ", "\t")):
                fields[key] = value.strip()
        if fields.get("Package") != "procps" or not fields.get("Status", "").endswith(" installed"):
            continue
        full = fields.get("Version", "")
        upstream = full.split(":", 1)[-1]          # drop the epoch ("2:")
        version = _numbers(upstream)
        if version:
            return ProcpsVersion(version, "%s (procps %s)" % (DPKG_STATUS, full))
    return None


def _from_pacman(fs):
    for name in fs.list_dir(PACMAN_LOCAL):
        rest = name[len("procps-ng-"):] if name.startswith("procps-ng-") else ""
        version = _numbers(rest)
        if version:
            return ProcpsVersion(version, "%s/%s" % (PACMAN_LOCAL, name))
    return None


def installed_procps_version(fs) -> Optional[ProcpsVersion]:
    """The procps-ng release the package database below ``fs`` records as installed, or None."""
    return _from_dpkg(fs) or _from_pacman(fs)
