# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When a path is as the role wants it, and the entries docker_host writes."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.files import (
    MISSING,
    FileState,
    as_wanted,
    change_entry,
    sha256,
    wanted_entry,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.render import (
    absent,
    wanted_directory,
    wanted_file,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._plan.fix import FileChange

WANTED = wanted_file("/etc/sysctl.d/90-x.conf", "net.ipv4.ip_forward = 1\n")
AS_WANTED = FileState("file", 0o644, 0, 0, sha256(WANTED.content))


def test_a_file_as_written_is_as_wanted():
    assert as_wanted(WANTED, AS_WANTED)


@pytest.mark.parametrize("drift", [{"mode": 0o600}, {"uid": 1000}, {"gid": 4}, {"sha256": sha256(b"x")},
                                   {"kind": "link"}])
def test_any_drift_of_a_file_needs_a_write(drift):
    assert not as_wanted(WANTED, AS_WANTED._replace(**drift))


def test_a_missing_file_needs_a_write_and_a_missing_path_is_absent():
    assert not as_wanted(WANTED, MISSING)
    assert as_wanted(absent(WANTED.path), MISSING)
    assert not as_wanted(absent(WANTED.path), AS_WANTED)


def test_a_directory_is_as_wanted_by_kind_owner_and_mode():
    directory = wanted_directory("/var/lib/x")
    assert as_wanted(directory, FileState("directory", 0o755, 0, 0))
    assert not as_wanted(directory, FileState("directory", 0o700, 0, 0))


def test_the_roles_file_is_written_root_owned_with_its_mode_and_text():
    assert wanted_entry(WANTED) == {"path": WANTED.path, "state": "file", "mode": "0644", "owner": "root",
                                    "group": "root", "content": "net.ipv4.ip_forward = 1\n"}


def test_bytes_that_are_not_utf8_travel_as_base64():
    entry = change_entry(FileChange("/etc/systemd/network/10-x.network", b"[Match]\n", b"# \xff\n[Match]\n"))
    assert "content" not in entry and base64.b64decode(entry["content_base64"]) == b"# \xff\n[Match]\n"


def test_an_edit_carries_the_digest_of_what_it_was_planned_from():
    edit = change_entry(FileChange("/etc/systemd/network/10-x.network", b"old", b"new"))
    assert edit == {"path": "/etc/systemd/network/10-x.network", "state": "file", "before_sha256": sha256(b"old"),
                    "content": "new"}
    assert change_entry(FileChange("/etc/x.conf", None, b"new"))["before_sha256"] == ""
    assert change_entry(FileChange("/etc/x.conf", b"old", None)) == {
        "path": "/etc/x.conf", "state": "absent", "before_sha256": sha256(b"old")}
