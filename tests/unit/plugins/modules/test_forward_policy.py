# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""forward_policy in-process: the host is a sequence of lab captures, every command is recorded."""

from __future__ import annotations

import errno
import os

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostnet.networkd.plugins.module_utils._files import changeset
from ansible_collections.hostnet.networkd.plugins.module_utils._firewall import model as firewall
from ansible_collections.hostnet.networkd.plugins.module_utils._firewall.model import unit_text
from ansible_collections.hostnet.networkd.plugins.modules import forward_policy
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._firewall.test_firewall import host
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run

DROPPED = dict(nft="nftconf-docker-drop.json",
               iptables_nft=("nftconf-docker-drop-iptables-nft-S", "nftconf-docker-drop-ip6tables-nft-S"))
UNIT = unit_text([["/usr/sbin/iptables", "-w", "10", "-P", "FORWARD", "DROP"],
                  ["/usr/sbin/ip6tables", "-w", "10", "-P", "FORWARD", "DROP"]])


class FakeHost:
    """Observations in turn (before, after the change), and the commands the module runs."""

    def __init__(self, monkeypatch, tmp_path, observations, fail=None):
        self.observations = list(observations)
        self.ran = []
        self.fail = fail
        self.unit = tmp_path / "hostnet-forward-policy.service"
        monkeypatch.setattr(forward_policy, "UNIT_PATH", str(self.unit))
        monkeypatch.setattr(firewall, "UNIT_PATH", str(self.unit))   # describe_plan's diff header
        monkeypatch.setattr(forward_policy, "read_firewall", self.read)
        monkeypatch.setattr(AnsibleModule, "run_command", self.run_command)
        monkeypatch.setattr(AnsibleModule, "get_bin_path", lambda module, name, *args, **kwargs: "/usr/bin/" + name)

    def read(self, runner, which, read_text):
        return self.observations.pop(0) if len(self.observations) > 1 else self.observations[0]

    def run_command(self, argv, **kwargs):
        self.ran.append(" ".join(argv))
        if self.fail and self.fail in " ".join(argv):
            return 4, "", "iptables v1.8.11 (nf_tables): Could not fetch rule set generation id: Permission denied"
        return 0, "", ""


def test_audit_changes_nothing_and_reports_the_open_router(capsys, monkeypatch, tmp_path):
    fake = FakeHost(monkeypatch, tmp_path, [host("trixie")])
    code, result = run(capsys, module=forward_policy)
    assert code == 0 and not result["changed"] and fake.ran == []
    assert result["verdict"]["ipv4"]["open_router"]
    assert result["changes"] == []


def test_check_mode_predicts_the_drop_and_runs_nothing(capsys, monkeypatch, tmp_path):
    fake = FakeHost(monkeypatch, tmp_path, [host("trixie")])
    code, result = run(capsys, module=forward_policy, state="drop", family="both", _ansible_check_mode=True,
                       _ansible_diff=True)
    assert code == 0 and result["changed"]
    assert fake.ran == [] and not fake.unit.exists()
    assert result["verdict"]["ipv4"]["dropped_by"] == ["ip filter FORWARD (iptables-nft)"]
    assert result["verdict"]["ipv6"]["dropped_by"] == ["ip6 filter FORWARD (iptables-nft)"]
    assert result["persistence"]["enabled"] == "enabled"
    assert [d["before_header"] for d in result["diff"]] == [
        "iptables-nft FORWARD policy (IPv4)", "iptables-nft FORWARD policy (IPv6)", str(fake.unit)]
    assert (result["diff"][0]["before"], result["diff"][0]["after"]) == ("ACCEPT\n", "DROP\n")


def test_drop_sets_the_policy_then_writes_enables_and_starts_the_unit(capsys, monkeypatch, tmp_path):
    after = host("trixie", unit=UNIT, enabled="enabled", active="active", **DROPPED)
    fake = FakeHost(monkeypatch, tmp_path, [host("trixie"), after])
    code, result = run(capsys, module=forward_policy, state="drop", family="both")
    assert code == 0 and result["changed"]
    assert fake.ran == [
        "/usr/sbin/iptables -w 10 -P FORWARD DROP",
        "/usr/sbin/ip6tables -w 10 -P FORWARD DROP",
        "/usr/bin/systemctl daemon-reload",
        "/usr/bin/systemctl enable hostnet-forward-policy.service",
        "/usr/bin/systemctl start hostnet-forward-policy.service",
    ]
    assert fake.unit.read_text() == UNIT
    assert oct(fake.unit.stat().st_mode & 0o777) == "0o644"
    assert result["verdict"]["ipv4"]["dropped"] and not result["verdict"]["ipv4"]["open_router"]


def test_drop_again_changes_nothing(capsys, monkeypatch, tmp_path):
    fake = FakeHost(monkeypatch, tmp_path, [host("trixie", unit=UNIT, enabled="enabled", active="active", **DROPPED)])
    code, result = run(capsys, module=forward_policy, state="drop", family="both")
    assert code == 0 and not result["changed"] and fake.ran == []


def test_a_failing_command_is_named_with_its_error_and_what_was_done(capsys, monkeypatch, tmp_path):
    fake = FakeHost(monkeypatch, tmp_path, [host("trixie")], fail="ip6tables")
    code, result = run(capsys, module=forward_policy, state="drop", family="both")
    assert code == 1
    assert result["msg"] == ("`/usr/sbin/ip6tables -w 10 -P FORWARD DROP` failed (rc 4): iptables v1.8.11 (nf_tables): "
                             "Could not fetch rule set generation id: Permission denied; done before it: "
                             "/usr/sbin/iptables -w 10 -P FORWARD DROP")
    assert not fake.unit.exists()


def test_a_full_disk_leaves_no_unit_and_no_temporary_file(capsys, monkeypatch, tmp_path):
    fake = FakeHost(monkeypatch, tmp_path, [host("trixie")])

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(changeset.os, "fsync", full)
    code, result = run(capsys, module=forward_policy, state="drop", family="both")
    assert code == 1
    assert result["msg"] == ("could not write %s: No space left on device; no file was changed; done before it: "
                             "/usr/sbin/iptables -w 10 -P FORWARD DROP; /usr/sbin/ip6tables -w 10 -P FORWARD DROP"
                             % fake.unit)
    assert os.listdir(str(tmp_path)) == []


def test_refusal_changes_nothing(capsys, monkeypatch, tmp_path):
    fake = FakeHost(monkeypatch, tmp_path, [host("trixie", nft="docker-nftables.json", iptables_nft=(None, None))])
    code, result = run(capsys, module=forward_policy, state="drop", family="both")
    assert code == 1 and fake.ran == []
    assert result["msg"].startswith("Docker uses its nftables firewall backend for IPv4")
    assert result["docker"]["backends"]["ipv4"] == ["nftables"]


@pytest.mark.parametrize("family, code", [("ipv4", 1), ("ipv6", 0)])
def test_fail_on_open_router_checks_the_families_asked_for(capsys, monkeypatch, tmp_path, family, code):
    FakeHost(monkeypatch, tmp_path, [host("trixie", forwarding=(1, 0))])
    found, result = run(capsys, module=forward_policy, family=family, fail_on_open_router=True)
    assert found == code
    if code:
        assert result["msg"].startswith("the host routes between all of its interfaces for IPv4: ")


def test_drop_covers_ipv4_unless_told_otherwise(capsys, monkeypatch, tmp_path):
    """The same default as networkd_forwarding and the role: IPv4 only."""
    fake = FakeHost(monkeypatch, tmp_path, [host("trixie")])
    code, result = run(capsys, module=forward_policy, state="drop", _ansible_check_mode=True)
    assert code == 0 and result["changed"]
    assert result["verdict"]["ipv4"]["dropped_by"] == ["ip filter FORWARD (iptables-nft)"]
    assert result["verdict"]["ipv6"]["dropped_by"] == []
    assert fake.ran == []
