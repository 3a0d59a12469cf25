# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ethtool ioctl on this machine's own links."""

from __future__ import annotations

from ansible_collections.hostnet.networkd.plugins.module_utils._live.ethtool import ethtool_ioctl


# --------------------------------------------------------------------------- real ethtool

def test_ethtool_ioctl_on_real_loopback_returns_a_pair():
    result = ethtool_ioctl("lo")
    assert isinstance(result, tuple) and len(result) == 2


def test_ethtool_ioctl_rejects_invalid_names_without_raising():
    assert ethtool_ioctl("x" * 40) == (None, None)
    assert ethtool_ioctl("") == (None, None)
