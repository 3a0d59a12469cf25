# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RootFileSystem: symlinks are followed inside the root, as systemd in a chroot would."""

from __future__ import annotations

import errno
import os

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import RootFileSystem

NETWORK = "/etc/systemd/network"


@pytest.fixture
def image(tmp_path):
    """A small image: vendor files in /usr/lib, links of every kind in /etc."""
    (tmp_path / "usr/lib/systemd/network").mkdir(parents=True)
    (tmp_path / "usr/lib/systemd/network/10-vendor.network").write_bytes(b"[Match]\nName=eth0\n")
    (tmp_path / "etc/systemd/network").mkdir(parents=True)
    etc = tmp_path / "etc/systemd/network"
    os.symlink("/dev/null", str(etc / "20-masked.network"))
    os.symlink("/usr/lib/systemd/network/10-vendor.network", str(etc / "30-absolute.network"))
    os.symlink("../../../usr/lib/systemd/network/10-vendor.network", str(etc / "40-relative.network"))
    os.symlink("/nowhere", str(etc / "50-dangling.network"))
    os.symlink("60-loop.network", str(etc / "60-loop.network"))
    (etc / "70-empty.network").write_bytes(b"")
    os.symlink("/usr/lib/systemd/network", str(tmp_path / "etc/systemd/vendor"))
    return RootFileSystem(str(tmp_path))


def test_absolute_symlinks_resolve_inside_the_root(image):
    # On the machine running the test, /usr/lib/systemd/network/10-vendor.network does not exist.
    assert image.read_bytes(NETWORK + "/30-absolute.network") == b"[Match]\nName=eth0\n"
    assert image.is_file(NETWORK + "/30-absolute.network")


def test_relative_symlinks_and_symlinked_directories_resolve(image):
    assert image.read_bytes(NETWORK + "/40-relative.network") == b"[Match]\nName=eth0\n"
    assert image.list_dir("/etc/systemd/vendor") == ["10-vendor.network"]
    assert image.read_bytes("/etc/systemd/vendor/10-vendor.network") == b"[Match]\nName=eth0\n"


def test_masks_are_a_link_to_dev_null_or_an_empty_file(image):
    assert image.is_masked(NETWORK + "/20-masked.network")
    assert image.is_file(NETWORK + "/20-masked.network")
    assert image.is_masked(NETWORK + "/70-empty.network")
    assert not image.is_masked(NETWORK + "/30-absolute.network")


def test_dangling_and_looping_links_are_not_files(image):
    assert not image.is_file(NETWORK + "/50-dangling.network")
    assert not image.is_file(NETWORK + "/60-loop.network")
    with pytest.raises(OSError):
        image.read_bytes(NETWORK + "/60-loop.network")


def test_missing_directories_list_as_empty(image):
    assert image.list_dir("/run/systemd/network") == []
    assert not image.is_dir("/run/systemd/network")
    assert image.is_dir(NETWORK)


def test_host_paths_stay_below_the_root(image):
    assert image.host_path(NETWORK + "/10-x.network") == os.path.join(image.root, "etc/systemd/network/10-x.network")


def test_a_file_swapped_after_the_view_looked_at_it_is_read_safely_or_refused(image, tmp_path):
    """The view resolves each path once and reads it later: what is there by then is opened as any read opens it."""
    path = NETWORK + "/80-swapped.network"
    real = tmp_path / path.lstrip("/")
    real.write_bytes(b"[Match]\nName=eth0\n")
    assert image.is_file(path)
    real.unlink()
    os.mkfifo(str(real))
    with pytest.raises(OSError, match="a FIFO, not a regular file"):
        image.read_bytes(path)         # O_NONBLOCK and fstat(): no hang
    real.unlink()
    os.symlink("/etc/passwd", str(real))
    with pytest.raises(OSError) as raised:
        image.read_bytes(path)         # O_NOFOLLOW: never the host's /etc/passwd
    assert raised.value.errno == errno.ELOOP
    real.unlink()
    real.write_bytes(b"[Match]\nName=eth1\n")
    assert image.read_bytes(path) == b"[Match]\nName=eth1\n"
