# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The steps networkd_forwarding and docker_host_state share.

Read the host once (live state and networkd's own state), pick the links a run covers, and plan
the files that make networkd keep forwarding on or off. Both modules call these, so the role's
one-run check (docker_host_state) answers exactly what networkd_forwarding would.
"""

from __future__ import annotations

from ansible_collections.hostnet.networkd.plugins.module_utils._report.audit import HostView, select_links
from ansible_collections.hostnet.networkd.plugins.module_utils._live.commands import run_read_only
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.module_utils._live.state import networkd_problem, read_live_state
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.versions import (
    ONE_WAY_GLOBAL,
    PER_LINK_FORWARDING_KEYS,
    installed_version,
)

# The modules' option for a link described instead of read live (Link.from_dict takes these keys).
LINK_SPEC = dict(
    name=dict(type="str", required=True),
    altnames=dict(type="list", elements="str"),
    type=dict(type="str"),
    kind=dict(type="str"),
    driver=dict(type="str"),
    mac=dict(type="str"),
    permanent_mac=dict(type="str"),
    path=dict(type="str"),
    ifindex=dict(type="int"),
)


def networkd_report(module, service, writes):
    """networkd's state as returned; a warning when it will not apply the files now.

    Files for a networkd that is missing, masked or whose state cannot be read would never be
    applied: when the run ``writes`` files that is an error, raised before anything is written.
    Files for an installed networkd that is stopped apply once it starts: a warning.
    """
    problem = networkd_problem(service)
    report = {"networkctl": service.networkctl, "load_state": service.load_state,
              "active_state": service.active_state, "sub_state": service.sub_state, "problem": problem}
    if problem and writes and not service.loaded:
        module.fail_json(msg="%s Nothing was changed." % problem, networkd=report)
    if problem:
        module.warn(problem)
    return report


def read_host(module, fs, writes, systemd_version=None, described_links=None):
    """Read the host once; returns (HostView not loaded yet, networkd's state report or None).

    On / the live state is read: links, forwarding values, networkd's state. Below another root
    only the files are there. ``described_links`` (dicts of the modules' ``links`` option) replace
    the live links, and then no live value is reported for them.
    """
    live = None
    networkd = None
    if fs.root == "/":
        live = read_live_state(run_read_only, module.get_bin_path)
        for warning in live.warnings:
            module.warn(warning)
        networkd = networkd_report(module, live.networkd, writes)
    version = systemd_version or (live.systemd_version if live else None) or installed_version(fs)
    if version is None:
        module.fail_json(msg="cannot tell the systemd version below %s: no networkctl or systemctl answers and no "
                             "libsystemd-shared is installed; set systemd_version" % fs.root)
    described = described_links is not None
    view = HostView(
        version=version,
        fs=fs,
        links=[Link.from_dict(link) for link in described_links] if described else (live.links if live else []),
        facts=live.facts if live else HostFacts(),
        live_values=live.forwarding if live and not described else {},
        ip_forward=live.ip_forward if live else None,
    )
    return view, networkd


def covered_links(module, links, patterns):
    """The links the ``interfaces`` option covers; a name or glob that matches nothing is an error."""
    for pattern in patterns or ():
        if not select_links(links, [pattern]):
            known = ", ".join(link.name for link in links) or "none"
            module.fail_json(msg="interfaces: %r matches no link on this host (links: %s)" % (pattern, known))
    return select_links(links, patterns)


def resolved_syntax(syntax, version):
    """The forwarding keys to write: ``auto`` is modern (IPv4Forwarding=) from systemd 256."""
    if syntax != "auto":
        return syntax
    return "modern" if version >= PER_LINK_FORWARDING_KEYS else "legacy"


def plan_forwarding(view, covered, paths, families, syntax, desired, scope, dropin_name, method):
    """The FileChanges that make networkd write ``desired`` to forwarding, plus warnings.

    ``paths`` are NetworkFile paths to change besides those governing the ``covered`` links.
    Raises FixError when a file cannot be changed safely.
    """
    # Imported here, not at the top: an audit never plans, and a module's Python is compiled on the
    # host at every run, so the audit does not pay for the planner (docs/performance.md).
    from ansible_collections.hostnet.networkd.plugins.module_utils._plan.fix import FixPlanner

    version = view.version
    planner = FixPlanner(view.fs, version, syntax, families, desired, dropin_name, method)
    warnings = []
    if desired == 0 and syntax == "legacy" and version >= ONE_WAY_GLOBAL:
        warnings.append("systemd %d never writes 0 to a forwarding sysctl: IPForward=no only stops networkd "
                        "turning it on; turn it off with sysctl.d" % version)
    if scope in ("link", "both"):
        networks = []
        for link in covered:
            plan = view.model.plans[link.name]
            if plan.network is None or plan.unmanaged_source is not None:
                warnings.append("%s is not managed by networkd (%s); no .network file to change"
                                % (link.name, "Unmanaged=yes" if plan.network else "no .network file matches it"))
            elif plan.network not in networks:
                networks.append(plan.network)
        for path in paths:
            network = view.configuration.find(path)
            if network is not None and network not in networks:
                networks.append(network)
        for network in networks:
            planner.plan_network(network)
    if scope in ("global", "both"):
        if version < PER_LINK_FORWARDING_KEYS:
            warnings.append("systemd %d has no global IPv4Forwarding=/IPv6Forwarding= in networkd.conf; "
                            "scope=global changes nothing" % version)
        else:
            planner.plan_global(view.networkd_conf)
    return planner.changes(), warnings
