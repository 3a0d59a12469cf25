# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's main() on host layouts copied from real distributions (module_utils/layouts)."""

from __future__ import annotations

import os

from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils.layout_tree import cases, lay_out
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run


def layout(tmp_path, name, case="default"):
    """(root, systemd version, links without lo) of a layout laid out below ``tmp_path``."""
    spec = dict(cases(name))[case]
    links = [link for link in spec["links"] if link["name"] != "lo"]
    return lay_out(name, str(tmp_path)), spec["systemd_version"], links


def warning_texts(result):
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


def entry(result, name):
    return next(link for link in result["links"] if link["name"] == name)


def test_audit_of_a_cis_hardened_host_names_networkd_conf_and_fails_on_risk(capsys, tmp_path):
    root, version, links = layout(tmp_path, "cis-hardened")
    code, result = run(capsys, root=root, systemd_version=version, links=links, fail_on_risk=True)
    assert code == 1
    assert entry(result, "eth0")["ipv4"]["after_restart"] == 0
    assert "/etc/systemd/networkd.conf:20" in entry(result, "eth0")["ipv4"]["risk"]
    assert result["global"]["ipv4"]["source"] == "/etc/systemd/networkd.conf:20"


def test_netplan_file_governs_the_cloud_nic_described_with_its_permanent_mac(capsys, tmp_path):
    root, version, links = layout(tmp_path, "ubuntu-24.04-cloud", "with_permanent_mac")
    code, result = run(capsys, root=root, systemd_version=version, links=links)
    assert code == 0
    assert entry(result, "ens5")["network_file"] == "/run/systemd/network/10-netplan-ens5.network"
    assert entry(result, "ens5")["ipv4"]["after_boot"] == 0


def test_amazon_linux_run_file_reached_through_its_symlink_governs_ens5(capsys, tmp_path):
    root, version, links = layout(tmp_path, "amazon-linux-2023")
    code, result = run(capsys, root=root, systemd_version=version, links=links)
    assert code == 0
    ens5 = entry(result, "ens5")
    assert ens5["network_file"] == "/run/systemd/network/70-ens5.network"
    assert ens5["dropins"] == ["/run/systemd/network/70-ens5.network.d/eni.conf"]


def test_global_fix_of_a_hardened_networkd_conf_is_a_dropin_that_wins(capsys, tmp_path):
    root, version, links = layout(tmp_path, "cis-hardened")
    main_file = os.path.join(root, "etc/systemd/networkd.conf")
    before = open(main_file, "rb").read()
    code, result = run(capsys, root=root, systemd_version=version, links=links, state="enabled",
                       interfaces=["eth0"], scope="both")
    assert code == 0, result.get("msg")
    assert open(main_file, "rb").read() == before
    assert result["changes"] == {"created": ["/etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf"],
                                 "modified": ["/etc/systemd/network/10-eth0.network"], "removed": []}
    assert result["global"]["ipv4"]["networkd_conf"] == "yes"
    assert result["global"]["ipv4"]["overridden"] == ["/etc/systemd/networkd.conf:20 (IPv4Forwarding=no)"]
    assert entry(result, "eth0")["ipv4"]["after_restart"] == 1
    again = run(capsys, root=root, systemd_version=version, links=links, state="enabled", interfaces=["eth0"], scope="both")
    assert again == (0, again[1]) and again[1]["changed"] is False


def test_offline_audit_without_links_fails_on_the_roots_own_risks(capsys, tmp_path):
    root, version, _links = layout(tmp_path, "cis-hardened")
    code, result = run(capsys, root=root, systemd_version=version, fail_on_risk=True)
    assert code == 1
    assert result["msg"] == "forwarding at risk on: global ipv4"
    assert result["links"] == []
    assert result["global"]["ipv4"]["risk"] == (
        "global (all) IPv4 forwarding becomes 0 when systemd-networkd restarts (/etc/systemd/networkd.conf:20 "
        "(IPv4Forwarding=no)); on `sysctl --system` (/etc/sysctl.d/60-netipv4_sysctl.conf:5 (net.ipv4.ip_forward = 0)); "
        "dockerd writes 1 only when it starts.")
    assert result["files_at_risk"] == []
    assert any(w.startswith("no links were described below root") for w in warning_texts(result))


def test_offline_audit_without_links_names_a_file_that_turns_forwarding_off_itself(capsys, tmp_path):
    root, version, _links = layout(tmp_path, "docker-ip-forward-false")
    os.unlink(os.path.join(root, "etc/docker/daemon.json"))
    with open(os.path.join(root, "etc/systemd/network/10-eth0.network"), "a") as stream:
        stream.write("IPv4Forwarding=no\n")
    code, result = run(capsys, root=root, systemd_version=version, fail_on_risk=True)
    assert code == 1
    assert result["msg"] == "forwarding at risk on: /etc/systemd/network/10-eth0.network"
    assert result["files_at_risk"] == [{
        "path": "/etc/systemd/network/10-eth0.network", "family": "ipv4", "value": 0,
        "source": "/etc/systemd/network/10-eth0.network:6 (IPv4Forwarding=no)",
        "risk": "every link /etc/systemd/network/10-eth0.network governs gets IPv4 forwarding 0 when networkd configures "
                "it (/etc/systemd/network/10-eth0.network:6 (IPv4Forwarding=no))."}]


def test_offline_audit_without_links_of_a_plain_docker_host_passes(capsys, tmp_path):
    root, version, _links = layout(tmp_path, "docker-debian-12")
    code, result = run(capsys, root=root, systemd_version=version, fail_on_risk=True)
    assert code == 0, result.get("msg")
    assert result["global"]["ipv4"]["after_boot"]["all"] == 1 and result["files_at_risk"] == []


def test_inline_fix_of_netplans_run_file_is_refused(capsys, tmp_path):
    root, version, links = layout(tmp_path, "ubuntu-24.04-server")
    code, result = run(capsys, root=root, systemd_version=version, links=links, state="enabled",
                       interfaces=["enp1s0"], method="inline", _ansible_check_mode=True)
    assert code == 1
    assert result["msg"].startswith("refusing to edit /run/systemd/network/10-netplan-enp1s0.network in place: "
                                    "files under /run are written again at every boot")


def test_fix_of_netplans_run_file_is_a_dropin_in_etc_that_holds_after_boot(capsys, tmp_path):
    root, version, links = layout(tmp_path, "ubuntu-24.04-server")
    code, result = run(capsys, root=root, systemd_version=version, links=links, state="enabled",
                       interfaces=["enp1s0"], _ansible_check_mode=True)
    assert code == 0
    assert result["changes"]["created"] == ["/etc/systemd/network/10-netplan-enp1s0.network.d/50-hostnet-forwarding.conf"]
    assert entry(result, "enp1s0")["ipv4"]["after_boot"] == 1 and entry(result, "enp1s0")["ipv4"]["risk"] is None


def test_a_fleet_wide_glob_that_matches_no_link_is_fine(capsys, tmp_path):
    root, version, links = layout(tmp_path, "debian-13-cloud")
    code, result = run(capsys, root=root, systemd_version=version, links=links, interfaces=["en*", "eth*"])
    assert code == 0, result.get("msg")
    assert [link["name"] for link in result["links"]] == ["enp1s0", "enp7s0"]


def test_offline_flatcar_pxe_file_governs_only_if_its_condition_holds(capsys, tmp_path):
    """The module cannot read an image's kernel command line: yy-pxe.network (KernelCommandLine=!root) may govern."""
    root, version, links = layout(tmp_path, "flatcar-docker")
    code, result = run(capsys, root=root, systemd_version=version, links=links)
    assert code == 0
    assert entry(result, "eth0")["network_file"] == "/usr/lib/systemd/network/yy-pxe.network"
    assert any(w.startswith("/usr/lib/systemd/network/yy-pxe.network governs eth0 only if its conditions hold")
               for w in warning_texts(result))


def test_a_dropin_for_flatcars_catch_all_file_names_every_other_link_it_changes(capsys, tmp_path):
    root, version, links = layout(tmp_path, "flatcar-docker")
    # A disk boot on KVM has root= on its kernel command line and is no VMware guest, which drops yy-pxe.network
    # and yy-vmware.network; the module cannot read either below an offline root (their conditions stay unknown).
    for name in ("yy-pxe.network", "yy-vmware.network"):
        os.unlink(os.path.join(root, "usr/lib/systemd/network", name))
    code, result = run(capsys, root=root, systemd_version=version, links=links, state="enabled",
                       interfaces=["eth0"], _ansible_check_mode=True)
    assert code == 0, result.get("msg")
    dropin = "/etc/systemd/network/zz-default.network.d/50-hostnet-forwarding.conf"
    assert result["changes"]["created"] == [dropin]
    assert result["affected_links"] == {dropin: ["eth1"]}


def test_after_a_fix_the_risks_left_on_the_host_are_listed(capsys, tmp_path):
    root, version, links = layout(tmp_path, "cis-hardened")
    code, result = run(capsys, root=root, systemd_version=version, links=links, state="enabled",
                       interfaces=["eth0"], _ansible_check_mode=True)
    assert code == 0, result.get("msg")
    assert result["affected_links"] == {"/etc/systemd/network/10-eth0.network": []}
    # The per-link key holds eth0 through networkd's events, not through `sysctl --system`, which
    # writes ip_forward = 0 and turns every link off; docker0 also loses forwarding on a networkd restart.
    assert result["residual_risks"] == [
        "eth0 IPv4 forwarding becomes 0 on `sysctl --system` (/etc/sysctl.d/60-netipv4_sysctl.conf:5 "
        "(net.ipv4.ip_forward = 0)); dockerd writes 1 only when it starts.",
        "docker0 IPv4 forwarding becomes 0 when systemd-networkd restarts (/etc/systemd/networkd.conf:20 "
        "(IPv4Forwarding=no)); on `sysctl --system` (/etc/sysctl.d/60-netipv4_sysctl.conf:5 (net.ipv4.ip_forward = 0)); "
        "dockerd writes 1 only when it starts.",
        "global (all) IPv4 forwarding becomes 0 when systemd-networkd restarts (/etc/systemd/networkd.conf:20 "
        "(IPv4Forwarding=no)); on `sysctl --system` (/etc/sysctl.d/60-netipv4_sysctl.conf:5 (net.ipv4.ip_forward = 0)); "
        "dockerd writes 1 only when it starts."]
