# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The steps networkd_forwarding and docker_host_info share, with the AnsibleModule that runs them.

Read the host once (live state and networkd's own state) and pick the links a run covers; what
cannot go on becomes the module's failure, what is doubtful its warning.
"""

from __future__ import annotations

from .._live.commands import run_read_only
from .._live.reading import file_mtime
from .._live.state import read_live_state
from .._live.sysctl import read_procps_version
from .._live.systemd import networkd_problem
from .._matching.facts import HostFacts
from .._matching.links import Link, select_links
from .._parsing.values import is_glob
from .._model.host import HostView
from .._parsing.versions import installed_version


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


def _once(read):
    """``read`` called on first use only, its answer kept: a program is run at most once per module run."""
    answers = []

    def reader():
        if not answers:
            answers.append(read())
        return answers[0]
    return reader


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
    if systemd_version is not None:
        version = systemd_version
    else:
        version = (live.systemd_version if live else None) or installed_version(fs)
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
        procps_reader=_once(lambda: read_procps_version(run_read_only, module.get_bin_path)) if live else None,
        networkd_started_at=live.networkd_started_at if live else None,
        mtime=file_mtime(fs) if live else None,
    )
    return view, networkd


def covered_links(module, links, patterns, missing="fail"):
    """The links the ``interfaces`` option covers.

    A fleet shares one list: a glob that matches no link on this host (``ens*`` where there is only
    eth0) is fine. A name without glob characters names one link: when it matches none, that is an
    error, or a warning when ``missing`` is "ignore" (the ``missing_interfaces`` option).
    """
    for pattern in patterns or ():
        if is_glob(pattern) or select_links(links, [pattern]):
            continue
        known = ", ".join(link.name for link in links) or "none"
        message = "interfaces: %r matches no link on this host (links: %s)" % (pattern, known)
        if missing == "ignore":
            module.warn(message + "; ignored (missing_interfaces=ignore)")
        else:
            module.fail_json(msg=message + "; a glob may match none, a name must match one (or set "
                                           "missing_interfaces=ignore)")
    return select_links(links, patterns)
