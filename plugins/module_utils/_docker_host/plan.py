# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every decision of the role docker_host_network, from one reading of a host.

``plan_docker_host(settings, reading)`` answers, as plain data: what the role would write (its
own files, and the edits that make networkd keep forwarding on for the uplinks, planned by the
same planner as networkd_forwarding), which live forwarding sysctls it would turn on, how
networkd must take the change, whether the host is converged already (nothing to write, nothing
to turn on, and the verification passes on what the host reads now), what stops the role before
it changes anything (``problems``), what it explains (``findings``), what its verification finds
wrong, and the report the role shows. The module docker_host_info reads the host and returns
this; docker_host_apply writes ``plan.files`` and ``plan.sysctls``.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace
from typing import NamedTuple, Optional

from .._files.view import OverlayFileSystem
from .._matching.links import Link, select_links
from .._parsing.values import is_glob
from .._parsing.versions import PER_LINK_FORWARDING_KEYS
from .._plan.fix import FixError
from .._plan.forwarding import paths_outside_config_dirs, plan_forwarding, resolved_syntax
from .._report.audit import audit_report, collect_warnings
from .._report.evidence import build_evidence
from .checks import (
    catchall_files,
    catchall_problem,
    container_links,
    findings,
    probe_events,
    risks,
    verification_problems,
)
from .files import MISSING, as_wanted, change_entry, wanted_entry
from .render import NETWORK_DIR, render_evidence_files, render_networkd_files, render_sysctl_files
from .settings import APPLY_TIMEOUT, STEP_TIMEOUT, matches_any, settings_problems
from .sysctl_plan import plan_sysctl, proc_path, sysctl_key, unbeatable_conflicts

# Links as Docker creates them, to ask which file would govern them before they exist.
CONTAINER_LINK_EXAMPLES = (
    Link(name="docker0", type="bridge", kind="bridge", driver="bridge"),
    Link(name="br-0123456789ab", type="bridge", kind="bridge", driver="bridge"),
    Link(name="veth0123abc", type="ether", kind="veth", driver="veth"),
)
# networkd reads networkd.conf and its drop-ins when it starts only (networkd.c: parsed in run()).
NETWORKD_CONF = "/etc/systemd/networkd.conf"


class HostReading(NamedTuple):
    """What docker_host_info read from the host.

    ``view`` is the loaded HostView of the live host; ``networkd`` the state of systemd-networkd
    (networkd_forwarding's ``networkd``); ``file_states`` the FileState of every path the role may
    write; ``firewall`` the FORWARD path as forward_policy reports it, with ``changes`` and
    ``error`` for a planned drop and the verdict predicted after it; ``sysctl_writable`` False when
    /proc/sys/net is mounted read-only.
    """

    view: object
    networkd: Optional[dict]
    file_states: dict
    firewall: Optional[dict]
    check_mode: bool = False
    sysctl_writable: Optional[bool] = True


def role_paths(settings):
    """Every path the role may write or remove, known before the host is read (docker_host_info reads their state).

    The networkd files and the evidence file are known from the settings alone; a drop-in that
    networkd_forwarding's planner writes is read by the planner itself.
    """
    paths = [wanted.path for wanted in render_networkd_files(settings, modern=True)]
    paths += [settings.sysctl_file, settings.sysctl_override_file]
    if settings.evidence_path:
        paths += [posixpath.dirname(settings.evidence_path), settings.evidence_path]
    return paths


def resolve_uplinks(patterns, links):
    """The links ``patterns`` cover, and a problem for each literal name that matches none.

    A glob that matches no link is fine, so that a fleet can share one list (eth*, ens*); a name
    without a glob character names a link that must be there.
    """
    problems = []
    for pattern in patterns:
        if not is_glob(pattern) and not select_links(links, [pattern]):
            problems.append("docker_host_network_uplinks: %r matches no link on this host (links: %s)."
                            % (pattern, ", ".join(link.name for link in links if not link.is_loopback) or "none"))
    covered = select_links(links, list(patterns))
    if not covered and not problems:
        problems.append("docker_host_network_uplinks %s matches no link on this host (links: %s)."
                        % (list(patterns), ", ".join(link.name for link in links if not link.is_loopback) or "none"))
    return covered, problems


def live_keys_off(families, audit, uplink_reports, written):
    """The keys of ``written`` that read 0 now: ip_forward, all, default and the uplinks."""
    keys = []
    for family in families:
        values = audit["global"][family]
        if family == "ipv4" and values.get("ip_forward") == 0:
            keys.append(sysctl_key("ipv4", "ip_forward"))
        keys.extend(sysctl_key(family, name) for name in ("all", "default") if values.get(name) == 0)
        keys.extend(sysctl_key(family, report["name"]) for report in uplink_reports if report[family]["live"] == 0)
    return [key for key in keys if key in written]


def _loaded_view(view, fs=None, links=None):
    """``view`` again over another filesystem or other links (described links have no live value)."""
    if links is not None:
        return replace(view, links=list(links), live_values={}).load()
    return replace(view, fs=fs).load()


def _firewall_report(settings, firewall):
    """The report's FORWARD path: the mode, what the role changes, the backends and the verdict per family."""
    if firewall is None:
        return None
    verdict = firewall["verdict"]
    summaries = [verdict[family]["summary"] for family in settings.families]
    if settings.forward_policy != "drop" and not all(verdict[family]["dropped"] for family in settings.families):
        summaries.append("With docker_host_network_forward_policy: drop, the role sets the FORWARD policy to DROP "
                         "where Docker keeps its rules.")
    return {
        "mode": settings.forward_policy,
        "changes": firewall.get("changes", []),
        "iptables_backends": {family: firewall["iptables"][family]["backend"] for family in ("ipv4", "ipv6")},
        "docker_backends": firewall["docker"]["backends"],
        "verdict": {family: {key: verdict[family][key] for key in ("forwarding", "dropped", "dropped_by", "open_router")}
                    for family in settings.families},
        "summary": " ".join(summaries),
    }


def _firewall_problems(settings, firewall):
    """With forward_policy drop: a firewall forward_policy cannot change, or a path the drop would leave open."""
    if settings.forward_policy != "drop" or firewall is None:
        return []
    if firewall.get("error"):
        return ["docker_host_network_forward_policy is drop, but: %s" % firewall["error"]]
    return ["docker_host_network_forward_policy is drop, but after the change: %s" % firewall["verdict"][family]["summary"]
            for family in settings.families if not firewall["verdict"][family]["dropped"]]


def _sysctl_problems(settings, sysctl_plan):
    problems = []
    if settings.sysctl_conflict_action == "fail" and not settings.override_sysctl_conflicts and sysctl_plan.conflicts:
        problems.append("Forwarding is set to 0 by %s. A Docker host needs it on: remove these entries, or set "
                        "docker_host_network_override_sysctl_conflicts to true, or "
                        "docker_host_network_sysctl_conflict_action to report."
                        % ", ".join("%s:%s" % (c["file"], c["line"]) for c in sysctl_plan.conflicts))
    unbeatable = unbeatable_conflicts(sysctl_plan, settings.sysctl_override_file)
    if sysctl_plan.override and unbeatable:
        problems.append("%s cannot be overridden by %s: `sysctl --system` reads /etc/sysctl.conf last, and a sysctl.d "
                        "file only wins over files whose names sort before its own. Edit those entries, or choose a "
                        "later-sorting docker_host_network_sysctl_override_file."
                        % (", ".join(unbeatable), settings.sysctl_override_file))
    return problems


def _changed_links(reports, changed_paths):
    """The names of the links whose governing file or one of its drop-ins is in ``changed_paths``."""
    names = set()
    for report in reports:
        if report["network_file"] in changed_paths or set(report["dropins"]) & set(changed_paths):
            names.add(report["name"])
    return sorted(names)


def plan_docker_host(settings, reading):
    """The role's plan for the host ``reading`` describes; see the module docstring."""
    view = reading.view
    problems = settings_problems(settings)
    if reading.networkd and reading.networkd.get("problem"):
        problems.append("%s This role is for hosts whose network systemd-networkd manages; nothing was changed."
                        % reading.networkd["problem"])
    uplinks, uplink_problems = resolve_uplinks(settings.uplinks, view.links)
    problems.extend(uplink_problems)
    uplink_names = [link.name for link in uplinks]
    container_uplinks = [name for name in uplink_names if matches_any(name, settings.container_link_patterns)]
    if container_uplinks:
        problems.append("The uplinks %s match docker_host_network_container_link_patterns; the role would leave them "
                        "unmanaged. Rename them or narrow the patterns." % container_uplinks)

    # The host as it is: every link, the uplinks, and the links Docker will create.
    families = list(settings.families)
    audit = audit_report(view, [link for link in view.links if not link.is_loopback], families)
    audit["warnings"] = collect_warnings(view, uplinks)
    uplink_reports = [report for report in audit["links"] if report["name"] in uplink_names]
    examples = audit_report(_loaded_view(view, links=CONTAINER_LINK_EXAMPLES), CONTAINER_LINK_EXAMPLES, families)
    containers = container_links(settings, audit["links"] + examples["links"])
    catchall = catchall_files(settings, containers)
    problems.extend(catchall_problem(settings, catchall))

    # The role's files, then the edits networkd_forwarding's planner makes with them in place.
    modern = view.version >= PER_LINK_FORWARDING_KEYS
    sysctl_plan = plan_sysctl(settings, audit["sysctl"], uplink_names)
    problems.extend(_sysctl_problems(settings, sysctl_plan))
    wanted = render_networkd_files(settings, modern) + render_sysctl_files(settings, sysctl_plan)
    states = reading.file_states
    to_change = [w for w in wanted if not as_wanted(w, states.get(w.path, MISSING))]
    role_content = {w.path: w.content for w in to_change if w.kind != "directory"}
    after_role = _loaded_view(view, fs=OverlayFileSystem(view.fs, role_content)) if role_content else view
    fix_changes = []
    scope = "both" if modern and settings.networkd_conf_dropin else "link"
    try:
        fix_changes, _warnings = plan_forwarding(after_role, [link for link in after_role.links if link.name in uplink_names],
                                                 [], families, resolved_syntax("auto", view.version), desired=1,
                                                 scope=scope, dropin_name=settings.dropin_name, method="auto")
    except FixError as error:
        problems.append("%s Nothing was changed." % error)
    for path in paths_outside_config_dirs(fix_changes, view.version):
        problems.append("Refusing to write %s: outside the networkd configuration directories. Nothing was changed."
                        % path)
    fixed = {change.path for change in fix_changes}
    entries = [wanted_entry(w) for w in to_change if w.path not in fixed] + [change_entry(c) for c in fix_changes]

    # What networkd must do about it: networkd.conf.d needs a restart; other files a reload and a
    # reconfigure of the links they govern, before and after the change.
    networkd_paths = [e["path"] for e in entries if e["state"] != "directory"
                      and (e["path"].startswith(NETWORK_DIR + "/") or e["path"].startswith(NETWORKD_CONF))]
    after_uplinks = []
    if networkd_paths:
        after_all = _loaded_view(view, fs=OverlayFileSystem(view.fs, dict(
            role_content, **{c.path: c.after for c in fix_changes})))
        after_uplinks = audit_report(after_all, [link for link in after_all.links if link.name in uplink_names],
                                     families)["links"]
    restart = bool(networkd_paths) and (settings.restart_networkd
                                        or any(p.startswith(NETWORKD_CONF) for p in networkd_paths))
    action = "none" if not networkd_paths else "restart" if restart else "reload"
    reconfigure = [] if action != "reload" else _changed_links(audit["links"] + after_uplinks, networkd_paths)

    # Live values, the firewall, the evidence, and the verification of what the host reads now.
    live_keys = live_keys_off(families, audit, uplink_reports, sysctl_plan.written)
    if live_keys and reading.sysctl_writable is False:
        problems.append("/proc/sys/net is mounted read-only, so %s cannot be set to 1 now. Run the role where "
                        "/proc/sys is writable (a container needs it mounted read-write)." % ", ".join(live_keys))
    firewall = reading.firewall
    problems.extend(_firewall_problems(settings, firewall))
    evidence_document = build_evidence(view, uplinks)
    evidence = [wanted_entry(w) for w in render_evidence_files(settings.evidence_path, evidence_document)
                if not as_wanted(w, states.get(w.path, MISSING))]
    verification = verification_problems(settings, uplink_reports, containers, audit["global"],
                                         firewall["verdict"] if firewall else None)
    firewall_changes = bool(firewall and (firewall.get("changes") or firewall.get("error")))
    converged = not (problems or entries or evidence or live_keys or firewall_changes or verification)

    sysctl_paths = (settings.sysctl_file, settings.sysctl_override_file)
    return {
        "converged": converged,
        "problems": problems,
        "findings": findings(settings, uplink_reports, catchall, sysctl_plan),
        "verification": verification,
        "plan": {
            "files": entries,
            "sysctls": live_keys,
            "evidence": evidence,
            "networkd_action": action,
            "reconfigure_links": reconfigure,
            "forwarding_paths": [proc_path(key) for key in sysctl_plan.needed],
            "probe_events": probe_events(uplink_names),
            "apply_timeout": APPLY_TIMEOUT,
            "step_timeout": STEP_TIMEOUT,
        },
        "evidence": evidence_document,
        "sysctl_plan": sysctl_plan._asdict(),
        "report": {
            "check_mode": reading.check_mode,
            "converged": converged,
            "systemd_version": view.version,
            "syntax": "modern" if modern else "legacy",
            "networkd_files": networkd_paths,
            "sysctl_files": [e["path"] for e in entries if e["path"] in sysctl_paths],
            "live_sysctls_set": live_keys,
            "networkd_action": action,
            "reconfigure_links": reconfigure,
            "risks_before": risks(uplink_reports),
            "catchall_files": catchall,
            "sysctl_conflicts": sysctl_plan.conflicts,
            "forward_policy": _firewall_report(settings, firewall),
        },
        "audit": dict(audit, links=uplink_reports),
        "container_links": containers,
    }
