# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for firewall_live.py: which commands run, on a fake host made of lab captures."""

from __future__ import annotations

import json
import os

from ansible_collections.hostnet.networkd.plugins.module_utils._firewall.live import read_firewall

CAPTURES = os.path.join(os.path.dirname(__file__), "captures", "firewall")
TOOLS = ("nft", "iptables", "ip6tables", "iptables-nft", "ip6tables-nft", "iptables-legacy", "ip6tables-legacy",
         "systemctl")


class FakeHost:
    """Answers commands with the bullseye captures of a legacy host, and records what ran."""

    def __init__(self, tools=TOOLS, files=None):
        with open(os.path.join(CAPTURES, "bullseye.json")) as stream:
            self.captures = json.load(stream)
        self.tools = tools
        self.files = files or {}
        self.ran = []

    def which(self, name):
        return "/usr/sbin/" + name if name in self.tools else None

    def read_text(self, path):
        return self.files.get(path)

    def run(self, argv):
        self.ran.append(argv)
        name = os.path.basename(argv[0])
        answers = {
            "nft": "legacy-accept.json", "iptables": "legacy-iptables-V", "ip6tables": "legacy-ip6tables-V",
            "iptables-nft": "iptables-nft-S-empty", "ip6tables-nft": "iptables-nft-S-empty",
            "iptables-legacy": "legacy-accept-iptables-legacy-S", "ip6tables-legacy": "legacy-accept-ip6tables-legacy-S",
        }
        if name == "systemctl":
            return (0, "enabled\n", "") if argv[1] == "is-enabled" else (3, "inactive\n", "")
        record = self.captures[answers[name]]
        return record["rc"], record["stdout"], record["stderr"]


def commands(host):
    return [" ".join([os.path.basename(argv[0])] + argv[1:]) for argv in host.ran]


def test_legacy_tables_are_listed_only_when_the_kernel_has_them():
    # `iptables-legacy -S` would create the table it lists: an empty ip_tables_names means not in use.
    host = FakeHost(files={"/proc/net/ip_tables_names": "", "/proc/net/ip6_tables_names": "filter\n"})
    observation = read_firewall(host.run, host.which, host.read_text)
    assert "iptables-legacy -w 10 -S" not in commands(host)
    assert "ip6tables-legacy -w 10 -S" in commands(host)
    assert observation.iptables_legacy.get("ipv4") is None
    assert observation.legacy_tables == {"ipv4": [], "ipv6": ["filter"]}


def test_without_ip_tables_in_the_kernel_legacy_is_not_run():
    host = FakeHost()
    observation = read_firewall(host.run, host.which, host.read_text)
    assert not [c for c in commands(host) if "legacy" in c]
    assert observation.legacy_tables == {"ipv4": None, "ipv6": None}


def test_every_read_command_is_a_listing():
    host = FakeHost(files={"/proc/net/ip_tables_names": "filter\n", "/proc/net/ip6_tables_names": "filter\n"})
    read_firewall(host.run, host.which, host.read_text)
    assert commands(host) == [
        "nft -j list ruleset",
        "iptables -V", "iptables-nft -w 10 -S", "iptables-legacy -w 10 -S",
        "ip6tables -V", "ip6tables-nft -w 10 -S", "ip6tables-legacy -w 10 -S",
        "systemctl is-enabled hostnet-forward-policy.service", "systemctl is-active hostnet-forward-policy.service",
    ]


def test_missing_tools_are_none_and_nothing_runs():
    host = FakeHost(tools=())
    observation = read_firewall(host.run, host.which, host.read_text)
    assert host.ran == []
    assert observation.nft is None and observation.systemctl is None
    assert observation.iptables == {"ipv4": None, "ipv6": None}
    assert observation.iptables_version == {"ipv4": None, "ipv6": None}


def test_forwarding_unit_and_its_state_are_read():
    host = FakeHost(files={"/proc/sys/net/ipv4/ip_forward": "1\n",
                           "/etc/systemd/system/hostnet-forward-policy.service": "[Unit]\n"})
    observation = read_firewall(host.run, host.which, host.read_text)
    assert observation.forwarding == {"ipv4": 1, "ipv6": None}
    assert observation.unit_text == "[Unit]\n"
    assert (observation.unit_enabled, observation.unit_active) == ("enabled", "inactive")
    assert observation.iptables_version["ipv4"].stdout == "iptables v1.8.7 (legacy)\n"
