# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""read_live_state(): everything at once, with a warning for what is unknown."""

from __future__ import annotations

import os

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._live.state import LiveState, read_live_state
from ansible_collections.hostnet.networkd.plugins.module_utils._live.systemd import NetworkdService, networkd_problem
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._live.fake_host import (
    ALL_TOOLS,
    DEFAULT_ANSWERS,
    SHOW_NETWORKD,
    FakeEthtool,
    FakeRunner,
    answers_with,
    host_files,
    make_which,
)


# --------------------------------------------------------------------------- everything

def test_read_live_state_gathers_everything():
    state = read_live_state(FakeRunner(DEFAULT_ANSWERS), make_which(), MemoryFileSystem(host_files()),
                            FakeEthtool())
    assert isinstance(state, LiveState)
    assert [link.name for link in state.links] == ["lo", "enp1s0", "br0", "veth0"]
    assert state.forwarding["ipv4"]["all"] == 1
    assert state.ip_forward == 1
    assert state.systemd_version == 257
    assert state.facts.hostname == "router1"
    assert state.sysctl_writable is True
    assert state.warnings == []


def test_read_live_state_with_nothing_available_warns_instead_of_raising():
    state = read_live_state(FakeRunner(), make_which({}), MemoryFileSystem({}), FakeEthtool({}))
    assert state.links == []
    assert state.forwarding == {"ipv4": {}, "ipv6": {}}
    assert state.ip_forward is None
    assert state.systemd_version is None
    assert state.sysctl_writable is None
    assert len(state.warnings) >= 5
    assert state.networkd == NetworkdService(False, error="systemctl is not available")


def test_read_live_state_without_networkctl_uses_systemctl_and_reports_networkd_missing():
    tools = dict(ALL_TOOLS)
    del tools["networkctl"]
    answers = answers_with({SHOW_NETWORKD: (0, "LoadState=not-found\nActiveState=inactive\nSubState=dead\n", "")})
    state = read_live_state(FakeRunner(answers), make_which(tools), MemoryFileSystem(host_files()), FakeEthtool())
    assert state.systemd_version == 256
    assert networkd_problem(state.networkd).startswith("systemd-networkd is not installed")


def test_commands_run_only_when_which_finds_them():
    runner = FakeRunner(DEFAULT_ANSWERS)
    read_live_state(runner, make_which({"networkctl": "/usr/bin/networkctl"}), MemoryFileSystem(host_files()),
                    FakeEthtool())
    assert [os.path.basename(call[0]) for call in runner.calls] == ["networkctl"]
