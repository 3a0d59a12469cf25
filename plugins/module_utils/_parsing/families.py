# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two address families, in the words the whole collection uses for them."""

from __future__ import annotations

FAMILIES = ("ipv4", "ipv6")
