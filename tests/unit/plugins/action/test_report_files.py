# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_files: writes what differs, only below dest, nothing in check mode."""

from __future__ import annotations

import os
import stat
from unittest.mock import MagicMock

import pytest

from ansible.module_utils import _internal as module_utils_internal

# Importing the controller's code marks the process as the controller, and modules run in-process by the
# other unit tests would then send their warnings to the controller's display instead of their result.
# The flag is put back at once, and set only while these tests run.
_WAS_CONTROLLER = module_utils_internal.is_controller
from ansible.errors import AnsibleActionFail  # noqa: E402
from ansible_collections.hostnet.networkd.plugins.action.report_files import ActionModule  # noqa: E402
module_utils_internal.is_controller = _WAS_CONTROLLER


@pytest.fixture(autouse=True)
def controller(monkeypatch):
    monkeypatch.setattr(module_utils_internal, "is_controller", True)


def run(args, check_mode=False):
    task = MagicMock(args=args, async_val=0, check_mode=check_mode, action="hostnet.networkd.report_files")
    connection = MagicMock()
    connection._shell.tmpdir = None
    action = ActionModule(task, connection, MagicMock(), MagicMock(), MagicMock())
    return action.run(task_vars={})


def test_writes_files_and_directories(tmp_path):
    dest = tmp_path / "report"
    result = run({"dest": str(dest), "files": {"fleet.json": "{}\n", "evidence/h1.json": "[1]\n"}})
    assert result["changed"] is True
    assert result["dest"] == str(dest)
    assert result["written"] == [str(dest / "evidence" / "h1.json"), str(dest / "fleet.json")]
    assert (dest / "fleet.json").read_text() == "{}\n"
    assert (dest / "evidence" / "h1.json").read_text() == "[1]\n"
    assert stat.S_IMODE(os.stat(dest / "fleet.json").st_mode) == 0o644
    assert not [name for name in os.listdir(dest) if name.startswith(".")]


def test_rewrites_only_what_differs(tmp_path):
    files = {"a.md": "same\n", "b.md": "old\n"}
    run({"dest": str(tmp_path), "files": files})
    result = run({"dest": str(tmp_path), "files": dict(files, **{"b.md": "new\n"})})
    assert result["written"] == [str(tmp_path / "b.md")]
    assert (tmp_path / "b.md").read_text() == "new\n"
    assert run({"dest": str(tmp_path), "files": dict(files, **{"b.md": "new\n"})})["changed"] is False


def test_check_mode_writes_nothing(tmp_path):
    dest = tmp_path / "report"
    result = run({"dest": str(dest), "files": {"fleet.md": "# x\n"}}, check_mode=True)
    assert result["changed"] is True
    assert result["written"] == [str(dest / "fleet.md")]
    assert not dest.exists()


def test_mode(tmp_path):
    run({"dest": str(tmp_path), "files": {"private.json": "{}"}, "mode": "0600"})
    assert stat.S_IMODE(os.stat(tmp_path / "private.json").st_mode) == 0o600


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside.json", "evidence/../../outside.json"])
def test_refuses_names_outside_dest(tmp_path, name):
    with pytest.raises(AnsibleActionFail, match="not a path below dest"):
        run({"dest": str(tmp_path / "report"), "files": {name: "x"}})
    assert not (tmp_path / "outside.json").exists()


def test_refuses_a_bad_mode(tmp_path):
    with pytest.raises(AnsibleActionFail, match="not an octal mode"):
        run({"dest": str(tmp_path), "files": {"a": "x"}, "mode": "rw-r--r--"})


def test_msg_is_shown_at_every_verbosity_as_debug_shows_it(tmp_path):
    tables = {"web-1": ["systemd 257", "link  family"]}
    result = run({"dest": str(tmp_path), "files": {"a.md": "x\n"}, "msg": tables})
    assert result["msg"] == tables
    assert result["_ansible_verbose_always"] is True


def test_without_msg_the_result_is_shown_only_when_verbose(tmp_path):
    result = run({"dest": str(tmp_path), "files": {"a.md": "x\n"}})
    assert "msg" not in result and "_ansible_verbose_always" not in result
