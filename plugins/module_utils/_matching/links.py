# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the library knows about a network link: the attributes [Match] can test."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from .._parsing.versions import MANAGED_BY_HONOURED

# The value of udev's ID_NET_MANAGED_BY with which networkd still manages a link.
NETWORKD_MANAGER = "io.systemd.Network"


@dataclass(frozen=True)
class Link:
    """One network interface, as networkd's matcher sees it.

    ``type`` is networkctl's type string (udev DEVTYPE when set, else the ARPHRD
    name: ``ether``, ``loopback``, ``bridge``, ``wlan``...); ``kind`` is the
    rtnetlink IFLA_INFO_KIND (``veth``, ``bridge``; None for a physical NIC);
    ``path`` is udev's ID_PATH; ``properties`` are the udev properties that
    ``Property=`` tests. Any attribute may be None when it is unknown: a missing
    value matches no positive pattern, as in systemd.
    """

    name: str
    altnames: Tuple[str, ...] = ()
    type: Optional[str] = None
    kind: Optional[str] = None
    driver: Optional[str] = None
    mac: Optional[str] = None
    permanent_mac: Optional[str] = None
    path: Optional[str] = None
    ifindex: Optional[int] = None
    properties: Dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def is_loopback(self):
        return self.type == "loopback" or self.name == "lo"

    @property
    def is_can(self):
        """A CAN link: ARPHRD_CAN (networkctl type "can"), or kind can/vcan when the type is unknown."""
        return self.type == "can" or (self.type is None and self.kind in ("can", "vcan"))

    @classmethod
    def from_dict(cls, data):
        """A Link from the module's ``links`` parameter (user-supplied descriptions)."""
        return cls(
            name=data["name"],
            altnames=tuple(data.get("altnames") or ()),
            type=data.get("type"),
            kind=data.get("kind"),
            driver=data.get("driver"),
            mac=normalize_mac(data.get("mac")),
            permanent_mac=normalize_mac(data.get("permanent_mac")),
            path=data.get("path"),
            ifindex=data.get("ifindex"),
            properties=dict(data.get("properties") or {}),
        )


def normalize_mac(value):
    """``00-11-22-AA-BB-CC`` or ``0011.22aa.bbcc`` -> ``00:11:22:aa:bb:cc``; None stays None.

    Returns None for text that is not a 6-byte hardware address.
    """
    if not value:
        return None
    digits = "".join(ch for ch in value.lower() if ch in "0123456789abcdef")
    separators = set(ch for ch in value if not ch.isalnum())
    if len(digits) != 12 or not separators <= {":", "-", "."}:
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def foreign_manager(link, version):
    """The manager udev's ID_NET_MANAGED_BY names when it is not networkd and networkd honours it, else None.

    networkd then never matches the link to a .network file (link_managed_by_us(),
    docs/internals/networkd-configuration.md, "The first matching file wins").
    Only links read with udev's database carry the property.
    """
    if version < MANAGED_BY_HONOURED:
        return None
    manager = link.properties.get("ID_NET_MANAGED_BY")
    return None if manager is None or manager == NETWORKD_MANAGER else manager


def select_links(links, patterns):
    """Links whose name or an altname matches one of the glob ``patterns`` (all but lo when None)."""
    if patterns is None:
        return [link for link in links if not link.is_loopback]
    return [link for link in links
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns
                   for name in (link.name,) + tuple(link.altnames))]
