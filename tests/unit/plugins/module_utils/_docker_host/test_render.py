# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rendering the role's files: the .network definitions, Docker's Unmanaged=yes file, sysctl.d, evidence."""

from __future__ import annotations

import json

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.render import (
    HEADER,
    WantedFile,
    render_evidence,
    render_evidence_files,
    render_networkd_files,
    render_sysctl_files,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.settings import Settings
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.sysctl_plan import plan_sysctl

UPLINK = {"name": "10-uplink", "match": {"Name": "uplink0"},
          "network": {"Address": ["192.0.2.1/24", "2001:db8::1/64"], "ConfigureWithoutCarrier": True, "DNS": None},
          "sections": [{"section": "Route", "options": {"Gateway": "192.0.2.254"}},
                       {"section": "Route", "options": {"Gateway": "2001:db8::ff"}}],
          "dropins": [{"name": "mtu", "sections": [{"section": "Link", "options": {"MTUBytes": 9000}}]}]}


def files(family="ipv4", modern=True, **values):
    return {f.path: f for f in render_networkd_files(Settings(uplinks=("uplink0",), family=family, **values), modern)}


def text(wanted):
    assert wanted.content.startswith(HEADER.encode())
    return wanted.content.decode()[len(HEADER):]


def test_a_definition_becomes_sections_with_the_forwarding_key_in_network():
    rendered = files(networks=(UPLINK,))["/etc/systemd/network/10-uplink.network"]
    assert (rendered.kind, rendered.mode) == ("file", 0o644)
    assert text(rendered) == (
        "[Match]\nName=uplink0\n\n"
        "[Network]\nAddress=192.0.2.1/24\nAddress=2001:db8::1/64\nConfigureWithoutCarrier=yes\nDNS=\n"
        "IPv4Forwarding=yes\n\n"
        "[Route]\nGateway=192.0.2.254\n\n[Route]\nGateway=2001:db8::ff\n")


@pytest.mark.parametrize("family, modern, lines", [
    ("ipv4", False, ["IPForward=ipv4"]),
    ("ipv6", False, ["IPForward=ipv6"]),
    ("both", False, ["IPForward=yes"]),
    ("both", True, ["IPv4Forwarding=yes", "IPv6Forwarding=yes"]),
])
def test_the_forwarding_keys_follow_the_systemd_version(family, modern, lines):
    rendered = text(files(family, modern, networks=({"name": "10-x", "match": {"Name": "x"}},))[
        "/etc/systemd/network/10-x.network"])
    assert [line for line in rendered.splitlines() if "Forward" in line] == lines


def test_a_dropin_gets_its_directory_before_it():
    rendered = render_networkd_files(Settings(uplinks=("uplink0",), networks=(UPLINK,)), True)
    paths = [f.path for f in rendered]
    directory = "/etc/systemd/network/10-uplink.network.d"
    assert rendered[paths.index(directory)] == WantedFile(directory, "directory", None, 0o755)
    assert paths.index(directory) < paths.index(directory + "/mtu.conf")
    assert text(rendered[paths.index(directory + "/mtu.conf")]) == "[Link]\nMTUBytes=9000\n"


def test_an_absent_definition_is_removed_with_its_dropins():
    rendered = files(networks=(dict(UPLINK, name="10-uplink.network", state="absent"),))
    assert rendered["/etc/systemd/network/10-uplink.network"].kind == "absent"
    assert rendered["/etc/systemd/network/10-uplink.network.d/mtu.conf"].kind == "absent"
    assert "/etc/systemd/network/10-uplink.network.d" not in rendered


def test_dockers_links_are_left_unmanaged_by_a_file_of_their_own():
    rendered = files(container_link_patterns=("docker0", "br-*"))["/etc/systemd/network/05-hostnet-container-links.network"]
    assert text(rendered).endswith("[Match]\nName=docker0 br-*\n\n[Link]\nUnmanaged=yes\n")


def test_the_unmanaged_file_is_removed_when_not_wanted():
    rendered = files(unmanaged_container_links=False)
    assert rendered["/etc/systemd/network/05-hostnet-container-links.network"].kind == "absent"


def sysctl_files(entries=(), **values):
    settings = Settings(uplinks=("uplink0",), **values)
    return render_sysctl_files(settings, plan_sysctl(settings, list(entries), ["uplink0"]))


CIS = {"file": "/etc/sysctl.d/60-cis.conf", "line": 3, "key": "net.ipv4.ip_forward", "value": "0"}


def test_the_sysctl_file_sets_the_needed_keys_and_names_those_left_out():
    forwarding, override = sysctl_files([CIS])
    assert text(forwarding).splitlines()[1:] == [
        "net.ipv4.conf.default.forwarding = 1", "net.ipv4.conf.uplink0.forwarding = 1",
        "# Left out because other files set them to 0 (docker_host_network_override_sysctl_conflicts is false):",
        "#   net.ipv4.ip_forward", "#   net.ipv4.conf.all.forwarding"]
    assert override.kind == "absent"


def test_the_override_file_names_each_conflict_and_sets_each_key_once():
    forwarding, override = sysctl_files([CIS, dict(CIS, line=4, key="net.ipv4.conf.all.forwarding")],
                                        override_sysctl_conflicts=True)
    assert "net.ipv4.ip_forward = 1" in text(forwarding)
    assert text(override).splitlines()[2:] == [
        "# /etc/sysctl.d/60-cis.conf:3 sets net.ipv4.ip_forward = 0",
        "# /etc/sysctl.d/60-cis.conf:4 sets net.ipv4.conf.all.forwarding = 0",
        "net.ipv4.ip_forward = 1", "net.ipv4.conf.all.forwarding = 1"]


def test_no_sysctl_file_when_not_wanted():
    assert [f.kind for f in sysctl_files(sysctl=False)] == ["absent", "absent"]


def test_the_evidence_is_sorted_indented_json_and_keeps_non_ascii_text():
    document = {"uplinks": ["eth0"], "host": "höst", "format": "x"}
    assert render_evidence(document) == '{\n    "format": "x",\n    "host": "höst",\n    "uplinks": [\n        "eth0"\n    ]\n}\n'
    assert json.loads(render_evidence(document)) == document


def test_the_evidence_file_comes_with_its_directory_or_not_at_all():
    assert [(f.path, f.kind) for f in render_evidence_files("/var/lib/x/evidence.json", {})] == [
        ("/var/lib/x", "directory"), ("/var/lib/x/evidence.json", "file")]
    assert render_evidence_files("", {}) == []


def test_the_same_settings_render_the_same_bytes():
    settings = Settings(uplinks=("uplink0",), networks=(UPLINK,))
    assert render_networkd_files(settings, True) == render_networkd_files(settings, True)
