# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's plan for a host in memory: what it writes, when the host is converged, what stops it."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.files import FileState, sha256
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.plan import (
    HostReading,
    plan_docker_host,
    resolve_uplinks,
    role_paths,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.settings import Settings
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils.hosts import (
    DOCKER_HOST_LINKS,
    UPLINK,
    host,
    network,
)

NETWORK = "/etc/systemd/network/"
UPLINK_FILE = NETWORK + "10-uplink.network"
CONTAINER_FILE = NETWORK + "05-hostnet-container-links.network"
SYSCTL_FILE = "/etc/sysctl.d/90-hostnet-forwarding.conf"
CONF_DROPIN = "/etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf"
EVIDENCE = "/var/lib/hostnet-networkd/evidence.json"
OFF = {"ipv4": {"all": 0, "default": 0, "uplink0": 0, "docker0": 0, "veth1a2b": 0}}
ON = {"ipv4": {"all": 1, "default": 1, "uplink0": 1, "docker0": 1, "veth1a2b": 1}}
RUNNING = {"problem": None}


class Host:
    """A host in memory that the tests let the role converge: files, their states, live values."""

    def __init__(self, files, version=257, live=None, links=None, ip_forward=None):
        self.files = {path: content.encode() if isinstance(content, str) else content for path, content in files.items()}
        self.states = {path: FileState("file", 0o644, 0, 0, sha256(content)) for path, content in self.files.items()}
        self.version = version
        self.live = live or OFF
        self.links = links or DOCKER_HOST_LINKS
        self.ip_forward = ip_forward if ip_forward is not None else self.live["ipv4"]["all"]

    def plan(self, settings, firewall=None, **reading):
        view = host(self.files, self.version, self.links, self.live)
        view.ip_forward = self.ip_forward
        return plan_docker_host(settings, HostReading(view=view, networkd=reading.pop("networkd", RUNNING),
                                                      file_states=self.states, firewall=firewall, **reading))

    def write(self, entries):
        """What docker_host does with the plan's entries (networkd applying them: every live value 1)."""
        for entry in entries:
            path = entry["path"]
            if entry["state"] == "absent":
                self.files.pop(path, None)
                self.states.pop(path, None)
            elif entry["state"] == "directory":
                self.states[path] = FileState("directory", 0o755, 0, 0)
            else:
                content = (base64.b64decode(entry["content_base64"]) if "content_base64" in entry
                           else entry["content"].encode())
                self.files[path] = content
                self.states[path] = FileState("file", int(entry.get("mode", "0644"), 8), 0, 0, sha256(content))
        self.live = ON
        self.ip_forward = 1

    def converge(self, settings, rounds=3):
        """Plan and write until nothing is left to write; returns the last plan."""
        for _round in range(rounds):
            result = self.plan(settings)
            assert result["problems"] == []
            if not result["plan"]["files"] + result["plan"]["evidence"]:
                return result
            self.write(result["plan"]["files"] + result["plan"]["evidence"])
        return self.plan(settings)


SETTINGS = Settings(uplinks=("uplink0",))
BROKEN = {UPLINK_FILE: network(network="Address=192.0.2.1/24")}


@pytest.mark.parametrize("version", [247, 252, 257])
def test_a_host_the_plan_was_written_to_is_converged(version):
    result = Host(BROKEN, version).converge(SETTINGS)
    assert result["converged"] is True
    assert result["verification"] == [] and result["plan"]["sysctls"] == []
    assert result["report"]["networkd_action"] == "none" and result["report"]["converged"] is True


def test_a_broken_host_gets_the_roles_files_the_forwarding_key_and_the_live_values():
    result = Host(BROKEN, 257).plan(SETTINGS)
    assert result["converged"] is False
    written = {entry["path"]: entry for entry in result["plan"]["files"]}
    assert sorted(written) == sorted([UPLINK_FILE, CONTAINER_FILE, SYSCTL_FILE, CONF_DROPIN])
    assert written[UPLINK_FILE]["content"].endswith("IPv4Forwarding=yes\n")
    assert written[UPLINK_FILE]["before_sha256"] == sha256(BROKEN[UPLINK_FILE])
    assert result["plan"]["sysctls"] == ["net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding",
                                         "net.ipv4.conf.default.forwarding", "net.ipv4.conf.uplink0.forwarding"]
    assert result["report"]["networkd_files"] == [CONTAINER_FILE, UPLINK_FILE, CONF_DROPIN]
    assert result["report"]["sysctl_files"] == [SYSCTL_FILE]


def test_networkd_conf_d_changed_means_a_restart():
    result = Host(BROKEN, 257).plan(SETTINGS)
    assert (result["plan"]["networkd_action"], result["plan"]["reconfigure_links"]) == ("restart", [])


def test_before_256_a_reload_reconfigures_the_links_whose_files_changed():
    result = Host(BROKEN, 252).plan(SETTINGS)
    assert CONF_DROPIN not in [entry["path"] for entry in result["plan"]["files"]]
    assert (result["plan"]["networkd_action"], result["plan"]["reconfigure_links"]) == ("reload", ["uplink0"])


def test_a_replaced_definition_reconfigures_its_link_and_restart_networkd_forces_a_restart():
    settings = Settings(uplinks=("uplink0",), networks=(
        {"name": "10-uplink", "state": "absent"},
        {"name": "20-hostnet-uplink", "match": {"Name": "uplink0"}, "network": {"Address": "192.0.2.1/24"}}))
    result = Host(BROKEN, 252).plan(settings)
    entries = {entry["path"]: entry["state"] for entry in result["plan"]["files"]}
    assert entries[UPLINK_FILE] == "absent" and "IPForward=ipv4" in next(
        e["content"] for e in result["plan"]["files"] if e["path"] == NETWORK + "20-hostnet-uplink.network")
    assert result["plan"]["reconfigure_links"] == ["uplink0"]
    restarted = Host(BROKEN, 252).plan(settings._replace(restart_networkd=True))
    assert restarted["plan"]["networkd_action"] == "restart"


def test_drift_of_mode_alone_is_planned():
    target = Host(BROKEN, 257)
    target.converge(SETTINGS)
    target.states[CONTAINER_FILE] = target.states[CONTAINER_FILE]._replace(mode=0o600)
    result = target.plan(SETTINGS)
    assert [entry["path"] for entry in result["plan"]["files"]] == [CONTAINER_FILE]
    assert result["converged"] is False


def test_a_live_value_at_0_on_a_converged_host_is_turned_on_and_nothing_written():
    target = Host(BROKEN, 257)
    target.converge(SETTINGS)
    target.live = {"ipv4": dict(ON["ipv4"], uplink0=0)}
    result = target.plan(SETTINGS)
    assert result["plan"]["files"] == [] and result["plan"]["sysctls"] == ["net.ipv4.conf.uplink0.forwarding"]
    assert result["converged"] is False


def test_keys_left_to_a_conflicting_sysctl_entry_are_not_turned_on():
    result = Host(dict(BROKEN, **{"/etc/sysctl.d/60-cis.conf": "net.ipv4.ip_forward = 0\n"}), 257).plan(SETTINGS)
    assert "net.ipv4.conf.all.forwarding" not in result["plan"]["sysctls"]
    assert result["report"]["sysctl_conflicts"][0]["file"] == "/etc/sysctl.d/60-cis.conf"


def test_a_conflict_with_fail_stops_the_role_before_anything_changes():
    files = dict(BROKEN, **{"/etc/sysctl.d/60-cis.conf": "net.ipv4.ip_forward = 0\n"})
    result = Host(files, 257).plan(Settings(uplinks=("uplink0",), sysctl_conflict_action="fail"))
    assert result["problems"][0].startswith("Forwarding is set to 0 by /etc/sysctl.d/60-cis.conf:1.")
    assert result["converged"] is False


def test_an_override_cannot_win_over_sysctl_conf():
    files = dict(BROKEN, **{"/etc/sysctl.conf": "net.ipv4.ip_forward = 0\n"})
    result = Host(files, 257).plan(Settings(uplinks=("uplink0",), override_sysctl_conflicts=True))
    assert result["problems"] == [
        "/etc/sysctl.conf cannot be overridden by /etc/sysctl.d/99-zz-hostnet-forwarding-override.conf: "
        "`sysctl --system` reads /etc/sysctl.conf last, and a sysctl.d file only wins over files whose names sort "
        "before its own. Edit those entries, or choose a later-sorting docker_host_network_sysctl_override_file."]


def test_a_catchall_before_the_roles_file_stops_the_role():
    files = dict(BROKEN, **{NETWORK + "01-early.network": "[Match]\nName=*\n"})
    result = Host(files, 257).plan(SETTINGS)
    assert result["problems"][0].startswith("/etc/systemd/network/01-early.network would govern Docker's links (")
    assert result["report"]["catchall_files"][0]["neutralized"] is False


def test_a_catchall_after_the_roles_file_is_reported_neutralized():
    files = dict(BROKEN, **{NETWORK + "99-all.network": "[Match]\nName=*\n"})
    result = Host(files, 257).plan(SETTINGS)
    assert result["problems"] == []
    assert result["report"]["catchall_files"] == [
        {"network_file": NETWORK + "99-all.network",
         "links": ["br-0123456789ab", "docker0", "veth0123abc", "veth1a2b"], "neutralized": True}]


def test_a_file_the_planner_cannot_change_safely_is_a_problem():
    usr = "/usr/lib/systemd/network/10-uplink.network"
    files = {usr: network(), usr + ".d/90-vendor.conf": "[Network]\nIPv4Forwarding=no\n"}
    result = Host(files, 257).plan(SETTINGS)
    assert len(result["problems"]) == 1
    assert usr + ".d/90-vendor.conf:2 sets IPv4Forwarding=no" in result["problems"][0]
    assert result["problems"][0].endswith(" Nothing was changed.")


def test_networkd_missing_is_a_problem_that_says_nothing_was_changed():
    result = Host(BROKEN, 257).plan(SETTINGS, networkd={"problem": "systemd-networkd is not installed: networkctl is missing."})
    assert result["problems"] == ["systemd-networkd is not installed: networkctl is missing. This role is for hosts "
                                  "whose network systemd-networkd manages; nothing was changed."]


def test_a_read_only_proc_sys_is_a_problem_when_a_value_must_be_set():
    result = Host(BROKEN, 257).plan(SETTINGS, sysctl_writable=False)
    assert result["problems"][0].startswith("/proc/sys/net is mounted read-only, so net.ipv4.ip_forward, ")
    assert Host(BROKEN, 257).plan(SETTINGS, sysctl_writable=None)["problems"] == []


def test_a_glob_may_match_no_link_but_a_name_must():
    links, problems = resolve_uplinks(("uplink*", "ens*"), DOCKER_HOST_LINKS)
    assert [link.name for link in links] == ["uplink0"] and problems == []
    links, problems = resolve_uplinks(("uplink0", "eth1"), DOCKER_HOST_LINKS)
    assert problems == ["docker_host_network_uplinks: 'eth1' matches no link on this host "
                        "(links: uplink0, docker0, veth1a2b)."]


def test_uplinks_that_match_no_link_at_all_are_a_problem():
    assert resolve_uplinks(("ens*",), [UPLINK])[1] == [
        "docker_host_network_uplinks ['ens*'] matches no link on this host (links: uplink0)."]


def test_a_glob_uplink_that_docker_created_is_a_problem():
    result = Host(BROKEN, 257).plan(Settings(uplinks=("uplink0", "vet*")))
    assert "The uplinks ['veth1a2b'] match docker_host_network_container_link_patterns" in result["problems"][0]


def test_the_evidence_is_part_of_converged_and_can_be_turned_off():
    target = Host(BROKEN, 257)
    target.converge(SETTINGS)
    target.files[EVIDENCE] = b"{}\n"
    target.states[EVIDENCE] = FileState("file", 0o644, 0, 0, sha256(b"{}\n"))
    result = target.plan(SETTINGS)
    assert [entry["path"] for entry in result["plan"]["evidence"]] == [EVIDENCE]
    assert result["converged"] is False
    assert target.plan(SETTINGS._replace(evidence_path=""))["converged"] is True


def test_every_path_the_role_owns_is_read():
    settings = Settings(uplinks=("uplink0",), networks=(
        {"name": "10-x", "match": {"Name": "x"}, "dropins": [{"name": "a", "sections": []}]},))
    assert role_paths(settings) == [NETWORK + "10-x.network.d", NETWORK + "10-x.network", NETWORK + "10-x.network.d/a.conf",
                                    CONTAINER_FILE, SYSCTL_FILE, "/etc/sysctl.d/99-zz-hostnet-forwarding-override.conf",
                                    "/var/lib/hostnet-networkd", EVIDENCE]


def firewall(dropped, changes=(), error=None):
    verdict = {"forwarding": 1, "dropped": dropped, "dropped_by": [], "open_router": not dropped,
               "chains": [], "summary": "IPv4: %s." % ("dropped" if dropped else "open")}
    result = {"verdict": {"ipv4": verdict, "ipv6": dict(verdict, summary="IPv6")},
              "iptables": {"ipv4": {"backend": "iptables-nft"}, "ipv6": {"backend": "iptables-nft"}},
              "docker": {"backends": {"ipv4": ["iptables-nft"], "ipv6": []}}, "changes": list(changes)}
    if error:
        result["error"] = error
    return result


def test_drop_with_a_firewall_it_cannot_change_stops_the_role():
    result = Host(BROKEN, 257).plan(SETTINGS._replace(forward_policy="drop"), firewall(False, error="Docker uses nftables"))
    assert "docker_host_network_forward_policy is drop, but: Docker uses nftables" in result["problems"]


def test_drop_that_leaves_the_path_open_stops_the_role():
    result = Host(BROKEN, 257).plan(SETTINGS._replace(forward_policy="drop"), firewall(False))
    assert "docker_host_network_forward_policy is drop, but after the change: IPv4: open." in result["problems"]


def test_a_firewall_change_makes_the_host_not_converged_and_shows_in_the_report():
    target = Host(BROKEN, 257)
    target.converge(SETTINGS)
    drop = SETTINGS._replace(forward_policy="drop")
    result = target.plan(drop, firewall(True, changes=["iptables -P FORWARD DROP"]))
    assert result["converged"] is False and result["problems"] == []
    assert result["report"]["forward_policy"]["changes"] == ["iptables -P FORWARD DROP"]
    assert target.plan(drop, firewall(True))["converged"] is True


def test_report_mode_suggests_drop_when_the_path_is_open():
    result = Host(BROKEN, 257).plan(SETTINGS, firewall(False))
    assert result["report"]["forward_policy"]["summary"] == (
        "IPv4: open. With docker_host_network_forward_policy: drop, the role sets the FORWARD policy to DROP where "
        "Docker keeps its rules.")
    assert result["report"]["forward_policy"]["verdict"] == {
        "ipv4": {"forwarding": 1, "dropped": False, "dropped_by": [], "open_router": True}}


def test_the_probe_and_the_live_check_cover_the_uplinks():
    result = Host(BROKEN, 257).plan(SETTINGS)
    assert result["plan"]["forwarding_paths"] == [
        "/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv4/conf/all/forwarding",
        "/proc/sys/net/ipv4/conf/default/forwarding", "/proc/sys/net/ipv4/conf/uplink0/forwarding"]
    assert result["plan"]["probe_events"][0]["commands"] == [["networkctl", "reconfigure", "uplink0"]]


def test_networkd_conf_is_overridden_by_the_drop_in_never_edited():
    files = dict(BROKEN, **{"/etc/systemd/networkd.conf": "[Network]\nIPv4Forwarding=no\n"})
    result = Host(files, 257).plan(SETTINGS)
    paths = [entry["path"] for entry in result["plan"]["files"]]
    assert CONF_DROPIN in paths and "/etc/systemd/networkd.conf" not in paths and result["problems"] == []
