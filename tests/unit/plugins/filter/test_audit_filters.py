# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""audit_tables and audit_report: the audit playbook's tables and report files, from module results."""

from __future__ import annotations

import json
from collections import OrderedDict

import pytest

from ansible.module_utils import _internal as module_utils_internal

# Importing the controller's code marks the process as the controller (see test_report_files.py).
_WAS_CONTROLLER = module_utils_internal.is_controller
from ansible.errors import AnsibleFilterError  # noqa: E402
from ansible_collections.hostnet.networkd.plugins.filter.audit import FilterModule, audit_report, audit_tables  # noqa: E402
module_utils_internal.is_controller = _WAS_CONTROLLER

HEADER = ["link", "family", "governing file", "live", "after reconfigure", "after boot", "risk"]


@pytest.fixture(autouse=True)
def controller(monkeypatch):
    monkeypatch.setattr(module_utils_internal, "is_controller", True)


def family(live=None, after_reconfigure=None, after_boot=None, risk=None):
    return {"live": live, "configured": None, "source": None, "after_reconfigure": after_reconfigure,
            "after_restart": None, "after_boot": after_boot, "after_sysctl_reload": None, "risk": risk}


def link(name, network_file=None, unmanaged=False, ipv4=None, ipv6=None):
    return {"name": name, "network_file": network_file, "dropins": [], "unmanaged": unmanaged,
            "ipv4": ipv4 or family(), "ipv6": ipv6 or family()}


def result(version, links, host):
    return {"changed": False, "systemd_version": version, "links": links,
            "evidence": {"format": "hostnet.networkd.evidence/1", "host": host, "forwarding": []}}


UPLINK_RISK = "uplink0 IPv4 forwarding becomes 0 on `networkctl reconfigure` or `networkctl reload` (/etc/x.network:3)."
# In the play's order, which is not the report's: fleet.md sorts the hosts.
RESULTS = {
    "web-2": result(252, [
        link("uplink0", "/etc/systemd/network/10-uplink0.network",
             ipv4=family(1, 0, 0, UPLINK_RISK), ipv6=family(0, None, 0, "uplink0 IPv6 forwarding is 0 now.")),
        link("docker0", unmanaged=True, ipv4=family(None, None, None), ipv6=family(1, 1, 1)),
    ], "web-2"),
    "db-10": result(257, [], "db-10"),
    "web-1": result(247, [link("eth0", ipv4=family(1, None, 1))], "web-1"),
}


def test_one_table_per_host_padded_but_for_the_risk():
    tables = audit_tables(RESULTS)
    assert tables == {
        "web-2": [
            "systemd 252",
            "link     family  governing file                           live  after reconfigure  after boot  risk",
            "uplink0  ipv4    /etc/systemd/network/10-uplink0.network  1     0                  0           " + UPLINK_RISK,
            "docker0  ipv4    unmanaged                                ?     kept               ?           ok",
        ],
        "db-10": ["systemd 257", "  ".join(HEADER)],
        "web-1": [
            "systemd 247",
            "link  family  governing file  live  after reconfigure  after boot  risk",
            "eth0  ipv4    none            1     kept               1           ok",
        ],
    }


def test_both_families_give_a_row_per_link_and_family():
    tables, files = audit_tables(RESULTS, "both"), audit_report(RESULTS, "both")
    assert [line.split()[:2] for line in tables["web-2"][2:]] == [
        ["uplink0", "ipv4"], ["uplink0", "ipv6"], ["docker0", "ipv4"], ["docker0", "ipv6"]]
    assert tables["web-2"][3] == (
        "uplink0  ipv6    /etc/systemd/network/10-uplink0.network  0     kept               0           "
        "uplink0 IPv6 forwarding is 0 now.")
    assert "| docker0 | ipv6 | unmanaged | 1 | 1 | 1 | ok |\n" in files["fleet.md"]


def test_report_files_hold_every_result_the_tables_and_the_evidence():
    files = audit_report(RESULTS)
    assert sorted(files) == ["evidence/db-10.json", "evidence/web-1.json", "evidence/web-2.json",
                             "fleet.json", "fleet.md"]
    assert files["fleet.json"] == json.dumps(RESULTS, indent=4, sort_keys=True, separators=(",", ": ")) + "\n"
    for host, value in RESULTS.items():
        assert files["evidence/%s.json" % host] == json.dumps(value["evidence"], indent=4, sort_keys=True,
                                                              separators=(",", ": ")) + "\n"
    header = "| %s |\n|%s\n" % (" | ".join(HEADER), "---|" * len(HEADER))
    assert files["fleet.md"] == (
        "# Forwarding audit\n\n"
        "## db-10 (systemd 257)\n\n" + header + "\n"
        "## web-1 (systemd 247)\n\n" + header
        + "| eth0 | ipv4 | none | 1 | kept | 1 | ok |\n\n"
        "## web-2 (systemd 252)\n\n" + header
        + "| uplink0 | ipv4 | /etc/systemd/network/10-uplink0.network | 1 | 0 | 0 | " + UPLINK_RISK + " |\n"
        "| docker0 | ipv4 | unmanaged | ? | kept | ? | ok |\n\n")


def test_mappings_of_any_kind_give_the_same_report():
    ordered = OrderedDict((host, OrderedDict(result)) for host, result in RESULTS.items())
    assert audit_report(ordered) == audit_report(RESULTS)


@pytest.mark.parametrize("results, message", [
    ([], "dict of inventory host name to audit result, not list"),
    ({"web-1": {"changed": False}}, "the result of web-1 is not a networkd_forwarding state=audit result"),
])
def test_input_that_is_not_audit_results_is_refused(results, message):
    with pytest.raises(AnsibleFilterError, match=message):
        audit_report(results)


def test_an_unknown_family_is_refused():
    with pytest.raises(AnsibleFilterError, match="family must be one of ipv4, ipv6, both, not 'ip4'"):
        audit_tables(RESULTS, "ip4")


def test_the_filters_are_published():
    assert FilterModule().filters() == {"audit_tables": audit_tables, "audit_report": audit_report}


def test_link_of_another_network_manager_says_which():
    nm = dict(link("wlan0", ipv4=family(1, None, 0)), managed_by="org.freedesktop.NetworkManager")
    table = audit_tables({"laptop": result(257, [nm], "laptop")})["laptop"]
    assert table[2].split()[:4] == ["wlan0", "ipv4", "managed", "by"]
    assert "org.freedesktop.NetworkManager" in table[2]
