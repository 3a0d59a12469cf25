# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docker_host_state in-process: it must answer exactly what networkd_forwarding and forward_policy would."""

from __future__ import annotations

import hashlib
import os

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._model.host import HostView
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import RootFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.modules import docker_host_state
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._firewall.test_firewall import host
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.test_networkd_forwarding import LINKS, make_root

UPLINK = "etc/systemd/network/10-uplink0.network"
CONTAINER_LINKS = "etc/systemd/network/05-hostnet-container-links.network"
CONTAINER_LINK_EXAMPLES = [{"name": "veth0123abc", "type": "ether", "kind": "veth", "driver": "veth"}]
RUNNING = {"networkctl": "/usr/bin/networkctl", "load_state": "loaded", "active_state": "active",
           "sub_state": "running", "problem": None}
TREES = {
    "no forwarding key": {UPLINK: "[Match]\nName=uplink0\n\n[Network]\nDHCP=yes\n"},
    "IPForward= only, ignored from 256": {UPLINK: "[Match]\nName=uplink0\n\n[Network]\nIPForward=yes\n"},
    "converged": {UPLINK: "[Match]\nName=uplink0\n\n[Network]\nIPv4Forwarding=yes\n",
                  "etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf": "[Network]\nIPv4Forwarding=yes\n"},
    "turned off by a drop-in": {UPLINK: "[Match]\nName=uplink0\n\n[Network]\nIPv4Forwarding=yes\n",
                                UPLINK + ".d/90-harden.conf": "[Network]\nIPv4Forwarding=no\n"},
}


@pytest.fixture
def live_host(monkeypatch):
    """Make the module read ``root`` as the live host: LINKS, forwarding 1 everywhere, networkd running."""
    def use(root, firewall=None):
        def read_host(module, fs, writes):
            links = [Link.from_dict(link) for link in LINKS]
            values = {"ipv4": dict({link.name: 1 for link in links}, all=1, default=1), "ipv6": {}}
            return HostView(version=257, fs=RootFileSystem(root), links=links, facts=HostFacts(),
                            live_values=values, ip_forward=1), dict(RUNNING)
        monkeypatch.setattr(docker_host_state, "read_host", read_host)
        monkeypatch.setattr(docker_host_state, "read_firewall", lambda runner, which, read_text: firewall or host("trixie"))
    return use


@pytest.mark.parametrize("tree", sorted(TREES))
@pytest.mark.parametrize("scope", ["link", "both"])
def test_forwarding_changes_are_what_networkd_forwarding_would_write(capsys, tmp_path, live_host, tree, scope):
    root = make_root(tmp_path, TREES[tree])
    live_host(root)
    code, state = run(capsys, module=docker_host_state, interfaces=["uplink0"], scope=scope)
    assert code == 0 and state["changed"] is False
    code, fix = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled", interfaces=["uplink0"],
                    scope=scope, _ansible_check_mode=True)
    assert code == 0
    # networkd_forwarding reports paths inside its root; docker_host_state reads / itself.
    assert state["forwarding_changes"] == {action: [path.replace(root, "", 1) if path.startswith(root) else path
                                                    for path in paths] for action, paths in fix["changes"].items()}
    assert bool(fix["changed"]) == (tree != "converged")


def test_audits_the_uplinks_every_link_and_the_links_docker_will_create(capsys, tmp_path, live_host):
    root = make_root(tmp_path, dict(TREES["converged"], **{CONTAINER_LINKS: "[Match]\nName=docker0 veth*\n\n[Link]\nUnmanaged=yes\n"}))
    live_host(root)
    code, state = run(capsys, module=docker_host_state, interfaces=["uplink0"], container_links=CONTAINER_LINK_EXAMPLES)
    assert code == 0
    assert [link["name"] for link in state["audit"]["links"]] == ["uplink0"]
    assert state["audit"]["networkd"]["problem"] is None
    assert state["audit"]["syntax"] == "modern"
    assert [entry["key"] for entry in state["audit"]["evidence"]["forwarding"]][:1] == ["net.ipv4.ip_forward"]
    assert {link["name"]: link["unmanaged"] for link in state["all_links"]} == {"uplink0": False, "docker0": True}
    assert [(link["name"], link["network_file"], link["unmanaged"]) for link in state["container_links"]] == [
        ("veth0123abc", "/" + CONTAINER_LINKS, True)]
    assert state["container_links"][0]["ipv4"]["live"] is None


def test_an_unknown_uplink_fails_as_networkd_forwarding_does(capsys, tmp_path, live_host):
    live_host(make_root(tmp_path, TREES["converged"]))
    code, state = run(capsys, module=docker_host_state, interfaces=["eth9"])
    assert code == 1
    assert state["msg"] == ("interfaces: 'eth9' matches no link on this host (links: uplink0, docker0); a glob may match none, "
                            "a name must match one (or set missing_interfaces=ignore)")


def test_describes_files_directories_links_and_missing_paths(capsys, tmp_path, live_host):
    live_host(make_root(tmp_path, TREES["converged"]))
    regular = tmp_path / "sysctl.conf"
    regular.write_bytes(b"net.ipv4.ip_forward = 1\n")
    os.chmod(regular, 0o600)
    (tmp_path / "masked.network").symlink_to("/dev/null")
    paths = [str(regular), str(tmp_path / "etc"), str(tmp_path / "masked.network"), str(tmp_path / "missing")]
    code, state = run(capsys, module=docker_host_state, interfaces=["uplink0"], files=paths)
    assert code == 0
    assert state["files"][paths[0]] == {"exists": True, "type": "file", "mode": "0600", "owner": "root", "group": "root",
                                        "sha256": hashlib.sha256(b"net.ipv4.ip_forward = 1\n").hexdigest()}
    assert state["files"][paths[1]]["type"] == "directory" and "sha256" not in state["files"][paths[1]]
    assert state["files"][paths[2]]["type"] == "link"
    assert state["files"][paths[3]] == {"exists": False}


def test_firewall_is_what_forward_policy_reports_in_check_mode(capsys, tmp_path, live_host):
    live_host(make_root(tmp_path, TREES["converged"]))
    code, audit = run(capsys, module=docker_host_state, interfaces=["uplink0"])
    assert audit["firewall"]["changed"] is False and audit["firewall"]["changes"] == []
    assert audit["firewall"]["verdict"]["ipv4"]["open_router"]
    code, drop = run(capsys, module=docker_host_state, interfaces=["uplink0"], forward_policy="drop")
    assert code == 0 and drop["firewall"]["changed"] is True
    assert drop["firewall"]["changes"][0].startswith("iptables-nft (IPv4): FORWARD policy ACCEPT -> DROP")


def test_a_firewall_it_cannot_change_is_reported_not_raised(capsys, tmp_path, live_host):
    live_host(make_root(tmp_path, TREES["converged"]),
              firewall=host("trixie", nft="docker-nftables.json", iptables_nft=(None, None)))
    code, state = run(capsys, module=docker_host_state, interfaces=["uplink0"], forward_policy="drop")
    assert code == 0
    assert "Docker uses its nftables firewall backend for IPv4" in state["firewall"]["error"]
    assert state["firewall"]["changed"] is False
