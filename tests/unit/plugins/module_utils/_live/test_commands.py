# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read-only runner: run_command's answers without its fork, and the modules read through it."""

from __future__ import annotations

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostnet.networkd.plugins.module_utils._ansible import host as host_reading
from ansible_collections.hostnet.networkd.plugins.module_utils._live.commands import run_read_only
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run


def test_returns_the_exit_code_and_both_streams_as_text():
    assert run_read_only(["sh", "-c", "echo out; echo err >&2; exit 3"]) == (3, "out\n", "err\n")


def test_programs_run_in_the_c_locale_without_colours(monkeypatch):
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    monkeypatch.setenv("SYSTEMD_COLORS", "1")
    assert run_read_only(["sh", "-c", 'echo "$LC_ALL $SYSTEMD_COLORS"'])[1] == "C 0\n"


def test_stdin_is_empty_so_a_program_that_reads_it_cannot_wait():
    assert run_read_only(["cat"]) == (0, "", "")


def test_bytes_that_are_not_utf8_survive_as_surrogates():
    rc, out, _err = run_read_only(["printf", "eth\\377\\n"])
    assert rc == 0 and out == "eth\udcff\n"


def test_a_program_that_cannot_start_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        run_read_only([str(tmp_path / "missing")])


def test_an_audit_of_the_live_host_reads_nothing_through_run_command(capsys, monkeypatch):
    """The live reads must not go back to run_command, which forks the whole module (commands.py)."""
    through_run_command = []
    ran = []
    original = host_reading.read_live_state

    def record(runner, which):
        ran.append(runner)
        return original(runner, which)
    monkeypatch.setattr(AnsibleModule, "run_command",
                        lambda module, args, **kwargs: through_run_command.append(args) or (0, "", ""))
    monkeypatch.setattr(host_reading, "read_live_state", record)
    code, result = run(capsys, state="audit", systemd_version=257)
    assert code == 0, result.get("msg")
    assert ran == [run_read_only] and through_run_command == []
