# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for firewall.py, on outputs captured in the lab containers (captures/firewall/).

Each SUITE.json holds what ``nft -j list ruleset``, ``iptables -S`` and ``iptables -V`` printed
on Debian 11 (nft 0.9.8, iptables 1.8.7), 12 (1.0.6, 1.8.9), 13 (1.1.3, 1.8.11) and sid
(1.1.7, 1.8.13), with Docker's rules as 20.10 (bullseye, bookworm) or 28 (trixie, sid) writes
them; captures/firewall/capture.sh is the script that produced them.
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._firewall.model import (
    UNIT_PATH,
    Command,
    FirewallAudit,
    FirewallError,
    Observation,
    default_verdict,
    parse_iptables_rules,
    parse_iptables_version,
    parse_nft_ruleset,
    plan_drop,
    unit_text,
)

CAPTURES = os.path.join(os.path.dirname(__file__), "captures", "firewall")
SUITES = ("bullseye", "bookworm", "trixie", "sid")
NFT_SUITES = SUITES   # every suite's iptables alternative points to iptables-nft out of the box


def capture(suite, name):
    with open(os.path.join(CAPTURES, suite + ".json")) as stream:
        record = json.load(stream)[name]
    return Command(["captured", name], record["rc"], record["stdout"], record["stderr"])


def host(suite, nft="docker-accept.json", iptables_nft=("docker-accept-iptables-nft-S", "docker-accept-ip6tables-nft-S"),
         versions=("iptables-V", "ip6tables-V"), legacy=(None, None), forwarding=(1, 1), unit=None,
         enabled=None, active=None, systemctl="/usr/bin/systemctl"):
    """An Observation made of captures of one suite; None leaves a tool out, as if not installed."""
    observation = Observation(
        nft=capture(suite, nft) if nft else None,
        unit_text=unit, unit_enabled=enabled, unit_active=active, systemctl=systemctl)
    for index, family in enumerate(("ipv4", "ipv6")):
        command = ("iptables", "ip6tables")[index]
        observation.iptables[family] = "/usr/sbin/%s" % command if versions[index] else None
        observation.iptables_version[family] = capture(suite, versions[index]) if versions[index] else None
        observation.iptables_nft[family] = capture(suite, iptables_nft[index]) if iptables_nft[index] else None
        observation.iptables_legacy[family] = capture(suite, legacy[index]) if legacy[index] else None
        observation.legacy_tables[family] = ["filter"] if legacy[index] else []
        observation.forwarding[family] = forwarding[index]
    return observation


def legacy_host(suite, legacy=("legacy-accept-iptables-legacy-S", "legacy-accept-ip6tables-legacy-S"),
                versions=("legacy-iptables-V", "legacy-ip6tables-V"), **kwargs):
    """A host whose iptables alternative points to legacy, with Docker's rules there (nftables empty)."""
    return host(suite, nft="legacy-accept.json", iptables_nft=("iptables-nft-S-empty", "iptables-nft-S-empty"),
                versions=versions, legacy=legacy, **kwargs)


# Parsing --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_empty_ruleset_has_no_tables(suite):
    assert parse_nft_ruleset(capture(suite, "nft-empty.json").stdout) == []


@pytest.mark.parametrize("suite", SUITES)
def test_nft_json_and_iptables_nft_list_the_same_rules(suite):
    tables = parse_nft_ruleset(capture(suite, "docker-accept.json").stdout)
    by_nft = next(t for t in tables if (t.family, t.name) == ("ip", "filter"))
    by_iptables = parse_iptables_rules(capture(suite, "docker-accept-iptables-nft-S").stdout, "iptables-nft", "ipv4")
    docker = {name for name in by_iptables.chains if name.startswith("DOCKER")}
    assert docker and docker <= set(by_nft.chains)
    for name in docker | {"FORWARD"}:
        nft_rules = [(r.conditional, r.action, r.target) for r in by_nft.chains[name].rules]
        iptables_rules = [(r.conditional, r.action, r.target) for r in by_iptables.chains[name].rules]
        assert nft_rules == iptables_rules, name


@pytest.mark.parametrize("suite", SUITES)
def test_tables_of_iptables_nft_are_marked_and_debians_own_table_is_not(suite):
    tables = {(t.family, t.name): t for t in parse_nft_ruleset(capture(suite, "nftconf-docker-drop.json").stdout)}
    assert tables[("ip", "filter")].backend == "iptables-nft"
    assert tables[("ip6", "filter")].backend == "iptables-nft"
    assert tables[("inet", "filter")].backend == "nftables"
    forward = tables[("inet", "filter")].chains["forward"]
    assert (forward.hook, forward.policy) == ("forward", "accept")


@pytest.mark.parametrize("suite", SUITES)
def test_conntrack_match_kept_as_xt_is_a_condition(suite):
    # nft 0.9.8 prints {"xt": null}, 1.0.6 and later {"xt": {"type": "match", "name": "conntrack"}}.
    tables = parse_nft_ruleset(capture(suite, "docker-accept.json").stdout)
    table = next(t for t in tables if (t.family, t.name) == ("ip", "filter"))
    chain = "FORWARD" if suite in ("bullseye", "bookworm") else "DOCKER-CT"
    established = [rule for rule in table.chains[chain].rules if "xt" in rule.text]
    assert established and all(rule.conditional and rule.action == "accept" for rule in established)


@pytest.mark.parametrize("suite", SUITES)
def test_a_rule_that_matches_only_the_connection_state_does_not_reopen_the_path(suite):
    # `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT` is the rule's only match: nft shows it as xt.
    for observation in (host(suite, nft="established-only.json", iptables_nft=("established-only-iptables-nft-S", None)),
                        host(suite, nft=None, iptables_nft=("established-only-iptables-nft-S", None))):
        verdict = FirewallAudit(observation).verdict("ipv4")
        assert verdict["dropped_by"] == ["ip filter FORWARD (iptables-nft)"]
        assert verdict["chains"][0]["decided_by"] == "policy drop"


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("name, backend", [("iptables-V", "nf_tables"), ("legacy-iptables-V", "legacy"),
                                           ("iptables-legacy-V", "legacy")])
def test_iptables_version_names_the_backend(suite, name, backend):
    version, found = parse_iptables_version(capture(suite, name).stdout)
    assert found == backend
    assert version.startswith("1.8.")


def test_iptables_version_without_a_backend_is_an_error():
    with pytest.raises(FirewallError, match="names no backend"):
        parse_iptables_version(capture("trixie", "nft-version").stdout)


@pytest.mark.parametrize("suite", SUITES)
def test_output_that_is_not_nft_json_is_an_error(suite):
    with pytest.raises(FirewallError, match="no nftables JSON"):
        parse_nft_ruleset(capture(suite, "docker-accept-iptables-nft-S").stdout)


@pytest.mark.parametrize("suite", SUITES)
def test_output_that_is_not_iptables_rules_is_an_error(suite):
    with pytest.raises(FirewallError, match="unexpected line"):
        parse_iptables_rules(capture(suite, "docker-accept.json").stdout, "iptables-nft", "ipv4")


# The verdict ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_docker_leaving_accept_makes_an_open_router(suite):
    verdict = FirewallAudit(host(suite)).verdict("ipv4")
    assert verdict["open_router"] and not verdict["dropped"]
    assert verdict["chains"][0]["decided_by"] == "policy accept"
    assert "routes between all of its interfaces" in verdict["summary"]


@pytest.mark.parametrize("suite", SUITES)
def test_drop_policy_in_dockers_chain_drops_other_traffic_whatever_debians_chain_accepts(suite):
    observation = host(suite, nft="nftconf-docker-drop.json",
                       iptables_nft=("nftconf-docker-drop-iptables-nft-S", "nftconf-docker-drop-ip6tables-nft-S"))
    audit = FirewallAudit(observation)
    for family, label in (("ipv4", "ip filter FORWARD (iptables-nft)"), ("ipv6", "ip6 filter FORWARD (iptables-nft)")):
        verdict = audit.verdict(family)
        assert verdict["dropped"] and not verdict["open_router"]
        assert verdict["dropped_by"] == [label]
        assert [c["label"] for c in verdict["chains"] if c["verdict"] == "accept"] == ["inet filter forward (nftables)"]
    assert audit.warnings() == []


@pytest.mark.parametrize("suite", SUITES)
def test_unconditional_accept_in_docker_user_reopens_the_path(suite):
    verdict = FirewallAudit(host(suite, nft="docker-user-accept.json",
                                 iptables_nft=("docker-user-accept-iptables-nft-S", None))).verdict("ipv4")
    assert not verdict["dropped"] and verdict["open_router"]
    docker_chain = next(c for c in verdict["chains"] if c["label"] == "ip filter FORWARD (iptables-nft)")
    assert docker_chain["policy"] == "drop"
    assert docker_chain["decided_by"] == "rule `counter accept` in DOCKER-USER"


@pytest.mark.parametrize("suite", SUITES)
def test_unconditional_accept_is_found_in_iptables_output_when_nft_is_missing(suite):
    verdict = FirewallAudit(host(suite, nft=None,
                                 iptables_nft=("docker-user-accept-iptables-nft-S", None))).verdict("ipv4")
    assert not verdict["dropped"]
    assert verdict["chains"][0]["decided_by"] == "rule `-j ACCEPT` in DOCKER-USER"


@pytest.mark.parametrize("suite", SUITES)
def test_nft_json_decides_where_iptables_nft_misreads_a_native_table(suite):
    # iptables-nft prints `ip saddr @blocked drop` of a native table as an unconditional `-j DROP`.
    misread = parse_iptables_rules(capture(suite, "native-filter-iptables-nft-S").stdout, "iptables-nft", "ipv4")
    assert default_verdict(misread, "FORWARD") == ("drop", "rule `-j DROP` in FORWARD")
    verdict = FirewallAudit(host(suite, nft="native-filter.json",
                                 iptables_nft=("native-filter-iptables-nft-S", None))).verdict("ipv4")
    assert verdict["chains"][0]["decided_by"] == "policy drop"


@pytest.mark.parametrize("suite", SUITES)
def test_a_separate_nftables_drop_chain_is_reported_as_dropping_container_traffic(suite):
    audit = FirewallAudit(host(suite, nft="separate-drop.json"))
    assert audit.verdict("ipv4")["dropped_by"] == ["inet separate forward (nftables)"]
    assert [w for w in audit.warnings() if "inet separate forward (nftables)" in w and "container traffic is dropped" in w] \
        == [audit.warnings()[0]]


@pytest.mark.parametrize("suite", SUITES)
def test_legacy_drop_policy_counts_next_to_nftables(suite):
    audit = FirewallAudit(legacy_host(suite, legacy=("legacy-drop-iptables-legacy-S", "legacy-accept-ip6tables-legacy-S")))
    assert audit.verdict("ipv4")["dropped_by"] == ["ip filter FORWARD (iptables-legacy)"]
    assert audit.verdict("ipv6")["open_router"]
    assert audit.docker_backends("ipv4") == ["iptables-legacy"]


@pytest.mark.parametrize("suite", SUITES)
def test_forwarding_off_is_no_open_router_yet(suite):
    verdict = FirewallAudit(host(suite, forwarding=(0, 0))).verdict("ipv4")
    assert not verdict["open_router"] and not verdict["dropped"]
    assert "forwarding is off" in verdict["summary"]


@pytest.mark.parametrize("suite", SUITES)
def test_docker_rules_are_found_per_backend(suite):
    assert FirewallAudit(host(suite)).docker_backends("ipv4") == ["iptables-nft"]
    assert FirewallAudit(host(suite, nft="docker-nftables.json", iptables_nft=(None, None))).docker_backends("ipv4") \
        == ["nftables"]
    assert FirewallAudit(host(suite, nft="nft-empty.json", iptables_nft=("iptables-nft-S-empty", None))) \
        .docker_backends("ipv4") == []


@pytest.mark.parametrize("suite", SUITES)
def test_report_names_backend_policy_and_docker_chains(suite):
    report = FirewallAudit(host(suite)).report()
    assert report["iptables"]["ipv4"]["backend"] == "iptables-nft"
    assert report["iptables_nft"]["ipv4"]["policy"] == "ACCEPT"
    assert "DOCKER-USER" in report["iptables_nft"]["ipv4"]["docker_chains"]
    assert report["iptables_legacy"]["ipv4"] == {"policy": None, "docker_chains": [], "error": None, "loaded": False}
    assert report["docker"]["present"]
    assert [c["iptables_nft"] for c in report["nftables"]["forward_chains"]] == [True, True]
    json.dumps(report)


@pytest.mark.parametrize("suite", ("bullseye", "trixie"))
def test_commands_without_cap_net_admin_are_reported_with_their_error(suite):
    audit = FirewallAudit(host(suite, nft="noadmin-nft.json", iptables_nft=("noadmin-iptables-nft-S", None)))
    report = audit.report()
    assert report["nftables"]["error"].startswith("`captured noadmin-nft.json` failed (rc 1): ")
    assert "Operation not permitted" in report["nftables"]["error"]
    assert "Permission denied (you must be root)" in report["iptables_nft"]["ipv4"]["error"]
    assert any("cannot read the nftables ruleset" in warning for warning in audit.warnings())


@pytest.mark.parametrize("suite", ("bullseye", "trixie"))
def test_a_forward_path_that_cannot_be_read_is_no_verdict(suite):
    verdict = FirewallAudit(host(suite, nft="noadmin-nft.json", iptables_nft=("noadmin-iptables-nft-S", None))) \
        .verdict("ipv4")
    assert (verdict["dropped"], verdict["open_router"]) == (None, None)
    assert verdict["summary"].startswith("IPv4: cannot read the forward path (`captured noadmin-nft.json` failed (rc 1)")
    assert "Permission denied (you must be root)" in verdict["summary"]


def test_without_nft_the_audit_says_what_it_cannot_see():
    audit = FirewallAudit(host("trixie", nft=None))
    assert audit.verdict("ipv4")["open_router"]
    assert audit.warnings() == ["nft is not installed: the forward path is read from iptables-nft, which does not show "
                                "nftables tables of other programs"]


# The change -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", NFT_SUITES)
def test_drop_goes_where_iptables_points_and_docker_keeps_its_rules(suite):
    plan = plan_drop(FirewallAudit(host(suite)), ["ipv4", "ipv6"], persist=True)
    assert [(c.family, c.backend, c.before, c.command) for c in plan.policy_changes] == [
        ("ipv4", "iptables-nft", "ACCEPT", ["/usr/sbin/iptables", "-w", "10", "-P", "FORWARD", "DROP"]),
        ("ipv6", "iptables-nft", "ACCEPT", ["/usr/sbin/ip6tables", "-w", "10", "-P", "FORWARD", "DROP"]),
    ]
    assert (plan.write_unit, plan.enable_unit, plan.start_unit) == (True, True, "start")


@pytest.mark.parametrize("suite", SUITES)
def test_drop_goes_to_legacy_when_iptables_points_to_legacy(suite):
    plan = plan_drop(FirewallAudit(legacy_host(suite)), ["ipv4"], persist=False)
    assert [(c.backend, c.before) for c in plan.policy_changes] == [("iptables-legacy", "ACCEPT")]
    assert plan.unit_text is None and not plan.write_unit


@pytest.mark.parametrize("suite", SUITES)
def test_drop_creates_the_chain_before_docker_starts(suite):
    audit = FirewallAudit(host(suite, nft="nft-empty.json", iptables_nft=("iptables-nft-S-empty", None)))
    plan = plan_drop(audit, ["ipv4"], persist=False)
    assert [(c.backend, c.before) for c in plan.policy_changes] == [("iptables-nft", "NONE")]
    predicted = FirewallAudit(audit.observation, predict_drop=plan.predicted()).verdict("ipv4")
    assert predicted["dropped_by"] == ["ip filter FORWARD (iptables-nft)"]


@pytest.mark.parametrize("suite", SUITES)
def test_check_mode_prediction_matches_the_capture_after_the_change(suite):
    before = FirewallAudit(host(suite, nft="nftconf-docker-drop.json",
                                iptables_nft=("nftconf-docker-drop-iptables-nft-S", None)))
    reopened = FirewallAudit(host(suite, nft="docker-accept.json"))
    plan = plan_drop(reopened, ["ipv4"], persist=False)
    predicted = FirewallAudit(reopened.observation, predict_drop=plan.predicted())
    assert predicted.verdict("ipv4")["dropped_by"] == before.verdict("ipv4")["dropped_by"]


@pytest.mark.parametrize("suite", SUITES)
def test_drop_is_refused_when_docker_uses_its_nftables_backend(suite):
    audit = FirewallAudit(host(suite, nft="docker-nftables.json", iptables_nft=(None, None)))
    with pytest.raises(FirewallError, match="Docker uses its nftables firewall backend for IPv4"):
        plan_drop(audit, ["ipv4"], persist=True)


@pytest.mark.parametrize("suite", SUITES)
def test_drop_is_refused_when_dockers_rules_are_in_the_other_backend(suite):
    # Docker's rules in iptables-legacy, but iptables now points to iptables-nft.
    audit = FirewallAudit(legacy_host(suite, versions=("iptables-V", "ip6tables-V")))
    with pytest.raises(FirewallError, match="points to iptables-nft, but Docker's rules for IPv4 are in iptables-legacy"):
        plan_drop(audit, ["ipv4"], persist=True)


def test_drop_without_iptables_is_a_clear_error():
    with pytest.raises(FirewallError, match="for IPv6: ip6tables is not installed"):
        plan_drop(FirewallAudit(host("trixie", versions=("iptables-V", None))), ["ipv4", "ipv6"], persist=True)


def test_drop_is_refused_when_the_ruleset_cannot_be_read():
    audit = FirewallAudit(host("trixie", nft="noadmin-nft.json"))
    with pytest.raises(FirewallError, match="Operation not permitted"):
        plan_drop(audit, ["ipv4"], persist=True)


def test_persisting_without_systemd_is_a_clear_error():
    with pytest.raises(FirewallError, match="systemctl is not installed; set persist=false"):
        plan_drop(FirewallAudit(host("trixie", systemctl=None)), ["ipv4"], persist=True)


@pytest.mark.parametrize("suite", SUITES)
def test_nothing_to_do_when_the_policy_is_drop_and_the_unit_runs(suite):
    wanted = unit_text([["/usr/sbin/iptables", "-w", "10", "-P", "FORWARD", "DROP"],
                        ["/usr/sbin/ip6tables", "-w", "10", "-P", "FORWARD", "DROP"]])
    observation = host(suite, nft="nftconf-docker-drop.json", unit=wanted, enabled="enabled", active="active",
                       iptables_nft=("nftconf-docker-drop-iptables-nft-S", "nftconf-docker-drop-ip6tables-nft-S"))
    plan = plan_drop(FirewallAudit(observation), ["ipv4", "ipv6"], persist=True)
    assert not plan.changed


def test_a_changed_unit_is_rewritten_and_restarted():
    observation = host("trixie", nft="nftconf-docker-drop.json", enabled="enabled", active="active",
                       unit=unit_text([["/usr/sbin/iptables", "-w", "10", "-P", "FORWARD", "DROP"]]))
    plan = plan_drop(FirewallAudit(observation), ["ipv4", "ipv6"], persist=True)
    assert plan.policy_changes == []
    assert (plan.write_unit, plan.enable_unit, plan.start_unit) == (True, False, "restart")
    assert plan.before_unit == observation.unit_text


def test_unit_runs_after_the_ruleset_loaders_and_before_the_network_and_docker():
    text = unit_text([["/usr/sbin/iptables", "-w", "10", "-P", "FORWARD", "DROP"]])
    keys = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            keys.setdefault(key, []).append(value)
    assert keys["After"] == ["nftables.service netfilter-persistent.service"]
    assert keys["PartOf"] == keys["ReloadPropagatedFrom"] == keys["After"]
    assert keys["Before"] == ["network-pre.target docker.service shutdown.target"]
    assert keys["DefaultDependencies"] == ["no"]
    assert keys["ExecStart"] == keys["ExecReload"] == ["/usr/sbin/iptables -w 10 -P FORWARD DROP"]
    assert keys["WantedBy"] == ["sysinit.target"]
    assert UNIT_PATH == "/etc/systemd/system/hostnet-forward-policy.service"
