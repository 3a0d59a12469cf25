# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Snapshots of networkd's files: a rollback gives back exactly what was saved, and nothing else."""

from __future__ import annotations

import fcntl
import json
import os
import re
import stat
import subprocess
import sys
import threading
import time

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._rollback import snapshot as rollback


@pytest.fixture(autouse=True)
def trusted(tmp_path, monkeypatch):
    """The rules of the rollback directory apply from tmp_path (mode 0700) down, with the test's user as root."""
    monkeypatch.setattr(rollback, "TRUSTED_TOP", str(tmp_path))
    monkeypatch.setattr(rollback, "OWNER_UID", os.getuid())


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


# The rollback directory: root's, writable by root only, no symlink, all the way up -------------------


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another user needs root")


def snapshot_dir(tmp_path):
    return str(tmp_path / "var/lib/hostnet/rollback")


def nothing_below(path):
    return not os.path.exists(path) or os.listdir(path) == []


def test_missing_directories_are_created_with_0700(etc, tmp_path):
    directory = snapshot_dir(tmp_path)
    rollback.save(roots(etc), directory)
    for path in (tmp_path / "var", tmp_path / "var/lib", tmp_path / "var/lib/hostnet", tmp_path / "var/lib/hostnet/rollback"):
        assert stat.S_IMODE(path.lstat().st_mode) == 0o700, path


def test_an_existing_directory_writable_by_root_only_is_used_as_it_is(etc, tmp_path):
    (tmp_path / "srv").mkdir(mode=0o755)
    os.chmod(str(tmp_path / "srv"), 0o755)
    rollback.save(roots(etc), str(tmp_path / "srv"))
    assert stat.S_IMODE((tmp_path / "srv").lstat().st_mode) == 0o755    # checked, never chmodded


@needs_root
def test_a_directory_owned_by_another_user_is_refused_and_left_alone(etc, tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    os.chown(str(foreign), 65534, 65534)
    os.chmod(str(foreign), 0o755)
    with pytest.raises(rollback.SnapshotError, match=r"%s is owned by uid 65534, not root: the rollback directory and every "
                                                     r"directory above it must be owned by root" % re.escape(str(foreign))):
        rollback.save(roots(etc), str(foreign / "rollback"))
    assert os.listdir(str(foreign)) == []
    assert (foreign.lstat().st_uid, stat.S_IMODE(foreign.lstat().st_mode)) == (65534, 0o755)


@needs_root
def test_a_foreign_owner_anywhere_above_is_refused(etc, tmp_path):
    (tmp_path / "a/b").mkdir(parents=True)
    os.chown(str(tmp_path / "a"), 65534, 65534)
    with pytest.raises(rollback.SnapshotError, match=r"%s is owned by uid 65534" % re.escape(str(tmp_path / "a"))):
        rollback.save(roots(etc), str(tmp_path / "a/b/rollback"))
    assert nothing_below(str(tmp_path / "a/b"))


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o1777])
def test_a_directory_writable_by_group_or_others_is_refused_and_not_chmodded(etc, tmp_path, mode):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(str(shared), mode)
    with pytest.raises(rollback.SnapshotError, match=r"%s is writable by its group or by others \(mode %04o\): the rollback "
                                                     r"directory and every directory above it must be writable by root only"
                                                     % (re.escape(str(shared)), mode)):
        rollback.save(roots(etc), str(shared))
    assert stat.S_IMODE(shared.lstat().st_mode) == mode
    assert os.listdir(str(shared)) == []


def test_an_ancestor_writable_by_others_is_refused(etc, tmp_path):
    (tmp_path / "open/rollback").mkdir(parents=True)
    os.chmod(str(tmp_path / "open"), 0o777)
    os.chmod(str(tmp_path / "open/rollback"), 0o700)
    with pytest.raises(rollback.SnapshotError, match=r"%s is writable by its group or by others \(mode 0777\)"
                                                     % re.escape(str(tmp_path / "open"))):
        rollback.save(roots(etc), str(tmp_path / "open/rollback"))
    assert os.listdir(str(tmp_path / "open/rollback")) == []


def test_a_symlinked_directory_is_refused_and_not_followed(etc, tmp_path):
    (tmp_path / "real").mkdir(mode=0o700)
    os.symlink(str(tmp_path / "real"), str(tmp_path / "link"))
    with pytest.raises(rollback.SnapshotError, match=r"%s is a symlink: the rollback directory and every directory above it "
                                                     r"must be real directories" % re.escape(str(tmp_path / "link"))):
        rollback.save(roots(etc), str(tmp_path / "link"))
    assert os.listdir(str(tmp_path / "real")) == []


def test_a_symlink_above_the_directory_is_refused(etc, tmp_path):
    (tmp_path / "real").mkdir(mode=0o700)
    os.symlink(str(tmp_path / "real"), str(tmp_path / "link"))
    with pytest.raises(rollback.SnapshotError, match=r"%s is a symlink" % re.escape(str(tmp_path / "link"))):
        rollback.save(roots(etc), str(tmp_path / "link/rollback"))
    assert os.listdir(str(tmp_path / "real")) == []


def test_a_relative_directory_is_refused(etc):
    with pytest.raises(rollback.SnapshotError, match="must be an absolute path"):
        rollback.save(roots(etc), "var/lib/rollback")


def test_the_unsafe_directory_is_refused_in_check_mode_too(etc, tmp_path):
    (tmp_path / "open").mkdir()
    os.chmod(str(tmp_path / "open"), 0o777)
    with pytest.raises(rollback.SnapshotError, match="writable by its group or by others"):
        rollback.save(roots(etc), str(tmp_path / "open/rollback"), check_mode=True)


def test_a_directory_inside_a_saved_path_is_refused(etc):
    inside = str(etc / "etc/systemd/network/.rollback")
    with pytest.raises(rollback.SnapshotError, match=r"the rollback directory %s lies inside %s, one of the saved paths: a "
                                                     r"restore would remove the snapshot it restores from"
                                                     % (re.escape(inside), re.escape(str(etc / "etc/systemd/network")))):
        rollback.save(roots(etc), inside)
    assert not os.path.exists(inside)


def test_a_saved_path_inside_the_directory_is_refused(etc, tmp_path):
    directory = str(tmp_path / "etc")
    with pytest.raises(rollback.SnapshotError, match="one of the saved paths, lies inside the rollback directory"):
        rollback.save(roots(etc), directory)


def test_a_saved_path_reached_through_a_symlinked_parent_is_compared_resolved(etc, tmp_path):
    os.symlink(str(etc / "etc/systemd"), str(tmp_path / "systemd-link"))
    with pytest.raises(rollback.SnapshotError, match="lies inside"):
        rollback.save([str(tmp_path / "systemd-link/network")], str(etc / "etc/systemd/network/rollback"))


# The manifest and the blobs, checked before anything is restored --------------------------------------


def edit_manifest(directory, edit):
    path = os.path.join(directory, rollback.MANIFEST)
    with open(path, encoding="utf-8") as stream:
        manifest = json.load(stream)
    edit(manifest)
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(manifest, stream)


def saved_then_broken(etc, tmp_path):
    directory = str(tmp_path / "snapshot")
    rollback.save(roots(etc), directory)
    break_everything(etc)
    return directory, listing(etc)


def entry_outside(etc, tmp_path):
    def edit(manifest):
        manifest["entries"][str(tmp_path / "outside.conf")] = dict(manifest["entries"][roots(etc)[1]])
    return edit


def entry_below_a_symlink(etc, tmp_path):
    def edit(manifest):
        network = roots(etc)[0]
        manifest["entries"][network] = {"type": "symlink", "target": str(tmp_path), "mode": 0o777, "uid": 0, "gid": 0}
    return edit


MALFORMED = {
    "no entries": (lambda etc, tmp: lambda m: m.pop("entries"), r"'entries' is missing"),
    "no roots": (lambda etc, tmp: lambda m: m.pop("roots"), r"'roots' is missing"),
    "entries a list": (lambda etc, tmp: lambda m: m.update(entries=[]), r"'entries' must be a mapping"),
    "a relative root": (lambda etc, tmp: lambda m: m["roots"].append("etc/x"), r"the saved root 'etc/x' is not a normalized"),
    "the root /": (lambda etc, tmp: lambda m: m["roots"].append("/"), r"the saved root '/' is not"),
    "an entry outside the roots": (entry_outside, r"lies outside the saved roots"),
    "an entry below a symlink": (entry_below_a_symlink, r"is not inside a directory of the snapshot"),
    "an unknown type": (lambda etc, tmp: lambda m: m["entries"][roots(etc)[1]].update(type="fifo"), r"has the type 'fifo'"),
    "a mode as text": (lambda etc, tmp: lambda m: m["entries"][roots(etc)[1]].update(mode="0644"), r"has no valid mode"),
    "a negative uid": (lambda etc, tmp: lambda m: m["entries"][roots(etc)[1]].update(uid=-1), r"has no valid uid"),
    "a bad digest": (lambda etc, tmp: lambda m: m["entries"][roots(etc)[1]].update(sha256="../../etc/shadow"),
                     r"has no valid sha256"),
    "a symlink without target": (lambda etc, tmp: lambda m: m["entries"][roots(etc)[0] + "/99-default.network"].pop("target"),
                                 r"has no valid symlink target"),
    "a path with ..": (lambda etc, tmp: lambda m: m["entries"].update({roots(etc)[0] + "/../x": {}}),
                       r"is not a normalized absolute path"),
    "no id": (lambda etc, tmp: lambda m: m.pop("id"), r"'id' is missing"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_manifest_is_refused_before_anything_is_restored(etc, tmp_path, case):
    directory, broken = saved_then_broken(etc, tmp_path)
    make_edit, says = MALFORMED[case]
    edit_manifest(directory, make_edit(etc, tmp_path))
    with pytest.raises(rollback.SnapshotError, match=r"%s is not a valid snapshot manifest: .*%s"
                                                     % (re.escape(os.path.join(directory, rollback.MANIFEST)), says)):
        rollback.roll_back(directory, lambda argv: 0)
    assert listing(etc) == broken
    assert not (tmp_path / "outside.conf").exists()


def test_a_manifest_that_is_not_json_is_named(etc, tmp_path):
    directory, broken = saved_then_broken(etc, tmp_path)
    with open(os.path.join(directory, rollback.MANIFEST), "wb") as stream:
        stream.write(b"{\"id\": ")
    with pytest.raises(rollback.SnapshotError, match=r"manifest.json is not a valid snapshot manifest"):
        rollback.roll_back(directory, lambda argv: 0)
    assert listing(etc) == broken


@pytest.mark.parametrize("damage", ["missing", "altered", "symlink"])
def test_a_blob_that_is_missing_or_altered_is_refused_before_anything_is_restored(etc, tmp_path, damage):
    directory, broken = saved_then_broken(etc, tmp_path)
    blob = os.path.join(directory, rollback.BLOBS, sorted(os.listdir(os.path.join(directory, rollback.BLOBS)))[0])
    os.unlink(blob)
    if damage == "altered":
        with open(blob, "wb") as stream:
            stream.write(b"something else\n")
    elif damage == "symlink":
        os.symlink(str(etc / "etc/systemd/networkd.conf"), blob)
    with pytest.raises(rollback.SnapshotError, match=r"%s (is missing|does not match its digest|is not a regular file)"
                                                     % re.escape(blob)):
        rollback.roll_back(directory, lambda argv: 0)
    assert listing(etc) == broken


def test_restore_never_removes_the_snapshot_it_restores_from(etc, tmp_path):
    """A manifest whose saved roots hold the directory (written by hand, or by an older version) is refused whole."""
    directory = str(tmp_path / "snapshot")
    rollback.save(roots(etc), directory)
    edit_manifest(directory, lambda manifest: manifest["roots"].append(str(tmp_path)))
    before = sorted(os.listdir(directory))
    with pytest.raises(rollback.SnapshotError, match=r"the rollback directory %s lies inside %s, one of the saved paths"
                                                     % (re.escape(directory), re.escape(str(tmp_path)))):
        rollback.roll_back(directory, lambda argv: 0)
    assert set(before) <= set(os.listdir(directory))
    assert rollback.load_manifest(directory)["roots"][-1] == str(tmp_path)


# The records -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, says", [
    (rollback.FIRED, b'{"snapshot": "x", "restored": [], "networkd_restart_status": 0}', r"'fired_at' is missing"),
    (rollback.FIRED, b'{"snapshot": "x", "fired_at": "soon", "restored": [], "networkd_restart_status": 0}',
     r"'fired_at' must be a number, not 'soon'"),
    (rollback.FIRED, b'{"snapshot": "x", "fired_at": 1, "restored": "all", "networkd_restart_status": 0}',
     r"'restored' must be a list of paths"),
    (rollback.ARMED, b'{"snapshot": "x", "armed_at": 1}', r"'fires_at' is missing"),
    (rollback.ARMED, b'[1, 2]', r"it holds a list, not an object"),
    (rollback.STARTED, b'{"started_at": true}', r"'started_at' must be a number, not True"),
    (rollback.STARTED, b'\xff\xfe', r"can't decode byte 0xff"),
    (rollback.STARTED, b'{"started_at": ', r"Expecting value: line 1 column 16"),
])
def test_a_malformed_record_is_named_with_what_is_wrong(tmp_path, name, content, says):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(rollback.SnapshotError, match=r"%s is not a valid rollback record: .*%s"
                                                     % (re.escape(str(tmp_path / name)), says)):
        rollback.read_record(str(tmp_path), name)


def test_a_missing_record_is_none(tmp_path):
    assert rollback.read_record(str(tmp_path), rollback.FIRED) is None


# The lock, and the timer's restore after a confirmation ----------------------------------------------


def hold_lock(directory):
    """Take the rollback's lock as another process would (flock locks conflict between open files)."""
    descriptor = os.open(os.path.join(directory, rollback.LOCK), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def test_a_step_waits_for_the_lock_and_gives_up_naming_it(etc, tmp_path, monkeypatch):
    directory, broken = saved_then_broken(etc, tmp_path)
    held = hold_lock(directory)
    monkeypatch.setattr(rollback, "LOCK_WAIT", 0.5)
    try:
        with pytest.raises(rollback.SnapshotError, match=r"%s is held by another run of the rollback"
                                                         % re.escape(os.path.join(directory, rollback.LOCK))):
            rollback.roll_back(directory, lambda argv: 0)
    finally:
        os.close(held)
    assert listing(etc) == broken
    assert rollback.read_record(directory, rollback.STARTED) is None


def test_a_restore_takes_the_lock_once_it_is_free(etc, tmp_path):
    directory, _broken = saved_then_broken(etc, tmp_path)
    held = hold_lock(directory)
    released = []

    def release():
        time.sleep(0.5)
        released.append(time.time())
        os.close(held)

    thread = threading.Thread(target=release)
    thread.start()
    record = rollback.roll_back(directory, lambda argv: 0)
    thread.join()
    assert record["started_at"] >= released[0]
    assert record["restored"]


def test_the_timers_restore_does_nothing_once_the_change_is_confirmed(etc, tmp_path):
    directory, broken = saved_then_broken(etc, tmp_path)
    rollback.write_record(directory, rollback.ARMED, {"snapshot": "x", "armed_at": time.time(), "fires_at": time.time() + 60,
                                                      "arming": "first"})
    assert rollback.roll_back(directory, lambda argv: 0, arming="an older arming") is None
    os.unlink(os.path.join(directory, rollback.ARMED))     # what state=confirmed does under the lock
    assert rollback.roll_back(directory, lambda argv: 0, arming="first") is None
    assert listing(etc) == broken
    assert rollback.read_record(directory, rollback.STARTED) is None


def test_a_restore_records_its_start_before_it_changes_anything(etc, tmp_path, monkeypatch):
    directory, broken = saved_then_broken(etc, tmp_path)
    seen = []
    original = rollback._restore

    def look_first(manifest, contents, changed):
        seen.append((rollback.read_record(directory, rollback.STARTED), listing(etc) == broken))
        return original(manifest, contents, changed)

    monkeypatch.setattr(rollback, "_restore", look_first)
    record = rollback.roll_back(directory, lambda argv: 0)
    (started, untouched), = seen
    assert untouched and started["started_at"] <= record["fired_at"] and started["pid"] == os.getpid()
    assert rollback.read_record(directory, rollback.FIRED)["started_at"] == started["started_at"]


def test_a_failed_restore_records_the_error(etc, tmp_path):
    directory, broken = saved_then_broken(etc, tmp_path)
    edit_manifest(directory, lambda manifest: manifest.pop("entries"))
    with pytest.raises(rollback.SnapshotError):
        rollback.roll_back(directory, lambda argv: 0)
    fired = rollback.read_record(directory, rollback.FIRED)
    assert "'entries' is missing" in fired["error"] and fired["restored"] == []


# restore.py, as the timer and an administrator run it ----------------------------------------------


def run_restorer(directory, tmp_path, *extra, trusted=True):
    """Run the saved restore.py in a process of its own, with systemctl from PATH (a fake one).

    As a program (``trusted=False``), its rules apply from / down, as on a host. With ``trusted``, the same
    program is loaded as the timer's python3 loads it (its directory first on sys.path), with the rules
    applied from tmp_path down, where the test's user stands for root.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "systemctl").write_text('#!/bin/sh\necho "$@" >> "%s"\n' % (tmp_path / "systemctl.log"))
    os.chmod(str(bin_dir / "systemctl"), 0o755)
    program = os.path.join(directory, rollback.RESTORER)
    if trusted:
        argv = [sys.executable, "-c",
                "import importlib.util, sys\n"
                "sys.path.insert(0, sys.argv[1])\n"
                "spec = importlib.util.spec_from_file_location('restore', sys.argv[2])\n"
                "restore = importlib.util.module_from_spec(spec)\n"
                "spec.loader.exec_module(restore)\n"
                "restore.TRUSTED_TOP, restore.OWNER_UID = sys.argv[3], int(sys.argv[4])\n"
                "sys.exit(restore.main(sys.argv[2:3] + sys.argv[5:]))\n",
                directory, program, str(tmp_path), str(os.getuid()), directory] + list(extra)
    else:
        argv = [sys.executable, program, directory] + list(extra)
    return subprocess.run(argv, env={"PATH": str(bin_dir)}, capture_output=True, text=True, cwd=str(tmp_path), check=False)


def test_restore_py_run_on_a_directory_below_tmp_refuses_it_without_a_traceback(etc, tmp_path):
    """Run as a program, restore.py checks the directory from / down: a world-writable /tmp above it is refused."""
    directory = str(tmp_path / "snapshot")
    rollback.save(roots(etc), directory)
    result = run_restorer(directory, tmp_path, trusted=False)
    assert result.returncode == 1
    assert result.stderr.startswith("hostnet.networkd rollback failed: ")
    assert "the rollback directory and every directory above it must be" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("case", ["no entries", "an entry outside the roots"])
def test_restore_py_names_a_malformed_manifest_without_a_traceback(etc, tmp_path, case):
    directory, broken = saved_then_broken(etc, tmp_path)
    make_edit, says = MALFORMED[case]
    edit_manifest(directory, make_edit(etc, tmp_path))
    result = run_restorer(directory, tmp_path)
    assert result.returncode == 1
    assert re.match(r"hostnet.networkd rollback failed: %s is not a valid snapshot manifest: .*%s"
                    % (re.escape(os.path.join(directory, rollback.MANIFEST)), says), result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert listing(etc) == broken


def test_restore_py_names_a_malformed_armed_record_without_a_traceback(etc, tmp_path):
    directory, broken = saved_then_broken(etc, tmp_path)
    (tmp_path / "snapshot" / rollback.ARMED).write_bytes(b'{"snapshot": "x"}')
    result = run_restorer(directory, tmp_path, "--armed", "abc")
    assert result.returncode == 1 and "armed.json is not a valid rollback record: 'armed_at' is missing" in result.stderr
    assert "Traceback" not in result.stderr
    assert listing(etc) == broken


def test_the_saved_restore_program_runs_on_its_own(etc, tmp_path):
    """restore.py is what the timer runs: standalone, with systemctl from PATH (a fake one here)."""
    directory = str(tmp_path / "snapshot")
    rollback.save(roots(etc), directory)
    before = listing(etc)
    break_everything(etc)

    result = run_restorer(directory, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "restored" in result.stdout
    assert listing(etc) == before
    assert (tmp_path / "systemctl.log").read_text() == "restart systemd-networkd.service\n"
