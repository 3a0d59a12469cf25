# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docker_host_info in-process, on a temporary root read as the live host; docker_host_apply writes its plan there."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host import disk
from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import RootFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.module_utils._model.host import HostView
from ansible_collections.hostnet.networkd.plugins.modules import docker_host_apply, docker_host_info
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._firewall.test_firewall import host
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.test_networkd_forwarding import LINKS, make_root

UPLINK = "etc/systemd/network/10-uplink0.network"
RUNNING = {"networkctl": "/usr/bin/networkctl", "load_state": "loaded", "active_state": "active",
           "sub_state": "running", "problem": None}
TREES = {
    "no forwarding key": {UPLINK: "[Match]\nName=uplink0\n\n[Network]\nDHCP=yes\n"},
    "IPForward= only, ignored from 256": {UPLINK: "[Match]\nName=uplink0\n\n[Network]\nIPForward=yes\n"},
    "turned off by a drop-in": {UPLINK: "[Match]\nName=uplink0\n\n[Network]\nIPv4Forwarding=yes\n",
                                UPLINK + ".d/90-harden.conf": "[Network]\nIPv4Forwarding=no\n"},
}


@pytest.fixture(autouse=True)
def lock(tmp_path, monkeypatch):
    """The writers' lock in the test's directory, not in /etc/systemd of the machine running the tests."""
    monkeypatch.setattr(disk, "LOCK", str(tmp_path / ".lock"))


@pytest.fixture
def live_host(monkeypatch):
    """Make the module read ``root`` as the live host: LINKS, forwarding 1 everywhere, networkd running."""
    def use(root, firewall=None, networkd=None):
        def read_host(module, fs, writes):
            links = [Link.from_dict(link) for link in LINKS]
            values = {"ipv4": dict({link.name: 1 for link in links}, all=1, default=1), "ipv6": {}}
            return HostView(version=257, fs=RootFileSystem(root), links=links, facts=HostFacts(hostname="lab"),
                            live_values=values, ip_forward=1), dict(RUNNING, **(networkd or {}))
        monkeypatch.setattr(docker_host_info, "read_host", read_host)
        monkeypatch.setattr(docker_host_info, "read_state", lambda path: disk.read_state(root + path))
        monkeypatch.setattr(docker_host_info, "read_firewall", lambda runner, which, read_text: firewall or host("trixie"))
    return use


def inside(root, entries):
    """The plan's entries with their paths inside ``root``, as docker_host_apply takes them."""
    return [dict(entry, path=root + entry["path"]) for entry in entries]


@pytest.mark.parametrize("tree", sorted(TREES))
def test_the_forwarding_edits_are_what_networkd_forwarding_would_write(capsys, tmp_path, live_host, tree):
    root = make_root(tmp_path, TREES[tree])
    live_host(root)
    code, info = run(capsys, module=docker_host_info, uplinks=["uplink0"])
    assert code == 0 and info["changed"] is False
    code, fix = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled", interfaces=["uplink0"],
                    scope="both", _ansible_check_mode=True)
    edits = {entry["path"] for entry in info["plan"]["files"] if "before_sha256" in entry}
    assert edits == {path for paths in fix["changes"].values() for path in paths} and edits


def test_a_host_with_the_plan_written_is_converged(capsys, tmp_path, live_host):
    root = make_root(tmp_path, TREES["no forwarding key"])
    live_host(root)
    code, first = run(capsys, module=docker_host_info, uplinks=["uplink0"])
    assert code == 0 and first["converged"] is False
    assert first["report"]["networkd_files"] == ["/etc/systemd/network/05-hostnet-container-links.network",
                                                 "/" + UPLINK, "/etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf"]
    code, written = run(capsys, module=docker_host_apply, files=inside(root, first["plan"]["files"] + first["plan"]["evidence"]))
    assert code == 0 and written["changed"] is True
    code, second = run(capsys, module=docker_host_info, uplinks=["uplink0"])
    assert second["plan"]["files"] == [] and second["problems"] == [] and second["verification"] == []
    # The evidence holds what the host reads: the sysctl file that now sets forwarding at boot.
    code, _written = run(capsys, module=docker_host_apply, files=inside(root, second["plan"]["evidence"]))
    code, third = run(capsys, module=docker_host_info, uplinks=["uplink0"])
    assert third["converged"] is True and third["report"]["converged"] is True


def test_problems_are_returned_or_with_fail_on_fail_the_task_all_at_once(capsys, tmp_path, live_host):
    live_host(make_root(tmp_path, TREES["no forwarding key"]), networkd={"problem": "systemd-networkd is masked."})
    code, info = run(capsys, module=docker_host_info, uplinks=["uplink0", "eth9", "ens*"])
    assert code == 0 and len(info["problems"]) == 2
    code, failed = run(capsys, module=docker_host_info, uplinks=["uplink0", "eth9"], fail_on=["problems"])
    assert code == 1
    assert failed["msg"] == ("systemd-networkd is masked. This role is for hosts whose network systemd-networkd "
                             "manages; nothing was changed. docker_host_network_uplinks: 'eth9' matches no link on "
                             "this host (links: uplink0, docker0).")
    assert "plan" not in failed


def test_drop_plans_what_forward_policy_would_change_and_predicts_the_path_closed(capsys, tmp_path, live_host):
    live_host(make_root(tmp_path, TREES["no forwarding key"]))
    code, audit = run(capsys, module=docker_host_info, uplinks=["uplink0"])
    assert audit["report"]["forward_policy"]["changes"] == []
    assert audit["report"]["forward_policy"]["verdict"]["ipv4"]["open_router"] is True
    code, drop = run(capsys, module=docker_host_info, uplinks=["uplink0"], forward_policy="drop")
    assert drop["report"]["forward_policy"]["changes"][0].startswith("iptables-nft (IPv4): FORWARD policy ACCEPT -> DROP")
    assert drop["report"]["forward_policy"]["verdict"]["ipv4"]["dropped"] is True and drop["problems"] == []


def test_a_firewall_forward_policy_cannot_change_is_a_problem(capsys, tmp_path, live_host):
    live_host(make_root(tmp_path, TREES["no forwarding key"]),
              firewall=host("trixie", nft="docker-nftables.json", iptables_nft=(None, None)))
    code, info = run(capsys, module=docker_host_info, uplinks=["uplink0"], forward_policy="drop")
    assert code == 0
    assert [p for p in info["problems"] if "Docker uses its nftables firewall backend for IPv4" in p]


def test_fail_on_verification_names_what_keeps_the_host_from_forwarding(capsys, tmp_path, live_host):
    live_host(make_root(tmp_path, TREES["no forwarding key"]))
    code, info = run(capsys, module=docker_host_info, uplinks=["uplink0"], fail_on=["problems"])
    assert code == 0 and info["verification"]
    code, failed = run(capsys, module=docker_host_info, uplinks=["uplink0"], fail_on=["problems", "verification"])
    assert code == 1 and failed["msg"] == " ".join(info["verification"])
    assert failed["msg"].startswith("uplink0 ipv4 forwarding: now 1, after reconfigure None, after a networkd restart")
