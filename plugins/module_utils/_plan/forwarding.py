# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan the files that make networkd keep forwarding on or off for the covered links (and globally).

networkd_forwarding writes the plan; docker_host_info plans the same for the role docker_host_network,
so both answer alike.
"""

from __future__ import annotations

import posixpath

from .._files.changeset import BACKUP_SUFFIX_MAX
from .._parsing.versions import ONE_WAY_GLOBAL, PER_LINK_FORWARDING_KEYS, config_dirs, network_dirs

# The longest name a drop-in may have: the file-name limit (NAME_MAX, 255 bytes) less what a
# backup adds to it (backup: true); the temporary files have names of their own.
NAME_MAX = 255
DROPIN_NAME_MAX = NAME_MAX - BACKUP_SUFFIX_MAX


def dropin_name_problem(name):
    """None when networkd reads a drop-in called ``name``, else what is wrong with it.

    networkd reads the ``*.conf`` files of a drop-in directory and skips hidden ones (a leading
    dot, conf-files.c); a slash would put the file elsewhere, and a control character (a
    newline) makes a name no tool shows faithfully.
    """
    if not name:
        return "is empty"
    if "/" in name:
        return "must be a file name, without '/'"
    if name.startswith("."):
        return "starts with a dot: networkd skips hidden files, so the fix would never apply"
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "contains a control character (a newline, a tab...)"
    if not name.endswith(".conf"):
        return "must end in .conf: networkd reads only the *.conf files of a drop-in directory"
    size = len(name.encode("utf-8", "surrogateescape"))
    if size > DROPIN_NAME_MAX:
        return ("is %d bytes long; at most %d bytes fit the file-name limit of %d with the suffix of a backup"
                % (size, DROPIN_NAME_MAX, NAME_MAX))
    return None


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
    from .fix import FixPlanner

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
                if plan.network:
                    why = "Unmanaged=yes"
                elif plan.managed_by is not None:
                    why = "udev's ID_NET_MANAGED_BY=%s" % plan.managed_by
                else:
                    why = "no .network file matches it"
                warnings.append("%s is not managed by networkd (%s); no .network file to change" % (link.name, why))
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


def paths_outside_config_dirs(changes, version):
    """The paths of ``changes`` that are not a .network file, a drop-in of one, or a networkd.conf.d drop-in.

    The modules refuse to write them: the planner edits networkd's configuration, nothing else.
    """
    network = network_dirs(version)
    conf_d = config_dirs(version, "systemd/networkd.conf.d")
    refused = []
    for change in changes:
        directory, name = posixpath.split(change.path)
        parent = posixpath.dirname(directory)
        allowed = ((directory in network and name.endswith(".network"))
                   or (parent in network and directory.endswith(".network.d") and name.endswith(".conf"))
                   or (directory in conf_d and name.endswith(".conf")))
        if not allowed:
            refused.append(change.path)
    return refused
