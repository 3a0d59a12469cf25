# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The procps-ng release that `sysctl --system` runs: from the program, or from the package database below a root."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.procps import (
    installed_procps_version,
    parse_procps_version,
)

DPKG_STATUS = b"""Package: procps-extra
Status: install ok installed
Version: 9.9.9

Package: procps
Status: install ok installed
Priority: important
Version: 2:4.0.4-9
Description: /proc file system utilities

Package: systemd
Status: install ok installed
Version: 257.13-1~deb13u1
"""


@pytest.mark.parametrize("text, version", [
    ("sysctl from procps-ng 4.0.4\n", (4, 0, 4)),        # Debian 13 (measured)
    ("sysctl from procps-ng 3.3.17\n", (3, 3, 17)),      # Debian 11 (measured)
    ("sysctl (procps version 3.2.8)\n", (3, 2, 8)),
    ("sysctl: unrecognized option '--version'\nBusyBox v1.36.1 multi-call binary.\n", None),
    ("", None),
])
def test_sysctl_version_output_is_parsed(text, version):
    assert parse_procps_version(text) == version


def test_dpkg_status_names_the_installed_procps():
    found = installed_procps_version(MemoryFileSystem({"/var/lib/dpkg/status": DPKG_STATUS}))
    assert found.version == (4, 0, 4)
    assert found.source == "/var/lib/dpkg/status (procps 2:4.0.4-9)"


def test_dpkg_status_of_a_removed_procps_is_not_an_answer():
    status = DPKG_STATUS.replace(b"Status: install ok installed\nPriority", b"Status: deinstall ok config-files\nPriority")
    assert installed_procps_version(MemoryFileSystem({"/var/lib/dpkg/status": status})) is None


def test_pacman_database_names_the_installed_procps_ng():
    fs = MemoryFileSystem({"/var/lib/pacman/local/procps-ng-4.0.5-1/desc": b"%NAME%\nprocps-ng\n",
                           "/var/lib/pacman/local/procps-ng-extra-1.0-1/desc": b"%NAME%\nprocps-ng-extra\n"})
    found = installed_procps_version(fs)
    assert found.version == (4, 0, 5)
    assert found.source == "/var/lib/pacman/local/procps-ng-4.0.5-1"


def test_no_package_database_is_no_answer():
    assert installed_procps_version(MemoryFileSystem({"/var/lib/rpm/rpmdb.sqlite": b"SQLite format 3\0"})) is None
