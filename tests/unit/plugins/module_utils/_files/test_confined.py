# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The confinement layer: paths resolve as in a chroot, only regular files of a sane size are read."""

from __future__ import annotations

import errno
import os
import socket
import time

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files import confined
from ansible_collections.hostnet.networkd.plugins.module_utils._files.confined import (
    MAX_FILE_SIZE,
    ConfinedRoot,
    RefusedFile,
    root_problem,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import RootFileSystem
from ansible_collections.hostnet.networkd.tests.unit.plugins.sandbox import SENTINEL

IMAGE_FILE = b"[Match]\nName=eth0\n"


@pytest.fixture
def image(sandbox):
    sandbox.in_root("etc/passwd", b"image passwd\n")
    sandbox.in_root("usr/lib/systemd/network/10-vendor.network", IMAGE_FILE)
    sandbox.in_root("etc/systemd/network/.keep", b"")
    return sandbox


@pytest.mark.parametrize("target", [
    "/etc/passwd",                              # absolute: the image's /etc/passwd
    "../../../etc/passwd",                      # relative, inside
    "../../../../../../../../etc/passwd",       # climbs past the root: clamped there
    "/../../etc/passwd",
])
def test_symlinks_resolve_inside_the_root(image, target):
    image.symlink("etc/systemd/network/10-x.network", target)
    root = ConfinedRoot(image.root)
    assert root.read_bytes("/etc/systemd/network/10-x.network") == b"image passwd\n"


def test_an_absolute_symlink_to_a_host_path_is_read_inside_the_root(image):
    image.symlink("etc/systemd/network/10-x.network", os.path.join(image.outside, "host.network"))
    with pytest.raises(FileNotFoundError):
        ConfinedRoot(image.root).read_bytes("/etc/systemd/network/10-x.network")


@pytest.mark.parametrize("target", ["/", "../../..", "../../../../../..", "/usr/../.."])
def test_dot_dot_stops_at_the_root(image, target):
    image.symlink("etc/systemd/network/up", target)
    root = ConfinedRoot(image.root)
    assert "usr" in root.list_dir("/etc/systemd/network/up/")
    assert root.read_bytes("/etc/systemd/network/up/usr/lib/systemd/network/10-vendor.network") == IMAGE_FILE
    assert "outside" not in root.list_dir("/etc/systemd/network/up/..")


@pytest.mark.parametrize("target", ["/usr/lib/systemd/network", "../../../usr/lib/systemd/network"])
def test_symlinked_directories_resolve_inside_the_root(image, target):
    image.symlink("etc/systemd/vendor", target)
    root = ConfinedRoot(image.root)
    assert root.list_dir("/etc/systemd/vendor") == ["10-vendor.network"]
    assert root.read_bytes("/etc/systemd/vendor/10-vendor.network") == IMAGE_FILE


def test_dot_dot_after_a_symlinked_directory_is_its_physical_parent(image):
    image.symlink("etc/vendor", "/usr/lib/systemd/network")
    assert "network" in ConfinedRoot(image.root).list_dir("/etc/vendor/..")
    assert ConfinedRoot(image.root).list_dir("/etc/vendor/..") == sorted(os.listdir(
        os.path.join(image.root, "usr/lib/systemd")))


def test_loops_are_eloop(image):
    image.symlink("etc/systemd/network/a", "b")
    image.symlink("etc/systemd/network/b", "/etc/systemd/network/a")
    with pytest.raises(OSError) as raised:
        ConfinedRoot(image.root).read_bytes("/etc/systemd/network/a")
    assert raised.value.errno == errno.ELOOP


def test_a_link_to_dev_null_is_a_mask_even_without_dev(image):
    image.symlink("etc/systemd/network/20-masked.network", "/dev/null")
    image.symlink("etc/systemd/network/21-masked.network", "../../../dev/null")
    fs = RootFileSystem(image.root)
    for name in ("20-masked.network", "21-masked.network"):
        assert fs.is_masked("/etc/systemd/network/" + name)
        assert fs.read_bytes("/etc/systemd/network/" + name) == b""


def test_a_fifo_is_refused_without_blocking(image, deadline):
    path = os.path.join(image.root, "etc/sysctl.d/10-fifo.conf")
    os.makedirs(os.path.dirname(path))
    os.mkfifo(path)
    deadline(5)
    with pytest.raises(RefusedFile) as raised:
        ConfinedRoot(image.root).read_bytes("/etc/sysctl.d/10-fifo.conf")
    assert raised.value.strerror == "a FIFO, not a regular file"


def test_a_fifo_swapped_in_after_the_check_is_refused_without_blocking(image, deadline, monkeypatch):
    """The lstat() said regular file; a FIFO replaced it before the open(): O_NONBLOCK and fstat() catch it."""
    path = os.path.join(image.root, "etc/10-swap.conf")
    with open(path, "wb") as stream:
        stream.write(b"x")
    real_open = os.open

    def swap_then_open(name, flags, *args, **kwargs):
        if name == "10-swap.conf":
            os.unlink(path)
            os.mkfifo(path)
        return real_open(name, flags, *args, **kwargs)
    monkeypatch.setattr(confined.os, "open", swap_then_open)
    deadline(5)
    with pytest.raises(RefusedFile):
        ConfinedRoot(image.root).read_bytes("/etc/10-swap.conf")


def test_a_socket_and_a_directory_are_refused(image):
    listener = socket.socket(socket.AF_UNIX)
    try:
        listener.bind(os.path.join(image.root, "etc/10-socket.conf"))
        with pytest.raises(RefusedFile, match="a socket, not a regular file"):
            ConfinedRoot(image.root).read_bytes("/etc/10-socket.conf")
    finally:
        listener.close()
    os.mkdir(os.path.join(image.root, "etc/x.conf"))
    with pytest.raises(RefusedFile, match="a directory, not a regular file"):
        ConfinedRoot(image.root).read_bytes("/etc/x.conf")


def test_a_device_is_refused_unopened(image, monkeypatch):
    """A link to a device node of the host (here /dev/zero with the root /) is never opened."""
    opened = []
    real_open = os.open
    monkeypatch.setattr(confined.os, "open", lambda name, *a, **k: opened.append(name) or real_open(name, *a, **k))
    with pytest.raises(RefusedFile, match="a character device"):
        ConfinedRoot("/").read_bytes("/dev/zero")
    assert "zero" not in opened


def test_a_sparse_2_gb_file_is_refused_from_its_size(image, deadline):
    path = image.in_root("etc/systemd/network/20-sparse.network", b"")
    os.truncate(path, 2 * 1024 ** 3)
    deadline(5)
    with pytest.raises(RefusedFile) as raised:
        ConfinedRoot(image.root).read_bytes("/etc/systemd/network/20-sparse.network")
    assert raised.value.errno == errno.EFBIG
    assert "2147483648 bytes, larger than the limit of %d bytes" % MAX_FILE_SIZE in raised.value.strerror


def test_a_50_mb_nul_file_is_refused_fast(image):
    image.in_root("etc/systemd/network/20-nul.network", b"\0" * (50 * 1024 * 1024))
    started = time.monotonic()
    with pytest.raises(RefusedFile):
        ConfinedRoot(image.root).read_bytes("/etc/systemd/network/20-nul.network")
    assert time.monotonic() - started < 0.5


def test_a_file_that_grows_past_the_limit_while_read_is_refused(image):
    """/proc files say size 0: the read itself stops one byte past the limit."""
    image.in_root("etc/big.conf", b"x" * 100)
    with pytest.raises(RefusedFile):
        ConfinedRoot(image.root).read_bytes("/etc/big.conf", limit=10)
    assert ConfinedRoot(image.root).read_bytes("/etc/big.conf", limit=100) == b"x" * 100


def test_the_live_root_reads_proc_through_its_symlinks():
    """With the root /, /proc/self is followed as the kernel would: the behaviour of a live host."""
    assert b"MemTotal" in ConfinedRoot("/").read_bytes("/proc/meminfo")
    assert ConfinedRoot("/").read_bytes("/proc/self/mountinfo")


def test_unlistable_directories_are_problems_not_silence(image, monkeypatch):
    real_listdir = os.listdir

    def denied(descriptor):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    monkeypatch.setattr(confined.os, "listdir", denied)
    fs = RootFileSystem(image.root)
    assert fs.list_dir("/etc/systemd/network") == []
    assert fs.list_dir("/nowhere") == []          # a missing directory is no problem
    monkeypatch.setattr(confined.os, "listdir", real_listdir)
    assert fs.problems() == ["/etc/systemd/network: directory cannot be read (Permission denied): the files in it "
                             "are not counted, so the prediction is incomplete"]


@pytest.mark.parametrize("target", ["/", "../../..", "../../../../..", "/etc/../../.."])
def test_make_directories_through_symlinks_stays_inside(image, target):
    image.symlink("etc/systemd/network/10-x.network.d", target)
    before = image.snapshot()
    created = ConfinedRoot(image.root).make_directories("/etc/systemd/network/10-x.network.d/sub/dir")
    assert created == ["/sub", "/sub/dir"]
    assert os.path.isdir(os.path.join(image.root, "sub/dir"))
    assert image.snapshot() == before


def test_make_directories_through_an_absolute_host_path_stays_inside(image):
    image.symlink("etc/systemd/network/10-x.network.d", image.outside + "/etc")
    before = image.snapshot()
    with pytest.raises(FileNotFoundError, match="a symlink on the way leads to a missing directory"):
        ConfinedRoot(image.root).make_directories("/etc/systemd/network/10-x.network.d/systemd")
    os.makedirs(os.path.join(image.root, image.outside.lstrip("/")))     # the image has that directory
    ConfinedRoot(image.root).make_directories("/etc/systemd/network/10-x.network.d/systemd")
    assert os.path.isdir(os.path.join(image.root, image.outside.lstrip("/"), "etc/systemd"))
    assert image.snapshot() == before
    assert open(os.path.join(image.outside, "etc/passwd"), "rb").read() == SENTINEL


def test_root_problems_name_the_root(tmp_path):
    assert root_problem(str(tmp_path / "missing")) == "root: %s does not exist" % (tmp_path / "missing")
    (tmp_path / "file").write_bytes(b"")
    assert root_problem(str(tmp_path / "file")) == "root: %s is not a directory (it is a regular file)" % (
        tmp_path / "file")
    assert root_problem(str(tmp_path)) is None


def test_descriptors_are_bounded(image, monkeypatch):
    monkeypatch.setattr(confined, "OPEN_DIRECTORIES", 4)
    for index in range(20):
        image.in_root("d%d/e/f/file" % index, b"%d" % index)
    root = ConfinedRoot(image.root)
    for index in range(20):
        assert root.read_bytes("/d%d/e/f/file" % index) == b"%d" % index
    assert len(root._open) <= 4     # pylint: disable=protected-access
