# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the role docker_host_network says about a host, each as a sentence: the files that grab
Docker's links, the findings it explains before changing anything, and what its verification
finds wrong.

The inputs are link reports as networkd_forwarding's audit returns them (``links``: name,
network_file, dropins, unmanaged, and per family live, after_reconfigure, after_restart,
after_boot, after_sysctl_reload, risk). ``None`` for an event means networkd leaves the value
as it is, which keeps a 1.
"""

from __future__ import annotations

import posixpath

from .settings import matches_any
from .sysctl_plan import sysctl_key

EVENTS = ("after_reconfigure", "after_restart", "after_sysctl_reload")


def container_links(settings, link_reports):
    """The reports of Docker's links (names matching the container link patterns), each name once."""
    seen = set()
    result = []
    for report in link_reports:
        if matches_any(report["name"], settings.container_link_patterns) and report["name"] not in seen:
            seen.add(report["name"])
            result.append(report)
    return result


def catchall_files(settings, container_reports):
    """Files other than the role's that govern one of Docker's links, with the links each governs and
    whether the role's Unmanaged=yes file wins over it: networkd applies the first matching file in
    the lexical order of file names (systemd.network(5))."""
    grabbed = [r for r in container_reports if not r["unmanaged"] and r["network_file"]]
    files = []
    for report in grabbed:
        path = report["network_file"]
        if posixpath.basename(path) != settings.unmanaged_container_links_file and path not in files:
            files.append(path)
    return [{"network_file": path,
             "links": sorted(set(r["name"] for r in grabbed if r["network_file"] == path)),
             "neutralized": settings.unmanaged_container_links
             and settings.unmanaged_container_links_file < posixpath.basename(path)}
            for path in files]


def catchall_problem(settings, catchall):
    """With catchall_action fail, the files that would still govern Docker's links after the role."""
    grabbing = [item for item in catchall if not item["neutralized"]]
    if settings.catchall_action != "fail" or not grabbing:
        return []
    return ["%s would govern Docker's links (%s). Set docker_host_network_unmanaged_container_links to true, give "
            "docker_host_network_unmanaged_container_links_file a name that sorts before these files, narrow their "
            "[Match], or set docker_host_network_catchall_action to report."
            % (", ".join(item["network_file"] for item in grabbing),
               ", ".join(name for item in grabbing for name in item["links"]))]


def risks(link_reports):
    """The audit's risk sentences for these links, IPv4 then IPv6."""
    return [report[family]["risk"] for report in link_reports for family in ("ipv4", "ipv6")
            if report.get(family) and report[family].get("risk")]


def findings(settings, uplink_reports, catchall, sysctl_plan):
    """What the role explains before it changes anything: what takes the uplinks' forwarding down now,
    the files that grab Docker's links, and the sysctl entries that set forwarding to 0, each with what
    the role does about it."""
    lines = risks(uplink_reports)
    for item in catchall:
        lines.append("%s would govern %s: %s." % (
            item["network_file"], ", ".join(item["links"]),
            "neutralized by %s, which sorts before it" % settings.unmanaged_container_links_file
            if item["neutralized"] else "networkd would configure them and reset their forwarding"))
    for conflict in sysctl_plan.conflicts:
        lines.append("%s:%s sets %s = %s, against %s: %s." % (
            conflict["file"], conflict["line"], conflict["key"], conflict["value"], ", ".join(conflict["covers"]),
            "overridden by %s" % settings.sysctl_override_file if sysctl_plan.override
            else "left in force (set docker_host_network_override_sysctl_conflicts to override it)"))
    return lines


def _holds(value, live_required):
    live = value["live"]
    return ((live == 1 if live_required else live in (1, None)) and value["after_boot"] == 1
            and all(value[event] in (1, None) for event in EVENTS))


def _value_sentence(name, family, value, with_reconfigure):
    events = (["after reconfigure %s" % value["after_reconfigure"]] if with_reconfigure else []) + [
        "after a networkd restart %s" % value["after_restart"], "after boot %s" % value["after_boot"],
        "after sysctl --system %s" % value["after_sysctl_reload"]]
    return ("%s %s forwarding: now %s, %s (None: left as it is). %s"
            % (name, family, value["live"], ", ".join(events), value.get("risk") or "")).rstrip()


def verification_problems(settings, uplink_reports, container_reports, global_report, firewall_verdict=None):
    """What keeps the host from forwarding now and after every event, each as a sentence.

    The uplinks read 1 now and networkd and sysctl.d keep them 1 through a reconfigure, a restart,
    a boot and ``sysctl --system``; so do Docker's links (which may not exist yet), which networkd
    leaves unmanaged; ip_forward, all and default read 1 now; with forward_policy drop, the FORWARD
    path drops what Docker's rules do not accept (``firewall_verdict``, forward_policy's verdict).
    """
    problems = []
    for report in uplink_reports:
        for family in settings.families:
            if not _holds(report[family], live_required=True):
                problems.append(_value_sentence(report["name"], family, report[family], with_reconfigure=True))
    container_file = posixpath.join("/etc/systemd/network", settings.unmanaged_container_links_file)
    for report in container_reports:
        if settings.unmanaged_container_links and settings.catchall_action == "fail" \
                and not (report["unmanaged"] or report["network_file"] is None):
            problems.append("%s is governed by %s, not left unmanaged by %s."
                            % (report["name"], report["network_file"], container_file))
        for family in settings.families:
            if not _holds(report[family], live_required=False):
                problems.append(_value_sentence(report["name"], family, report[family], with_reconfigure=False))
    for family in settings.families:
        values = global_report[family]
        for name in (["ip_forward"] if family == "ipv4" else []) + ["all", "default"]:
            if values.get(name) != 1:
                problems.append("%s reads %s now." % (sysctl_key(family, name), values.get(name)))
    if settings.forward_policy == "drop" and firewall_verdict is not None:
        problems.extend(firewall_verdict[family]["summary"] for family in settings.families
                        if not firewall_verdict[family]["dropped"])
    return problems


def probe_events(uplink_names):
    """The events docker_host_network_probe_events replays, each with the commands that cause it."""
    return [
        {"name": "networkctl reconfigure of the uplinks", "commands": [["networkctl", "reconfigure"] + uplink_names]},
        {"name": "networkctl reload", "commands": [["networkctl", "reload"]]},
        {"name": "a restart of systemd-networkd", "commands": [["systemctl", "restart", "systemd-networkd.service"]]},
        {"name": "the uplinks going down and up",
         "commands": [["ip", "link", "set", name, state] for state in ("down", "up") for name in uplink_names]},
        {"name": "promiscuous mode on and off, as tcpdump does",
         "commands": [["ip", "link", "set", name, "promisc", state] for state in ("on", "off") for name in uplink_names]},
        {"name": "sysctl --system", "commands": [["sysctl", "--system"]]},
    ]
