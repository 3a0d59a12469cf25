# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Links described instead of read live: the attributes a [Match] section can test.

The argument spec these options document is LINK_SPEC in plugins/module_utils/_ansible/argspec.py.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  links:
    description:
      - Link descriptions used instead of live discovery, for example for an offline image
        (O(root)) or for links that do not exist yet.
      - An attribute that is left out is unknown and is treated as networkd treats a missing
        value, so a C([Match]) key that tests it with positive patterns does not match the link.
    type: list
    elements: dict
    suboptions:
      name:
        description: Interface name.
        type: str
        required: true
      altnames:
        description: Alternative names.
        type: list
        elements: str
      type:
        description: networkctl's type (C(ether), C(loopback), C(bridge), C(wlan)...).
        type: str
      kind:
        description: Netdev kind (C(veth), C(bridge)...); omitted for a physical NIC.
        type: str
      driver:
        description: Kernel driver.
        type: str
      mac:
        description: Current hardware address.
        type: str
      permanent_mac:
        description:
          - Permanent hardware address, which C(PermanentMACAddress=) tests. netplan matches on it whenever its YAML
            matches on C(macaddress); a link described without it matches no such file, and a warning names the file,
            its line and the property.
        type: str
      path:
        description: udev's C(ID_PATH).
        type: str
      ifindex:
        description: Interface index; links are configured in this order.
        type: int
"""
