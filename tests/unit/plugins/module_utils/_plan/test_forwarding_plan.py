# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planned changes the modules write: networkd's configuration directories and nothing else."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._plan.fix import FileChange
from ansible_collections.hostnet.networkd.plugins.module_utils._plan.forwarding import paths_outside_config_dirs


@pytest.mark.parametrize("path", ["/etc/systemd/network/10-x.network", "/etc/systemd/network/10-x.network.d/50-a.conf",
                                  "/etc/systemd/networkd.conf.d/50-a.conf", "/run/systemd/network/10-x.network"])
def test_networkd_files_may_be_written(path):
    assert paths_outside_config_dirs([FileChange(path, None, b"x")], 257) == []


@pytest.mark.parametrize("path", ["/etc/systemd/networkd.conf", "/etc/sysctl.d/90-x.conf", "/etc/systemd/network/x.conf",
                                  "/etc/systemd/network/10-x.network.d/50-a.txt", "/etc/passwd"])
def test_anything_else_is_refused(path):
    assert paths_outside_config_dirs([FileChange(path, b"x", b"y")], 257) == [path]
