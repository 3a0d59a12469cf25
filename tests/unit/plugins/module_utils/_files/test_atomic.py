# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one atomic writer: what it keeps, what it sets, what a failure leaves."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files import atomic


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_0644(tmp_path):
    path = str(tmp_path / "new.conf")
    atomic.write_atomically(path, b"x\n")
    assert open(path, "rb").read() == b"x\n"
    assert mode_of(path) == 0o644


def test_a_replaced_file_keeps_its_mode_and_owner(tmp_path):
    path = tmp_path / "old.conf"
    path.write_bytes(b"old\n")
    os.chmod(path, 0o600)
    os.chown(path, 1234, 2345)
    atomic.write_atomically(str(path), b"new\n")
    assert path.read_bytes() == b"new\n"
    assert mode_of(path) == 0o600
    assert (os.stat(path).st_uid, os.stat(path).st_gid) == (1234, 2345)


def test_what_is_given_is_set_even_over_an_existing_file(tmp_path):
    path = tmp_path / "old.conf"
    path.write_bytes(b"old\n")
    os.chmod(path, 0o644)
    atomic.write_atomically(str(path), b"new\n", mode=0o700, uid=0, gid=0)
    assert mode_of(path) == 0o700
    assert (os.stat(path).st_uid, os.stat(path).st_gid) == (0, 0)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "old.conf"
    path.write_bytes(b"old\n")

    def full_disk(_descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(OSError):
        atomic.write_atomically(str(path), b"new\n")
    assert path.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["old.conf"]


def test_the_temporary_file_is_hidden(tmp_path, monkeypatch):
    seen = []
    real_rename = os.rename

    def record(source, target):
        seen.append(os.path.basename(source))
        real_rename(source, target)
    monkeypatch.setattr(atomic.os, "rename", record)
    atomic.write_atomically(str(tmp_path / "a.network"), b"[Match]\n")
    assert seen and seen[0].startswith(".")
