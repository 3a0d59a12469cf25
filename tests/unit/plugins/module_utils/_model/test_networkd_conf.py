# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""networkd.conf and its drop-ins (docs/internals/networkd-configuration.md, "networkd.conf and its drop-ins")."""

from __future__ import annotations

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem, Symlink
from ansible_collections.hostnet.networkd.plugins.module_utils._model.networkd_conf import changed_since_start, load_networkd_conf

MAIN = "/etc/systemd/networkd.conf"
DROPIN = "/etc/systemd/networkd.conf.d/50-main.conf"
HARDEN = b"[Network]\nIPv4Forwarding=no\n"


def load(files, version=257):
    return load_networkd_conf(MemoryFileSystem(files), version)


def test_main_file_then_dropins_last_assignment_wins():
    conf = load({MAIN: b"[Network]\nIPv4Forwarding=yes\n", DROPIN: HARDEN})
    assert conf.files == [MAIN, DROPIN]
    setting = conf.forwarding["ipv4"]
    assert (setting.value, setting.source.location) == (False, DROPIN + ":2")
    assert [a.location for a in setting.overridden] == [MAIN + ":2"]


def test_main_file_linked_to_a_dropin_is_read_only_as_the_dropin():
    conf = load({MAIN: Symlink("networkd.conf.d/50-main.conf"), DROPIN: HARDEN})
    assert conf.main_file is None
    assert conf.files == [DROPIN]
    assert conf.forwarding["ipv4"].overridden == []


def test_dropin_linked_to_the_main_file_is_read_only_as_the_dropin():
    conf = load({MAIN: HARDEN, DROPIN: Symlink("../networkd.conf")})
    assert conf.files == [DROPIN]
    assert conf.forwarding["ipv4"].source.location == DROPIN + ":2"


def test_no_other_main_file_is_tried_when_the_first_is_a_dropin():
    conf = load({MAIN: Symlink("networkd.conf.d/50-main.conf"), DROPIN: HARDEN,
                 "/usr/lib/systemd/networkd.conf": b"[Network]\nIPv4Forwarding=yes\n"})
    assert conf.files == [DROPIN]
    assert conf.forwarding["ipv4"].value is False


def test_before_255_a_linked_main_file_is_read_twice():
    conf = load({MAIN: Symlink("networkd.conf.d/50-main.conf"), DROPIN: HARDEN}, version=254)
    assert conf.files == [MAIN, DROPIN]


def test_linked_main_file_is_found_below_a_real_root(tmp_path):
    from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import RootFileSystem

    dropins = tmp_path / "etc/systemd/networkd.conf.d"
    dropins.mkdir(parents=True)
    (dropins / "50-main.conf").write_bytes(HARDEN)
    (tmp_path / "etc/systemd/networkd.conf").symlink_to("/etc/systemd/networkd.conf.d/50-main.conf")
    conf = load_networkd_conf(RootFileSystem(str(tmp_path)), 257)
    assert conf.files == [DROPIN]


# --------------------------------------------------------------------------- changed since networkd started

STARTED = 1796600123.0


def test_files_and_dropin_directories_changed_after_networkd_started_are_named():
    conf = load({MAIN: b"[Network]\n", DROPIN: HARDEN})
    mtimes = {MAIN: STARTED - 3600, DROPIN: STARTED + 60, "/etc/systemd/networkd.conf.d": STARTED + 60}
    assert changed_since_start(conf, 257, STARTED, mtimes.get) == [DROPIN, "/etc/systemd/networkd.conf.d"]


def test_a_removed_dropin_shows_in_its_directory():
    conf = load({MAIN: b"[Network]\n"})
    mtimes = {MAIN: STARTED - 3600, "/run/systemd/networkd.conf.d": STARTED + 5}
    assert changed_since_start(conf, 257, STARTED, mtimes.get) == ["/run/systemd/networkd.conf.d"]


def test_a_change_within_a_second_of_the_start_is_not_reported():
    """The start time is known to the clock tick and boot time to the second: a margin of one second."""
    conf = load({DROPIN: HARDEN})
    assert changed_since_start(conf, 257, STARTED, {DROPIN: STARTED + 0.9}.get) == []


def test_nothing_is_reported_before_256_or_without_a_start_time():
    conf = load({DROPIN: HARDEN}, version=255)
    assert changed_since_start(conf, 255, STARTED, {DROPIN: STARTED + 60}.get) == []
    assert changed_since_start(load({DROPIN: HARDEN}), 257, None, {DROPIN: STARTED + 60}.get) == []
