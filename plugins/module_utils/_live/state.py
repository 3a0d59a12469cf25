# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live state of the running host, read in one go: links, forwarding sysctls, systemd version, host facts.

The _live package is the only part of the library that looks at a running system. Every
read goes through injected helpers so that it can be tested without one:

* ``fs``: a :class:`FileSystemView` for /sys, /proc, /run and /etc
  (``RootFileSystem("/")`` on a host, ``MemoryFileSystem`` in tests);
* ``runner(args) -> (rc, stdout, stderr)`` for commands (the modules pass
  ``commands.run_read_only``), and ``which(name)`` (``module.get_bin_path``):
  a command runs only when ``which`` finds it;
* ``ethtool(ifname) -> (driver, permanent_mac)``: :func:`ethtool_ioctl` on a host.

Nothing here raises for a missing file or tool: the value becomes None (or
empty) and, when that loses something the audit needs, a warning says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .._files.view import RootFileSystem
from .._matching.facts import HostFacts
from .._matching.links import Link
from .._parsing.versions import PER_LINK_FORWARDING_KEYS
from .ethtool import ethtool_ioctl
from .facts import host_facts
from .links import discover_links
from .reading import Ethtool, Runner, Which, add_warning
from .sysctl import read_forwarding, sysctl_writable
from .systemd import NetworkdService, networkd_started_at, read_networkd_service, systemd_version


@dataclass
class LiveState:
    links: List[Link]                                 # every link, sorted by ifindex
    forwarding: Dict[str, Dict[str, Optional[int]]]  # {"ipv4": {"all": 1, "eth0": 0, ...}, "ipv6": {...}}
    ip_forward: Optional[int]                         # /proc/sys/net/ipv4/ip_forward
    systemd_version: Optional[int]
    facts: HostFacts
    sysctl_writable: Optional[bool]                   # False when /proc/sys/net is mounted read-only
    warnings: List[str] = field(default_factory=list)
    networkd: Optional[NetworkdService] = None
    networkd_started_at: Optional[float] = None       # seconds since the epoch; None when it does not run


def read_live_state(runner: Runner, which: Which, fs=None, ethtool: Optional[Ethtool] = None) -> LiveState:
    """Everything the audit needs from the running host, with warnings for what is unknown."""
    if fs is None:
        fs = RootFileSystem("/")
    if ethtool is None:
        ethtool = ethtool_ioctl
    warnings: List[str] = []

    links = discover_links(runner, which, fs, ethtool, warnings=warnings)

    forwarding, ip_forward = read_forwarding(fs)
    if not forwarding.get("ipv4"):
        add_warning(warnings, "/proc/sys/net/ipv4/conf/*/forwarding cannot be read: current IPv4 forwarding is unknown.")
    if ip_forward is None:
        add_warning(warnings, "/proc/sys/net/ipv4/ip_forward cannot be read.")

    version = systemd_version(runner, which, fs)
    if version is None:
        add_warning(warnings, "The systemd version cannot be determined (no single libsystemd-shared is installed and neither "
                              "'networkctl --version' nor 'systemctl --version' answered): version-dependent behaviour "
                              "is unknown.")

    facts = host_facts(runner, which, fs, warnings=warnings)

    writable = sysctl_writable(fs)
    if writable is None:
        add_warning(warnings, "The mount options of /proc/sys cannot be read: whether networkd can write "
                              "forwarding sysctls is unknown.")
    elif not writable:
        add_warning(warnings, "/proc/sys is mounted read-only (unprivileged container?): networkd cannot "
                              "change forwarding sysctls here.")

    return LiveState(
        links=links,
        forwarding=forwarding,
        ip_forward=ip_forward,
        systemd_version=version,
        facts=facts,
        sysctl_writable=writable,
        warnings=warnings,
        networkd=read_networkd_service(runner, which, fs),
        # Only networkd.conf's forwarding keys (256+) make its start time matter.
        networkd_started_at=networkd_started_at(fs) if version and version >= PER_LINK_FORWARDING_KEYS else None,
    )
