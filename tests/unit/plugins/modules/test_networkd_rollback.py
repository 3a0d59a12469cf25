# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""networkd_rollback: the timer is armed with the snapshot just saved, and a fired rollback is never confirmed."""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import time

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostnet.networkd.plugins.module_utils._rollback import snapshot as rollback
from ansible_collections.hostnet.networkd.plugins.modules import networkd_rollback

from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run


class FakeSystemd:
    """systemctl and systemd-run as far as the module uses them: one timer, armed or not, and its service."""

    def __init__(self):
        self.armed = False
        self.restoring = False
        self.commands = []

    def run_command(self, argv, **kwargs):
        self.commands.append(argv)
        name, args = os.path.basename(argv[0]), argv[1:]
        if name == "systemd-run":
            self.armed = True
        elif args[:2] == ["is-active", "--quiet"]:
            active = self.armed if args[2] == networkd_rollback.TIMER else self.restoring
            return (0 if active else 3), "", ""
        elif args[:1] == ["stop"]:
            if networkd_rollback.TIMER in args:
                self.armed = False
            if networkd_rollback.SERVICE in args:
                self.restoring = False
        return 0, "", ""


@pytest.fixture
def systemd(monkeypatch):
    fake = FakeSystemd()
    monkeypatch.setattr(AnsibleModule, "run_command", fake.run_command)
    monkeypatch.setattr(AnsibleModule, "get_bin_path", lambda module, name, required=False: "/usr/bin/" + name)
    return fake


@pytest.fixture(autouse=True)
def trusted(tmp_path, monkeypatch):
    """The rules of the rollback directory apply from tmp_path (mode 0700) down, with the test's user as root."""
    monkeypatch.setattr(rollback, "TRUSTED_TOP", str(tmp_path))
    monkeypatch.setattr(rollback, "OWNER_UID", os.getuid())


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
    assert start[-4:-2] == [os.path.join(host["directory"], rollback.RESTORER), host["directory"]]
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

    assert code == 1 and "the change was undone at" in result["msg"] and host_file in result["msg"]
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


# Confirming and restoring exclude each other ------------------------------------------------------


def armed_then_changed(capsys, systemd, host):
    saved = call(capsys, host, state="saved")[1]
    call(capsys, host, state="armed", snapshot=saved["snapshot"])
    host_file = os.path.join(host["paths"][0], "10-uplink.network")
    with open(host_file, "wb") as stream:
        stream.write(b"[Match]\nName=eth0 mgmt0\n")
    return host_file


def hold_lock(directory):
    descriptor = os.open(os.path.join(directory, rollback.LOCK), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def test_arming_records_the_arming_that_the_timers_restore_checks(capsys, systemd, host):
    saved = call(capsys, host, state="saved")[1]
    call(capsys, host, state="armed", snapshot=saved["snapshot"])
    start = [argv for argv in systemd.commands if argv[0].endswith("systemd-run")][0]
    assert start[-2] == "--armed"
    assert rollback.read_record(host["directory"], rollback.ARMED)["arming"] == start[-1]


def test_a_confirmation_while_a_restore_runs_fails_and_leaves_the_restore_alone(capsys, systemd, host):
    """The timer fired and its restore holds the lock, having recorded its start: the change is being undone."""
    armed_then_changed(capsys, systemd, host)
    systemd.armed = False     # the timer has fired
    held = hold_lock(host["directory"])
    before = len(systemd.commands)
    try:
        rollback.write_record(host["directory"], rollback.STARTED, {"started_at": time.time(), "arming": "x", "pid": 1})
        code, result = call(capsys, host, state="confirmed")
    finally:
        os.close(held)
    assert code == 1
    assert result["msg"].startswith("the change is being undone: the rollback timer fired before the change was confirmed")
    assert "by the host's clock" in result["msg"] and "controller" not in result["msg"]
    assert not [argv for argv in systemd.commands[before:] if argv[1:2] == ["stop"]]
    assert os.path.exists(os.path.join(host["directory"], rollback.ARMED))


def test_a_confirmation_after_the_restore_fails_and_says_when_it_was_undone(capsys, systemd, host):
    host_file = armed_then_changed(capsys, systemd, host)
    arming = rollback.read_record(host["directory"], rollback.ARMED)["arming"]
    rollback.roll_back(host["directory"], lambda argv: 0, arming=arming)     # what the timer runs when it fires
    systemd.armed = False

    code, result = call(capsys, host, state="confirmed")

    assert code == 1
    assert re.match(r"the change was undone at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by the host's clock: the rollback timer "
                    r"fired before the change was confirmed, and the host is back on the files saved before it "
                    r"\(restored: %s\)" % re.escape(host_file), result["msg"]), result["msg"]
    assert result["fired"]["restored"] == [host_file]


def test_a_restore_that_started_and_did_not_finish_blocks_the_confirmation(capsys, systemd, host):
    armed_then_changed(capsys, systemd, host)
    rollback.write_record(host["directory"], rollback.STARTED, {"started_at": time.time(), "arming": "x", "pid": 1})
    code, result = call(capsys, host, state="confirmed")
    assert code == 1 and "did not finish" in result["msg"] and "state=restored" in result["msg"]


def test_a_restore_by_hand_since_the_arming_blocks_the_confirmation_and_says_so(capsys, systemd, host):
    armed_then_changed(capsys, systemd, host)
    rollback.roll_back(host["directory"], lambda argv: 0)     # python3 restore.py DIRECTORY, by an administrator
    code, result = call(capsys, host, state="confirmed")
    assert code == 1 and result["msg"].startswith("the change was undone at ")
    assert "the saved files were restored by hand or with state=restored since the timer was armed" in result["msg"]


def test_a_confirmation_stops_the_timer_and_its_service_while_it_holds_the_lock(capsys, systemd, host, monkeypatch):
    armed_then_changed(capsys, systemd, host)
    held_while_stopping = []
    run_command = systemd.run_command

    def watch(module, argv, **kwargs):
        if argv[1:2] == ["stop"]:
            probe = os.open(os.path.join(host["directory"], rollback.LOCK), os.O_RDWR)
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held_while_stopping.append(False)
            except OSError:
                held_while_stopping.append(True)
            finally:
                os.close(probe)
        return run_command(argv, **kwargs)

    monkeypatch.setattr(AnsibleModule, "run_command", watch)
    code, result = call(capsys, host, state="confirmed")
    assert code == 0 and result["changed"] and not systemd.armed
    assert held_while_stopping == [True]
    assert ["/usr/bin/systemctl", "stop", networkd_rollback.TIMER, networkd_rollback.SERVICE] in systemd.commands
    assert not os.path.exists(os.path.join(host["directory"], rollback.ARMED))


def test_the_timers_restore_after_a_confirmation_restores_nothing(capsys, systemd, host):
    host_file = armed_then_changed(capsys, systemd, host)
    arming = rollback.read_record(host["directory"], rollback.ARMED)["arming"]
    call(capsys, host, state="confirmed")
    assert rollback.roll_back(host["directory"], lambda argv: 0, arming=arming) is None
    with open(host_file, "rb") as stream:
        assert stream.read() == b"[Match]\nName=eth0 mgmt0\n"


def test_a_real_restore_running_in_another_process_makes_the_confirmation_fail(capsys, systemd, host, tmp_path):
    """restore.py in a process of its own, slowed in networkd's restart (a fake systemctl that sleeps)."""
    host_file = armed_then_changed(capsys, systemd, host)
    systemd.armed = False
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text("#!/bin/sh\nexec %s -c 'import time; time.sleep(2)'\n" % sys.executable)
    os.chmod(str(bin_dir / "systemctl"), 0o755)
    directory = host["directory"]
    restorer = subprocess.Popen(
        [sys.executable, "-c",
         "import importlib.util, sys\n"
         "sys.path.insert(0, sys.argv[1])\n"
         "spec = importlib.util.spec_from_file_location('restore', sys.argv[2])\n"
         "restore = importlib.util.module_from_spec(spec)\n"
         "spec.loader.exec_module(restore)\n"
         "restore.TRUSTED_TOP, restore.OWNER_UID = sys.argv[3], int(sys.argv[4])\n"
         "sys.exit(restore.main(sys.argv[2:3] + sys.argv[5:]))\n",
         directory, os.path.join(directory, rollback.RESTORER), str(tmp_path), str(os.getuid()), directory,
         "--armed", rollback.read_record(directory, rollback.ARMED)["arming"]],
        env={"PATH": str(bin_dir)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while rollback.read_record(directory, rollback.STARTED) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        code, result = call(capsys, host, state="confirmed")
    finally:
        out, err = restorer.communicate(timeout=30)
    assert restorer.returncode == 0, err
    assert code == 1 and result["msg"].startswith("the change is being undone"), result["msg"]
    with open(host_file, "rb") as stream:
        assert stream.read() == b"[Match]\nName=eth0\n"
    code, later = call(capsys, host, state="confirmed")
    assert code == 1 and later["msg"].startswith("the change was undone at")


def test_restoring_now_waits_for_the_lock_and_stops_the_timer_under_it(capsys, systemd, host, monkeypatch):
    host_file = armed_then_changed(capsys, systemd, host)
    monkeypatch.setattr(rollback, "LOCK_WAIT", 0.3)
    held = hold_lock(host["directory"])
    try:
        code, result = call(capsys, host, state="restored")
    finally:
        os.close(held)
    assert code == 1 and "is held by another run of the rollback" in result["msg"]
    assert systemd.armed
    with open(host_file, "rb") as stream:
        assert stream.read() == b"[Match]\nName=eth0 mgmt0\n"


# The directory and the records, through the module ----------------------------------------------


def test_an_unsafe_directory_fails_every_state_naming_it(capsys, systemd, host, tmp_path):
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    os.chmod(str(open_dir), 0o777)
    unsafe = dict(host, directory=str(open_dir / "rollback"))
    for state, extra in (("saved", {}), ("armed", {"snapshot": "x"}), ("confirmed", {}), ("restored", {})):
        code, result = call(capsys, unsafe, state=state, **extra)
        assert code == 1, state
        assert result["msg"].startswith("%s is writable by its group or by others (mode 0777)" % open_dir), (state, result)
    assert os.listdir(str(open_dir)) == [] and systemd.commands == []


def test_check_mode_creates_nothing(capsys, systemd, host):
    code, result = call(capsys, host, state="saved", _ansible_check_mode=True)
    assert code == 0 and result["changed"]
    assert not os.path.exists(host["directory"])
    call(capsys, host, state="saved")
    os.unlink(os.path.join(host["directory"], rollback.LOCK))
    for state in ("confirmed", "restored"):
        assert call(capsys, host, state=state, _ansible_check_mode=True)[0] == 0
    assert not os.path.exists(os.path.join(host["directory"], rollback.LOCK))


@pytest.mark.parametrize("name, content, says", [
    (rollback.FIRED, b'{"snapshot": "x", "restored": [], "networkd_restart_status": 0}', "'fired_at' is missing"),
    (rollback.ARMED, b'{"snapshot": "x", "armed_at": "now", "fires_at": 1}', "'armed_at' must be a number"),
    (rollback.STARTED, b"not json", "is not a valid rollback record"),
])
def test_a_malformed_record_fails_the_confirmation_naming_the_file(capsys, systemd, host, name, content, says):
    saved = call(capsys, host, state="saved")[1]
    call(capsys, host, state="armed", snapshot=saved["snapshot"])
    with open(os.path.join(host["directory"], name), "wb") as stream:
        stream.write(content)
    code, result = call(capsys, host, state="confirmed")
    assert code == 1
    assert result["msg"].startswith(os.path.join(host["directory"], name) + " is not a valid rollback record")
    assert says in result["msg"]
    assert "Traceback" not in result["msg"] and "exception" not in result


def test_a_manifest_without_entries_fails_arming_and_restoring_naming_it(capsys, systemd, host):
    saved = call(capsys, host, state="saved")[1]
    manifest = os.path.join(host["directory"], rollback.MANIFEST)
    with open(manifest, encoding="utf-8") as stream:
        content = json.load(stream)
    del content["entries"]
    with open(manifest, "w", encoding="utf-8") as stream:
        json.dump(content, stream)
    for state, extra in (("armed", {"snapshot": saved["snapshot"]}), ("restored", {})):
        code, result = call(capsys, host, state=state, **extra)
        assert code == 1 and result["msg"] == "%s is not a valid snapshot manifest: 'entries' is missing" % manifest, state
    assert not systemd.armed
