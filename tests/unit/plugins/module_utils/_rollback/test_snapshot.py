# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Snapshots of networkd's files: a rollback gives back exactly what was saved, and nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._rollback import snapshot as rollback


@pytest.fixture
def etc(tmp_path):
    """An /etc/systemd with a .network file, a drop-in, a mask and networkd.conf."""
    network = tmp_path / "etc/systemd/network"
    (network / "10-uplink.network.d").mkdir(parents=True)
    (network / "10-uplink.network").write_bytes(b"[Match]\nName=eth0\n\n[Network]\nAddress=192.0.2.2/24\n")
    (network / "10-uplink.network.d/50-mtu.conf").write_bytes(b"[Link]\nMTUBytes=9000\n")
    os.symlink("/dev/null", str(network / "99-default.network"))
    (tmp_path / "etc/systemd/networkd.conf").write_bytes(b"[Network]\n")
    os.chmod(str(network / "10-uplink.network"), 0o640)
    return tmp_path


def roots(etc):
    return [str(etc / "etc/systemd/network"), str(etc / "etc/systemd/networkd.conf"), str(etc / "etc/systemd/networkd.conf.d")]


def listing(etc):
    """Every entry under the roots with its type, mode, owner and bytes: what "byte for byte" compares."""
    return {path: (entry, open(path, "rb").read() if entry["type"] == "file" else None)
            for path, entry in rollback.scan(roots(etc)).items()}


def break_everything(etc):
    network = etc / "etc/systemd/network"
    (network / "10-uplink.network").write_bytes(b"[Match]\nName=eth0 mgmt0\n")
    os.chmod(str(network / "10-uplink.network"), 0o644)
    (network / "10-uplink.network.d/50-mtu.conf").unlink()
    (network / "10-uplink.network.d").rmdir()
    (network / "99-default.network").unlink()
    (network / "99-default.network").write_bytes(b"[Match]\nName=*\n")
    (network / "05-new.network.d").mkdir()
    (network / "05-new.network.d/x.conf").write_bytes(b"[Network]\nDHCP=yes\n")
    (etc / "etc/systemd/networkd.conf.d").mkdir()
    (etc / "etc/systemd/networkd.conf.d/50-hostnet.conf").write_bytes(b"[Network]\nIPv4Forwarding=yes\n")


def test_restore_gives_back_every_byte_mode_and_link(etc, tmp_path):
    before = listing(etc)
    rollback.save(roots(etc), str(tmp_path / "snapshot"))
    break_everything(etc)
    assert listing(etc) != before

    changed = rollback.restore(str(tmp_path / "snapshot"))

    assert listing(etc) == before
    assert os.readlink(str(etc / "etc/systemd/network/99-default.network")) == "/dev/null"
    assert str(etc / "etc/systemd/networkd.conf.d") in changed       # created after the save: removed again
    assert str(etc / "etc/systemd/network/10-uplink.network.d/50-mtu.conf") in changed
    assert not [name for name in os.listdir(str(etc / "etc/systemd/network")) if name.startswith(".hostnet-")]


def test_restore_of_unchanged_files_changes_nothing(etc, tmp_path):
    rollback.save(roots(etc), str(tmp_path / "snapshot"))
    assert rollback.restore(str(tmp_path / "snapshot")) == []


def test_saving_the_same_files_again_writes_nothing(etc, tmp_path):
    first, changed = rollback.save(roots(etc), str(tmp_path / "snapshot"))
    assert changed
    manifest = tmp_path / "snapshot" / rollback.MANIFEST
    written = manifest.stat().st_mtime_ns
    again, changed_again = rollback.save(roots(etc), str(tmp_path / "snapshot"))
    assert (again, changed_again) == (first, False)
    assert manifest.stat().st_mtime_ns == written


def test_a_new_save_replaces_the_old_and_keeps_only_its_own_blobs(etc, tmp_path):
    rollback.save(roots(etc), str(tmp_path / "snapshot"))
    (etc / "etc/systemd/network/10-uplink.network").write_bytes(b"[Match]\nName=eth1\n")
    identity, changed = rollback.save(roots(etc), str(tmp_path / "snapshot"))
    assert changed
    wanted = {e["sha256"] for e in rollback.scan(roots(etc)).values() if e["type"] == "file"}
    assert set(os.listdir(str(tmp_path / "snapshot" / rollback.BLOBS))) == wanted
    assert rollback.load_manifest(str(tmp_path / "snapshot"))["id"] == identity


def test_check_mode_reports_a_save_without_writing(etc, tmp_path):
    identity, changed = rollback.save(roots(etc), str(tmp_path / "snapshot"), check_mode=True)
    assert changed and identity
    assert not (tmp_path / "snapshot").exists()


def test_a_file_changed_while_saved_is_refused(etc, tmp_path, monkeypatch):
    original = rollback.scan

    def scan_then_edit(paths):
        entries = original(paths)
        (etc / "etc/systemd/network/10-uplink.network").write_bytes(b"edited meanwhile\n")
        return entries

    monkeypatch.setattr(rollback, "scan", scan_then_edit)
    with pytest.raises(rollback.SnapshotError, match="10-uplink.network changed while it was being saved"):
        rollback.save(roots(etc), str(tmp_path / "snapshot"))
    assert not (tmp_path / "snapshot" / rollback.MANIFEST).exists()


def test_restore_without_a_snapshot_names_the_directory(tmp_path):
    with pytest.raises(rollback.SnapshotError, match="holds no snapshot"):
        rollback.restore(str(tmp_path / "nothing"))


def test_roll_back_restarts_networkd_only_when_files_changed(etc, tmp_path):
    directory = str(tmp_path / "snapshot")
    rollback.save(roots(etc), directory)
    commands = []
    record = rollback.roll_back(directory, lambda argv: commands.append(argv) or 0)
    assert commands == [] and record["restored"] == [] and record["networkd_restart_status"] is None

    break_everything(etc)
    record = rollback.roll_back(directory, lambda argv: commands.append(argv) or 0)
    assert commands == [["systemctl", "restart", "systemd-networkd.service"]]
    assert record["restored"] and record["networkd_restart_status"] == 0
    with open(os.path.join(directory, rollback.FIRED), encoding="utf-8") as stream:
        assert json.load(stream)["restored"] == record["restored"]


def test_the_saved_restore_program_runs_on_its_own(etc, tmp_path):
    """restore.py is what the timer runs: standalone, with systemctl from PATH (a fake one here)."""
    directory = str(tmp_path / "snapshot")
    rollback.save(roots(etc), directory)
    before = listing(etc)
    break_everything(etc)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text('#!/bin/sh\necho "$@" >> "%s"\n' % (tmp_path / "systemctl.log"))
    os.chmod(str(bin_dir / "systemctl"), 0o755)

    result = subprocess.run([sys.executable, os.path.join(directory, rollback.RESTORER), directory],
                            env={"PATH": str(bin_dir)}, capture_output=True, text=True, cwd=str(tmp_path), check=False)

    assert result.returncode == 0, result.stderr
    assert "restored" in result.stdout
    assert listing(etc) == before
    assert (tmp_path / "systemctl.log").read_text() == "restart systemd-networkd.service\n"
