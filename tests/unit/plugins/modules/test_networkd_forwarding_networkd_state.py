# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""networkd missing, masked, stopped or unreadable on the live host: a clear message, never a traceback."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._ansible import host as host_reading
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._live.state import LiveState
from ansible_collections.hostnet.networkd.plugins.module_utils._live.systemd import NetworkdService
from ansible_collections.hostnet.networkd.plugins.modules import networkd_forwarding
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run

LINKS = [{"name": "uplink0", "type": "ether", "kind": "veth", "mac": "02:00:00:00:00:01", "ifindex": 2}]
# Every run is in check mode: root is the real / of the machine running the tests.
LIVE_HOST = dict(systemd_version=257, links=LINKS, _ansible_check_mode=True)


@pytest.fixture
def warned(monkeypatch):
    """The warnings of this test's module runs (ansible-core keeps every run's warnings in one process list)."""
    texts = []
    original = networkd_forwarding.AnsibleModule.warn

    def record(module, warning):
        texts.append(warning)
        original(module, warning)
    monkeypatch.setattr(networkd_forwarding.AnsibleModule, "warn", record)
    return texts


@pytest.fixture
def networkd(monkeypatch):
    """Make the module see a live host whose networkd is in the state given to the returned setter."""
    def set_service(service):
        live = LiveState(links=[], forwarding={"ipv4": {}, "ipv6": {}}, ip_forward=None, systemd_version=257,
                         facts=HostFacts(), sysctl_writable=True, networkd=service)
        monkeypatch.setattr(host_reading, "read_live_state", lambda runner, which: live)
    return set_service


@pytest.mark.parametrize("service, message", [
    (NetworkdService(False, "loaded", "active", "running"), "systemd-networkd is not installed: networkctl is missing."),
    (NetworkdService(True, "not-found", "inactive", "dead"), "systemd-networkd is not installed"),
    (NetworkdService(True, "masked", "inactive", "dead"), "systemd-networkd is masked"),
    (NetworkdService(True, error="systemctl is not available"), "The state of systemd-networkd cannot be read"),
])
def test_enabled_fails_before_writing_when_networkd_cannot_apply_files(capsys, networkd, service, message):
    networkd(service)
    code, result = run(capsys, state="enabled", interfaces=["uplink0"], **LIVE_HOST)
    assert code == 1
    assert result["msg"].startswith(message)
    assert result["msg"].endswith("Nothing was changed.")
    assert result["networkd"]["problem"].startswith(message)


def test_enabled_on_a_stopped_networkd_warns_and_goes_on(capsys, networkd, warned):
    networkd(NetworkdService(True, "loaded", "failed", "failed"))
    code, result = run(capsys, state="enabled", interfaces=["uplink0"], **LIVE_HOST)
    assert code == 0
    assert any(text.startswith("systemd-networkd is installed but not running") for text in warned)


def test_audit_reports_a_missing_networkd_as_a_warning_and_in_the_result(capsys, networkd, warned):
    networkd(NetworkdService(True, "not-found", "inactive", "dead"))
    code, result = run(capsys, **LIVE_HOST)
    assert code == 0
    assert result["networkd"] == {
        "networkctl": True, "load_state": "not-found", "active_state": "inactive", "sub_state": "dead",
        "problem": "systemd-networkd is not installed (systemd-networkd.service: LoadState=not-found). "
                   "Install systemd-networkd first."}
    assert result["networkd"]["problem"] in warned


def test_a_running_networkd_has_no_problem_and_no_warning(capsys, networkd, warned):
    networkd(NetworkdService(True, "loaded", "active", "running"))
    code, result = run(capsys, **LIVE_HOST)
    assert code == 0 and result["networkd"]["problem"] is None
    assert not any(text.startswith(("systemd-networkd is", "The state of systemd-networkd")) for text in warned)


def test_an_offline_root_does_not_ask_about_networkd(capsys, tmp_path):
    code, result = run(capsys, root=str(tmp_path), systemd_version=257, links=LINKS)
    assert code == 0 and "networkd" not in result
