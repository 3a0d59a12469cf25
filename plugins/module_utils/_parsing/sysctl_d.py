# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every forwarding sysctl that sysctl.d / sysctl.conf sets, and when it is written.

Two programs read these files and they do not agree (docs/internals/sysctl.md,
"Two programs, two rules"; a CIS file with ``net.ipv4.ip_forward = 0`` undoes
Docker's and networkd's ``1`` whenever either runs: docs/internals/prior-art.md,
"What users ran into"):

- systemd-sysctl at boot (src/sysctl/sysctl.c): one value per key, the last
  differing assignment wins, keys written in the order they were (re)assigned;
  it never reads /etc/sysctl.conf itself (NEWS 207). Debian 11 and 12 ship
  /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf (in the systemd package) so
  that it does; Debian 13 and sid ship neither the file nor the link. Nothing
  here assumes the link: a file is read at boot only when a sysctl.d listing
  holds it (docs/internals/sysctl.md, "/etc/sysctl.conf");
- ``sysctl --system`` from procps-ng (src/sysctl.c, PreloadSystem and
  write_setting_list): every line of every file in turn, then
  /etc/sysctl.conf once more at the end, if it is a regular file. Its
  releases differ on glob lines (procps.py).

Keys are reported in dotted form with a '/' standing for a dot inside a
component (``net.ipv4.conf.eth0/100.forwarding``). systemd keys its table on
the '/' form instead (sysctl_normalize, src/basic/sysctl-util.c); both forms
map one to one, so two lines name the same sysctl exactly when their keys here
are equal. ``net.ipv4.ip_forward`` and ``net.ipv4.conf.all.forwarding`` are
the same knob to the kernel but different keys to both programs.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Optional

from .._files.view import FileSystemView
from .conf_files import is_hidden
from .families import FAMILIES
from .procps import PROCPS_EXPANDS_GLOBS, PROCPS_GLOB_EXCLUSIONS, ProcpsVersion
from .values import is_glob

# CONF_PATHS("sysctl.d") in systemd's constants.h (def.h before 253), highest priority first.
SYSCTL_D_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d")
# Searched last by systemd built with split-usr (removed in 255); procps-ng always searches it.
SPLIT_USR_SYSCTL_D = "/lib/sysctl.d"
# procps-ng's DEFAULT_PRELOAD, read after the directories by `sysctl --system`.
SYSCTL_CONF = "/etc/sysctl.conf"
SUFFIX = ".conf"

COMMENT_CHARS = "#;"         # COMMENTS in systemd; procps-ng checks '#' and ';'
WHITESPACE = " \t\n\r\v\f"


class SysctlEntry(NamedTuple):
    """One ``key = value`` line that sets a forwarding sysctl.

    ``interface`` is the real interface name (or glob over names) for scope
    "interface", None otherwise. ``effective`` says whether systemd-sysctl
    writes this line's value at boot.
    """

    path: str
    line: int
    key: str
    value: str
    ignore_failure: bool
    family: str
    scope: str
    interface: Optional[str]
    effective: bool

    @property
    def location(self) -> str:
        return "%s:%d" % (self.path, self.line)


class SysctlExclusion(NamedTuple):
    """A ``-key`` line without '=': it keeps globs away from the sysctls it names.

    systemd-sysctl honours it only when the key names one sysctl exactly (it is
    a table entry without a value; apply_glob_option skips any path that has
    an entry); procps-ng also matches it as a pattern (settinglist_findpath).
    ``at_boot`` is False for files only ``sysctl --system`` reads.
    """

    path: str
    line: int
    key: str
    at_boot: bool


@dataclass
class SysctlConfig:
    """The forwarding lines of all sysctl configuration, in the order procps-ng reads them.

    That order is also systemd-sysctl's for the files it reads (both sort by
    file name with strcmp), so one list serves both programs. ``exclusions``
    are the ``-key`` lines, which only matter to globs (see writes_to).
    """

    entries: List[SysctlEntry]
    files: List[str]
    warnings: List[str]
    exclusions: List[SysctlExclusion] = field(default_factory=list)
    # The procps-ng that runs `sysctl --system` (use_procps); None: unknown.
    procps: Optional[ProcpsVersion] = None

    @property
    def procps_matters(self) -> bool:
        """Whether procps-ng releases would write differently here: only glob lines set them apart."""
        return any(entry.scope == "interface" and is_glob(entry.interface) for entry in self.entries)

    def use_procps(self, procps: Optional[ProcpsVersion]) -> None:
        """Predict ``sysctl --system`` as ``procps`` runs it; None (unknown) predicts the most writes.

        Unknown means 4.0.0 to 4.0.4, the releases that write the most: they
        expand globs (3.3 does not) and do not let a glob exclusion keep them away
        from a link (4.0.5 does). An audit that may name a reset that does not
        happen is safer than one that misses a reset; a warning says so when a
        glob makes the difference.
        """
        self.procps = procps
        if procps is None and self.procps_matters:
            globs = ", ".join(entry.location for entry in self.entries
                              if entry.scope == "interface" and is_glob(entry.interface))
            self.warnings.append(
                "The procps-ng version is unknown (no `sysctl --version`, no dpkg or pacman record): "
                "`sysctl --system` is predicted as procps-ng 4.0.0 to 4.0.4 run it, expanding the globs of %s "
                "and ignoring glob exclusions (3.3 writes no glob line, 4.0.5 and later honour glob exclusions)."
                % globs)

    def _procps_at_least(self, release):
        return (self.procps.version if self.procps is not None else PROCPS_EXPANDS_GLOBS) >= release

    def boot_writes(self) -> List[SysctlEntry]:
        """What systemd-sysctl writes at boot, in its order.

        Its table is an ordered hashmap: a differing reassignment removes the
        key and appends it again, an identical one is dropped, so each surviving
        value sits at the position of its own line (parse_line, apply_all).
        Releases that still used a plain Hashmap wrote in hash order.
        """
        return [entry for entry in self.entries if entry.effective]

    def reload_writes(self) -> List[SysctlEntry]:
        """What ``sysctl --system`` writes, in order: every line, overridden or not.

        procps-ng reads every file systemd-sysctl reads and a few more (names
        starting with '.', /lib/sysctl.d on any build, /etc/sysctl.conf), so
        this is every entry.
        """
        return list(self.entries)

    def writes_to(self, entry: SysctlEntry, name: str, at_boot: bool = True) -> bool:
        """Whether applying ``entry`` writes ``net.<family>.conf.<name>.forwarding``.

        ``name`` is "all", "default" or an interface whose sysctl exists. A glob
        is expanded over the existing directories, all and default included,
        and skips every path that has an explicit entry of its own anywhere in
        the configuration, before or after the glob (systemd apply_glob_option:
        "Not setting ... (explicit setting exists)"; procps-ng
        write_setting_list: "override or exclude"). net.ipv4.ip_forward is not
        a conf/<name> path, so such entries answer False.

        ``sysctl --system`` (``at_boot`` False) depends on the procps-ng release
        (use_procps): before 4.0.0 a glob line writes nothing; exclusions are
        exact paths up to 4.0.4 and patterns from 4.0.5.
        """
        if at_boot and not entry.effective:
            return False
        if entry.scope == "ip_forward":
            return False
        if entry.scope != "interface":
            return name == entry.scope
        if not is_glob(entry.interface):
            return name == entry.interface
        if not fnmatch.fnmatchcase(name, entry.interface):
            return False
        slash_target = "net/%s/conf/%s/forwarding" % (entry.family, name)
        target = _dotted(slash_target)
        if at_boot:
            explicit = {e.key for e in self.entries if e.effective and not is_glob(e.key)}
            explicit.update(x.key for x in self.exclusions if x.at_boot)
            return target not in explicit
        if not self._procps_at_least(PROCPS_EXPANDS_GLOBS):
            return False
        if any(e.key == target for e in self.entries if not is_glob(e.key)):
            return False
        if self._procps_at_least(PROCPS_GLOB_EXCLUSIONS):
            return not any(fnmatch.fnmatchcase(slash_target, _dotted(x.key)) for x in self.exclusions)
        return not any(x.key == target for x in self.exclusions)


def _dotted(key):
    """Swap '.' and '/': turns systemd's '/'-separated key into the dotted form, and back."""
    return key.translate(str.maketrans("./", "/."))


def _slash_form(raw):
    """The key as systemd's sysctl_normalize() stores it: '/' between components.

    A key whose first separator is a dot is in dotted form, so dots and
    slashes swap; then path_simplify() drops empty and "." components, and the
    leading slash goes.
    """
    key = raw.strip(WHITESPACE)
    first = next((char for char in key if char in "./"), None)
    if first == ".":
        key = _dotted(key)
    parts = [part for part in key.split("/") if part not in ("", ".")]
    return "/".join(parts) if parts else key


def normalize_key(raw: str) -> str:
    """The dotted form of a key as written in a sysctl.d line, e.g. for "net/ipv4/conf/eth0.100/forwarding"."""
    return _dotted(_slash_form(raw))


def _classify(slash_key):
    """(family, scope, interface) for a forwarding key in '/' form, else None."""
    parts = slash_key.split("/")
    if parts == ["net", "ipv4", "ip_forward"]:
        return "ipv4", "ip_forward", None
    if (len(parts) == 5 and parts[0] == "net" and parts[1] in FAMILIES and parts[2] == "conf"
            and parts[3] and parts[4] == "forwarding"):
        if parts[3] in ("all", "default"):
            return parts[1], parts[3], None
        return parts[1], "interface", parts[3]
    return None


def _may_name_forwarding(slash_key):
    """Whether a key, read as a glob over /proc/sys, can reach a forwarding sysctl.

    glob(3) matches one path component per pattern component, as both
    programs expand globs with it.
    """
    parts = slash_key.split("/")
    if len(parts) == 3:
        templates = [("net", "ipv4", "ip_forward")]
    elif len(parts) == 5:
        templates = [("net", family, "conf", parts[3], "forwarding") for family in FAMILIES]
    else:
        return False
    return any(all(fnmatch.fnmatchcase(word, pattern) for word, pattern in zip(template, parts))
               for template in templates)


def is_forwarding_key(normalized_key: str) -> bool:
    """True for net.ipv4.ip_forward and net.ipv{4,6}.conf.<all|default|interface|glob>.forwarding.

    Accepts either separator style, as systemd does.
    """
    return _classify(_slash_form(normalized_key)) is not None


class _Line(NamedTuple):
    """A parsed assignment or exclusion; value None marks an exclusion (``-key``)."""

    path: str
    number: int
    key: str
    value: Optional[str]
    ignore_failure: bool


def _parse(path, text, warnings):
    """The forwarding-related lines of one file, as both programs split them.

    systemd parse_line() and procps-ng parse_setting_line() agree: strip, skip
    blank and '#'/';' lines, split at the first '=', a leading '-' marks
    "ignore failure", and a '-key' line without '=' excludes that key from
    globs. Other lines without '=' are errors both programs skip; they are
    reported only when they mention forwarding, since other sysctls are not
    this module's business.
    """
    lines = []
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip(WHITESPACE)
        if not stripped or stripped[0] in COMMENT_CHARS:
            continue
        ignore_failure = stripped.startswith("-")
        body = stripped[1:] if ignore_failure else stripped
        key_text, equals, value = body.partition("=")
        if not equals and not ignore_failure:
            if "forward" in stripped.lower():
                warnings.append("%s:%d: line is not an assignment, ignored by systemd-sysctl and sysctl: %s"
                                % (path, number, stripped))
            continue
        slash_key = _slash_form(key_text)
        if not _may_name_forwarding(slash_key):
            continue
        if equals and _classify(slash_key) is None:
            warnings.append("%s:%d: glob %s may set forwarding sysctls; only globs over the interface name "
                            "are modelled" % (path, number, _dotted(slash_key)))
            continue
        lines.append(_Line(path, number, _dotted(slash_key),
                           value.strip(WHITESPACE) if equals else None, ignore_failure and bool(equals)))
    return lines


def _select_files(fs, dirs, skip_hidden):
    """basename -> path: the first directory holding a name wins it (conf_files_list, PreloadSystem).

    Neither program stats the entry before it claims the name, so a masking
    file (empty, or a symlink to /dev/null) wins and then reads as nothing.
    """
    chosen = {}
    for directory in dirs:
        for name in fs.list_dir(directory):
            if not name.endswith(SUFFIX) or name in chosen or (skip_hidden and is_hidden(name)):
                continue
            chosen[name] = "%s/%s" % (directory, name)
    return chosen


def _read(fs, path, warnings):
    try:
        return fs.read_bytes(path).decode("utf-8", errors="replace")
    except OSError as error:
        warnings.append("%s: cannot be read, skipped by systemd-sysctl and sysctl: %s"
                        % (path, error.strerror or error))
        return ""


def load_sysctl_config(fs: FileSystemView, split_usr: bool = True) -> SysctlConfig:
    """Read sysctl.d and /etc/sysctl.conf below ``fs`` and find the forwarding lines.

    ``split_usr`` is whether the host's systemd searches /lib/sysctl.d
    (split-usr builds before 255). Never raises on bad content; problems
    become ``warnings``.
    """
    warnings = []
    boot_dirs = SYSCTL_D_DIRS + ((SPLIT_USR_SYSCTL_D,) if split_usr else ())
    boot_files = set(_select_files(fs, boot_dirs, skip_hidden=True).values())
    # procps-ng 4 PreloadSystem(): same priority order plus /lib/sysctl.d, only "." and ".." skipped.
    # (procps-ng 3.3 searched /run/sysctl.d before /etc/sysctl.d.)
    reload_files = _select_files(fs, SYSCTL_D_DIRS + (SPLIT_USR_SYSCTL_D,), skip_hidden=False)
    files = [reload_files[name] for name in sorted(reload_files)]
    # procps-ng reads it when stat() says regular file; a symlink to /dev/null is a device.
    if fs.is_file(SYSCTL_CONF) and not fs.is_masked(SYSCTL_CONF):
        files.append(SYSCTL_CONF)

    lines = []
    for path in files:
        lines.extend(_parse(path, _read(fs, path, warnings), warnings))

    # systemd-sysctl parse_line(): an identical value leaves the earlier line in place, a
    # different one (an exclusion included) replaces it. Keys never leave the table.
    table: Dict[str, _Line] = {}
    for line in lines:
        if line.path not in boot_files:
            continue
        existing = table.get(line.key)
        if existing is None or existing.value != line.value:
            table[line.key] = line
    winners = {id(line) for line in table.values()}

    entries = []
    exclusions = []
    for line in lines:
        if line.value is None:
            exclusions.append(SysctlExclusion(line.path, line.number, line.key, line.path in boot_files))
            continue
        family, scope, interface = _classify(_dotted(line.key))
        entries.append(SysctlEntry(line.path, line.number, line.key, line.value, line.ignore_failure,
                                   family, scope, interface, id(line) in winners))
    return SysctlConfig(entries, files, warnings, exclusions)
