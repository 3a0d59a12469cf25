# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning the file changes: where the key goes, what is removed, what is refused."""

from __future__ import annotations

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import OverlayFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._plan.fix import FixError, FixPlanner
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.network_files import load_network_configuration
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils.hosts import UPLINK, host, network

ETC = "/etc/systemd/network/"
RUN = "/run/systemd/network/"
USR = "/usr/lib/systemd/network/"
DROPIN = "50-hostnet-forwarding.conf"


def plan(files, version=257, syntax="modern", families=("ipv4",), desired=1, method="auto", scope="link"):
    view = host(files, version)
    planner = FixPlanner(view.fs, version, syntax, families, desired, DROPIN, method)
    if scope == "link":
        planner.plan_network(view.model.plans["uplink0"].network)
    else:
        planner.plan_global(view.networkd_conf)
    return view, {change.path: change for change in planner.changes()}


def test_file_in_etc_is_edited_in_place_in_its_last_network_section():
    files = {ETC + "10-up.network": "[Match]\nName=uplink0\n\n[Network]\nAddress=192.0.2.1/24\n\n[Route]\nGateway=192.0.2.254\n"}
    _view, changes = plan(files)
    assert changes[ETC + "10-up.network"].after == (
        b"[Match]\nName=uplink0\n\n[Network]\nAddress=192.0.2.1/24\nIPv4Forwarding=yes\n\n[Route]\nGateway=192.0.2.254\n")


def test_network_section_is_appended_when_the_file_has_none():
    _view, changes = plan({ETC + "10-up.network": network()})
    assert changes[ETC + "10-up.network"].after == b"[Match]\nName=uplink0\n\n[Network]\nIPv4Forwarding=yes\n"


def test_file_under_run_gets_a_dropin_in_etc():
    _view, changes = plan({RUN + "10-netplan-uplink0.network": network(network="IPForward=yes")})
    path = ETC + "10-netplan-uplink0.network.d/" + DROPIN
    assert list(changes) == [path]
    assert changes[path].action == "created"
    assert changes[path].after.endswith(b"[Network]\nIPv4Forwarding=yes\n")


def test_conflicting_keys_are_removed_from_etc_dropins():
    files = {ETC + "10-up.network": network(network="IPv4Forwarding=yes"),
             ETC + "10-up.network.d/90-harden.conf": "[Network]\nIPv4Forwarding=no\nDHCP=no\n"}
    _view, changes = plan(files)
    assert changes[ETC + "10-up.network.d/90-harden.conf"].after == b"[Network]\nDHCP=no\n"


def test_deprecated_ipforward_is_removed_when_writing_modern_keys():
    _view, changes = plan({ETC + "10-up.network": network(network="IPForward=yes")})
    assert b"IPForward" not in changes[ETC + "10-up.network"].after
    assert b"IPv4Forwarding=yes" in changes[ETC + "10-up.network"].after


def test_a_second_plan_after_the_first_changes_nothing():
    files = {ETC + "10-up.network": network(network="IPForward=yes"),
             ETC + "10-up.network.d/90-harden.conf": "[Network]\nIPv4Forwarding=no\n"}
    view, changes = plan(files)
    after = OverlayFileSystem(view.fs, {path: change.after for path, change in changes.items()})
    configuration = load_network_configuration(after, 257, view.facts)
    planner = FixPlanner(after, 257, "modern", ["ipv4"], 1, DROPIN, "auto")
    planner.plan_network(configuration.governing_files([UPLINK])[0])
    assert planner.changes() == []


def test_correct_file_is_left_untouched():
    _view, changes = plan({ETC + "10-up.network": network(network="IPv4Forwarding=true")})
    assert changes == {}


def test_legacy_syntax_combines_families_into_one_ipforward():
    _view, changes = plan({ETC + "10-up.network": network(network="IPForward=ipv6")}, version=252, syntax="legacy")
    assert changes[ETC + "10-up.network"].after.endswith(b"[Network]\nIPForward=yes\n")


def test_legacy_disable_keeps_the_other_family():
    _view, changes = plan({ETC + "10-up.network": network(network="IPForward=yes")}, version=252,
                          syntax="legacy", desired=0)
    assert changes[ETC + "10-up.network"].after.endswith(b"[Network]\nIPForward=ipv6\n")


def test_vendor_dropin_applied_after_ours_is_refused_with_its_location():
    files = {USR + "10-up.network": network(),
             USR + "10-up.network.d/90-vendor.conf": "[Network]\nIPv4Forwarding=no\n"}
    with pytest.raises(FixError, match=USR + "10-up.network.d/90-vendor.conf:2 sets IPv4Forwarding=no"):
        plan(files)


def test_vendor_dropin_applied_before_ours_is_harmless():
    files = {USR + "10-up.network": network(),
             USR + "10-up.network.d/10-vendor.conf": "[Network]\nIPv4Forwarding=no\n"}
    _view, changes = plan(files)
    assert list(changes) == [ETC + "10-up.network.d/" + DROPIN]


def test_method_dropin_writes_a_dropin_even_for_etc_files():
    _view, changes = plan({ETC + "10-up.network": network()}, method="dropin")
    assert list(changes) == [ETC + "10-up.network.d/" + DROPIN]


def test_switching_to_inline_removes_our_emptied_dropin():
    files = {ETC + "10-up.network": network(),
             ETC + "10-up.network.d/" + DROPIN: "[Network]\nIPv4Forwarding=yes\n"}
    _view, changes = plan(files, method="inline")
    assert changes[ETC + "10-up.network.d/" + DROPIN].action == "removed"
    assert changes[ETC + "10-up.network"].after.endswith(b"IPv4Forwarding=yes\n")


def test_broken_file_is_never_edited():
    files = {ETC + "10-up.network": network(), ETC + "10-up.network.d/bad.conf": "[Network\n"}
    view = host(files, 257)
    planner = FixPlanner(view.fs, 257, "modern", ["ipv4"], 1, DROPIN, "auto")
    broken = view.configuration.find(ETC + "10-up.network")
    with pytest.raises(FixError, match="bad.conf:1"):
        planner.plan_network(broken)


def test_global_scope_writes_a_networkd_conf_dropin_and_removes_etc_dropin_conflicts():
    files = {ETC + "10-up.network": network(),
             "/etc/systemd/networkd.conf.d/90-harden.conf": "[Network]\nIPv4Forwarding=no\n"}
    _view, changes = plan(files, scope="global")
    assert changes["/etc/systemd/networkd.conf.d/90-harden.conf"].after == b"[Network]\n"
    assert changes["/etc/systemd/networkd.conf.d/" + DROPIN].after.endswith(b"[Network]\nIPv4Forwarding=yes\n")


def test_global_scope_leaves_networkd_conf_itself_alone_and_overrides_it_with_the_dropin():
    """networkd parses networkd.conf before every drop-in: the drop-in wins, the main file stays as written."""
    files = {ETC + "10-up.network": network(), "/etc/systemd/networkd.conf": "[Network]\nIPv4Forwarding=no\n"}
    view, changes = plan(files, scope="global")
    assert sorted(changes) == ["/etc/systemd/networkd.conf.d/" + DROPIN]
    after = host(dict(files, **{path: change.after for path, change in changes.items()}), 257)
    assert after.networkd_conf.forwarding["ipv4"].value is True
    assert [a.location for a in after.networkd_conf.forwarding["ipv4"].overridden] == ["/etc/systemd/networkd.conf:2"]
    _view, again = plan(dict(files, **{path: change.after for path, change in changes.items()}), scope="global")
    assert again == {}


def test_crlf_file_keeps_crlf_line_endings():
    _view, changes = plan({ETC + "10-up.network": b"[Match]\r\nName=uplink0\r\n[Network]\r\nDHCP=yes\r\n"})
    assert changes[ETC + "10-up.network"].after == b"[Match]\r\nName=uplink0\r\n[Network]\r\nDHCP=yes\r\nIPv4Forwarding=yes\r\n"


def test_plan_names_the_other_manager_of_a_link_it_cannot_fix():
    from ansible_collections.hostnet.networkd.plugins.module_utils._plan.forwarding import plan_forwarding

    nm_owned = UPLINK.__class__(name="uplink0", ifindex=2, properties={"ID_NET_MANAGED_BY": "org.freedesktop.NetworkManager"})
    view = host({"/etc/systemd/network/10-up.network": network()}, 257, links=[nm_owned])
    changes, warnings = plan_forwarding(view, [nm_owned], [], ["ipv4"], "modern", 1, "link", "50-x.conf", "auto")
    assert changes == []
    assert warnings == ["uplink0 is not managed by networkd (udev's ID_NET_MANAGED_BY=org.freedesktop.NetworkManager); "
                        "no .network file to change"]
