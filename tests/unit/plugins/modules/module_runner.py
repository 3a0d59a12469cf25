# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the networkd_forwarding module in-process, as the module tests do."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.hostnet.networkd.plugins.modules import networkd_forwarding


def run(capsys, **args):
    """Run the module; returns (exit code, result dict)."""
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            networkd_forwarding.main()
    return exited.value.code, json.loads(capsys.readouterr().out)
