# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module end to end on a temporary root: parameters, check mode, diff, writes, errors."""

from __future__ import annotations

import ast
import gc
import os
import stat
import subprocess
import sys

import pytest

from ansible_collections.hostnet.networkd.plugins.modules import networkd_forwarding
from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import run

LINKS = [{"name": "uplink0", "type": "ether", "kind": "veth", "mac": "02:00:00:00:00:01", "ifindex": 2},
         {"name": "docker0", "type": "bridge", "kind": "bridge", "ifindex": 3}]
UPLINK_FILE = "etc/systemd/network/10-uplink0.network"
# Runs the module in a new interpreter and prints the names of the collection's module_utils it loaded.
LOADED_BY_ONE_RUN = """
import sys
from ansible.module_utils.testing import patch_module_args
from ansible_collections.hostnet.networkd.plugins.modules import networkd_forwarding
with patch_module_args(dict(root=sys.argv[1], systemd_version=257, links=[], state=sys.argv[2], paths=sys.argv[3:])):
    try:
        networkd_forwarding.main()
    except SystemExit:
        pass
prefix = "ansible_collections.hostnet.networkd.plugins.module_utils."
print(sorted(name[len(prefix):] for name in sys.modules if name.startswith(prefix)))
"""


def warning_texts(result):
    """The module's warnings as text (ansible-core 2.19 wraps each one in a WarningSummary)."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


def make_root(tmp_path, files):
    for path, content in files.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    return str(tmp_path)


@pytest.fixture
def root(tmp_path):
    return make_root(tmp_path, {UPLINK_FILE: "[Match]\nName=uplink0\n\n[Network]\nIPForward=yes\n",
                                "etc/systemd/networkd.conf.d/10-harden.conf": "[Network]\nIPv4Forwarding=no\n"})


def test_audit_reports_the_governing_file_and_the_risk(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS)
    assert code == 0 and result["changed"] is False
    uplink = result["links"][0]
    assert uplink["network_file"] == "/" + UPLINK_FILE
    assert uplink["ipv4"]["after_reconfigure"] == 0
    assert "10-harden.conf:2" in uplink["ipv4"]["risk"]
    assert any("IPForward= setting is deprecated" in w for w in warning_texts(result))


def test_network_files_say_what_each_file_governs_and_matches(capsys, tmp_path):
    root = make_root(tmp_path, {UPLINK_FILE: "[Match]\nName=uplink0\n",
                                "etc/systemd/network/90-all-but-wifi.network": "[Match]\nName=!wl*\n",
                                "etc/systemd/network/95-uplink0-again.network": "[Match]\nName=uplink0\n",
                                "etc/systemd/network/99-wlan.network": "[Match]\nName=wl*\n",
                                "usr/lib/systemd/network/10-uplink0.network": "[Match]\nName=uplink0\n"})
    code, compact = run(capsys, root=root, systemd_version=257, links=LINKS)
    assert code == 0
    assert compact["network_files"] == [
        {"path": "/" + UPLINK_FILE, "governed_links": ["uplink0"]},
        {"path": "/etc/systemd/network/90-all-but-wifi.network", "governed_links": ["docker0"], "other_matches": 1},
        {"path": "/usr/lib/systemd/network/10-uplink0.network", "overridden_by": "/" + UPLINK_FILE}]
    assert compact["unused_network_files"] == {"/etc/systemd/network/95-uplink0-again.network": 1,
                                               "/etc/systemd/network/99-wlan.network": 0}
    code, full = run(capsys, root=root, systemd_version=257, links=LINKS, network_files="full")
    assert code == 0
    assert full["network_files"][1] == {
        "path": "/etc/systemd/network/90-all-but-wifi.network", "masked": False, "overridden_by": None, "dropins": [],
        "governed_links": ["docker0"], "other_matches": 1, "matched_links": ["uplink0", "docker0"], "conditions": None,
        "error": None}
    assert [row["path"] for row in full["network_files"]] == [
        "/" + UPLINK_FILE, "/etc/systemd/network/90-all-but-wifi.network", "/etc/systemd/network/95-uplink0-again.network",
        "/etc/systemd/network/99-wlan.network", "/usr/lib/systemd/network/10-uplink0.network"]
    assert full["network_files"][2]["matched_links"] == ["uplink0"] and full["network_files"][2]["governed_links"] == []
    assert full["network_files"][4]["matched_links"] == [] and full["network_files"][4]["governed_links"] == []
    assert full["unused_network_files"] == compact["unused_network_files"]


def test_a_run_pauses_the_cycle_collector_and_restores_it(capsys, root, monkeypatch):
    collections = []
    real_run = networkd_forwarding.run_module

    def watched_run():
        gc.callbacks.append(lambda phase, info: collections.append(info["generation"]) if phase == "start" else None)
        try:
            real_run()
        finally:
            gc.callbacks.pop()

    monkeypatch.setattr(networkd_forwarding, "run_module", watched_run)
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS)
    assert code == 0 and result["links"]
    assert collections == [] and gc.isenabled()


def test_fail_on_risk_fails_the_audit_and_names_the_links(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, fail_on_risk=True)
    assert code == 1
    assert result["msg"] == "forwarding at risk on: docker0, uplink0"


def test_check_mode_reports_the_change_and_writes_nothing(capsys, root):
    path = os.path.join(root, UPLINK_FILE)
    before = open(path, "rb").read()
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled",
                       interfaces=["uplink0"], _ansible_check_mode=True, _ansible_diff=True)
    assert code == 0 and result["changed"] is True
    assert result["changes"]["modified"] == ["/" + UPLINK_FILE]
    assert open(path, "rb").read() == before
    assert "IPv4Forwarding=yes" in result["diff"][0]["after"]
    assert result["links"][0]["ipv4"]["after_reconfigure"] == 1


def test_enabled_writes_atomically_keeps_the_mode_and_is_idempotent(capsys, root):
    path = os.path.join(root, UPLINK_FILE)
    os.chmod(path, 0o600)
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled", interfaces=["uplink0"])
    assert code == 0 and result["changed"] is True
    assert open(path).read() == "[Match]\nName=uplink0\n\n[Network]\nIPv4Forwarding=yes\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not [name for name in os.listdir(os.path.dirname(path)) if name.startswith(".hostnet-")]
    code, again = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled", interfaces=["uplink0"])
    assert code == 0 and again["changed"] is False


def test_backup_keeps_a_copy(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled",
                       interfaces=["uplink0"], backup=True)
    assert code == 0
    assert open(result["backup_files"][0]).read().endswith("IPForward=yes\n")


def test_global_scope_on_old_systemd_warns_and_writes_nothing(capsys, root):
    code, result = run(capsys, root=root, systemd_version=252, links=LINKS, state="enabled",
                       interfaces=["uplink0"], scope="global")
    assert code == 0 and result["changed"] is False
    assert any("systemd 252 has no global" in w for w in warning_texts(result))


def test_unknown_interface_is_an_error(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled", interfaces=["eth9"])
    assert code == 1
    assert result["msg"] == ("interfaces: 'eth9' matches no link on this host (links: uplink0, docker0); a glob may match none, "
                             "a name must match one (or set missing_interfaces=ignore)")


def test_glob_that_matches_nothing_is_fine_for_a_fleet_wide_list(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, interfaces=["wl*", "uplink*"])
    assert code == 0
    assert [link["name"] for link in result["links"]] == ["uplink0"]
    assert not warning_texts(result) or not any("wl*" in w for w in warning_texts(result))


def test_a_missing_name_is_left_out_with_a_warning_when_told_to_ignore_it(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled",
                       interfaces=["eth9", "uplink0"], missing_interfaces="ignore", _ansible_check_mode=True)
    assert code == 0 and [link["name"] for link in result["links"]] == ["uplink0"]
    assert any(w.startswith("interfaces: 'eth9' matches no link on this host") and w.endswith("ignored (missing_interfaces=ignore)")
               for w in warning_texts(result))


def test_path_outside_the_configuration_directories_is_an_error(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled", paths=["/etc/hosts"])
    assert code == 1 and "/etc/hosts is not in a networkd configuration directory" in result["msg"]


def test_enabled_needs_interfaces_or_paths(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled")
    assert code == 1 and "interfaces, paths" in result["msg"]


def test_paths_cover_a_file_without_links(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=[], state="enabled",
                       paths=["/etc/systemd/network/*.network"])
    assert code == 0 and result["changes"]["modified"] == ["/" + UPLINK_FILE]


def test_version_is_read_from_the_installed_library_below_root(capsys, tmp_path):
    root = make_root(tmp_path, {UPLINK_FILE: "[Match]\nName=uplink0\n",
                                "usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so": ""})
    code, result = run(capsys, root=root, links=LINKS)
    assert code == 0 and result["systemd_version"] == 252 and result["syntax"] == "legacy"


def test_unknown_version_below_root_is_an_error(capsys, tmp_path):
    code, result = run(capsys, root=make_root(tmp_path, {UPLINK_FILE: "[Match]\nName=uplink0\n"}), links=LINKS)
    assert code == 1 and "set systemd_version" in result["msg"]


def test_unparsable_governing_file_is_reported_not_edited(capsys, tmp_path):
    root = make_root(tmp_path, {UPLINK_FILE: "[Match]\nName=uplink0\n[Network\n"})
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS)
    assert code == 0
    assert result["network_files"][0]["error"].startswith("/" + UPLINK_FILE + ":3")
    assert result["links"][0]["network_file"] is None


def test_check_mode_reports_the_dropin_it_would_create_for_a_run_file(capsys, tmp_path):
    root = make_root(tmp_path, {"run/systemd/network/10-netplan-uplink0.network": "[Match]\nName=uplink0\n"})
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled",
                       interfaces=["uplink0"], _ansible_check_mode=True)
    dropin = "/etc/systemd/network/10-netplan-uplink0.network.d/50-hostnet-forwarding.conf"
    assert code == 0 and result["changes"]["created"] == [dropin]
    uplink = result["links"][0]
    assert uplink["dropins"] == [dropin]
    assert uplink["ipv4"]["after_reconfigure"] == 1 and uplink["ipv4"]["source"] == dropin + ":4"
    assert not os.path.exists(os.path.join(root, dropin.lstrip("/")))


def test_evidence_is_returned_in_audit_mode(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS)
    assert code == 0
    assert result["evidence"]["uplinks"] == ["uplink0"]
    # IPv4Forwarding=no in networkd.conf.d and IPForward= ignored on 257: nothing will be 1 after a boot.
    assert result["evidence"]["forwarding"] == []


def test_evidence_in_check_mode_names_the_line_the_change_would_write(capsys, root):
    code, result = run(capsys, root=root, systemd_version=257, links=LINKS, state="enabled",
                       interfaces=["uplink0"], _ansible_check_mode=True)
    assert code == 0 and result["changed"] is True
    uplink = [item for item in result["evidence"]["forwarding"] if item["key"] == "net.ipv4.conf.uplink0.forwarding"]
    assert uplink[0]["after_boot"] == 1
    assert uplink[0]["set_by"] == ["/%s:5 (IPv4Forwarding=yes)" % UPLINK_FILE]


def module_utils_loaded(root, state, *paths):
    run = subprocess.run([sys.executable, "-c", LOADED_BY_ONE_RUN, root, state] + list(paths), check=True,
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    return ast.literal_eval(run.stdout.strip().splitlines()[-1])


def test_an_audit_does_not_load_the_planner(root):
    """A module's Python is compiled on the host at every run: an audit loads what it runs, not the planner."""
    assert "_report.audit" in module_utils_loaded(root, "audit")
    assert "_plan.fix" not in module_utils_loaded(root, "audit")
    assert "_plan.fix" in module_utils_loaded(root, "enabled", "/" + UPLINK_FILE)
