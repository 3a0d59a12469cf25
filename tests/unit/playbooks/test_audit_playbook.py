# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/audit.yml: one task per host, and the tables and report built from every result at once."""

from __future__ import annotations

import os

import pytest

from ansible.module_utils import _internal as module_utils_internal

# Importing the controller's code marks the process as the controller (see test_report_files.py).
_WAS_CONTROLLER = module_utils_internal.is_controller
from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.template import Templar  # noqa: E402
module_utils_internal.is_controller = _WAS_CONTROLLER

PLAYBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "..", "playbooks", "audit.yml")
MODULE = "hostnet.networkd.networkd_forwarding"


@pytest.fixture(autouse=True)
def controller(monkeypatch):
    monkeypatch.setattr(module_utils_internal, "is_controller", True)


def load_play():
    return DataLoader().load_from_file(PLAYBOOK, trusted_as_template=True)[0]


def test_the_module_is_the_only_task_that_runs_on_every_host():
    for each in load_play()["tasks"]:
        assert MODULE in each or each.get("run_once") is True, each["name"]


def test_one_task_writes_the_report_and_shows_the_tables():
    tasks = load_play()["tasks"]
    assert [MODULE in each for each in tasks] == [True, False]


def test_the_tables_and_the_report_come_from_every_result_in_the_asked_family():
    play = load_play()
    report = next(task for task in play["tasks"] if "hostnet.networkd.report_files" in task)["hostnet.networkd.report_files"]
    results = {"web-1": {"links": []}, "web-2": {"links": []}}
    variables = dict(play["vars"], ansible_play_hosts=list(results), hostnet_audit_family="both",
                     hostvars={host: {"hostnet_audit_result": value} for host, value in results.items()})
    calls = []
    templar = Templar(loader=DataLoader(), variables=variables)
    templar.environment.filters["hostnet.networkd.audit_tables"] = lambda *args: calls.append(("tables",) + args) or {}
    templar.environment.filters["hostnet.networkd.audit_report"] = lambda *args: calls.append(("report",) + args) or {}
    templar.template(report["msg"])
    templar.template(report["files"])
    assert calls == [("tables", results, "both"), ("report", results, "both")]


def test_the_module_never_fails_a_host_before_the_report_is_written():
    audit = next(task for task in load_play()["tasks"] if MODULE in task)[MODULE]
    assert "fail_on_risk" not in audit


def test_a_second_play_fails_the_hosts_at_risk_only_when_asked():
    plays = DataLoader().load_from_file(PLAYBOOK, trusted_as_template=True)
    assert len(plays) == 2
    second = plays[1]
    for asked, hosts in ((True, "web"), (False, "localhost:!localhost")):
        templar = Templar(loader=DataLoader(), variables=dict(hostnet_audit_fail_on_risk=asked, hostnet_audit_hosts="web"))
        assert templar.template(second["hosts"]) == hosts
    task = second["tasks"][0]
    templar = Templar(loader=DataLoader(), variables=dict(hostnet_audit_result={"at_risk": ["uplink0", "global ipv4"]}))
    assert templar.template(task["ansible.builtin.fail"]["msg"]) == "forwarding at risk on: uplink0, global ipv4"
    assert templar.evaluate_conditional(task["when"]) is True
    templar = Templar(loader=DataLoader(), variables=dict(hostnet_audit_result={"at_risk": []}))
    assert templar.evaluate_conditional(task["when"]) is False
