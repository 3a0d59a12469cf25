# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What networkd writes, event by event, in each version band.

See docs/internals/forwarding-semantics.md, "The bands at a glance" and "The prediction algorithm".
"""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._model.host import HostView
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.procps import ProcpsVersion
from ansible_collections.hostnet.networkd.plugins.module_utils._report.audit import audit_report
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.versions import forwarding_band

from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils.hosts import DOCKER_HOST_LINKS, LO, UPLINK, host, link_entry, network, report

ETC = "/etc/systemd/network/"
CONF_D = "/etc/systemd/networkd.conf.d/"
LIVE_ON = {"ipv4": {"all": 1, "default": 1, "uplink0": 1, "docker0": 1, "veth1a2b": 1, "lo": 1},
           "ipv6": {"all": 0, "default": 0, "uplink0": 0, "docker0": 0, "veth1a2b": 0, "lo": 0}}


def uplink(files, version, family="ipv4", live=None, **kwargs):
    live = LIVE_ON if live is None else live
    return link_entry(report(files, version, live=live, families=(family,), **kwargs), "uplink0")[family]


@pytest.mark.parametrize("version, band", [(218, None), (219, "219"), (220, "220"), (221, "221-227"),
                                           (227, "221-227"), (228, "228-255"), (255, "228-255"),
                                           (256, "256"), (257, "257+"), (262, "257+")])
def test_version_bands(version, band):
    assert forwarding_band(version) == band


def test_219_to_227_write_0_when_ipforward_is_unset():
    for version in (219, 220, 227):
        result = uplink({ETC + "10-up.network": network()}, version)
        assert result["after_reconfigure"] == 0
        assert "IPForward= unset" in result["risk"]


def test_219_to_227_ipforward_yes_writes_1():
    assert uplink({ETC + "10-up.network": network(network="IPForward=yes")}, 224)["after_reconfigure"] == 1


def test_219_writes_global_ip_forward_and_220_does_not():
    """219 also wrote net.ipv4.ip_forward, which the kernel copies to every link, docker0 included."""
    files = {ETC + "10-up.network": network(network="IPForward=ipv4")}
    live = {"ipv4": {"all": 0, "default": 0, "uplink0": 0, "docker0": 0, "veth1a2b": 0, "lo": 0}}
    after_uplink_219 = host(files, 219, live=live).model.predict("reconfigure", "uplink0")
    after_uplink_220 = host(files, 220, live=live).model.predict("reconfigure", "uplink0")
    assert after_uplink_219.get("ipv4", "docker0").value == 1
    assert after_uplink_219.get("ipv4", "all").value == 1
    assert after_uplink_220.get("ipv4", "docker0").value == 0
    assert after_uplink_220.get("ipv4", "uplink0").value == 1


def test_ipforward_kernel_leaves_the_sysctl_alone_in_221_to_227():
    assert uplink({ETC + "10-up.network": network(network="IPForward=kernel")}, 225)["after_reconfigure"] is None


def test_ipforward_kernel_is_unknown_to_219_and_220():
    result = report({ETC + "10-up.network": network(network="IPForward=kernel")}, 220, live=LIVE_ON)
    assert link_entry(result, "uplink0")["ipv4"]["after_reconfigure"] == 0
    assert any("Failed to parse IPForward=" in w for w in result["warnings"])


def test_loopback_is_written_by_219_and_skipped_from_222():
    files = {ETC + "10-all.network": network("Name=*")}
    lo_219 = link_entry(report(files, 219, live=LIVE_ON, covered=["lo"]), "lo")["ipv4"]
    lo_222 = link_entry(report(files, 222, live=LIVE_ON, covered=["lo"]), "lo")["ipv4"]
    assert lo_219["after_reconfigure"] == 0
    assert lo_222["after_reconfigure"] is None


def test_masquerade_implies_ipv4_forwarding_before_228():
    assert uplink({ETC + "10-up.network": network(network="IPMasquerade=yes")}, 220)["after_reconfigure"] == 1


def test_228_to_255_never_write_a_per_link_value():
    result = uplink({ETC + "10-up.network": network(network="IPForward=no")}, 252)
    assert result["after_reconfigure"] is None
    assert result["after_restart"] is None


def test_228_to_255_ipforward_yes_does_not_restore_a_link_when_global_is_already_1():
    live = {"ipv4": dict(LIVE_ON["ipv4"], uplink0=0)}
    result = uplink({ETC + "10-up.network": network(network="IPForward=yes")}, 252, live=live)
    assert result["after_reconfigure"] is None
    assert result["live"] == 0


def test_228_to_255_ipforward_yes_propagates_when_global_is_0():
    live = {"ipv4": {"all": 0, "default": 0, "uplink0": 0, "docker0": 0, "veth1a2b": 0, "lo": 0}}
    result = uplink({ETC + "10-up.network": network(network="IPForward=yes")}, 247, live=live)
    assert result["after_reconfigure"] == 1


def test_228_to_249_rewrite_ipv6_all_on_every_configure():
    files = {ETC + "10-up.network": network(network="IPForward=ipv6")}
    live = {"ipv6": {"all": 1, "default": 1, "uplink0": 0, "docker0": 0, "veth1a2b": 0, "lo": 0}}
    assert uplink(files, 247, family="ipv6", live=live)["after_reconfigure"] == 1
    assert uplink(files, 252, family="ipv6", live=live)["after_reconfigure"] is None


def test_ipv6_masquerade_turns_ipv6_on_only_from_248():
    files = {ETC + "10-up.network": network(network="IPMasquerade=ipv6")}
    live = {"ipv6": {"all": 0, "default": 0, "uplink0": 0, "docker0": 0, "veth1a2b": 0, "lo": 0}}
    assert uplink(files, 252, family="ipv6", live=live)["after_reconfigure"] == 1
    assert uplink(files, 247, family="ipv6", live=live)["after_reconfigure"] is None


def test_ipforward_is_ignored_from_256_with_a_warning():
    result = report({ETC + "10-up.network": network(network="IPForward=yes")}, 257, live=LIVE_ON)
    assert link_entry(result, "uplink0")["ipv4"]["after_reconfigure"] is None
    assert any("IPForward= setting is deprecated" in w for w in result["warnings"])


def test_new_keys_are_unknown_before_256():
    result = report({ETC + "10-up.network": network(network="IPv4Forwarding=yes")}, 255, live=LIVE_ON)
    assert link_entry(result, "uplink0")["ipv4"]["configured"] is None
    assert any("unknown to systemd 255" in w for w in result["warnings"])


def test_explicit_no_resets_the_link_on_every_reconfigure_from_256():
    result = uplink({ETC + "10-up.network": network(network="IPv4Forwarding=no")}, 256)
    assert result["after_reconfigure"] == 0
    assert result["source"] == ETC + "10-up.network:5"
    assert ETC + "10-up.network:5 (IPv4Forwarding=no)" in result["risk"]


def test_global_no_in_networkd_conf_resets_links_without_their_own_setting():
    files = {ETC + "10-up.network": network(), CONF_D + "10-harden.conf": "[Network]\nIPv4Forwarding=no\n"}
    result = uplink(files, 257)
    assert result["after_reconfigure"] == 0
    assert result["after_restart"] == 0
    assert CONF_D + "10-harden.conf:2" in result["risk"]


def test_global_no_reaches_unmanaged_links_through_all_on_restart():
    files = {ETC + "10-up.network": network(), CONF_D + "10-harden.conf": "[Network]\nIPv4Forwarding=no\n"}
    docker0 = link_entry(report(files, 257, live=LIVE_ON), "docker0")["ipv4"]
    assert docker0["after_reconfigure"] is None
    assert docker0["after_restart"] == 0


def test_explicit_yes_wins_over_global_no():
    files = {ETC + "10-up.network": network(network="IPv4Forwarding=yes"),
             CONF_D + "10-harden.conf": "[Network]\nIPv4Forwarding=no\n"}
    result = uplink(files, 262)
    assert (result["after_reconfigure"], result["after_restart"], result["after_boot"]) == (1, 1, 1)
    assert result["risk"] is None


def test_empty_assignment_resets_the_per_link_key():
    files = {ETC + "10-up.network": network(network="IPv4Forwarding=no\nIPv4Forwarding=")}
    assert uplink(files, 257)["after_reconfigure"] is None


def test_dropin_overrides_the_main_file():
    files = {ETC + "10-up.network": network(network="IPv4Forwarding=yes"),
             ETC + "10-up.network.d/90-no.conf": "[Network]\nIPv4Forwarding=no\n"}
    result = uplink(files, 257)
    assert result["after_reconfigure"] == 0
    assert result["source"] == ETC + "10-up.network.d/90-no.conf:2"


def test_masquerade_turns_global_on_from_257_but_not_in_256():
    files = {ETC + "10-up.network": network(network="IPMasquerade=ipv4")}
    live = {"ipv4": {"all": 0, "default": 0, "uplink0": 0, "docker0": 0, "veth1a2b": 0, "lo": 0}}
    docker0_256 = link_entry(report(files, 256, live=live), "docker0")["ipv4"]
    docker0_257 = link_entry(report(files, 257, live=live), "docker0")["ipv4"]
    assert docker0_256["after_restart"] is None
    assert docker0_257["after_restart"] == 1


def test_send_ra_implies_ipv6_forwarding_only_with_a_hardware_address():
    files = {ETC + "10-up.network": network(network="IPv6SendRA=yes")}
    assert uplink(files, 257, family="ipv6")["after_reconfigure"] == 1
    bare = [LO, UPLINK.__class__(name="uplink0", type="none", ifindex=2)]
    result = link_entry(report(files, 257, links=bare, families=("ipv6",)), "uplink0")["ipv6"]
    assert result["after_reconfigure"] is None


def test_sysctl_d_zero_is_what_a_reboot_leaves_on_252():
    files = {ETC + "10-up.network": network(), "/etc/sysctl.d/60-cis.conf": "net.ipv4.ip_forward = 0\n"}
    result = uplink(files, 252)
    assert result["after_boot"] == 0
    assert result["after_sysctl_reload"] == 0
    assert "/etc/sysctl.d/60-cis.conf:1" in result["risk"]


def test_ipforward_yes_brings_boot_back_to_1_on_252_despite_sysctl_zero():
    files = {ETC + "10-up.network": network(network="IPForward=yes"),
             "/etc/sysctl.d/60-cis.conf": "net.ipv4.ip_forward = 0\n"}
    result = uplink(files, 252)
    assert result["after_boot"] == 1
    assert result["after_sysctl_reload"] == 0


def test_per_link_sysctl_applies_when_the_link_appears_at_boot():
    files = {ETC + "10-up.network": network(), "/etc/sysctl.d/50-fwd.conf": "net.ipv4.conf.uplink0.forwarding = 1\n"}
    assert uplink(files, 252)["after_boot"] == 1
    docker0 = link_entry(report(files, 252, live=LIVE_ON), "docker0")["ipv4"]
    assert docker0["after_boot"] == 0


def test_glob_sysctl_entry_applies_to_matching_links():
    files = {ETC + "10-up.network": network(), "/etc/sysctl.d/50-fwd.conf": "net.ipv4.conf.uplink*.forwarding = 1\n"}
    assert uplink(files, 257)["after_boot"] == 1


def test_no_risk_when_everything_keeps_forwarding_on():
    files = {ETC + "10-up.network": network(network="IPv4Forwarding=yes"),
             "/etc/sysctl.d/50-fwd.conf": "net.ipv4.ip_forward = 1\n"}
    result = uplink(files, 257)
    assert result["after_boot"] == 1
    assert result["risk"] is None


def test_risk_says_when_the_link_is_off_now():
    live = {"ipv4": dict(LIVE_ON["ipv4"], uplink0=0)}
    result = uplink({ETC + "10-up.network": network()}, 252, live=live)
    assert result["risk"] == "uplink0 IPv4 forwarding is 0 now and stays 0 after a reboot (kernel default)."


def test_risk_says_when_only_a_reboot_turns_the_link_back_on():
    live = {"ipv4": dict(LIVE_ON["ipv4"], uplink0=0)}
    files = {ETC + "10-up.network": network(), "/etc/sysctl.d/90-fwd.conf": "net.ipv4.ip_forward=1\n"}
    result = uplink(files, 252, live=live)
    assert result["risk"] == "uplink0 IPv4 forwarding is 0 now, and only a reboot sets it back to 1."


def test_desired_zero_reports_what_turns_forwarding_on():
    files = {ETC + "10-up.network": network(network="IPv4Forwarding=yes")}
    result = uplink(files, 257, desired=0)
    assert result["risk"].startswith("uplink0 IPv4 forwarding is 1 now and stays 1 on `networkctl reconfigure`")
    assert "10-up.network:5 (IPv4Forwarding=yes)" in result["risk"]


def test_global_report_predicts_all_and_default_after_restart_boot_and_sysctl_reload():
    files = {ETC + "10-up.network": network(network="IPv4Forwarding=yes"),
             CONF_D + "10-harden.conf": "[Network]\nIPv4Forwarding=no\n",
             "/etc/sysctl.d/99-cis.conf": "net.ipv4.ip_forward = 0\n"}
    result = report(files, 257, live=LIVE_ON)
    ipv4 = result["global"]["ipv4"]
    assert (ipv4["all"], ipv4["default"]) == (1, 1)
    assert ipv4["after_restart"] == {"all": 0, "default": 0}
    assert ipv4["after_boot"] == {"all": 0, "default": 0}
    assert ipv4["after_sysctl_reload"]["all"] == 0


def test_global_report_leaves_unwritten_values_null():
    result = report({ETC + "10-up.network": network()}, 252, live=LIVE_ON)
    ipv4 = result["global"]["ipv4"]
    assert ipv4["after_restart"] == {"all": None, "default": None}
    assert ipv4["after_sysctl_reload"] == {"all": None, "default": None}
    assert ipv4["after_boot"] == {"all": 0, "default": 0}


# --------------------------------------------------------------------------- links networkd does not configure

CAN0 = DOCKER_HOST_LINKS[0].__class__(name="can0", type="can", kind="can", ifindex=5)
ALL_ZERO = {"ipv4": {"all": 0, "default": 0, "uplink0": 0, "docker0": 0, "veth1a2b": 0, "lo": 0, "can0": 0},
            "ipv6": {"all": 0, "default": 0, "uplink0": 0, "docker0": 0, "veth1a2b": 0, "lo": 0, "can0": 0}}


@pytest.mark.parametrize("version", [219, 220, 221])
def test_loopback_gets_0_on_219_to_221_whatever_ipforward_says(version):
    """link_ipv{4,6}_forward_enabled() is false for IFF_LOOPBACK: the writer writes 0 even with IPForward=yes."""
    files = {ETC + "10-all.network": network("Name=*", network="IPForward=yes")}
    lo = link_entry(report(files, version, live=LIVE_ON, covered=["lo"], families=("ipv4", "ipv6")), "lo")
    assert (lo["ipv4"]["after_reconfigure"], lo["ipv6"]["after_reconfigure"]) == (0, 0)
    assert "loopback" in lo["ipv4"]["risk"]


def test_loopback_is_still_left_alone_by_ipforward_kernel_on_221():
    files = {ETC + "10-lo.network": network("Name=lo", network="IPForward=kernel")}
    assert link_entry(report(files, 221, live=LIVE_ON, covered=["lo"]), "lo")["ipv4"]["after_reconfigure"] is None


def test_loopback_never_triggers_the_219_global_write():
    files = {ETC + "10-lo.network": network("Name=lo", network="IPForward=yes")}
    after = host(files, 219, live=ALL_ZERO).model.predict("reconfigure", "lo")
    assert after.get("ipv4", "all").value == 0
    assert after.get("ipv4", "docker0").value == 0


def test_masqueraded_loopback_does_not_turn_global_forwarding_on_from_257():
    """link_set_ip_forwarding() returns before the IPMasquerade= path when link_is_configured_for_family() is false."""
    files = {ETC + "10-lo.network": network("Name=lo", network="IPMasquerade=ipv4")}
    docker0 = link_entry(report(files, 257, live=ALL_ZERO), "docker0")["ipv4"]
    assert docker0["after_restart"] is None


@pytest.mark.parametrize("version, turns_on", [(238, True), (239, False), (252, False), (255, False)])
def test_can_link_turns_global_forwarding_on_only_before_239(version, turns_on):
    """From 239 link_configure() hands CAN links to link_configure_can() before any sysctl is written."""
    files = {ETC + "10-can.network": network("Name=can0", network="IPForward=yes")}
    view = host(files, version, links=DOCKER_HOST_LINKS + [CAN0], live=ALL_ZERO)
    after = view.model.predict("reconfigure", "can0")
    assert after.get("ipv4", "all").value == (1 if turns_on else 0)
    assert after.get("ipv4", "uplink0").value == (1 if turns_on else 0)


def test_can_link_gets_no_per_link_value_from_256():
    files = {ETC + "10-can.network": network("Name=can0", network="IPv4Forwarding=yes\nIPMasquerade=ipv4")}
    view = host(files, 257, links=DOCKER_HOST_LINKS + [CAN0], live=ALL_ZERO)
    after = view.model.predict("restart")
    assert after.get("ipv4", "can0").value == 0
    assert after.get("ipv4", "all").value == 0


# --------------------------------------------------------------------------- sysctl --system by procps-ng release

GLOB_ZERO = {ETC + "10-up.network": network(), "/etc/sysctl.d/50-harden.conf": "net.ipv4.conf.*.forwarding = 0\n"}


def dpkg_procps(version):
    return ("Package: procps\nStatus: install ok installed\nVersion: %s\n" % version).encode()


@pytest.mark.parametrize("package, after_reload", [("2:3.3.17-5", None), ("2:4.0.2-3", 0), ("2:4.0.7-1", 0)])
def test_sysctl_reload_follows_the_procps_release_below_the_root(package, after_reload):
    files = dict(GLOB_ZERO, **{"/var/lib/dpkg/status": dpkg_procps(package)})
    result = uplink(files, 252)
    assert result["after_boot"] == 0                  # systemd-sysctl expands globs whatever procps is
    assert result["after_sysctl_reload"] == after_reload


def test_procps_reader_wins_over_the_package_database_and_is_asked_only_for_globs():
    calls = []

    def reader():
        calls.append(1)
        return ProcpsVersion((3, 3, 17), "sysctl --version")

    files = dict(GLOB_ZERO, **{"/var/lib/dpkg/status": dpkg_procps("2:4.0.4-9")})
    fs = MemoryFileSystem({path: (content.encode() if isinstance(content, str) else content)
                           for path, content in files.items()})
    view = HostView(version=252, fs=fs, links=DOCKER_HOST_LINKS, facts=HostFacts(), live_values=LIVE_ON,
                    procps_reader=reader).load()
    assert view.sysctl.procps.version == (3, 3, 17)
    assert view.model.predict("sysctl_reload").get("ipv4", "uplink0").value == 1
    plain = MemoryFileSystem({ETC + "10-up.network": network()})
    HostView(version=252, fs=plain, links=DOCKER_HOST_LINKS, facts=HostFacts(), procps_reader=reader).load()
    assert calls == [1]


def test_unknown_procps_is_a_warning_of_the_audit():
    result = report(GLOB_ZERO, 257, live=LIVE_ON)
    assert link_entry(result, "uplink0")["ipv4"]["after_sysctl_reload"] == 0
    assert any("procps-ng version is unknown" in warning for warning in result["warnings"])


# --------------------------------------------------------------------------- ID_NET_MANAGED_BY

def test_link_of_another_manager_is_left_alone_and_the_audit_says_why():
    nm_owned = UPLINK.__class__(name="uplink0", type="ether", kind="veth", mac="02:00:00:00:00:01", ifindex=2,
                                properties={"ID_NET_MANAGED_BY": "org.freedesktop.NetworkManager"})
    files = {ETC + "10-up.network": network(), CONF_D + "10-harden.conf": "[Network]\nIPv4Forwarding=no\n"}
    links = [LO, nm_owned] + DOCKER_HOST_LINKS[2:]
    result = report(files, 257, links=links, live=LIVE_ON)
    entry = link_entry(result, "uplink0")
    assert entry["network_file"] is None
    assert entry["managed_by"] == "org.freedesktop.NetworkManager"
    assert entry["ipv4"]["after_reconfigure"] is None        # networkd writes nothing for it
    assert entry["ipv4"]["after_restart"] == 0               # the global no still reaches it through `all`
    assert any("ID_NET_MANAGED_BY=org.freedesktop.NetworkManager" in w and "uplink0" in w for w in result["warnings"])
    assert result["unused_network_files"][ETC + "10-up.network"] == 0     # governs nothing, matches no other link
    assert link_entry(report(files, 257, live=LIVE_ON), "uplink0")["managed_by"] is None


def test_networkd_conf_changed_after_networkd_started_is_a_warning():
    files = {ETC + "10-up.network": network(), CONF_D + "10-harden.conf": "[Network]\nIPv4Forwarding=no\n"}
    fs = MemoryFileSystem({path: content.encode() if isinstance(content, str) else content
                           for path, content in files.items()})
    mtimes = {CONF_D + "10-harden.conf": 2000.0, CONF_D.rstrip("/"): 2000.0}
    view = HostView(version=257, fs=fs, links=DOCKER_HOST_LINKS, facts=HostFacts(), live_values=LIVE_ON,
                    networkd_started_at=1000.0, mtime=mtimes.get).load()
    result = audit_report(view, view.links[1:2], ("ipv4",))
    warning = next(w for w in result["warnings"] if "after systemd-networkd started" in w)
    assert CONF_D + "10-harden.conf" in warning and "restart" in warning
    quiet = HostView(version=257, fs=fs, links=DOCKER_HOST_LINKS, facts=HostFacts(), live_values=LIVE_ON,
                     networkd_started_at=3000.0, mtime=mtimes.get).load()
    assert not any("after systemd-networkd started" in w for w in audit_report(quiet, quiet.links[1:2], ("ipv4",))["warnings"])
