# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs the modules share, beside the options documented in plugins/doc_fragments."""

from __future__ import annotations

# The modules' option for a link described instead of read live (Link.from_dict takes these keys).
LINK_SPEC = dict(
    name=dict(type="str", required=True),
    altnames=dict(type="list", elements="str"),
    type=dict(type="str"),
    kind=dict(type="str"),
    driver=dict(type="str"),
    mac=dict(type="str"),
    permanent_mac=dict(type="str"),
    path=dict(type="str"),
    ifindex=dict(type="int"),
)
