# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The forwarding sysctls as they read now, and whether /proc/sys/net can be written."""

from __future__ import annotations

from typing import Dict, Optional, Tuple

from .._parsing.procps import ProcpsVersion, parse_procps_version
from .reading import Runner, Which, parse_int, path_read_only, read_line, read_mounts, run_tool


def read_forwarding(fs) -> Tuple[Dict[str, Dict[str, Optional[int]]], Optional[int]]:
    """``({"ipv4": {"all": 1, "default": 1, "eth0": 0}, "ipv6": {...}}, ip_forward)``.

    Values that cannot be read or parsed are None; a kernel without IPv6 gives
    an empty ``ipv6`` dict.
    """
    forwarding = {}
    for family in ("ipv4", "ipv6"):
        base = "/proc/sys/net/%s/conf" % family
        values = {}
        for name in fs.list_dir(base):
            path = "%s/%s/forwarding" % (base, name)
            if not fs.is_file(path):
                continue
            values[name] = parse_int(read_line(fs, path))
        forwarding[family] = values
    ip_forward = parse_int(read_line(fs, "/proc/sys/net/ipv4/ip_forward"))
    return forwarding, ip_forward


def sysctl_writable(fs):
    read_only = path_read_only(read_mounts(fs), "/proc/sys/net")
    return None if read_only is None else not read_only


def read_procps_version(runner: Runner, which: Which) -> Optional[ProcpsVersion]:
    """The procps-ng release of the ``sysctl`` that ``sysctl --system`` runs, from ``sysctl --version``.

    None when there is no sysctl or it does not name procps (BusyBox's sysctl
    refuses the option); the caller then asks the package database
    (docs/internals/sysctl.md, "Globs and exclusions").
    """
    result = run_tool(runner, which, "sysctl", ["--version"])
    if result is None or result[0] != 0:
        return None
    version = parse_procps_version(result[1])
    return ProcpsVersion(version, "sysctl --version") if version else None
