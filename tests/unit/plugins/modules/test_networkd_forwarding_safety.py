# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""networkd_forwarding on hostile image roots: nothing outside the root, no hang, no traceback, no half change.

Every root lives in a sandbox that also holds sentinel files outside it (tests/unit/plugins/sandbox.py);
symlinks in the root point at them by absolute host path or climb to them with ``..``.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
import tempfile
import traceback

import pytest

from ansible_collections.hostnet.networkd.plugins.modules import networkd_forwarding
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import refused_by_the_controller, run
from ansible_collections.hostnet.networkd.tests.unit.plugins.sandbox import SENTINEL

LINKS = [{"name": "uplink0", "type": "ether", "kind": "veth", "mac": "02:00:00:00:00:01", "ifindex": 2}]
ENABLE = dict(systemd_version=257, links=LINKS, state="enabled", interfaces=["uplink0"])
AUDIT = dict(systemd_version=257, links=LINKS)
NETWORK = "etc/systemd/network"
UPLINK = NETWORK + "/10-uplink0.network"
MATCH = b"[Match]\nName=uplink0\n"
LEGACY = MATCH + b"\n[Network]\nIPForward=yes\n"
FIXED = MATCH + b"\n[Network]\nIPv4Forwarding=yes\n"
DROPIN = "/" + UPLINK + ".d/50-hostnet-forwarding.conf"


def warning_texts(result):
    """The module's warnings as text (ansible-core 2.19 wraps each one in a WarningSummary)."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


def clear_failure(code, result):
    """A run that failed the way a module should: fail_json with a message, no traceback."""
    return code == 1 and result.get("failed") is True and result.get("msg") and "Traceback" not in result["msg"] \
        and "exception" not in result


# --------------------------------------------------------------------------- item 1: nothing outside the root

def dropin_dir_absolute(box):
    box.in_root(UPLINK, MATCH)
    box.symlink(UPLINK + ".d", box.outside + "/" + UPLINK + ".d")
    os.makedirs(os.path.join(box.root, box.outside.lstrip("/"), UPLINK + ".d"))   # the image's own directory
    return dict(ENABLE, method="dropin")


def dropin_dir_climbing(box):
    box.in_root(UPLINK, MATCH)
    box.symlink(UPLINK + ".d", "../../../../outside/" + UPLINK + ".d")
    os.makedirs(os.path.join(box.root, "outside", UPLINK + ".d"))
    return dict(ENABLE, method="dropin")


def etc_absolute(box):
    box.symlink("etc", box.outside + "/etc")
    return dict(ENABLE, scope="global")


def network_dir_climbing(box):
    box.symlink(NETWORK, "../../../outside/" + NETWORK)
    box.in_root("outside/" + UPLINK, LEGACY)       # what the image's resolution finds, clamped at the root
    return dict(ENABLE)


def own_dropin_removed_through_climbing_dir(box):
    box.in_root(UPLINK, MATCH)
    box.in_root("outside/d/50-hostnet-forwarding.conf", b"[Network]\nIPv4Forwarding=yes\n")
    box.symlink(UPLINK + ".d", "../../../../outside/d")
    return dict(ENABLE, method="inline")


def governing_file_absolute(box):
    box.symlink(UPLINK, box.outside + "/host.network")
    box.in_root(box.outside + "/host.network", LEGACY)     # the image's file at that path
    return dict(ENABLE, backup=True)


TREES = [dropin_dir_absolute, dropin_dir_climbing, etc_absolute, network_dir_climbing,
         own_dropin_removed_through_climbing_dir, governing_file_absolute]


@pytest.mark.parametrize("tree", TREES, ids=[tree.__name__ for tree in TREES])
def test_nothing_outside_the_root_is_written_created_or_removed(capsys, sandbox, tree):
    args = tree(sandbox)
    before = sandbox.snapshot()
    code, result = run(capsys, root=sandbox.root, **args)
    assert sandbox.snapshot() == before
    assert code == 0 or clear_failure(code, result), result


def test_writes_land_where_the_image_resolves_the_path(capsys, sandbox):
    args = dropin_dir_climbing(sandbox)
    code, result = run(capsys, root=sandbox.root, **args)
    assert code == 0 and result["changes"]["created"] == [DROPIN]
    with open(os.path.join(sandbox.root, "outside", UPLINK + ".d/50-hostnet-forwarding.conf"), "rb") as stream:
        assert stream.read().endswith(b"IPv4Forwarding=yes\n")


def test_a_removal_removes_the_image_file(capsys, sandbox):
    args = own_dropin_removed_through_climbing_dir(sandbox)
    code, result = run(capsys, root=sandbox.root, **args)
    assert code == 0 and result["changes"]["removed"] == [DROPIN]
    assert not os.path.exists(os.path.join(sandbox.root, "outside/d/50-hostnet-forwarding.conf"))
    assert sandbox.read(UPLINK).endswith(b"IPv4Forwarding=yes\n")


def test_a_symlink_to_a_missing_image_directory_fails_clearly(capsys, sandbox):
    args = etc_absolute(sandbox)
    code, result = run(capsys, root=sandbox.root, **args)
    assert clear_failure(code, result)
    assert "a symlink on the way leads to a missing directory" in result["msg"]


def test_the_backup_of_a_symlinked_file_is_the_image_file(capsys, sandbox):
    args = governing_file_absolute(sandbox)
    code, result = run(capsys, root=sandbox.root, **args)
    assert code == 0 and result["changed"] is True
    [backup] = result["backup_files"]
    assert backup.startswith(os.path.join(sandbox.root, UPLINK) + ".")
    with open(backup, "rb") as stream:
        assert stream.read() == LEGACY
    with open(os.path.join(sandbox.outside, "host.network"), "rb") as stream:
        assert stream.read() == SENTINEL
    assert sandbox.read(UPLINK) == FIXED and not os.path.islink(os.path.join(sandbox.root, UPLINK))


# --------------------------------------------------------------------------- item 3: only regular files, bounded

def test_a_fifo_in_sysctl_d_is_a_warning_not_a_hang(capsys, sandbox, deadline):
    sandbox.in_root(UPLINK, LEGACY)
    os.makedirs(os.path.join(sandbox.root, "etc/sysctl.d"))
    os.mkfifo(os.path.join(sandbox.root, "etc/sysctl.d/99-fifo.conf"))
    deadline(10)
    code, result = run(capsys, root=sandbox.root, **AUDIT)
    assert code == 0
    assert ("/etc/sysctl.d/99-fifo.conf: cannot be read, skipped by systemd-sysctl and sysctl: a FIFO, not a "
            "regular file") in warning_texts(result)


def test_a_fifo_as_network_file_is_an_error_of_that_file(capsys, sandbox, deadline):
    sandbox.in_root(UPLINK, LEGACY)
    os.mkfifo(os.path.join(sandbox.root, NETWORK, "05-fifo.network"))
    deadline(10)
    code, result = run(capsys, root=sandbox.root, **ENABLE)
    assert code == 0 and result["changes"]["modified"] == ["/" + UPLINK]
    [fifo] = [f for f in result["network_files"] if f["path"].endswith("05-fifo.network")]
    assert fifo["error"] == "/%s/05-fifo.network: a FIFO, not a regular file, skipped" % NETWORK


@pytest.mark.parametrize("make", [os.mkfifo, os.mkdir], ids=["FIFO", "directory"])
def test_a_dropin_that_is_no_regular_file_is_named_as_why_networkd_drops_the_network(capsys, sandbox, deadline, make):
    """networkd lists drop-ins by name, then cannot read a directory (measured: it drops the network) or a FIFO."""
    sandbox.in_root(UPLINK, FIXED)
    sandbox.in_root(UPLINK + ".d/20-v6.conf", b"[Network]\nIPv6Forwarding=yes\n")
    make(os.path.join(sandbox.root, UPLINK + ".d/60-x.conf"))
    kind = "a FIFO" if make is os.mkfifo else "a directory"
    deadline(10)
    code, result = run(capsys, root=sandbox.root, **AUDIT)
    assert code == 0
    message = "/%s.d/60-x.conf: %s, not a regular file; networkd cannot load /%s because of it" % (UPLINK, kind, UPLINK)
    [network] = [f for f in result["network_files"] if f["path"] == "/" + UPLINK]
    assert network["error"] == message
    assert result["links"][0]["network_file"] is None
    assert message + ": remove it or make it a regular file" in warning_texts(result)


@pytest.mark.parametrize("path", ["etc/systemd/networkd.conf", "etc/systemd/networkd.conf.d/10-fifo.conf"])
def test_a_fifo_as_networkd_conf_is_an_error_of_that_file(capsys, sandbox, deadline, path):
    sandbox.in_root(UPLINK, LEGACY)
    os.makedirs(os.path.join(sandbox.root, os.path.dirname(path)), exist_ok=True)
    os.mkfifo(os.path.join(sandbox.root, path))
    deadline(10)
    code, result = run(capsys, root=sandbox.root, **dict(ENABLE, scope="both"))
    assert code == 0
    assert "/%s: cannot be read: a FIFO, not a regular file" % path in warning_texts(result)


LIMITED_RUN = """
import json, sys
from ansible.module_utils.testing import patch_module_args
from ansible_collections.hostnet.networkd.plugins.modules import networkd_forwarding
with patch_module_args(json.loads(sys.argv[1])):
    networkd_forwarding.main()
"""


def run_limited(args, memory=1024 ** 3, seconds=30):
    """Run the module in a process of its own with ``memory`` bytes of address space; (rc, result or None, stderr)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    process = subprocess.run([sys.executable, "-c", LIMITED_RUN, json.dumps(args)], preexec_fn=limit, check=False,
                             capture_output=True, timeout=seconds,
                             env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    try:
        result = json.loads(process.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = None
    return process.returncode, result, process.stderr.decode(errors="replace")


@pytest.mark.parametrize("size, fill", [(2 * 1024 ** 3, None), (50 * 1024 ** 2, b"\0")], ids=["sparse-2GB", "NUL-50MB"])
def test_a_huge_network_file_is_refused_fast_in_little_memory(sandbox, size, fill):
    sandbox.in_root(UPLINK, LEGACY)
    path = os.path.join(sandbox.root, NETWORK, "05-huge.network")
    if fill is None:
        with open(path, "wb") as stream:
            stream.truncate(size)
    else:
        sandbox.in_root(NETWORK + "/05-huge.network", fill * size)
    code, result, stderr = run_limited(dict(root=sandbox.root, **ENABLE), seconds=20)
    assert code == 0 and result is not None, stderr[-2000:]
    [huge] = [f for f in result["network_files"] if f["path"].endswith("05-huge.network")]
    assert huge["error"] == ("/%s/05-huge.network: cannot be read: %d bytes, larger than the limit of 4194304 bytes"
                             % (NETWORK, size))
    assert result["changes"]["modified"] == ["/" + UPLINK]


# --------------------------------------------------------------------------- item 4: bytes in, bytes out

COMMENTED = b"# caf\xe9 cr\xe8me (Latin-1)\n" + LEGACY


@pytest.mark.parametrize("check_mode", [False, True], ids=["write", "check-mode"])
def test_a_non_utf8_comment_round_trips_through_the_diff(capsys, sandbox, check_mode):
    sandbox.in_root(UPLINK, COMMENTED)
    code, result = run(capsys, root=sandbox.root, _ansible_diff=True, _ansible_check_mode=check_mode, **ENABLE)
    assert code == 0 and result["changed"] is True
    assert refused_by_the_controller(result) == []
    [diff] = result["diff"]
    assert diff["before"].startswith("# caf\\xe9 cr\\xe8me (Latin-1)\n")
    assert diff["after"].startswith("# caf\\xe9 cr\\xe8me (Latin-1)\n") and "IPv4Forwarding=yes" in diff["after"]
    expected = COMMENTED if check_mode else b"# caf\xe9 cr\xe8me (Latin-1)\n" + FIXED
    assert sandbox.read(UPLINK) == expected


@pytest.mark.parametrize("check_mode", [False, True], ids=["write", "check-mode"])
def test_a_non_utf8_file_name_round_trips_escaped(capsys, sandbox, check_mode):
    name = b"10-up\xfflink0.network"
    sandbox.in_root(NETWORK.encode() + b"/" + name, LEGACY)
    escaped = "/%s/10-up\\xfflink0.network" % NETWORK
    code, result = run(capsys, root=sandbox.root, **AUDIT)
    assert code == 0 and refused_by_the_controller(result) == []
    assert any(w.startswith(escaped + ":5: IPForward=") for w in warning_texts(result))
    code, result = run(capsys, root=sandbox.root, _ansible_diff=True, _ansible_check_mode=check_mode, **ENABLE)
    assert code == 0 and result["changed"] is True
    assert refused_by_the_controller(result) == []
    assert result["changes"]["modified"] == [escaped]
    assert result["links"][0]["network_file"] == escaped and result["diff"][0]["before_header"] == escaped
    with open(os.path.join(sandbox.root.encode(), NETWORK.encode(), name), "rb") as stream:
        assert stream.read() == (LEGACY if check_mode else FIXED)


def test_a_non_utf8_name_in_a_failure_message_is_escaped(capsys, sandbox):
    sandbox.in_root(NETWORK.encode() + b"/10-up\xfflink0.network", MATCH + b"[Network\n")
    code, result = run(capsys, root=sandbox.root, **dict(ENABLE, paths=["/%s/*.network" % NETWORK]))
    assert clear_failure(code, result) and refused_by_the_controller(result) == []
    assert "/%s/10-up\\xfflink0.network" % NETWORK in result["msg"]


# --------------------------------------------------------------------------- item 5: all or nothing

def test_a_second_write_that_fails_leaves_the_first_file_as_it_was(capsys, sandbox):
    sandbox.in_root(UPLINK, LEGACY)
    sandbox.in_root("etc/systemd/networkd.conf.d", b"a file where the drop-in directory should be\n")
    code, result = run(capsys, root=sandbox.root, **dict(ENABLE, scope="both"))
    assert clear_failure(code, result)
    assert result["msg"] == ("could not write /etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf: Not a "
                             "directory; no file was changed")
    assert sandbox.read(UPLINK) == LEGACY
    assert sorted(os.listdir(os.path.join(sandbox.root, NETWORK))) == ["10-uplink0.network"]


def test_a_rename_that_fails_after_another_restores_it(capsys, sandbox, monkeypatch):
    sandbox.in_root(UPLINK, LEGACY)
    real_rename = os.rename

    def fail_the_global_dropin(source, target, *args, **kwargs):
        if os.path.basename(target) == "50-hostnet-forwarding.conf":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_rename(source, target, *args, **kwargs)
    monkeypatch.setattr(os, "rename", fail_the_global_dropin)
    code, result = run(capsys, root=sandbox.root, **dict(ENABLE, scope="both"))
    assert clear_failure(code, result)
    assert result["msg"] == ("could not write /etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf: Input/output "
                             "error; restored to what they were: /%s; no file was changed" % UPLINK)
    assert sandbox.read(UPLINK) == LEGACY
    assert not os.path.exists(os.path.join(sandbox.root, "etc/systemd/networkd.conf.d"))


# --------------------------------------------------------------------------- item 6: parameters

@pytest.mark.parametrize("name, problem", [
    (".fix.conf", "starts with a dot: networkd skips hidden files"),
    ("fix\n.conf", "contains a control character"),
    ("fix\t.conf", "contains a control character"),
    ("x" * 300 + ".conf", "is 305 bytes long; at most 226 bytes"),
    ("sub/fix.conf", "must be a file name, without '/'"),
    ("fix.network", "must end in .conf"),
    ("", "is empty"),
])
def test_a_dropin_name_networkd_would_not_read_is_an_error(capsys, sandbox, name, problem):
    sandbox.in_root("run/systemd/network/10-uplink0.network", LEGACY)
    before = sandbox.snapshot()
    code, result = run(capsys, root=sandbox.root, dropin_name=name, **ENABLE)
    assert clear_failure(code, result)
    assert result["msg"].startswith("dropin_name: %r " % name) and problem in result["msg"]
    assert not os.path.exists(os.path.join(sandbox.root, "etc"))
    assert sandbox.snapshot() == before


def test_the_longest_dropin_name_is_accepted_with_a_backup(capsys, sandbox):
    name = "x" * 221 + ".conf"
    sandbox.in_root("run/systemd/network/10-uplink0.network", LEGACY)
    sandbox.in_root(NETWORK + "/10-uplink0.network.d/" + name, b"[Network]\nIPv4Forwarding=no\n")
    code, result = run(capsys, root=sandbox.root, dropin_name=name, backup=True, **ENABLE)
    assert code == 0 and result["changes"]["modified"] == ["/%s/10-uplink0.network.d/%s" % (NETWORK, name)]
    assert len(os.path.basename(result["backup_files"][0])) <= 255


@pytest.mark.parametrize("version", [-1, 0, 100, 218, 300, 2570])
def test_a_systemd_version_the_model_does_not_know_is_an_error(capsys, sandbox, version):
    sandbox.in_root(UPLINK, LEGACY)
    code, result = run(capsys, root=sandbox.root, **{**AUDIT, "systemd_version": version})
    assert clear_failure(code, result)
    assert result["msg"] == "systemd_version: %d is not a systemd version this module models (219 to 299)" % version


@pytest.mark.parametrize("version", [219, 255, 299])
def test_systemd_versions_the_model_knows_are_used_as_given(capsys, sandbox, version):
    sandbox.in_root(UPLINK, LEGACY)
    code, result = run(capsys, root=sandbox.root, **{**AUDIT, "systemd_version": version})
    assert code == 0 and result["systemd_version"] == version


def test_an_empty_interfaces_list_with_a_writing_state_is_an_error(capsys, sandbox):
    sandbox.in_root(UPLINK, LEGACY)
    code, result = run(capsys, root=sandbox.root, **{**ENABLE, "interfaces": []})
    assert clear_failure(code, result)
    assert result["msg"].startswith("interfaces: an empty list covers no link")
    assert sandbox.read(UPLINK) == LEGACY


# --------------------------------------------------------------------------- item 9: clear errors

@pytest.mark.parametrize("version", [None, 257])
def test_a_missing_root_is_named(capsys, tmp_path, version):
    args = {} if version is None else dict(systemd_version=version)
    code, result = run(capsys, root=str(tmp_path / "x"), links=LINKS, **args)
    assert clear_failure(code, result)
    assert result["msg"] == "root: %s does not exist" % (tmp_path / "x")


def test_a_root_that_is_a_file_is_named(capsys, tmp_path):
    (tmp_path / "image.img").write_bytes(b"")
    code, result = run(capsys, root=str(tmp_path / "image.img"), **AUDIT)
    assert clear_failure(code, result)
    assert result["msg"] == "root: %s is not a directory (it is a regular file)" % (tmp_path / "image.img")


def _audit_as_nobody(root, write_end):
    """In a child process: become nobody (when root), run an audit, send the result up the pipe.

    ansible-test runs the tests from directories only root may read, and ansible-core imports
    some of its modules only when a result is printed: one audit as root first, its output thrown
    away, imports all that the second one needs. Whatever goes wrong in the child is sent up as a
    failed result.
    """
    from ansible.module_utils.testing import patch_module_args

    def audit(output):
        sys.stdout = output         # the module prints its result
        with patch_module_args(dict(root=root, **AUDIT)):
            try:
                networkd_forwarding.main()
            except SystemExit:
                pass

    with os.fdopen(write_end, "w") as stream:
        try:
            if os.geteuid() == 0:
                with open(os.devnull, "w") as discarded:
                    audit(discarded)
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            audit(stream)
        except BaseException:   # pylint: disable=broad-exception-caught
            stream.write("\n" + json.dumps({"failed": True, "msg": traceback.format_exc()}) + "\n")


def test_an_unreadable_dropin_directory_is_a_warning_that_the_prediction_is_incomplete():
    base = tempfile.mkdtemp(prefix="hostnet-unreadable-")
    try:
        os.chmod(base, 0o755)
        root = os.path.join(base, "root")
        for path, content in ((UPLINK, MATCH + b"\n[Network]\nIPv4Forwarding=yes\n"),
                              (UPLINK + ".d/20-off.conf", b"[Network]\nIPv4Forwarding=no\n")):
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "wb") as stream:
                stream.write(content)
        for directory, _dirs, files in os.walk(root):
            os.chmod(directory, 0o755)
            for name in files:
                os.chmod(os.path.join(directory, name), 0o644)
        os.chmod(os.path.join(root, UPLINK + ".d"), 0o000)
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:
            try:
                os.close(read_end)
                _audit_as_nobody(root, write_end)
            finally:
                os._exit(0)   # pylint: disable=protected-access
        os.close(write_end)
        with os.fdopen(read_end) as stream:
            output = stream.read()
        os.waitpid(child, 0)
        result = json.loads(output.strip().splitlines()[-1])
        assert result.get("failed") is not True, result
        assert ("/%s.d: directory cannot be read (Permission denied): the files in it are not counted, so the "
                "prediction is incomplete" % UPLINK) in warning_texts(result)
    finally:
        subprocess.run(["chmod", "-R", "u+rwx", base], check=False)
        subprocess.run(["rm", "-rf", base], check=False)
