# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for sysctl_d.py: in-memory sysctl.d trees, one rule per test."""

from __future__ import annotations

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem, Symlink
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.procps import ProcpsVersion
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.sysctl_d import (
    is_forwarding_key,
    load_sysctl_config,
    normalize_key,
)


def load(files, split_usr=True):
    return load_sysctl_config(MemoryFileSystem(
        {path: content.encode() if isinstance(content, str) else content for path, content in files.items()}),
        split_usr=split_usr)


def boot(config):
    return [(entry.location, entry.key, entry.value) for entry in config.boot_writes()]


def reload(config):
    return [(entry.location, entry.value) for entry in config.reload_writes()]


# --------------------------------------------------------------------------- keys

def test_forwarding_keys_are_recognised():
    assert is_forwarding_key("net.ipv4.ip_forward")
    assert is_forwarding_key("net.ipv4.conf.all.forwarding")
    assert is_forwarding_key("net.ipv6.conf.default.forwarding")
    assert is_forwarding_key("net.ipv4.conf.eth0/100.forwarding")
    assert is_forwarding_key("net.ipv6.conf.*.forwarding")
    assert not is_forwarding_key("net.ipv6.ip_forward")
    assert not is_forwarding_key("net.ipv4.conf.all.rp_filter")
    assert not is_forwarding_key("net.ipv4.conf.all.mc_forwarding")


def test_slash_form_key_is_normalized():
    config = load({"/etc/sysctl.d/50-vlan.conf": "net/ipv4/conf/eth0.100/forwarding = 1\n"})
    entry = config.entries[0]
    assert entry.key == "net.ipv4.conf.eth0/100.forwarding"
    assert (entry.family, entry.scope, entry.interface) == ("ipv4", "interface", "eth0.100")


def test_dotted_key_with_slash_in_interface_names_the_dotted_interface():
    assert normalize_key("net.ipv4.conf.eth0/100.forwarding") == "net.ipv4.conf.eth0/100.forwarding"
    assert normalize_key("/net//ipv4/./ip_forward") == "net.ipv4.ip_forward"


def test_scopes_are_classified():
    config = load({"/etc/sysctl.d/50-x.conf": (
        "net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.forwarding = 1\n"
        "net.ipv6.conf.default.forwarding = 1\nnet.ipv6.conf.eth0.forwarding = 0\n")})
    assert [(e.family, e.scope, e.interface) for e in config.entries] == [
        ("ipv4", "ip_forward", None), ("ipv4", "all", None), ("ipv6", "default", None), ("ipv6", "interface", "eth0")]


def test_unrelated_keys_are_skipped():
    config = load({"/etc/sysctl.d/50-x.conf": "kernel.panic = 10\nnet.ipv4.conf.all.rp_filter = 1\n"})
    assert config.entries == []
    assert config.warnings == []


# --------------------------------------------------------------------------- lines

def test_comments_blank_lines_and_whitespace_are_ignored():
    config = load({"/etc/sysctl.d/50-x.conf": (
        "# net.ipv4.ip_forward = 1\n; net.ipv4.ip_forward = 1\n\n   \t net.ipv4.ip_forward\t=  0 \r\n")})
    assert [(e.line, e.key, e.value) for e in config.entries] == [(4, "net.ipv4.ip_forward", "0")]


def test_dash_prefix_marks_ignore_failure():
    config = load({"/etc/sysctl.d/50-x.conf": "-net.ipv4.conf.eth9.forwarding = 1\nnet.ipv4.ip_forward = 1\n"})
    assert [(e.key, e.ignore_failure) for e in config.entries] == [
        ("net.ipv4.conf.eth9.forwarding", True), ("net.ipv4.ip_forward", False)]


def test_line_without_equals_is_a_warning():
    config = load({"/etc/sysctl.d/50-x.conf": "net.ipv4.ip_forward 1\n"})
    assert config.entries == []
    assert len(config.warnings) == 1
    assert config.warnings[0].startswith("/etc/sysctl.d/50-x.conf:1: ")


def test_line_without_equals_elsewhere_is_not_reported():
    config = load({"/etc/sysctl.d/50-x.conf": "kernel.panic 10\n"})
    assert config.warnings == []


def test_glob_outside_interface_component_is_a_warning():
    config = load({"/etc/sysctl.d/50-x.conf": "net.ipv*.conf.all.forwarding = 0\nnet.ipv4.conf.*.rp_filter = 1\n"})
    assert config.entries == []
    assert len(config.warnings) == 1
    assert config.warnings[0].startswith("/etc/sysctl.d/50-x.conf:1: ")


def test_unreadable_file_is_a_warning_naming_it():
    config = load({"/etc/sysctl.d/50-dir.conf/inner": "x", "/etc/sysctl.d/60-ok.conf": "net.ipv4.ip_forward = 1\n"})
    assert any(w.startswith("/etc/sysctl.d/50-dir.conf: ") for w in config.warnings)
    assert [e.location for e in config.entries] == ["/etc/sysctl.d/60-ok.conf:1"]


def test_invalid_utf8_does_not_raise():
    config = load({"/etc/sysctl.d/50-x.conf": b"\xff\xfe = 1\nnet.ipv4.ip_forward = 1\n"})
    assert [e.value for e in config.entries] == ["1"]


# --------------------------------------------------------------------------- files

def test_etc_overrides_usr_lib_by_basename():
    config = load({"/usr/lib/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 0\n",
                   "/etc/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 1\n"})
    assert config.files == ["/etc/sysctl.d/50-x.conf"]
    assert boot(config) == [("/etc/sysctl.d/50-x.conf:1", "net.ipv4.ip_forward", "1")]


def test_directory_priority_is_etc_run_usr_local_usr_lib():
    config = load({"/run/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 1\n",
                   "/usr/local/lib/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 0\n",
                   "/usr/lib/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 0\n",
                   "/usr/local/lib/sysctl.d/60-y.conf": "net.ipv6.conf.all.forwarding = 1\n",
                   "/usr/lib/sysctl.d/60-y.conf": "net.ipv6.conf.all.forwarding = 0\n"})
    assert config.files == ["/run/sysctl.d/50-x.conf", "/usr/local/lib/sysctl.d/60-y.conf"]


def test_masked_file_contributes_nothing():
    config = load({"/usr/lib/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 0\n",
                   "/etc/sysctl.d/50-x.conf": Symlink("/dev/null")})
    assert config.files == ["/etc/sysctl.d/50-x.conf"]
    assert config.entries == []


def test_empty_file_masks_too():
    config = load({"/usr/lib/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 0\n", "/etc/sysctl.d/50-x.conf": ""})
    assert config.entries == []


def test_files_sort_by_basename_with_strcmp_across_directories():
    config = load({"/usr/lib/sysctl.d/9-b.conf": "", "/etc/sysctl.d/10-a.conf": "", "/run/sysctl.d/B.conf": "",
                   "/usr/lib/sysctl.d/a.conf": ""})
    assert config.files == ["/etc/sysctl.d/10-a.conf", "/usr/lib/sysctl.d/9-b.conf", "/run/sysctl.d/B.conf",
                            "/usr/lib/sysctl.d/a.conf"]


def test_only_conf_suffix_is_read():
    config = load({"/etc/sysctl.d/50-x.conf.dpkg-old": "net.ipv4.ip_forward = 0\n",
                   "/etc/sysctl.d/50-x.conf~": "net.ipv4.ip_forward = 0\n",
                   "/etc/sysctl.d/README": "net.ipv4.ip_forward = 0\n"})
    assert config.files == []


def test_hidden_file_is_read_only_by_sysctl_system():
    config = load({"/etc/sysctl.d/.50-x.conf": "net.ipv4.ip_forward = 0\n"})
    assert boot(config) == []
    assert reload(config) == [("/etc/sysctl.d/.50-x.conf:1", "0")]


def test_lib_sysctl_d_is_read_at_boot_only_when_split_usr():
    files = {"/lib/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 0\n"}
    assert boot(load(files, split_usr=True)) == [("/lib/sysctl.d/50-x.conf:1", "net.ipv4.ip_forward", "0")]
    config = load(files, split_usr=False)
    assert boot(config) == []
    assert reload(config) == [("/lib/sysctl.d/50-x.conf:1", "0")]


def test_usr_lib_overrides_lib_by_basename():
    config = load({"/lib/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 0\n",
                   "/usr/lib/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 1\n"})
    assert config.files == ["/usr/lib/sysctl.d/50-x.conf"]


def test_sysctl_conf_is_not_read_at_boot_but_last_on_reload():
    config = load({"/etc/sysctl.conf": "net.ipv4.ip_forward = 0\n",
                   "/etc/sysctl.d/99-z.conf": "net.ipv4.ip_forward = 1\n"})
    assert config.files == ["/etc/sysctl.d/99-z.conf", "/etc/sysctl.conf"]
    assert boot(config) == [("/etc/sysctl.d/99-z.conf:1", "net.ipv4.ip_forward", "1")]
    assert reload(config) == [("/etc/sysctl.d/99-z.conf:1", "1"), ("/etc/sysctl.conf:1", "0")]


def test_debian_99_sysctl_link_is_read_at_boot_and_twice_on_reload():
    config = load({"/etc/sysctl.conf": "net.ipv4.ip_forward = 1\n",
                   "/etc/sysctl.d/99-sysctl.conf": Symlink("../sysctl.conf")})
    assert boot(config) == [("/etc/sysctl.d/99-sysctl.conf:1", "net.ipv4.ip_forward", "1")]
    assert reload(config) == [("/etc/sysctl.d/99-sysctl.conf:1", "1"), ("/etc/sysctl.conf:1", "1")]


def test_sysctl_conf_linked_to_dev_null_is_not_read():
    config = load({"/etc/sysctl.conf": Symlink("/dev/null")})
    assert config.files == []


# --------------------------------------------------------------------------- boot (systemd-sysctl)

def test_cis_file_sets_ip_forward_zero():
    config = load({"/usr/lib/sysctl.d/50-default.conf": "net.ipv4.conf.all.rp_filter = 2\n",
                   "/etc/sysctl.d/60-cis.conf": "# CIS 3.3.1\nnet.ipv4.ip_forward = 0\nnet.ipv6.conf.all.forwarding = 0\n"})
    assert boot(config) == [("/etc/sysctl.d/60-cis.conf:2", "net.ipv4.ip_forward", "0"),
                            ("/etc/sysctl.d/60-cis.conf:3", "net.ipv6.conf.all.forwarding", "0")]


def test_later_assignment_wins_at_boot():
    config = load({"/etc/sysctl.d/10-a.conf": "net.ipv4.ip_forward = 1\n",
                   "/usr/lib/sysctl.d/90-b.conf": "net.ipv4.ip_forward = 0\n"})
    assert [e.effective for e in config.entries] == [False, True]
    assert boot(config) == [("/usr/lib/sysctl.d/90-b.conf:1", "net.ipv4.ip_forward", "0")]


def test_reassigned_key_moves_to_its_new_position_at_boot():
    config = load({"/etc/sysctl.d/10-a.conf": "net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\n",
                   "/etc/sysctl.d/20-b.conf": "net.ipv4.ip_forward = 0\n"})
    assert [key for _source, key, _value in boot(config)] == ["net.ipv6.conf.all.forwarding", "net.ipv4.ip_forward"]


def test_identical_reassignment_keeps_the_first_line_at_boot():
    config = load({"/etc/sysctl.d/10-a.conf": "net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\n",
                   "/etc/sysctl.d/20-b.conf": "net.ipv4.ip_forward = 1\n"})
    assert boot(config) == [("/etc/sysctl.d/10-a.conf:1", "net.ipv4.ip_forward", "1"),
                            ("/etc/sysctl.d/10-a.conf:2", "net.ipv6.conf.all.forwarding", "1")]


def test_slash_and_dot_forms_are_the_same_key():
    config = load({"/etc/sysctl.d/10-a.conf": "net.ipv4.conf.eth0/100.forwarding = 1\n",
                   "/etc/sysctl.d/20-b.conf": "net/ipv4/conf/eth0.100/forwarding = 0\n"})
    assert boot(config) == [("/etc/sysctl.d/20-b.conf:1", "net.ipv4.conf.eth0/100.forwarding", "0")]


def test_ip_forward_and_all_forwarding_are_distinct_keys():
    config = load({"/etc/sysctl.d/10-a.conf": "net.ipv4.ip_forward = 1\n",
                   "/etc/sysctl.d/20-b.conf": "net.ipv4.conf.all.forwarding = 0\n"})
    assert [e.effective for e in config.entries] == [True, True]


def test_exclusion_line_cancels_an_earlier_assignment_at_boot():
    config = load({"/etc/sysctl.d/10-a.conf": "net.ipv4.conf.docker0.forwarding = 0\n",
                   "/etc/sysctl.d/20-b.conf": "-net.ipv4.conf.docker0.forwarding\n"})
    assert config.warnings == []
    assert boot(config) == []
    assert reload(config) == [("/etc/sysctl.d/10-a.conf:1", "0")]


# --------------------------------------------------------------------------- globs

def test_glob_interface_is_kept_as_a_pattern():
    config = load({"/etc/sysctl.d/50-x.conf": "net.ipv4.conf.eth*.forwarding = 1\n"})
    entry = config.entries[0]
    assert (entry.scope, entry.interface) == ("interface", "eth*")
    assert config.writes_to(entry, "eth0")
    assert not config.writes_to(entry, "wlan0")


def test_glob_also_reaches_all_and_default():
    config = load({"/etc/sysctl.d/50-x.conf": "net.ipv4.conf.*.forwarding = 0\n"})
    entry = config.entries[0]
    assert config.writes_to(entry, "all") and config.writes_to(entry, "default")


def test_explicit_key_takes_precedence_over_glob_wherever_it_is():
    config = load({"/etc/sysctl.d/10-a.conf": "net.ipv4.conf.eth0.forwarding = 1\n",
                   "/etc/sysctl.d/20-b.conf": "net.ipv4.conf.*.forwarding = 0\n"})
    glob = config.entries[1]
    for at_boot in (True, False):
        assert not config.writes_to(glob, "eth0", at_boot=at_boot)
        assert config.writes_to(glob, "eth1", at_boot=at_boot)


def test_exclusion_keeps_glob_away_from_an_interface():
    config = load({"/etc/sysctl.d/50-x.conf": "net.ipv4.conf.*.forwarding = 0\n-net.ipv4.conf.docker0.forwarding\n"})
    glob = config.entries[0]
    assert not config.writes_to(glob, "docker0")
    assert not config.writes_to(glob, "docker0", at_boot=False)
    assert config.writes_to(glob, "eth0")


def test_glob_exclusion_works_only_on_reload():
    config = load({"/etc/sysctl.d/50-x.conf": "net.ipv4.conf.*.forwarding = 0\n-net.ipv4.conf.docker*.forwarding\n"})
    config.use_procps(ProcpsVersion((4, 0, 7), "sysctl --version"))
    glob = config.entries[0]
    assert config.writes_to(glob, "docker0")
    assert not config.writes_to(glob, "docker0", at_boot=False)


def test_overridden_entry_is_not_written_at_boot():
    config = load({"/etc/sysctl.d/10-a.conf": "net.ipv4.conf.*.forwarding = 1\n",
                   "/etc/sysctl.d/20-b.conf": "net.ipv4.conf.*.forwarding = 0\n"})
    first = config.entries[0]
    assert not config.writes_to(first, "eth0")
    assert config.writes_to(first, "eth0", at_boot=False)


# --------------------------------------------------------------------------- reload (procps sysctl --system)

def test_reload_writes_every_line_in_order():
    config = load({"/etc/sysctl.d/10-a.conf": "net.ipv4.ip_forward = 1\nnet.ipv4.ip_forward = 0\n",
                   "/usr/lib/sysctl.d/20-b.conf": "net.ipv4.ip_forward = 1\n",
                   "/etc/sysctl.conf": "net.ipv4.ip_forward = 0\n"})
    assert reload(config) == [("/etc/sysctl.d/10-a.conf:1", "1"), ("/etc/sysctl.d/10-a.conf:2", "0"),
                              ("/usr/lib/sysctl.d/20-b.conf:1", "1"), ("/etc/sysctl.conf:1", "0")]
    assert boot(config) == [("/usr/lib/sysctl.d/20-b.conf:1", "net.ipv4.ip_forward", "1")]


# --------------------------------------------------------------------------- procps-ng releases (sysctl --system)

GLOB_AND_EXCLUSION = {"/etc/sysctl.d/50-x.conf": "net.ipv4.conf.*.forwarding = 0\n-net.ipv4.conf.l*.forwarding\n"
                                                 "-net.ipv4.conf.docker0.forwarding\n"}


def procps(*version):
    return ProcpsVersion(tuple(version), "sysctl --version")


def reached_on_reload(config, names=("all", "default", "lo", "docker0", "eth0")):
    glob = config.entries[0]
    return [name for name in names if config.writes_to(glob, name, at_boot=False)]


def test_procps_3_writes_no_glob_line_on_reload():
    """3.3.17 takes the glob as a literal path: "cannot stat /proc/sys/net/ipv4/conf/*/forwarding" (measured)."""
    config = load(GLOB_AND_EXCLUSION)
    config.use_procps(procps(3, 3, 17))
    assert reached_on_reload(config) == []
    assert config.writes_to(config.entries[0], "eth0")          # systemd-sysctl at boot expands it
    assert config.warnings == []


def test_procps_4_0_0_to_4_0_4_ignore_glob_exclusions():
    for version in ((4, 0, 0), (4, 0, 2), (4, 0, 4)):
        config = load(GLOB_AND_EXCLUSION)
        config.use_procps(procps(*version))
        assert reached_on_reload(config) == ["all", "default", "lo", "eth0"]


def test_procps_from_4_0_5_honour_glob_exclusions():
    for version in ((4, 0, 5), (4, 0, 7), (4, 1)):
        config = load(GLOB_AND_EXCLUSION)
        config.use_procps(procps(*version))
        assert reached_on_reload(config) == ["all", "default", "eth0"]


def test_unknown_procps_predicts_the_most_writes_and_says_so():
    config = load(GLOB_AND_EXCLUSION)
    config.use_procps(None)
    assert reached_on_reload(config) == ["all", "default", "lo", "eth0"]
    assert len(config.warnings) == 1
    assert "procps-ng version is unknown" in config.warnings[0]
    assert "/etc/sysctl.d/50-x.conf:1" in config.warnings[0]


def test_unknown_procps_is_not_reported_without_a_glob():
    config = load({"/etc/sysctl.d/50-x.conf": "net.ipv4.ip_forward = 0\n-net.ipv4.conf.l*.forwarding\n"})
    assert not config.procps_matters
    config.use_procps(None)
    assert config.warnings == []


def test_sysctl_conf_without_the_debian_link_is_read_only_by_sysctl_system():
    """Debian 13 and sid ship neither /etc/sysctl.conf nor /etc/sysctl.d/99-sysctl.conf (measured)."""
    config = load({"/etc/sysctl.conf": "net.ipv4.ip_forward = 0\n"})
    assert boot(config) == []
    assert reload(config) == [("/etc/sysctl.conf:1", "0")]
