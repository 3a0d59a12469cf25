# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The settings of a Docker host's forwarding, as the role docker_host_network takes them.

Private to this collection (the leading underscore): the interface is the module
docker_host_info and the role's variables. ARGUMENT_SPEC is docker_host_info's options, named
as the role's variables without their ``docker_host_network_`` prefix; the role's
meta/argument_specs.yml validates the same variables before the role runs. What an argument
spec cannot say (rules across options, file names, the content of the .network definitions)
is checked by ``settings_problems``, which names every problem at once.
"""

from __future__ import annotations

import fnmatch
import posixpath
from typing import NamedTuple, Tuple

from .._parsing.families import FAMILY_CHOICES, families_of

# The keys that decide forwarding in a .network file; the role writes them itself.
FORWARDING_KEYS = ("IPForward", "IPv4Forwarding", "IPv6Forwarding")
# The bounds of the role's commit-confirmed apply (tasks/apply.yml): how long the background job that
# makes networkd take the change may run, and the longest one module run over the connection may take
# there (arming, polling, confirming), so that a connection that dies in the middle fails the host
# instead of hanging its batch.
APPLY_TIMEOUT = 20
STEP_TIMEOUT = 30
# After arming the timer the controller may spend the reconnect timeout and APPLY_TIMEOUT; the rollback
# must leave it this margin too, for the 3 s before the first reconnect attempt and the module runs that
# arm, poll and confirm on a loaded host and controller.
ROLLBACK_MARGIN = 20
# A file name networkd reads: no directory, not hidden, within NAME_MAX (conf-files.c skips hidden names).
NAME_MAX = 255

ARGUMENT_SPEC = dict(
    uplinks=dict(type="list", elements="str", required=True),
    family=dict(type="str", choices=list(FAMILY_CHOICES), default="ipv4"),
    networks=dict(type="list", elements="dict", default=[]),
    unmanaged_container_links=dict(type="bool", default=True),
    container_link_patterns=dict(type="list", elements="str", default=["docker0", "br-*", "veth*"]),
    unmanaged_container_links_file=dict(type="str", default="05-hostnet-container-links.network"),
    catchall_action=dict(type="str", choices=["report", "fail"], default="fail"),
    sysctl=dict(type="bool", default=True),
    sysctl_file=dict(type="path", default="/etc/sysctl.d/90-hostnet-forwarding.conf"),
    sysctl_conflict_action=dict(type="str", choices=["report", "fail"], default="report"),
    override_sysctl_conflicts=dict(type="bool", default=False),
    sysctl_override_file=dict(type="path", default="/etc/sysctl.d/99-zz-hostnet-forwarding-override.conf"),
    networkd_conf_dropin=dict(type="bool", default=True),
    dropin_name=dict(type="str", default="50-hostnet-forwarding.conf"),
    restart_networkd=dict(type="bool", default=False),
    forward_policy=dict(type="str", choices=["audit", "drop"], default="audit"),
    evidence_path=dict(type="path", default="/var/lib/hostnet-networkd/evidence.json"),
    rollback=dict(type="str", choices=["auto", "always", "never"], default="auto"),
    rollback_timeout=dict(type="int", default=120),
    rollback_reconnect_timeout=dict(type="int", default=60),
)


class Settings(NamedTuple):
    """The options of ARGUMENT_SPEC."""

    uplinks: Tuple[str, ...] = ()
    family: str = "ipv4"
    networks: Tuple[dict, ...] = ()
    unmanaged_container_links: bool = True
    container_link_patterns: Tuple[str, ...] = ("docker0", "br-*", "veth*")
    unmanaged_container_links_file: str = "05-hostnet-container-links.network"
    catchall_action: str = "fail"
    sysctl: bool = True
    sysctl_file: str = "/etc/sysctl.d/90-hostnet-forwarding.conf"
    sysctl_conflict_action: str = "report"
    override_sysctl_conflicts: bool = False
    sysctl_override_file: str = "/etc/sysctl.d/99-zz-hostnet-forwarding-override.conf"
    networkd_conf_dropin: bool = True
    dropin_name: str = "50-hostnet-forwarding.conf"
    restart_networkd: bool = False
    forward_policy: str = "audit"
    evidence_path: str = "/var/lib/hostnet-networkd/evidence.json"
    rollback: str = "auto"
    rollback_timeout: int = 120
    rollback_reconnect_timeout: int = 60

    @classmethod
    def from_params(cls, params):
        """Settings from a module's params (or any mapping with ARGUMENT_SPEC's keys; missing ones take defaults)."""
        values = {name: params[name] for name in cls._fields if params.get(name) is not None}
        for name in ("uplinks", "networks", "container_link_patterns"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)

    @property
    def families(self):
        """The families of ``family``, in a fixed order."""
        return families_of(self.family)


def is_plain_file_name(name):
    """Whether networkd (or systemd-sysctl) reads a file of this name in its directory."""
    return (bool(name) and "/" not in name and not name.startswith(".") and len(name.encode("utf-8")) <= NAME_MAX
            and not any(ord(char) < 32 or ord(char) == 127 for char in name))


def network_file_name(name):
    """A definition's file name: ``name`` with ``.network`` appended unless it ends in it."""
    return name if name.endswith(".network") else name + ".network"


def dropin_file_name(name):
    return name if name.endswith(".conf") else name + ".conf"


def _sections_problems(where, sections):
    problems = []
    if not isinstance(sections, list):
        return ["%s must be a list of {section, options}." % where]
    for index, section in enumerate(sections):
        if not isinstance(section, dict) or not isinstance(section.get("section"), str) \
                or not isinstance(section.get("options"), dict):
            problems.append("%s[%d] must have a section name and a dict of options." % (where, index))
        elif not section["section"] or any(char in section["section"] for char in "[]\n"):
            problems.append("%s[%d].section: %r is not a section name." % (where, index, section["section"]))
    return problems


def _keys_of(sections):
    return [key for section in sections if isinstance(section, dict)
            for key in (section.get("options") or {}) if isinstance(section.get("options"), dict)]


def network_problems(networks):
    """What is wrong with docker_host_network_networks, each as a sentence naming the definition."""
    problems = []
    forwarding = []
    for index, network in enumerate(networks):
        where = "docker_host_network_networks[%d]" % index
        if not isinstance(network, dict) or not isinstance(network.get("name"), str):
            problems.append("%s needs a name." % where)
            continue
        name = network["name"]
        where = "docker_host_network_networks[%d] (%s)" % (index, name)
        if not is_plain_file_name(network_file_name(name)):
            problems.append("%s: the name must be a file name in /etc/systemd/network, without '/', not starting "
                            "with '.'." % where)
        state = network.get("state", "present")
        if state not in ("present", "absent"):
            problems.append("%s: state must be present or absent, not %r." % (where, state))
        if state == "present" and not (isinstance(network.get("match"), dict) and network["match"]):
            problems.append("%s: a present definition needs a [Match] section (match); networkd ignores a "
                            ".network file without one." % where)
        for key in ("match", "network"):
            if network.get(key) is not None and not isinstance(network[key], dict):
                problems.append("%s: %s must be a dict of keys and values." % (where, key))
        problems.extend(_sections_problems(where + ".sections", network.get("sections") or []))
        sections = [{"options": network.get("network") or {}}] + list(network.get("sections") or [])
        dropins = network.get("dropins") or []
        for dropin_index, dropin in enumerate(dropins if isinstance(dropins, list) else []):
            dropin_where = "%s.dropins[%d]" % (where, dropin_index)
            if not isinstance(dropin, dict) or not isinstance(dropin.get("name"), str) \
                    or not is_plain_file_name(dropin_file_name(dropin["name"])):
                problems.append("%s: the name must be a file name, without '/', not starting with '.'." % dropin_where)
                continue
            problems.extend(_sections_problems(dropin_where + ".sections", dropin.get("sections")))
            sections.extend(dropin.get("sections") or [] if isinstance(dropin.get("sections"), list) else [])
        forwarding.extend("%s: %s" % (name, key) for key in _keys_of(sections) if key in FORWARDING_KEYS)
    if forwarding:
        problems.append("docker_host_network_networks sets %s: remove it; the role writes the forwarding keys right "
                        "for the host's systemd itself." % ", ".join(sorted(set(forwarding), key=forwarding.index)))
    return problems


def settings_problems(settings):
    """What is wrong with the settings as a whole, each as a sentence naming the variable (before the host is read)."""
    problems = []
    container_names = [name for name in settings.uplinks if matches_any(name, settings.container_link_patterns)]
    if not settings.uplinks or container_names:
        problems.append("Set docker_host_network_uplinks to the links that carry the containers' traffic, none of "
                        "them matching docker_host_network_container_link_patterns %s (these would match: %s)."
                        % (list(settings.container_link_patterns), container_names))
    if settings.rollback_reconnect_timeout < 1:
        problems.append("docker_host_network_rollback_reconnect_timeout (%d) must be at least 1 second."
                        % settings.rollback_reconnect_timeout)
    least = settings.rollback_reconnect_timeout + APPLY_TIMEOUT + ROLLBACK_MARGIN
    if settings.rollback != "never" and settings.rollback_timeout < least:
        problems.append("docker_host_network_rollback_timeout (%d) must be at least "
                        "docker_host_network_rollback_reconnect_timeout (%d) + %d s for networkd to take the change + "
                        "a margin of %d s, that is %d: with less, the host can roll back a good change while the "
                        "controller is still confirming it."
                        % (settings.rollback_timeout, settings.rollback_reconnect_timeout, APPLY_TIMEOUT,
                           ROLLBACK_MARGIN, least))
    for variable, name in (("docker_host_network_unmanaged_container_links_file", settings.unmanaged_container_links_file),
                           ("docker_host_network_dropin_name", settings.dropin_name)):
        if not is_plain_file_name(name):
            problems.append("%s: %r is not a file name networkd reads (no '/', no leading '.', no control "
                            "characters)." % (variable, name))
    if not settings.unmanaged_container_links_file.endswith(".network"):
        problems.append("docker_host_network_unmanaged_container_links_file: %r must end in .network."
                        % settings.unmanaged_container_links_file)
    if not settings.dropin_name.endswith(".conf"):
        problems.append("docker_host_network_dropin_name: %r must end in .conf." % settings.dropin_name)
    for variable, path in (("docker_host_network_sysctl_file", settings.sysctl_file),
                           ("docker_host_network_sysctl_override_file", settings.sysctl_override_file)):
        if not (posixpath.isabs(path) and path.endswith(".conf") and is_plain_file_name(posixpath.basename(path))):
            problems.append("%s: %r must be an absolute path to a .conf file (systemd-sysctl reads only those)."
                            % (variable, path))
    if settings.evidence_path and not (posixpath.isabs(settings.evidence_path)
                                       and is_plain_file_name(posixpath.basename(settings.evidence_path))):
        problems.append("docker_host_network_evidence_path: %r must be an absolute path to a file, or empty."
                        % settings.evidence_path)
    problems.extend(network_problems(settings.networks))
    return problems


def matches_any(name, patterns):
    """Whether ``name`` matches one of the shell globs ``patterns`` (as networkd's Name= does, fnmatch)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
