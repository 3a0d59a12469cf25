# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docker_host_apply in-process on a temporary tree: check mode, diff, the checks before any write, the sysctls."""

from __future__ import annotations

import base64
import os

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host import disk
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.files import sha256
from ansible_collections.hostnet.networkd.plugins.modules import docker_host_apply
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run


@pytest.fixture(autouse=True)
def lock(tmp_path, monkeypatch):
    """The writers' lock in the test's directory, not in /etc/systemd of the machine running the tests."""
    monkeypatch.setattr(disk, "LOCK", str(tmp_path / ".lock"))


def entry(path, content="x = 1\n", **extra):
    return dict({"path": str(path), "state": "file", "content": content, "mode": "0644", "owner": "root",
                 "group": "root"}, **extra)


def listing(root):
    return sorted(os.path.relpath(os.path.join(top, name), str(root))
                  for top, dirs, files in os.walk(str(root)) for name in dirs + files)


@pytest.fixture
def proc_sys(tmp_path, monkeypatch):
    monkeypatch.setattr(disk, "PROC_SYS", str(tmp_path / "proc"))
    (tmp_path / "proc/net/ipv4/conf/eth0").mkdir(parents=True)
    (tmp_path / "proc/net/ipv4/conf/eth0/forwarding").write_text("0\n")
    return tmp_path / "proc"


def test_check_mode_changes_nothing_and_says_what_it_would_write(capsys, tmp_path, proc_sys):
    target = tmp_path / "etc" / "sysctl.d" / "90-x.conf"
    before = listing(tmp_path)
    code, result = run(capsys, module=docker_host_apply, files=[entry(target)], sysctls=["net.ipv4.conf.eth0.forwarding"],
                       _ansible_check_mode=True, _ansible_diff=True)
    assert code == 0 and result["changed"] is True
    assert result["written"] == [str(tmp_path / "etc"), str(tmp_path / "etc" / "sysctl.d"), str(target)]
    assert result["sysctls_set"] == ["net.ipv4.conf.eth0.forwarding"]
    assert [(d["before"], d["after"]) for d in result["diff"]] == [("", "x = 1\n"), ("0\n", "1\n")]
    assert listing(tmp_path) == before and (proc_sys / "net/ipv4/conf/eth0/forwarding").read_text() == "0\n"


def test_a_run_writes_everything_and_the_next_changes_nothing(capsys, tmp_path, proc_sys):
    target = tmp_path / "etc" / "sysctl.d" / "90-x.conf"
    args = dict(files=[entry(target), entry(tmp_path / "var", state="directory", mode="0755", content=None)],
                sysctls=["net.ipv4.conf.eth0.forwarding"])
    code, result = run(capsys, module=docker_host_apply, **args)
    assert code == 0 and result["changed"] is True
    assert target.read_text() == "x = 1\n" and (proc_sys / "net/ipv4/conf/eth0/forwarding").read_text() == "1\n"
    code, again = run(capsys, module=docker_host_apply, **args)
    assert code == 0 and again["changed"] is False and again["written"] == [] and again["sysctls_set"] == []


def test_one_bad_entry_fails_the_run_before_anything_is_written(capsys, tmp_path):
    edited = tmp_path / "10-uplink.network"
    edited.write_text("edited since")
    first = tmp_path / "05-first.network"
    code, result = run(capsys, module=docker_host_apply, files=[
        entry(first), entry(edited, content="[Match]\n", before_sha256=sha256(b"as planned"))])
    assert code == 1
    assert result["msg"] == ("%s changed since docker_host_info read it; run again to plan from what it holds now; "
                             "nothing was changed" % edited)
    assert not first.exists() and edited.read_text() == "edited since"


def test_bytes_that_are_not_utf8_are_written_as_given(capsys, tmp_path):
    target = tmp_path / "10-x.network"
    content = b"# caf\xe9\n[Match]\n"
    code, result = run(capsys, module=docker_host_apply, files=[{
        "path": str(target), "content_base64": base64.b64encode(content).decode(), "before_sha256": ""}])
    assert code == 0 and target.read_bytes() == content


def test_removing_a_file_that_is_not_there_changes_nothing(capsys, tmp_path):
    code, result = run(capsys, module=docker_host_apply, files=[{"path": str(tmp_path / "gone"), "state": "absent"}])
    assert code == 0 and result["changed"] is False
