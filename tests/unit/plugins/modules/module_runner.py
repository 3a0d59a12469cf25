# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module of the collection in-process, as the module tests do."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.hostnet.networkd.plugins.modules import networkd_forwarding


def run(capsys, module=networkd_forwarding, **args):
    """Run ``module`` (networkd_forwarding unless told); returns (exit code, result dict)."""
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            module.main()
    return exited.value.code, json.loads(capsys.readouterr().out)


def refused_by_the_controller(value, where="result"):
    """The places in a result the controller refuses ("Refusing to deserialize an invalid UTF8 string value").

    ansible-core checks every string it deserializes from a module encodes as strict UTF-8.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [where]
        return []
    if isinstance(value, dict):
        return [bad for key, item in value.items()
                for bad in refused_by_the_controller(key, where) + refused_by_the_controller(item, "%s.%s" % (where, key))]
    if isinstance(value, list):
        return [bad for index, item in enumerate(value) for bad in refused_by_the_controller(item, "%s[%d]" % (where, index))]
    return []
