# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults while writing: a full disk, a read-only /etc, a process killed mid-write."""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.hostnet.networkd.plugins.module_utils._files import changeset
from ansible_collections.hostnet.networkd.plugins.modules import networkd_forwarding
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run

LINKS = [{"name": "uplink0", "type": "ether", "kind": "veth", "mac": "02:00:00:00:00:01", "ifindex": 2}]
UPLINK_FILE = "etc/systemd/network/10-uplink0.network"
BEFORE = b"[Match]\nName=uplink0\n\n[Network]\nIPForward=yes\n"
AFTER = b"[Match]\nName=uplink0\n\n[Network]\nIPv4Forwarding=yes\n"
ENABLE = dict(systemd_version=257, links=LINKS, state="enabled", interfaces=["uplink0"])


@pytest.fixture
def root(tmp_path):
    path = tmp_path / UPLINK_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(BEFORE)
    return str(tmp_path)


def directory_listing(root):
    return sorted(os.listdir(os.path.join(root, os.path.dirname(UPLINK_FILE))))


def failing(error_number):
    def fail(*args, **kwargs):
        raise OSError(error_number, os.strerror(error_number))
    return fail


def test_full_disk_is_a_clear_error_and_leaves_no_partial_file(capsys, root, monkeypatch):
    monkeypatch.setattr(changeset.os, "fsync", failing(errno.ENOSPC))
    code, result = run(capsys, root=root, **ENABLE)
    assert code == 1
    assert result["msg"].startswith("could not write /%s: No space left on device" % UPLINK_FILE)
    assert open(os.path.join(root, UPLINK_FILE), "rb").read() == BEFORE
    assert directory_listing(root) == ["10-uplink0.network"]


def test_read_only_etc_is_a_clear_error(capsys, root, monkeypatch):
    monkeypatch.setattr(changeset, "_hidden_name", failing(errno.EROFS))
    code, result = run(capsys, root=root, **ENABLE)
    assert code == 1
    assert "/%s: Read-only file system" % UPLINK_FILE in result["msg"]
    assert open(os.path.join(root, UPLINK_FILE), "rb").read() == BEFORE


def _run_until(root, crash_point, ready):
    """In a child process: run the module and stop dead at ``crash_point``, telling the parent."""
    def stop_here(*args, **kwargs):
        ready.set()
        signal.pause()

    if crash_point == "before rename":
        changeset.os.fsync = stop_here
    else:
        changeset.ChangeSet._finish = stop_here     # the writer's next step once the renames are done
    with open(os.devnull, "w") as quiet:
        os.dup2(quiet.fileno(), 1)
    with patch_module_args(dict(root=root, **ENABLE)):
        networkd_forwarding.main()


@pytest.mark.parametrize("crash_point, expected", [("before rename", BEFORE), ("after rename", AFTER)])
def test_a_killed_write_leaves_the_old_file_or_the_new_one(root, crash_point, expected):
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    child = context.Process(target=_run_until, args=(root, crash_point, ready))
    child.start()
    assert ready.wait(30), "the module never reached %s" % crash_point
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert child.exitcode == -signal.SIGKILL
    assert open(os.path.join(root, UPLINK_FILE), "rb").read() == expected
    # What a crash can leave behind is hidden, and networkd never reads hidden files.
    visible = [name for name in directory_listing(root) if not name.startswith(".")]
    assert visible == ["10-uplink0.network"]
