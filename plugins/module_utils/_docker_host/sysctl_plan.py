# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sysctl side of a Docker host: the forwarding keys it needs at 1, the sysctl.d entries
that set them to 0, and what the role writes about them.

The keys are net.ipv4.ip_forward and, per family, all, default and each uplink. Other
sysctl.d/sysctl.conf entries that set one of them to 0 (CIS-style hardening) are conflicts:
the role reports them, fails on them, or overrides them with a file that sorts after theirs
(docker_host_network_sysctl_conflict_action, docker_host_network_override_sysctl_conflicts).
"""

from __future__ import annotations

import posixpath
import re
from typing import List, NamedTuple

# net.ipv4.ip_forward and net.ipv4.conf.all.forwarding are one knob in the kernel: writing either sets
# both (devinet.c, devinet_sysctl_forward).
ALIASES = {"net.ipv4.ip_forward": "net.ipv4.conf.all.forwarding",
           "net.ipv4.conf.all.forwarding": "net.ipv4.ip_forward"}
# sysctl --system reads /etc/sysctl.conf after every sysctl.d file (procps-ng sysctl.c, PreloadSystem).
SYSCTL_CONF = "/etc/sysctl.conf"


class SysctlPlan(NamedTuple):
    """What the role does about the forwarding keys in sysctl.d.

    ``conflicts`` are the other files' entries that set a needed key to 0, each with ``covers``;
    ``left_out`` the keys the role leaves to them (unless told to override); ``written`` the keys
    its own file sets to 1; ``override`` whether it writes the override file.
    """

    needed: List[str]
    conflicts: List[dict]
    left_out: List[str]
    written: List[str]
    override: bool


def sysctl_key(family, name):
    """The dotted key of a forwarding switch; a dot inside a link name becomes '/' (sysctl.d(5))."""
    if family == "ipv4" and name == "ip_forward":
        return "net.ipv4.ip_forward"
    return "net.%s.conf.%s.forwarding" % (family, name.replace(".", "/"))


def proc_path(key, base="/proc/sys"):
    """The file under /proc/sys of a dotted key: dots separate, '/' stands for a dot (sysctl.d(5))."""
    return posixpath.join(base, *[part.replace("/", ".") for part in key.split(".")])


def needed_keys(families, link_names):
    """The keys a Docker host needs at 1: ip_forward (IPv4), then all, default and each link, per family."""
    keys = []
    for family in families:
        if family == "ipv4":
            keys.append(sysctl_key("ipv4", "ip_forward"))
        keys.extend(sysctl_key(family, name) for name in ["all", "default"] + list(link_names))
    return keys


def key_pattern(key):
    """A regex for a sysctl.d key, whose '*' and '?' are globs (sysctl.d(5))."""
    return "^%s$" % re.escape(key).replace("\\*", ".*").replace("\\?", ".")


def integer(value):
    """``value`` as a number ("0", "0.0"), -1 when it is none: what counts as setting a key to 0."""
    text = str(value).strip()
    try:
        return int(text, 10)
    except ValueError:
        try:
            return int(float(text))
        except ValueError:
            return -1


def covered_keys(entry_key, needed):
    """The keys of ``needed`` an entry's key sets, its alias included, each once, in ``needed``'s order per key."""
    covered = []
    for key in [entry_key] + ([ALIASES[entry_key]] if entry_key in ALIASES else []):
        pattern = re.compile(key_pattern(key))
        for name in needed:
            if pattern.match(name) and name not in covered:
                covered.append(name)
    return covered


def sysctl_conflicts(entries, needed, ignore=()):
    """The entries, outside the files in ``ignore``, that set a key of ``needed`` to 0, each with the keys it covers.

    ``entries`` are dicts with file, line, key and value, as networkd_forwarding returns them (``sysctl``).
    """
    needed = [str(name) for name in needed]
    conflicts = []
    for entry in entries:
        if entry["file"] in ignore or integer(entry["value"]) != 0:
            continue
        covered = covered_keys(str(entry["key"]), needed)
        if covered:
            conflicts.append(dict(entry, covers=covered))
    return conflicts


def plan_sysctl(settings, entries, link_names):
    """The SysctlPlan for the uplinks named ``link_names``, from the host's sysctl.d ``entries``."""
    needed = needed_keys(settings.families, link_names)
    conflicts = sysctl_conflicts(entries, needed, (settings.sysctl_file, settings.sysctl_override_file))
    left_out = [] if settings.override_sysctl_conflicts else _unique(
        key for conflict in conflicts for key in conflict["covers"])
    return SysctlPlan(
        needed=needed,
        conflicts=conflicts,
        left_out=left_out,
        written=[key for key in needed if key not in left_out],
        override=settings.sysctl and settings.override_sysctl_conflicts and bool(conflicts),
    )


def unbeatable_conflicts(plan, override_file):
    """The conflicting files an override file cannot win over: /etc/sysctl.conf, and those sorting after it."""
    name = posixpath.basename(override_file)
    files = [c["file"] for c in plan.conflicts
             if c["file"] == SYSCTL_CONF or posixpath.basename(c["file"]) >= name]
    return _unique(files)


def _unique(items):
    result = []
    for item in items:
        if item not in result:
            result.append(item)
    return result
