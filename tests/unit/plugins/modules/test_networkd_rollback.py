# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""networkd_rollback: the timer is armed with the snapshot just saved, and a fired rollback is never confirmed."""

from __future__ import annotations

import json
import os

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostnet.networkd.plugins.module_utils._rollback import snapshot as rollback
from ansible_collections.hostnet.networkd.plugins.modules import networkd_rollback

from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run


class FakeSystemd:
    """systemctl and systemd-run as far as the module uses them: one timer, armed or not."""

    def __init__(self):
        self.armed = False
        self.commands = []

    def run_command(self, argv, **kwargs):
        self.commands.append(argv)
        name, args = os.path.basename(argv[0]), argv[1:]
        if name == "systemd-run":
            self.armed = True
        elif args[:2] == ["is-active", "--quiet"]:
            return (0 if self.armed else 3), "", ""
        elif args[:1] == ["stop"] and networkd_rollback.TIMER in args:
            self.armed = False
        return 0, "", ""


@pytest.fixture
def systemd(monkeypatch):
    fake = FakeSystemd()
    monkeypatch.setattr(AnsibleModule, "run_command", fake.run_command)
    monkeypatch.setattr(AnsibleModule, "get_bin_path", lambda module, name, required=False: "/usr/bin/" + name)
    return fake


@pytest.fixture
def host(tmp_path):
    network = tmp_path / "network"
    network.mkdir()
    (network / "10-uplink.network").write_bytes(b"[Match]\nName=eth0\n")
    return {"paths": [str(network)], "directory": str(tmp_path / "rollback")}


def call(capsys, host, **args):
    return run(capsys, module=networkd_rollback, **dict(host, **args))


def test_saving_twice_changes_once(capsys, systemd, host):
    code, first = call(capsys, host, state="saved")
    assert code == 0 and first["changed"]
    code, again = call(capsys, host, state="saved")
    assert code == 0 and not again["changed"] and again["snapshot"] == first["snapshot"]


def test_saving_while_a_rollback_is_armed_is_refused(capsys, systemd, host):
    systemd.armed = True
    code, result = call(capsys, host, state="saved")
    assert code == 1 and "a rollback is armed" in result["msg"]
    assert not os.path.exists(host["directory"])


def test_arming_needs_the_snapshot_just_saved(capsys, systemd, host):
    call(capsys, host, state="saved")
    code, result = call(capsys, host, state="armed", snapshot="0000000000000000")
    assert code == 1 and "does not hold snapshot 0000000000000000" in result["msg"]
    assert not systemd.armed


def test_arming_starts_the_timer_on_the_saved_restore_program(capsys, systemd, host):
    saved = call(capsys, host, state="saved")[1]
    code, result = call(capsys, host, state="armed", snapshot=saved["snapshot"], timeout=30)
    assert code == 0 and result["changed"] and systemd.armed
    start = [argv for argv in systemd.commands if argv[0].endswith("systemd-run")][0]
    assert start[start.index("--on-active") + 1] == "30s"
    assert start[-2:] == [os.path.join(host["directory"], rollback.RESTORER), host["directory"]]
    with open(os.path.join(host["directory"], rollback.ARMED), encoding="utf-8") as stream:
        assert json.load(stream)["fires_at"] == pytest.approx(result["fires_at"])


def test_check_mode_arms_nothing(capsys, systemd, host):
    saved = call(capsys, host, state="saved")[1]
    code, result = call(capsys, host, state="armed", snapshot=saved["snapshot"], _ansible_check_mode=True)
    assert code == 0 and result["changed"] and not systemd.armed


def test_confirming_disarms(capsys, systemd, host):
    saved = call(capsys, host, state="saved")[1]
    call(capsys, host, state="armed", snapshot=saved["snapshot"])
    code, result = call(capsys, host, state="confirmed")
    assert code == 0 and result["changed"] and not systemd.armed
    code, again = call(capsys, host, state="confirmed")
    assert code == 0 and not again["changed"]


def test_a_rollback_that_fired_cannot_be_confirmed(capsys, systemd, host):
    saved = call(capsys, host, state="saved")[1]
    call(capsys, host, state="armed", snapshot=saved["snapshot"])
    host_file = os.path.join(host["paths"][0], "10-uplink.network")
    with open(host_file, "wb") as stream:
        stream.write(b"[Match]\nName=eth0 mgmt0\n")
    rollback.roll_back(host["directory"], lambda argv: 0)     # what the timer runs when it fires
    systemd.armed = False

    code, result = call(capsys, host, state="confirmed")

    assert code == 1 and "the rollback fired at" in result["msg"] and host_file in result["msg"]
    assert result["fired"]["restored"] == [host_file]


def test_restoring_now_disarms_restores_and_restarts_networkd(capsys, systemd, host):
    saved = call(capsys, host, state="saved")[1]
    call(capsys, host, state="armed", snapshot=saved["snapshot"])
    host_file = os.path.join(host["paths"][0], "10-uplink.network")
    with open(host_file, "wb") as stream:
        stream.write(b"broken")

    code, result = call(capsys, host, state="restored")

    assert code == 0 and result["restored"] == [host_file] and not systemd.armed
    with open(host_file, "rb") as stream:
        assert stream.read() == b"[Match]\nName=eth0\n"
    assert ["systemctl", "restart", "systemd-networkd.service"] in systemd.commands
