# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The FORWARD path of a Docker host's firewall: read it, judge it, plan its policy.

Private to hostnet.networkd: it may change at any time; do not import it from other collections.
"""
