# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a .network file says about forwarding, read the way the host's networkd reads it.

The same line means different things on different systemd versions
(docs/internals/forwarding-semantics.md, "The bands at a glance"): IPForward= is a per-link switch
(219-227), a one-way global switch (228-255) or a no-op (256+);
IPv4Forwarding=/IPv6Forwarding= exist only from 256; IPMasquerade= is a
boolean before 248.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional

from .._parsing.families import FAMILIES
from .._parsing.values import parse_boolean
from .._parsing.versions import (
    IPFORWARD_KERNEL_VALUE,
    MASQUERADE_FAMILIES,
    ONE_WAY_GLOBAL,
    PER_LINK_FORWARDING_KEYS,
)

FAMILY_KEYS = {"ipv4": "IPv4Forwarding", "ipv6": "IPv6Forwarding"}
LEGACY_KEY = "IPForward"
BOTH = frozenset(FAMILIES)
NONE = frozenset()

# The warning networkd 256+ logs for IPForward= (networkd-sysctl.c, config_parse_ip_forward_deprecated).
IPFORWARD_DEPRECATED = ("IPForward= setting is deprecated and has no effect on systemd %d; "
                        "use IPv4Forwarding=/IPv6Forwarding=")


def parse_tristate(value):
    """config_parse_tristate for a non-empty value: True/False, or None when invalid."""
    return parse_boolean(value)


@dataclass
class LinkForwardingSettings:
    """The forwarding-related settings of one network (main file and drop-ins merged).

    ``ip_forward`` is the legacy IPForward= as a set of families, or None when
    it says ``kernel`` (221-227: leave the sysctls alone). ``explicit`` is the
    256+ IPv4Forwarding=/IPv6Forwarding= (None = unset). Each ``*_source`` is
    the Assignment that decided the value, for reports that name file and line.
    """

    ip_forward: Optional[FrozenSet[str]] = NONE
    ip_forward_source: Optional[object] = None
    explicit: Dict[str, Optional[bool]] = field(default_factory=lambda: {"ipv4": None, "ipv6": None})
    explicit_source: Dict[str, Optional[object]] = field(default_factory=lambda: {"ipv4": None, "ipv6": None})
    masquerade: FrozenSet[str] = NONE
    masquerade_source: Optional[object] = None
    send_ra: bool = False
    send_ra_source: Optional[object] = None
    warnings: List[str] = field(default_factory=list)


def _legacy_ip_forward(value, version):
    """IPForward= on 219-255 as a set of families, None for `kernel`, or False when invalid."""
    boolean = parse_boolean(value)
    if boolean is not None:
        return BOTH if boolean else NONE
    if value in FAMILIES:               # exact case: a string table lookup
        return frozenset([value])
    if value == "kernel" and version >= IPFORWARD_KERNEL_VALUE:
        # 228+: "It simply redirects "kernel" to "no"" (config_parse_address_family_with_kernel)
        return None if version < ONE_WAY_GLOBAL else NONE
    return False


def _masquerade(value, version):
    """IPMasquerade= as a set of families, or False when invalid (the previous value stays)."""
    if version < MASQUERADE_FAMILIES:
        boolean = parse_boolean(value)
        return False if boolean is None else (frozenset(["ipv4"]) if boolean else NONE)
    if not value:
        return NONE
    table = {"ipv4": frozenset(["ipv4"]), "ipv6": frozenset(["ipv6"]), "both": BOTH, "no": NONE}
    if value in table:
        return table[value]
    boolean = parse_boolean(value)
    if boolean is None:
        return False
    return frozenset(["ipv4"]) if boolean else NONE   # yes = ipv4, deprecated


def read_link_settings(assignments, version):
    """Fold the [Network] assignments of a network, in parse order, into its settings."""
    settings = LinkForwardingSettings()
    for assignment in assignments:
        if assignment.section != "Network":
            continue
        key, value = assignment.key, assignment.value
        if key == LEGACY_KEY:
            _read_ip_forward(settings, assignment, version)
        elif key in FAMILY_KEYS.values():
            _read_explicit(settings, assignment, version)
        elif key == "IPMasquerade":
            parsed = _masquerade(value, version)
            if parsed is False:
                settings.warnings.append("%s: Failed to parse IPMasquerade=%s, ignoring" % (assignment.location, value))
            else:
                settings.masquerade, settings.masquerade_source = parsed, assignment
        elif key == "IPv6SendRA":
            parsed = parse_boolean(value)
            if parsed is None:
                settings.warnings.append("%s: Failed to parse IPv6SendRA=%s, ignoring" % (assignment.location, value))
            else:
                settings.send_ra, settings.send_ra_source = parsed, assignment
    return settings


def _read_ip_forward(settings, assignment, version):
    if version >= PER_LINK_FORWARDING_KEYS:
        settings.warnings.append("%s: %s" % (assignment.location, IPFORWARD_DEPRECATED % version))
        return
    parsed = _legacy_ip_forward(assignment.value, version)
    if parsed is False:
        # An empty value is a parse error too, not a reset
        # (docs/internals/forwarding-semantics.md, "Values the keys accept").
        settings.warnings.append("%s: Failed to parse IPForward= option, ignoring: %s" % (assignment.location, assignment.value))
        return
    settings.ip_forward, settings.ip_forward_source = parsed, assignment


def _read_explicit(settings, assignment, version):
    family = "ipv4" if assignment.key == FAMILY_KEYS["ipv4"] else "ipv6"
    if version < PER_LINK_FORWARDING_KEYS:
        settings.warnings.append("%s: %s= is unknown to systemd %d and ignored"
                                 % (assignment.location, assignment.key, version))
        return
    if not assignment.value:
        settings.explicit[family], settings.explicit_source[family] = None, assignment
        return
    parsed = parse_tristate(assignment.value)
    if parsed is None:
        settings.warnings.append("%s: Failed to parse %s=%s, ignoring" % (assignment.location, assignment.key, assignment.value))
        return
    settings.explicit[family], settings.explicit_source[family] = parsed, assignment
