# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decisions of the role docker_host_network: what to write, converged or not, what stops it, what it verifies.

Private to hostnet.networkd: it may change at any time; do not import it from other collections.
"""
