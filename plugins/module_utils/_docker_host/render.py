# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files the role docker_host_network owns, rendered from its settings.

Each is a WantedFile: a path and what must be there, a file (root:root, 0644, this content),
a directory (root:root, 0755) or nothing. The contents hold no timestamp, so rendering the
same settings for the same host gives the same bytes, and a converged host rewrites nothing.
"""

from __future__ import annotations

import json
import posixpath
from typing import NamedTuple, Optional

from .settings import dropin_file_name, network_file_name

NETWORK_DIR = "/etc/systemd/network"
FILE_MODE = 0o644
DIRECTORY_MODE = 0o755
HEADER = "# Managed by the role hostnet.networkd.docker_host_network: changes made here are overwritten.\n"


class WantedFile(NamedTuple):
    """What must be at ``path``: ``kind`` file (with ``content``, bytes), directory, or absent."""

    path: str
    kind: str
    content: Optional[bytes] = None
    mode: Optional[int] = None


def wanted_file(path, text):
    return WantedFile(path, "file", text.encode("utf-8"), FILE_MODE)


def wanted_directory(path):
    return WantedFile(path, "directory", None, DIRECTORY_MODE)


def absent(path):
    return WantedFile(path, "absent")


def unit_value(value):
    """A value as a unit file line holds it: a boolean is yes/no, None is empty (which resets a list)."""
    if value is True or value is False:
        return "yes" if value else "no"
    return "" if value is None else str(value)


def render_section(name, options, extra=()):
    """``[name]`` and one ``key=value`` line per value: a list value gives one line per element."""
    lines = ["[%s]" % name]
    for key, value in options.items():
        for one in value if isinstance(value, list) else [value]:
            lines.append("%s=%s" % (key, unit_value(one)))
    lines.extend(extra)
    return "\n".join(lines) + "\n"


def forwarding_lines(families, modern):
    """The [Network] lines that keep forwarding on, in the syntax of the host's systemd.

    systemd >= 256: IPForward= is ignored; IPv4Forwarding=/IPv6Forwarding= per family (NEWS 256).
    Before: IPForward=ipv4, ipv6 or yes.
    """
    if modern:
        return ["%sForwarding=yes" % family.replace("ipv", "IPv") for family in families]
    return ["IPForward=%s" % ("yes" if len(families) > 1 else families[0])]


def render_network(network, families, modern):
    """A .network definition of docker_host_network_networks, with the forwarding keys in [Network]."""
    sections = [render_section("Match", network.get("match") or {}),
                render_section("Network", network.get("network") or {}, forwarding_lines(families, modern))]
    sections.extend(render_section(extra["section"], extra["options"]) for extra in network.get("sections") or [])
    return HEADER + "\n".join(sections)


def render_dropin(dropin):
    return HEADER + "\n".join(render_section(extra["section"], extra["options"]) for extra in dropin["sections"])


def render_container_links(patterns):
    return HEADER + (
        "# Docker creates and configures these links itself. Unmanaged=yes keeps systemd-networkd,\n"
        "# and any catch-all file that sorts after this one (Name=*, Type=ether), away from them,\n"
        "# so no reconfigure, reload or restart resets their forwarding.\n"
    ) + render_section("Match", {"Name": " ".join(patterns)}) + "\n" + render_section("Link", {"Unmanaged": True})


def render_sysctl_file(plan):
    lines = ["# IP forwarding for a Docker host: on at boot, and again after every `sysctl --system`."]
    lines.extend("%s = 1" % key for key in plan.written)
    if plan.left_out:
        lines.append("# Left out because other files set them to 0 (docker_host_network_override_sysctl_conflicts "
                     "is false):")
        lines.extend("#   %s" % key for key in plan.left_out)
    return HEADER + "\n".join(lines) + "\n"


def render_override_file(plan):
    lines = ["# Overrides forwarding entries that set 0 (docker_host_network_override_sysctl_conflicts: true).",
             "# This file sorts after the files it overrides, so its values win at boot and on `sysctl --system`."]
    lines.extend("# %s:%s sets %s = %s" % (c["file"], c["line"], c["key"], c["value"]) for c in plan.conflicts)
    keys = []
    for conflict in plan.conflicts:
        keys.extend(key for key in conflict["covers"] if key not in keys)
    lines.extend("%s = 1" % key for key in keys)
    return HEADER + "\n".join(lines) + "\n"


def render_evidence(document):
    """The evidence document as the file holds it: JSON, keys sorted, 4 spaces, UTF-8, a final newline."""
    return json.dumps(document, indent=4, sort_keys=True, separators=(",", ": "), ensure_ascii=False) + "\n"


def network_paths(network):
    """(the .network path, [its drop-in paths]) of one definition."""
    path = posixpath.join(NETWORK_DIR, network_file_name(network["name"]))
    return path, [posixpath.join(path + ".d", dropin_file_name(d["name"])) for d in network.get("dropins") or []]


def render_networkd_files(settings, modern):
    """The role's networkd files: the definitions, their drop-ins (and drop-in directories), and the
    Unmanaged=yes file for Docker's links; a definition with state absent is removed with its drop-ins."""
    files = []
    directories = []
    for network in settings.networks:
        path, dropin_paths = network_paths(network)
        if network.get("state", "present") == "absent":
            files.extend(absent(p) for p in [path] + dropin_paths)
            continue
        files.append(wanted_file(path, render_network(network, settings.families, modern)))
        for dropin, dropin_path in zip(network.get("dropins") or [], dropin_paths):
            if posixpath.dirname(dropin_path) not in directories:
                directories.append(posixpath.dirname(dropin_path))
            files.append(wanted_file(dropin_path, render_dropin(dropin)))
    files[0:0] = [wanted_directory(d) for d in directories]
    container_links = posixpath.join(NETWORK_DIR, settings.unmanaged_container_links_file)
    files.append(wanted_file(container_links, render_container_links(settings.container_link_patterns))
                 if settings.unmanaged_container_links else absent(container_links))
    return files


def render_sysctl_files(settings, plan):
    """The role's sysctl.d files: the forwarding file and the override file, each present or absent."""
    return [
        wanted_file(settings.sysctl_file, render_sysctl_file(plan)) if settings.sysctl else absent(settings.sysctl_file),
        wanted_file(settings.sysctl_override_file, render_override_file(plan)) if plan.override
        else absent(settings.sysctl_override_file),
    ]


def render_evidence_files(path, document):
    """The evidence file and its directory; nothing when ``path`` is empty."""
    if not path:
        return []
    return [wanted_directory(posixpath.dirname(path)), wanted_file(path, render_evidence(document))]
