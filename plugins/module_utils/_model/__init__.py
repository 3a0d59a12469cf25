# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What networkd and sysctl.d will write to the forwarding sysctls, event by event.

Private to hostnet.networkd: it may change at any time; do not import it from other collections.
"""
