# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The systemd version, and systemd-networkd's state."""

from __future__ import annotations

import os

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._live.systemd import (
    NetworkdService,
    networkd_problem,
    networkd_started_at,
    read_networkd_service,
    systemd_version,
)
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._live.fake_host import (
    ALL_TOOLS,
    DEFAULT_ANSWERS,
    SHOW_NETWORKD,
    FakeRunner,
    answers_with,
    host_files,
    make_which,
)


# --------------------------------------------------------------------------- systemd version

def test_networkctl_version_is_preferred():
    runner = FakeRunner(DEFAULT_ANSWERS)
    assert systemd_version(runner, make_which()) == 257
    assert [os.path.basename(call[0]) for call in runner.calls] == ["networkctl"]


def test_systemctl_version_is_the_fallback():
    tools = dict(ALL_TOOLS)
    del tools["networkctl"]
    assert systemd_version(FakeRunner(DEFAULT_ANSWERS), make_which(tools)) == 256


def test_failing_networkctl_falls_back_to_systemctl():
    runner = FakeRunner(answers_with({("networkctl", "--version"): (1, "", "error")}))
    assert systemd_version(runner, make_which()) == 256


def test_systemd_version_is_none_without_tools():
    runner = FakeRunner(DEFAULT_ANSWERS)
    assert systemd_version(runner, make_which({})) is None
    assert runner.calls == []


def test_one_installed_library_gives_the_version_without_a_command():
    runner = FakeRunner(DEFAULT_ANSWERS)
    files = {"/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so": b"ELF"}
    assert systemd_version(runner, make_which(), MemoryFileSystem(files)) == 252
    assert runner.calls == []


def test_the_same_library_seen_through_lib_and_usr_lib_is_one_version():
    runner = FakeRunner(DEFAULT_ANSWERS)
    files = {"/lib/systemd/libsystemd-shared-247.so": b"ELF", "/usr/lib/systemd/libsystemd-shared-247.so": b"ELF"}
    assert systemd_version(runner, make_which(), MemoryFileSystem(files)) == 247
    assert runner.calls == []


def test_two_installed_libraries_ask_networkctl():
    runner = FakeRunner(DEFAULT_ANSWERS)
    files = {"/usr/lib/systemd/libsystemd-shared-252.so": b"ELF", "/usr/lib/systemd/libsystemd-shared-257.so": b"ELF"}
    assert systemd_version(runner, make_which(), MemoryFileSystem(files)) == 257
    assert [os.path.basename(call[0]) for call in runner.calls] == ["networkctl"]


def test_no_installed_library_asks_networkctl():
    runner = FakeRunner(DEFAULT_ANSWERS)
    assert systemd_version(runner, make_which(), MemoryFileSystem(host_files())) == 257
    assert [os.path.basename(call[0]) for call in runner.calls] == ["networkctl"]


def test_systemd_version_parses_distribution_suffixes():
    runner = FakeRunner({("networkctl", "--version"): (0, "systemd 239 (239-82.el8_10.2)\n+PAM\n", "")})
    assert systemd_version(runner, make_which()) == 239


# --------------------------------------------------------------------------- systemd-networkd

def networkd_service(load_state, active_state="inactive", sub_state="dead", tools=None):
    answer = (0, "LoadState=%s\nActiveState=%s\nSubState=%s\n" % (load_state, active_state, sub_state), "")
    return read_networkd_service(FakeRunner({SHOW_NETWORKD: answer}), make_which(tools))


def test_a_running_networkd_has_no_problem():
    service = networkd_service("loaded", "active", "running")
    assert (service.load_state, service.active_state, service.sub_state) == ("loaded", "active", "running")
    assert networkd_problem(service) is None


def test_an_unknown_unit_is_not_installed():
    assert networkd_problem(networkd_service("not-found")) == (
        "systemd-networkd is not installed (systemd-networkd.service: LoadState=not-found). "
        "Install systemd-networkd first.")


def test_missing_networkctl_is_not_installed_whatever_systemctl_says():
    tools = dict(ALL_TOOLS)
    del tools["networkctl"]
    service = networkd_service("loaded", "active", "running", tools=tools)
    assert service.networkctl is False and not service.loaded
    assert networkd_problem(service).startswith("systemd-networkd is not installed: networkctl is missing.")


def test_a_masked_unit_says_masked_and_how_to_unmask():
    problem = networkd_problem(networkd_service("masked"))
    assert problem.startswith("systemd-networkd is masked (systemd-networkd.service: LoadState=masked)")
    assert "systemctl unmask systemd-networkd.service" in problem


def test_a_stopped_unit_says_its_state_and_how_to_start_it():
    service = networkd_service("loaded", "inactive", "dead")
    problem = networkd_problem(service)
    assert service.loaded
    assert problem.startswith("systemd-networkd is installed but not running "
                              "(systemd-networkd.service: ActiveState=inactive, SubState=dead)")
    assert "systemctl enable --now systemd-networkd.service" in problem
    assert "journalctl" not in problem


def test_a_failed_unit_points_to_the_journal():
    assert "journalctl -u systemd-networkd.service" in networkd_problem(networkd_service("loaded", "failed", "failed"))


def test_without_systemctl_the_state_cannot_be_read():
    tools = dict(ALL_TOOLS)
    del tools["systemctl"]
    service = read_networkd_service(FakeRunner(), make_which(tools))
    assert service.load_state is None
    assert networkd_problem(service) == "The state of systemd-networkd cannot be read (systemctl is not available)."


def test_a_failing_systemctl_is_reported_with_its_message():
    answer = (1, "", "System has not been booted with systemd as init system (PID 1). Can't operate.\n")
    service = read_networkd_service(FakeRunner({SHOW_NETWORKD: answer}), make_which())
    assert networkd_problem(service) == (
        "The state of systemd-networkd cannot be read (`systemctl show systemd-networkd.service` failed: "
        "System has not been booted with systemd as init system (PID 1). Can't operate.).")


def test_a_runner_that_raises_is_a_missing_answer_not_a_traceback():
    def broken(args):
        raise OSError("exec format error")
    service = read_networkd_service(broken, make_which())
    assert service.error == "systemctl is not available"


NETWORKD_PROCS = "system.slice/systemd-networkd.service/cgroup.procs"


@pytest.mark.parametrize("pid1_cgroup, procs_path", [
    ("0::/init.scope\n", "/sys/fs/cgroup/" + NETWORKD_PROCS),                                # cgroup v2
    ("0::/init.scope\n", "/sys/fs/cgroup/unified/" + NETWORKD_PROCS),                        # hybrid
    ("2:cpu:/\n1:name=systemd:/init.scope\n", "/sys/fs/cgroup/systemd/" + NETWORKD_PROCS),   # cgroup v1
    ("1:name=systemd:/\n", "/sys/fs/cgroup/systemd/" + NETWORKD_PROCS),                      # v1, PID 1 at the root
    ("0::/docker/0a1b/init.scope\n", "/sys/fs/cgroup/docker/0a1b/" + NETWORKD_PROCS),        # a container's PID 1
])
def test_a_process_in_networkds_cgroup_means_running_without_asking_systemctl(pid1_cgroup, procs_path):
    runner = FakeRunner()
    fs = MemoryFileSystem({"/proc/1/cgroup": pid1_cgroup.encode(), procs_path: b"380\n"})
    assert read_networkd_service(runner, make_which(), fs) == NetworkdService(True, "loaded", "active", "running")
    assert runner.calls == []


@pytest.mark.parametrize("files", [
    {},                                                                          # nothing readable
    {"/proc/1/cgroup": b"0::/init.scope\n"},                                     # no cgroup: stopped
    {"/proc/1/cgroup": b"0::/init.scope\n", "/sys/fs/cgroup/" + NETWORKD_PROCS: b""},  # cgroup left empty
    {"/proc/1/cgroup": b"0::/init.scope\n",                                      # another slice's unit
     "/sys/fs/cgroup/user.slice/systemd-networkd.service/cgroup.procs": b"7\n"},
])
def test_without_a_process_in_networkds_cgroup_systemctl_says_the_state(files):
    answer = (0, "LoadState=masked\nActiveState=inactive\nSubState=dead\n", "")
    runner = FakeRunner({SHOW_NETWORKD: answer})
    service = read_networkd_service(runner, make_which(), MemoryFileSystem(files))
    assert (service.load_state, service.active_state) == ("masked", "inactive")
    assert [call[1:] for call in runner.calls] == [list(SHOW_NETWORKD[1:])]


def test_a_unit_that_cannot_be_loaded_says_so():
    assert networkd_problem(NetworkdService(True, "bad-setting", "inactive", "dead")) == (
        "systemd-networkd.service cannot be loaded (LoadState=bad-setting): "
        "see `systemctl status systemd-networkd.service`.")


# --------------------------------------------------------------------------- when networkd started

def networkd_process(starttime_ticks, comm="systemd-networkd"):
    """/proc files of a host whose networkd (pid 380) started ``starttime_ticks`` after boot (btime 1796600000)."""
    stat = "380 (%s) S 1 380 380 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 %d 2 3" % (comm, starttime_ticks)
    return {"/proc/1/cgroup": b"0::/init.scope\n", "/sys/fs/cgroup/" + NETWORKD_PROCS: b"380\n",
            "/proc/380/stat": stat.encode(), "/proc/stat": b"cpu  1 2 3\nbtime 1796600000\nprocesses 9\n"}


def test_networkd_start_time_is_boot_time_plus_its_start_in_clock_ticks():
    fs = MemoryFileSystem(networkd_process(12345))
    assert networkd_started_at(fs, clock_ticks=100) == 1796600000 + 123.45


def test_a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields():
    fs = MemoryFileSystem(networkd_process(500, comm="a) b (c"))
    assert networkd_started_at(fs, clock_ticks=100) == 1796600005.0


@pytest.mark.parametrize("missing", ["/proc/380/stat", "/proc/stat", "/sys/fs/cgroup/" + NETWORKD_PROCS])
def test_networkd_start_time_is_unknown_when_a_file_is_missing(missing):
    files = networkd_process(12345)
    del files[missing]
    assert networkd_started_at(MemoryFileSystem(files), clock_ticks=100) is None
