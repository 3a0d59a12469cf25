# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The installed systemd's version, and whether systemd-networkd is installed, loaded and running."""

from __future__ import annotations

import os
import re
from typing import List, NamedTuple, Optional

from .._parsing.versions import installed_versions
from .reading import Runner, Which, parse_env_lines, read_text, run_tool

NETWORKD_UNIT = "systemd-networkd.service"
# ActiveState values of a unit that runs (src/basic/unit-def.c unit_active_state_table).
RUNNING_STATES = ("active", "reloading", "refreshing")


class NetworkdService(NamedTuple):
    """What systemd says about systemd-networkd.service, and whether networkctl is installed.

    The states are systemctl's words (LoadState loaded, not-found, masked...; ActiveState active,
    inactive, failed...). ``error`` says why systemctl could not tell; the states are then None.
    """

    networkctl: bool
    load_state: Optional[str] = None
    active_state: Optional[str] = None
    sub_state: Optional[str] = None
    error: Optional[str] = None

    @property
    def loaded(self):
        """Installed and loadable, though perhaps not running: files written now apply once it starts."""
        return self.networkctl and self.load_state == "loaded"


def _parse_systemd_version(text):
    match = re.search(r"^\s*systemd\s+(\d+)\b", text or "", re.MULTILINE)
    return int(match.group(1)) if match else None


def systemd_version(runner: Runner, which: Which, fs=None) -> Optional[int]:
    """The installed systemd's version.

    The name of its private library says it when exactly one is installed below ``fs``: a
    directory listing, where a program costs the host about 8 ms of CPU (docs/performance.md).
    Otherwise ``networkctl --version`` ("systemd 257 (257.13-1~deb13u1)"), else ``systemctl --version``.
    """
    installed = installed_versions(fs) if fs is not None else []
    if len(installed) == 1:
        return installed[0]
    for tool in ("networkctl", "systemctl"):
        result = run_tool(runner, which, tool, ["--version"])
        if result is None or result[0] != 0:
            continue
        version = _parse_systemd_version(result[1])
        if version is not None:
            return version
    return None


# Where systemd's own cgroup tree is mounted, by the controllers field of its line in /proc/1/cgroup:
# the unified hierarchy ("0::/...") and the named legacy one ("1:name=systemd:/...").
SYSTEMD_CGROUP_MOUNTS = {
    "": ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"),   # cgroup v2, or v2 next to v1 controllers (hybrid)
    "name=systemd": ("/sys/fs/cgroup/systemd",),       # cgroup v1
}


def networkd_pids(fs) -> List[int]:
    """The processes in systemd-networkd.service's cgroup; empty when none is found.

    systemd runs every service in a cgroup of its own below the one PID 1 started in (a
    container's PID 1 starts below the host's root cgroup) and removes it once the service has
    stopped, so a process there means networkd runs.
    """
    for line in (read_text(fs, "/proc/1/cgroup") or "").splitlines():
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue
        _hierarchy, controllers, path = fields
        root = path[:-len("/init.scope")] if path.endswith("/init.scope") else path
        for mount in SYSTEMD_CGROUP_MOUNTS.get(controllers, ()):
            procs = read_text(fs, "%s%s/system.slice/%s/cgroup.procs" % (mount, root.rstrip("/"), NETWORKD_UNIT))
            pids = [int(word) for word in (procs or "").split() if word.isdigit()]
            if pids:
                return pids
    return []


def networkd_has_processes(fs) -> bool:
    """Whether a process runs in systemd-networkd.service's cgroup.

    Two small files answer that where ``systemctl show`` asks PID 1 over D-Bus, which costs the
    host about 12 ms of CPU (docs/performance.md). False only means no process was found: the
    caller then asks systemctl, which also says why.
    """
    return bool(networkd_pids(fs))


def networkd_started_at(fs, clock_ticks=None) -> Optional[float]:
    """When the running systemd-networkd started, in seconds since the epoch; None when unknown.

    networkd reads networkd.conf only when it starts (docs/internals/forwarding-semantics.md,
    "The global write"), so this tells whether the running daemon has seen the files. The start
    is field 22 of /proc/<pid>/stat (clock ticks after boot) plus ``btime`` of /proc/stat
    (the boot, whole seconds), for the earliest process of networkd's cgroup.
    """
    boot = None
    for line in (read_text(fs, "/proc/stat") or "").splitlines():
        if line.startswith("btime "):
            boot = line.split()[1]
    if boot is None or not boot.isdigit():
        return None
    ticks = clock_ticks or os.sysconf("SC_CLK_TCK")
    starts = []
    for pid in networkd_pids(fs):
        text = read_text(fs, "/proc/%d/stat" % pid) or ""
        fields = text[text.rfind(")") + 1:].split()   # the command name may hold spaces and parentheses
        if len(fields) > 19 and fields[19].isdigit():
            starts.append(int(fields[19]))
    return int(boot) + min(starts) / float(ticks) if starts else None


def read_networkd_service(runner: Runner, which: Which, fs=None) -> NetworkdService:
    """systemd-networkd.service's LoadState, ActiveState and SubState.

    When :func:`networkd_has_processes` finds networkd running (below ``fs``), the states are
    loaded, active, running without a command. Otherwise ``systemctl show`` says them: for a unit
    systemd does not know it answers LoadState=not-found with exit status 0; without systemd as
    PID 1 it fails ("System has not been booted with systemd").
    """
    try:
        networkctl = bool(which("networkctl"))
    except Exception:  # a broken lookup is a missing tool
        networkctl = False
    if fs is not None and networkd_has_processes(fs):
        return NetworkdService(networkctl, "loaded", "active", "running")
    result = run_tool(runner, which, "systemctl", ["show", NETWORKD_UNIT, "--property=LoadState,ActiveState,SubState"])
    if result is None:
        return NetworkdService(networkctl, error="systemctl is not available")
    rc, out, err = result
    properties = parse_env_lines(out)
    if rc != 0 or not properties.get("LoadState"):
        reason = (err.strip() or out.strip() or "exit status %d" % rc).splitlines()[0][:200]
        return NetworkdService(networkctl, error="`systemctl show %s` failed: %s" % (NETWORKD_UNIT, reason))
    return NetworkdService(networkctl, properties["LoadState"], properties.get("ActiveState") or None,
                           properties.get("SubState") or None)


def networkd_problem(service: NetworkdService) -> Optional[str]:
    """One sentence on why networkd will not apply its files now, and what to do; None when it runs."""
    unit = NETWORKD_UNIT
    if not service.networkctl:
        return "systemd-networkd is not installed: networkctl is missing. Install systemd-networkd first."
    if service.error:
        return "The state of systemd-networkd cannot be read (%s)." % service.error
    if service.load_state == "not-found":
        return "systemd-networkd is not installed (%s: LoadState=not-found). Install systemd-networkd first." % unit
    if service.load_state == "masked":
        return ("systemd-networkd is masked (%s: LoadState=masked): unmask it with `systemctl unmask %s`, "
                "then start it with `systemctl enable --now %s`." % (unit, unit, unit))
    if service.load_state != "loaded":
        return "%s cannot be loaded (LoadState=%s): see `systemctl status %s`." % (unit, service.load_state, unit)
    if service.active_state not in RUNNING_STATES:
        hint = " `journalctl -u %s` says why it failed." % unit if service.active_state == "failed" else ""
        return ("systemd-networkd is installed but not running (%s: ActiveState=%s, SubState=%s): start it with "
                "`systemctl enable --now %s`.%s" % (unit, service.active_state, service.sub_state, unit, hint))
    return None
