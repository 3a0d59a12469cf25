# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change sets: all or nothing, compare before rename, confined writes, backups of the image's file, the lock."""

from __future__ import annotations

import errno
import multiprocessing
import os
import stat
import time

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files import changeset
from ansible_collections.hostnet.networkd.plugins.module_utils._files.changeset import (
    LOCK_PATH,
    ChangeFailed,
    ChangeSet,
    LockFailed,
    root_lock,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._files.confined import ConfinedRoot
from ansible_collections.hostnet.networkd.plugins.module_utils._plan.fix import FileChange

A = "/etc/systemd/network/10-a.network"
B = "/etc/systemd/network/20-b.network"
OLD_A, OLD_B = b"[Match]\nName=a\n", b"[Match]\nName=b\n"
NEW_A, NEW_B = b"[Match]\nName=a\n[Network]\nIPv4Forwarding=yes\n", b"[Match]\nName=b\n[Network]\nIPv4Forwarding=yes\n"


@pytest.fixture
def image(sandbox):
    sandbox.in_root(A, OLD_A)
    sandbox.in_root(B, OLD_B, mode=0o640)
    return sandbox


def visible(image, directory="/etc/systemd/network"):
    return sorted(name for name in os.listdir(os.path.join(image.root, directory.lstrip("/"))) if name[0] != ".")


def hidden(image, directory="/etc/systemd/network"):
    return sorted(name for name in os.listdir(os.path.join(image.root, directory.lstrip("/"))) if name[0] == ".")


def test_every_change_is_applied_with_mode_and_owner_kept(image):
    os.chown(os.path.join(image.root, B.lstrip("/")), 1234, 2345)
    ChangeSet(ConfinedRoot(image.root), [FileChange(A, OLD_A, NEW_A), FileChange(B, OLD_B, NEW_B)]).apply()
    assert (image.read(A), image.read(B)) == (NEW_A, NEW_B)
    status = os.stat(os.path.join(image.root, B.lstrip("/")))
    assert (stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid) == (0o640, 1234, 2345)
    assert hidden(image) == []


def test_a_failing_second_rename_restores_the_first(image, monkeypatch):
    real_rename = os.rename
    calls = []

    def second_fails(source, target, **kwargs):
        calls.append(target)
        if target == "20-b.network":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_rename(source, target, **kwargs)
    monkeypatch.setattr(changeset.os, "rename", second_fails)
    with pytest.raises(ChangeFailed) as raised:
        ChangeSet(ConfinedRoot(image.root), [FileChange(A, OLD_A, NEW_A), FileChange(B, OLD_B, NEW_B)]).apply()
    assert raised.value.message == ("could not write %s: Input/output error; restored to what they were: %s; "
                                    "no file was changed" % (B, A))
    assert raised.value.changed == [] and raised.value.unchanged == [A, B]
    assert (image.read(A), image.read(B)) == (OLD_A, OLD_B)
    assert hidden(image) == [] and visible(image) == ["10-a.network", "20-b.network"]


def test_a_failing_preparation_changes_nothing_and_removes_the_directories_it_made(image):
    image.in_root("etc/systemd/networkd.conf.d", b"a file where a directory should be")
    new = "/etc/systemd/network/10-a.network.d/50-hostnet-forwarding.conf"
    with pytest.raises(ChangeFailed, match="could not write /etc/systemd/networkd.conf.d/x.conf: Not a directory"):
        ChangeSet(ConfinedRoot(image.root), [FileChange(A, OLD_A, NEW_A), FileChange(new, None, b"[Network]\n"),
                                             FileChange("/etc/systemd/networkd.conf.d/x.conf", None, b"x")]).apply()
    assert image.read(A) == OLD_A
    assert visible(image) == ["10-a.network", "20-b.network"] and hidden(image) == []


def test_a_removal_is_undone_too(image, monkeypatch):
    real_rename = os.rename

    def fail_b(source, target, **kwargs):
        if target == "20-b.network":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_rename(source, target, **kwargs)
    monkeypatch.setattr(changeset.os, "rename", fail_b)
    with pytest.raises(ChangeFailed):
        ChangeSet(ConfinedRoot(image.root), [FileChange(A, OLD_A, None), FileChange(B, OLD_B, NEW_B)]).apply()
    assert (image.read(A), image.read(B)) == (OLD_A, OLD_B)


def test_a_file_changed_since_it_was_read_is_not_overwritten(image):
    with open(os.path.join(image.root, A.lstrip("/")), "ab") as stream:
        stream.write(b"# edited meanwhile\n")
    with pytest.raises(ChangeFailed, match="could not write %s: the file changed since it was read" % A):
        ChangeSet(ConfinedRoot(image.root), [FileChange(A, OLD_A, NEW_A)]).apply()
    assert image.read(A) == OLD_A + b"# edited meanwhile\n"


def test_a_file_replaced_between_prepare_and_rename_is_not_overwritten(image, monkeypatch):
    """Same bytes, new inode (an editor's atomic save): the compare before the rename sees it."""
    real_commit = ChangeSet._commit     # pylint: disable=protected-access

    def replace_then_commit(self, step):
        path = os.path.join(image.root, A.lstrip("/"))
        os.rename(path, path + ".tmp")
        with open(path, "wb") as stream:
            stream.write(OLD_A)
        return real_commit(self, step)
    monkeypatch.setattr(ChangeSet, "_commit", replace_then_commit)
    with pytest.raises(ChangeFailed, match="the file changed since it was read"):
        ChangeSet(ConfinedRoot(image.root), [FileChange(A, OLD_A, NEW_A)]).apply()
    assert image.read(A) == OLD_A


def test_a_file_created_meanwhile_is_not_overwritten(image):
    new = "/etc/systemd/network/30-c.network"
    image.in_root(new, b"someone else's\n")
    with pytest.raises(ChangeFailed, match="changed since it was read"):
        ChangeSet(ConfinedRoot(image.root), [FileChange(new, None, b"[Match]\n")]).apply()
    assert image.read(new) == b"someone else's\n"


@pytest.mark.parametrize("target", [
    "OUTSIDE/etc/systemd/network/10-uplink0.network.d",     # absolute host path
    "../../../../outside/etc/systemd/network/10-uplink0.network.d",
])
def test_writes_through_a_symlinked_directory_stay_inside(image, target):
    target = target.replace("OUTSIDE", image.outside)
    image.symlink("etc/systemd/network/10-uplink0.network.d", target)
    before = image.snapshot()
    path = "/etc/systemd/network/10-uplink0.network.d/50-hostnet-forwarding.conf"
    os.makedirs(os.path.join(image.root, os.path.dirname(target.lstrip("/")) if target.startswith("/")
                             else "outside/etc/systemd/network"), exist_ok=True)
    ChangeSet(ConfinedRoot(image.root), [FileChange(path, None, b"[Network]\nIPv4Forwarding=yes\n")]).apply()
    assert image.snapshot() == before
    assert ConfinedRoot(image.root).read_bytes(path) == b"[Network]\nIPv4Forwarding=yes\n"


def test_a_removal_through_an_escaping_symlink_removes_the_image_file(image):
    image.in_root("outside/d/50-hostnet-forwarding.conf", b"[Network]\nIPv4Forwarding=yes\n")
    image.symlink("etc/systemd/network/10-uplink0.network.d", "../../../../outside/d")
    before = image.snapshot()
    path = "/etc/systemd/network/10-uplink0.network.d/50-hostnet-forwarding.conf"
    ChangeSet(ConfinedRoot(image.root), [FileChange(path, b"[Network]\nIPv4Forwarding=yes\n", None)]).apply()
    assert image.snapshot() == before
    assert not os.path.exists(os.path.join(image.root, "outside/d/50-hostnet-forwarding.conf"))


def test_a_symlinked_file_is_replaced_by_a_file_and_its_backup_is_the_image_file(image):
    image.in_root(image.outside + "/host.network", OLD_A)     # the image's file at the host file's path
    os.unlink(os.path.join(image.root, A.lstrip("/")))
    image.symlink(A, image.outside + "/host.network")
    before = image.snapshot()
    backups = ChangeSet(ConfinedRoot(image.root), [FileChange(A, OLD_A, NEW_A)], backup=True).apply()
    assert image.snapshot() == before
    assert len(backups) == 1 and backups[0].startswith(image.root + A + ".")
    with open(backups[0], "rb") as stream:
        assert stream.read() == OLD_A
    assert not os.path.islink(os.path.join(image.root, A.lstrip("/"))) and image.read(A) == NEW_A


def test_without_hard_links_the_old_file_is_copied_and_still_restored(image, monkeypatch):
    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))
    real_rename = os.rename

    def fail_b(source, target, **kwargs):
        if target == "20-b.network":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_rename(source, target, **kwargs)
    monkeypatch.setattr(changeset.os, "link", no_links)
    monkeypatch.setattr(changeset.os, "rename", fail_b)
    with pytest.raises(ChangeFailed):
        ChangeSet(ConfinedRoot(image.root), [FileChange(A, OLD_A, NEW_A), FileChange(B, OLD_B, NEW_B)]).apply()
    assert (image.read(A), image.read(B)) == (OLD_A, OLD_B)
    assert hidden(image) == []


def test_restoring_that_fails_is_said(image, monkeypatch):
    real_rename = os.rename

    def break_everything_after_a(source, target, **kwargs):
        if target != "10-a.network" or not source.startswith(".hostnet-") or os.path.exists(
                os.path.join(image.root, "etc/systemd/network/.done")):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        open(os.path.join(image.root, "etc/systemd/network/.done"), "w").close()
        return real_rename(source, target, **kwargs)
    monkeypatch.setattr(changeset.os, "rename", break_everything_after_a)
    with pytest.raises(ChangeFailed) as raised:
        ChangeSet(ConfinedRoot(image.root), [FileChange(A, OLD_A, NEW_A), FileChange(B, OLD_B, NEW_B)]).apply()
    assert raised.value.changed == [A]
    assert "RESTORING FAILED for %s" % A in raised.value.message


def _hold_lock(root, held, release):
    with root_lock(ConfinedRoot(root)):
        held.set()
        release.wait(30)


def test_the_lock_waits_a_bounded_time_and_says_so(image, monkeypatch):
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(image.root, held, release))
    holder.start()
    try:
        assert held.wait(30)
        started = time.monotonic()
        with pytest.raises(LockFailed, match="another run holds the lock %s" % LOCK_PATH):
            with root_lock(ConfinedRoot(image.root), timeout=0.3):
                pass
        assert time.monotonic() - started < 5
    finally:
        release.set()
        holder.join(30)
    with root_lock(ConfinedRoot(image.root), timeout=5):
        pass
    status = os.lstat(os.path.join(image.root, LOCK_PATH.lstrip("/")))
    assert stat.S_ISREG(status.st_mode) and stat.S_IMODE(status.st_mode) == 0o600


def test_a_lock_path_that_is_a_symlink_is_refused(image):
    before = image.snapshot()
    image.symlink(LOCK_PATH, image.outside + "/etc/passwd")
    with pytest.raises(LockFailed, match="cannot open the lock file"):
        with root_lock(ConfinedRoot(image.root)):
            pass
    assert image.snapshot() == before
