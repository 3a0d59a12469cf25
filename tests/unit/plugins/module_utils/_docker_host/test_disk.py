# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and writing the role's paths on a real temporary tree."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host import disk
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.files import MISSING, sha256
from ansible_collections.hostnet.networkd.plugins.module_utils._files.changeset import ChangeFailed


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture(autouse=True)
def lock(tmp_path, monkeypatch):
    """The writers' lock in the test's directory, not in /etc/systemd of the machine running the tests."""
    monkeypatch.setattr(disk, "LOCK", str(tmp_path / ".lock"))


def test_a_symbolic_link_is_described_not_followed(tmp_path):
    (tmp_path / "target").write_text("x")
    os.symlink(str(tmp_path / "target"), str(tmp_path / "link"))
    assert disk.read_state(str(tmp_path / "link")).kind == "link"
    assert disk.read_state(str(tmp_path / "target")).sha256 == sha256(b"x")
    assert disk.read_state(str(tmp_path / "missing")) == MISSING


def test_a_file_as_wanted_needs_no_write(tmp_path):
    path = tmp_path / "a.conf"
    path.write_text("x\n")
    os.chmod(str(path), 0o644)
    assert disk.planned_write({"path": str(path), "state": "file", "content": "x\n", "mode": "0644",
                               "owner": "root", "group": "root"}) is None


def test_a_mode_or_content_drift_needs_a_write(tmp_path):
    path = tmp_path / "a.conf"
    path.write_text("x\n")
    os.chmod(str(path), 0o600)
    write = disk.planned_write({"path": str(path), "content": "x\n", "mode": "0644"})
    assert (write.mode, write.before, write.content) == (0o644, b"x\n", b"x\n")
    os.chmod(str(path), 0o644)
    assert disk.planned_write({"path": str(path), "content": "y\n", "mode": "0644"}).content == b"y\n"


def test_an_edit_keeps_the_owner_and_mode_of_the_file(tmp_path):
    path = tmp_path / "10-x.network"
    path.write_text("old")
    os.chmod(str(path), 0o640)
    write = disk.planned_write({"path": str(path), "content": "new", "before_sha256": sha256(b"old")})
    assert (write.mode, write.uid) == (0o640, os.getuid())


def test_a_file_edited_since_the_plan_is_refused(tmp_path):
    path = tmp_path / "10-x.network"
    path.write_text("edited by someone else")
    with pytest.raises(disk.EntryError, match="10-x.network changed since docker_host_info read it"):
        disk.planned_write({"path": str(path), "content": "new", "before_sha256": sha256(b"old")})
    with pytest.raises(disk.EntryError, match="changed since"):
        disk.planned_write({"path": str(path), "content": "new", "before_sha256": ""})


@pytest.mark.parametrize("entry, message", [
    ({"state": "absent"}, "is a directory; only files are removed"),
    ({"state": "file", "content": "x"}, "is a directory, not a file"),
    ({"state": "directory", "owner": "no-such-user-here"}, "no user 'no-such-user-here'"),
    ({"state": "directory", "mode": "rwx"}, "mode 'rwx' is not an octal number"),
])
def test_an_entry_that_cannot_be_written_is_refused(tmp_path, entry, message):
    with pytest.raises(disk.EntryError, match=message):
        disk.planned_write(dict(entry, path=str(tmp_path)))


def test_a_relative_path_is_refused():
    with pytest.raises(disk.EntryError, match="must be absolute and normalized"):
        disk.planned_write({"path": "/etc/../etc/x.conf", "content": "x"})


def test_apply_creates_the_directories_a_file_needs_root_owned_0755(tmp_path):
    path = str(tmp_path / "etc" / "sysctl.d" / "90-x.conf")
    write = disk.planned_write({"path": path, "content": "x\n", "mode": "0644", "owner": "root", "group": "root"})
    assert disk.apply([write], []) == [path]
    assert mode_of(str(tmp_path / "etc" / "sysctl.d")) == 0o755 and mode_of(path) == 0o644
    assert open(path).read() == "x\n" and os.lstat(path).st_uid == 0


def test_apply_removes_a_file_and_fixes_a_directory(tmp_path):
    (tmp_path / "gone.conf").write_text("x")
    os.mkdir(str(tmp_path / "d"), 0o700)
    writes = [disk.planned_write({"path": str(tmp_path / "gone.conf"), "state": "absent"}),
              disk.planned_write({"path": str(tmp_path / "d"), "state": "directory", "mode": "0755"})]
    disk.apply(writes, [])
    assert not (tmp_path / "gone.conf").exists() and mode_of(str(tmp_path / "d")) == 0o755


@pytest.fixture
def proc_sys(tmp_path, monkeypatch):
    monkeypatch.setattr(disk, "PROC_SYS", str(tmp_path))
    for name, value in (("all", "0"), ("eth0.10", "1")):
        (tmp_path / "net" / "ipv4" / "conf" / name).mkdir(parents=True)
        (tmp_path / "net" / "ipv4" / "conf" / name / "forwarding").write_text(value + "\n")
    return tmp_path


def test_only_sysctls_that_do_not_read_1_are_set(proc_sys):
    found = disk.sysctls_to_set(["net.ipv4.conf.all.forwarding", "net.ipv4.conf.eth0/10.forwarding"])
    assert found == [("net.ipv4.conf.all.forwarding", str(proc_sys / "net/ipv4/conf/all/forwarding"), "0")]
    disk.apply([], found)
    assert (proc_sys / "net/ipv4/conf/all/forwarding").read_text() == "1\n"


def test_a_sysctl_that_does_not_exist_is_refused(proc_sys):
    with pytest.raises(disk.EntryError, match="net.ipv4.conf.eth9.forwarding cannot be read"):
        disk.sysctls_to_set(["net.ipv4.conf.eth9.forwarding"])


def test_a_sysctl_that_cannot_be_written_is_refused(proc_sys, monkeypatch):
    monkeypatch.setattr(disk.os, "access", lambda path, mode: False)
    with pytest.raises(disk.EntryError, match="cannot be written .* read-only"):
        disk.sysctls_to_set(["net.ipv4.conf.all.forwarding"])


def test_a_file_changed_between_the_check_and_the_write_changes_nothing(tmp_path):
    first = tmp_path / "05-first.network"
    edited = tmp_path / "10-edited.network"
    edited.write_text("as planned")
    writes = [disk.planned_write({"path": str(first), "content": "new\n"}),
              disk.planned_write({"path": str(edited), "content": "edited by the role\n"})]
    edited.write_text("edited by someone else in between")
    with pytest.raises(ChangeFailed, match="the file changed since it was read"):
        disk.apply(writes, [])
    assert not first.exists() and edited.read_text() == "edited by someone else in between"
