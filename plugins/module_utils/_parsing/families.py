# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two address families, in the words the whole collection uses for them.

Every module, the role and the playbooks take one ``family`` option with the choices
FAMILY_CHOICES; ``families_of`` turns it into the families it stands for.
"""

from __future__ import annotations

FAMILIES = ("ipv4", "ipv6")
FAMILY_CHOICES = FAMILIES + ("both",)


def families_of(family):
    """The families a ``family`` option stands for, in FAMILIES' order: ``both`` is both."""
    return FAMILIES if family == "both" else (family,)
