# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's settings: what its argument spec cannot say, each problem named once."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.settings import (
    ARGUMENT_SPEC,
    Settings,
    settings_problems,
)

UPLINK_NETWORK = {"name": "10-uplink", "match": {"Name": "uplink0"}, "network": {"Address": "192.0.2.1/24"}}


def problems(**values):
    return settings_problems(Settings(**dict(dict(uplinks=("uplink0",)), **values)))


def test_the_defaults_and_one_uplink_have_no_problem():
    assert problems() == []


def test_settings_take_every_option_of_the_argument_spec_with_its_default():
    defaults = {name: spec.get("default") for name, spec in ARGUMENT_SPEC.items() if name != "uplinks"}
    settings = Settings.from_params(dict(defaults, uplinks=["eth0"]))
    assert settings == Settings(uplinks=("eth0",))
    assert set(Settings._fields) == set(ARGUMENT_SPEC)


@pytest.mark.parametrize("family, families", [("ipv4", ("ipv4",)), ("ipv6", ("ipv6",)), ("both", ("ipv4", "ipv6"))])
def test_one_family_option_stands_for_its_families(family, families):
    assert Settings.from_params({"uplinks": ["eth0"], "family": family}).families == families


def test_no_uplink_is_a_problem():
    assert "Set docker_host_network_uplinks" in problems(uplinks=())[0]


@pytest.mark.parametrize("uplink", ["docker0", "veth9", "br-*"])
def test_an_uplink_that_docker_would_create_is_a_problem(uplink):
    assert problems(uplinks=("eth0", uplink)) == [
        "Set docker_host_network_uplinks to the links that carry the containers' traffic, none of them matching "
        "docker_host_network_container_link_patterns ['docker0', 'br-*', 'veth*'] (these would match: ['%s'])." % uplink]


@pytest.mark.parametrize("timeout, reconnect", [(60, 60), (99, 60), (40, 1)])
def test_the_rollback_leaves_the_reconnect_the_apply_and_a_margin(timeout, reconnect):
    found = problems(rollback_timeout=timeout, rollback_reconnect_timeout=reconnect)
    assert found == ["docker_host_network_rollback_timeout (%d) must be at least docker_host_network_rollback_reconnect_timeout "
                     "(%d) + 20 s for networkd to take the change + a margin of 20 s, that is %d: with less, the host can roll "
                     "back a good change while the controller is still confirming it." % (timeout, reconnect, reconnect + 40)]


def test_a_rollback_timeout_with_the_margin_is_fine():
    assert problems(rollback_timeout=100, rollback_reconnect_timeout=60) == []


def test_the_controller_tries_to_reach_the_host_at_least_a_second():
    assert problems(rollback="never", rollback_reconnect_timeout=0) == [
        "docker_host_network_rollback_reconnect_timeout (0) must be at least 1 second."]


def test_no_rollback_no_timeout_rule():
    assert problems(rollback="never", rollback_timeout=5, rollback_reconnect_timeout=60) == []


@pytest.mark.parametrize("where", ["network", "sections", "dropins"])
def test_a_definition_may_not_set_a_forwarding_key(where):
    network = dict(UPLINK_NETWORK)
    if where == "network":
        network["network"] = {"IPForward": "yes"}
    elif where == "sections":
        network["sections"] = [{"section": "Network", "options": {"IPv4Forwarding": True}}]
    else:
        network["dropins"] = [{"name": "x", "sections": [{"section": "Network", "options": {"IPv6Forwarding": "no"}}]}]
    found = problems(networks=(network,))
    assert len(found) == 1 and found[0].startswith("docker_host_network_networks sets 10-uplink: I")


@pytest.mark.parametrize("name", ["../../etc/passwd", "sub/10-x", ".hidden", "10-x\n[Match]"])
def test_a_definition_name_must_be_a_plain_file_name(name):
    found = problems(networks=(dict(UPLINK_NETWORK, name=name),))
    assert found and "the name must be a file name in /etc/systemd/network" in found[0]


def test_a_dropin_name_must_be_a_plain_file_name():
    network = dict(UPLINK_NETWORK, dropins=[{"name": "../x", "sections": []}])
    assert problems(networks=(network,)) == [
        "docker_host_network_networks[0] (10-uplink).dropins[0]: the name must be a file name, without '/', "
        "not starting with '.'."]


def test_a_present_definition_needs_a_match_section():
    assert problems(networks=({"name": "10-x", "network": {"DHCP": "yes"}},)) == [
        "docker_host_network_networks[0] (10-x): a present definition needs a [Match] section (match); networkd "
        "ignores a .network file without one."]


def test_an_absent_definition_needs_nothing_but_its_name():
    assert problems(networks=({"name": "10-x", "state": "absent"},)) == []


def test_a_section_without_options_is_a_problem():
    network = dict(UPLINK_NETWORK, sections=[{"section": "Route"}])
    assert problems(networks=(network,)) == [
        "docker_host_network_networks[0] (10-uplink).sections[0] must have a section name and a dict of options."]


@pytest.mark.parametrize("values, variable", [
    ({"dropin_name": ".fix.conf"}, "docker_host_network_dropin_name"),
    ({"dropin_name": "fix"}, "docker_host_network_dropin_name"),
    ({"unmanaged_container_links_file": "a/b.network"}, "docker_host_network_unmanaged_container_links_file"),
    ({"unmanaged_container_links_file": "05-links.conf"}, "docker_host_network_unmanaged_container_links_file"),
    ({"sysctl_file": "sysctl.d/90-x.conf"}, "docker_host_network_sysctl_file"),
    ({"sysctl_override_file": "/etc/sysctl.d/99-x"}, "docker_host_network_sysctl_override_file"),
    ({"evidence_path": "evidence.json"}, "docker_host_network_evidence_path"),
])
def test_file_names_the_role_writes_must_be_read_by_their_readers(values, variable):
    found = problems(**values)
    assert len(found) == 1 and found[0].startswith(variable)


def test_every_problem_is_named_at_once():
    found = problems(uplinks=(), rollback_timeout=50, dropin_name=".x.conf",
                     networks=({"name": "10-x", "network": {"IPForward": "yes"}},))
    assert len(found) == 5
