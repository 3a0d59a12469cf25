# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""networkd.conf and networkd.conf.d: the global IPv4Forwarding=/IPv6Forwarding= (256+)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .._parsing.conf_files import list_config_files
from .._parsing.unit_file import parse_unit_file
from .._parsing.versions import (
    MAIN_CONF_READ_AS_DROPIN,
    NETWORKD_CONF_ANY_DIRECTORY,
    PER_LINK_FORWARDING_KEYS,
    config_dirs,
)
from .keys import FAMILY_KEYS, parse_tristate


@dataclass
class GlobalSetting:
    """The effective global forwarding setting of one family."""

    value: Optional[bool] = None        # None: unset, networkd keeps the kernel's value
    source: Optional[object] = None     # the Assignment that set it last
    overridden: List[object] = field(default_factory=list)   # earlier valid assignments a later one replaced


@dataclass
class NetworkdConf:
    main_file: Optional[str]
    dropins: List[str]
    forwarding: Dict[str, GlobalSetting]   # "ipv4" / "ipv6"
    warnings: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)

    @property
    def files(self):
        return ([self.main_file] if self.main_file else []) + self.dropins


def main_file_candidates(version):
    """Where networkd reads networkd.conf from (docs/internals/networkd-configuration.md, "networkd.conf and its drop-ins").

    Up to 255 only /etc/systemd/networkd.conf; from 256 the first that exists of
    /etc, /run, /usr/local/lib, /usr/lib (config_parse_standard_file_with_dropins).
    """
    if version < NETWORKD_CONF_ANY_DIRECTORY:
        return ["/etc/systemd/networkd.conf"]
    return [posixpath.join(d, "networkd.conf") for d in config_dirs(version, "systemd")]


def load_networkd_conf(fs, version):
    """Parse networkd.conf and its drop-ins in the order networkd does; the last valid value wins.

    From 255 the first main file found is skipped when it is the same file as a
    drop-in (a symlink either way: config_parse_many_files compares inodes),
    and no other main file is tried; it is read once, as the drop-in. Hard
    links are the same inode too, but a view shows symlinks only.
    """
    main_file, errors = None, []
    for path in main_file_candidates(version):
        if fs.is_file(path):
            main_file = path
            break
        reason = fs.why_not_a_file(path)
        if reason not in ("missing", "a dangling symlink"):     # networkd skips only what does not exist
            errors.append("%s: cannot be read: %s" % (path, reason))
            break
    dropins, _overridden = list_config_files(
        fs, config_dirs(version, "systemd/networkd.conf.d"), ".conf")
    if main_file is not None and version >= MAIN_CONF_READ_AS_DROPIN:
        real = fs.real_directory(main_file)
        if any(fs.real_directory(dropin) == real for dropin in dropins):
            main_file = None
    conf = NetworkdConf(main_file=main_file, dropins=dropins,
                        forwarding={"ipv4": GlobalSetting(), "ipv6": GlobalSetting()}, errors=errors)
    for path in conf.files:
        if fs.is_masked(path):
            continue
        try:
            unit = parse_unit_file(fs.read_bytes(path), path, version)
        except OSError as error:
            conf.errors.append("%s: cannot be read: %s" % (path, error.strerror or error))
            continue
        if unit.error:
            conf.errors.append(unit.error)
            continue
        conf.warnings.extend(unit.warnings)
        for family, key in FAMILY_KEYS.items():
            for assignment in unit.get("Network", key):
                if version < PER_LINK_FORWARDING_KEYS:
                    conf.warnings.append(
                        "%s: %s= is unknown to systemd %d and ignored" % (assignment.location, key, version))
                    continue
                _apply_tristate(conf.forwarding[family], assignment, conf.warnings)
    return conf


# Whole seconds of /proc/stat's btime and one clock tick: a file written within a second of
# networkd's start may have been read by it.
START_TIME_MARGIN = 1.0


def changed_since_start(conf, version, started_at, mtime):
    """The networkd.conf files and drop-in directories modified after networkd started.

    networkd reads networkd.conf and its drop-ins only when it starts
    (docs/internals/forwarding-semantics.md, "The global write"): a file changed
    since then holds a global IPv4Forwarding=/IPv6Forwarding= (256+) that the
    running daemon does not use yet. A drop-in added or removed since then
    changes its directory's time. A main file added to or removed from /run,
    /usr/local/lib or /usr/lib is not seen (those directories change for many
    reasons). ``mtime(path)`` gives seconds since the epoch, or None.
    """
    if version < PER_LINK_FORWARDING_KEYS or started_at is None:
        return []
    paths = conf.files + config_dirs(version, "systemd/networkd.conf.d")
    changed = []
    for path in paths:
        modified = mtime(path)
        if modified is not None and modified > started_at + START_TIME_MARGIN:
            changed.append(path)
    return changed


def _apply_tristate(setting, assignment, warnings):
    """config_parse_tristate: empty resets to unset, an invalid value is ignored."""
    if not assignment.value:
        parsed = None
    else:
        parsed = parse_tristate(assignment.value)
        if parsed is None:
            warnings.append("%s: Failed to parse %s=%s, ignoring" % (assignment.location, assignment.key, assignment.value))
            return
    if setting.source is not None:
        setting.overridden.append(setting.source)
    setting.value, setting.source = parsed, assignment
