# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The forwarding sysctls as they read now, and whether /proc/sys/net can be written."""

from __future__ import annotations

from typing import Dict, Optional, Tuple

from .reading import parse_int, path_read_only, read_line, read_mounts


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
