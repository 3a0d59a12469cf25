# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evidence for auditors: which forwarding sysctls are 1 on a container host, what sets them, and
which hardening benchmark items that deviates from.

A host that runs Docker must forward: the containers' traffic enters on Docker's bridges and veths
and leaves through the uplinks. CIS and DISA STIG benchmarks say forwarding must be off "unless the
system is a router"; an auditor needs, per host, the keys that are on, the file and line that turn
each on, the reason, and the benchmark items to record the exception against. This module builds
that document from an audit (a loaded HostView) as plain data, so it is the same on every run of a
converged host: no timestamps, and every list in a fixed order.
"""

from __future__ import annotations

import fnmatch
from typing import NamedTuple, Tuple

from .._parsing.families import FAMILIES
from .._parsing.versions import ONE_WAY_GLOBAL, PER_LINK_FORWARDING_KEYS

FORMAT = "hostnet.networkd.evidence/1"
NO_RUNTIME_ROLE = "no container runtime found: nothing on this host is known to need forwarding"
# Names of the links Docker creates (the role's docker_host_network_container_link_patterns default).
DOCKER_LINK_PATTERNS = ("docker0", "br-*", "veth*")
# The one sysctl that names a family's global forwarding switch in each family.
GLOBAL_KNOB = {"ipv4": "net.ipv4.ip_forward", "ipv6": "net.ipv6.conf.all.forwarding"}
RUNTIME_WRITE = "no configuration file sets it: written at runtime"
DOCKERD_WRITE = "for example by dockerd, which sets net.ipv4.ip_forward = 1 when it starts"


class BenchmarkItem(NamedTuple):
    """One benchmark recommendation that wants forwarding off, and the sysctl keys it names.

    ``reference`` says where the item number and title were checked, for whoever updates the
    catalogue (the benchmark documents themselves are not freely redistributable).
    """

    benchmark: str
    version: str
    item: str
    title: str
    keys: Tuple[str, ...]
    reference: str


# Numbers and titles as published by the sources in each ``reference`` (the CIS items through
# projects that implement those benchmark versions, not the CIS documents themselves). Left out
# for want of a number and version checked the same way: CIS Debian Linux 11 v2.0.0, the DISA
# RHEL 8 STIG, and the Ubuntu 22.04 STIG (no forwarding rule found in the sources searched).
BENCHMARK_ITEMS = (
    BenchmarkItem(
        "CIS Debian Linux 12 Benchmark", "v1.1.0", "3.3.1", "Ensure ip forwarding is disabled",
        ("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"),
        "ComplianceAsCode/content controls/cis_debian12.yml; ansible-lockdown/DEBIAN12-CIS "
        "tasks/section_3/cis_3.3.x.yml"),
    BenchmarkItem(
        "CIS Debian Linux 11 Benchmark", "v1.0.0", "3.2.2", "Ensure IP forwarding is disabled",
        ("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"),
        "ansible-lockdown/DEBIAN11-CIS (CIS Debian Linux 11 Benchmark v1.0.0) tasks/section_3/cis_3.2.x.yml"),
    BenchmarkItem(
        "DISA Red Hat Enterprise Linux 9 STIG", "V2R8", "RHEL-09-253075",
        "RHEL 9 must not enable IPv4 packet forwarding unless the system is a router.",
        ("net.ipv4.conf.all.forwarding",),
        "https://stighub.com/check/1c757d0a-cc5a-486f-b9ee-26cd0e30318c (V-257970, SV-257970r1155751_rule)"),
    BenchmarkItem(
        "DISA Red Hat Enterprise Linux 9 STIG", "V2R8", "RHEL-09-254025",
        "RHEL 9 must not enable IPv6 packet forwarding unless the system is a router.",
        ("net.ipv6.conf.all.forwarding",),
        "https://www.tenable.com/audits/items/DISA_STIG_Red_Hat_Enterprise_Linux_9_v2r8.audit:"
        "9a01030e1196ff8dd74e36e60f84998c (V-257974)"),
)


def sysctl_key(family, name):
    """The dotted sysctl key of a forwarding switch; a dot inside a link name becomes '/' (sysctl.d(5))."""
    if name == "ip_forward":
        return GLOBAL_KNOB["ipv4"]
    return "net.%s.conf.%s.forwarding" % (family, name.replace(".", "/"))


def kernel_name(name):
    """The conf/<name> a switch is to the kernel: net.ipv4.ip_forward is conf/all (devinet.c)."""
    return "all" if name == "ip_forward" else name


def is_docker_link(name):
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in DOCKER_LINK_PATTERNS)


def uplink(view, link):
    """A covered link that carries the containers' traffic out: networkd manages it and Docker did not create it."""
    return not is_docker_link(link.name) and view.model.plans[link.name].managed


def benchmark_items_for(key):
    """The catalogue entries that name ``key``, as plain dicts (without the maintainers' ``reference``)."""
    return [{"benchmark": item.benchmark, "version": item.version, "item": item.item, "title": item.title}
            for item in BENCHMARK_ITEMS if key in item.keys]


def _is_one(text):
    try:
        return int(text.strip()) != 0
    except ValueError:
        return False


def _sysctl_d_sources(view, family, name):
    """The sysctl.d lines systemd-sysctl applies at boot that write 1 to this switch.

    net.ipv4.ip_forward and net.ipv4.conf.all.forwarding are one switch to the kernel, so a
    line for either counts for both.
    """
    sysctl = view.sysctl
    knob = kernel_name(name)
    sources = []
    for entry in sysctl.boot_writes():
        if entry.family != family or not _is_one(entry.value):
            continue
        writes = (sysctl.writes_to(entry, knob)
                  or (entry.scope == "ip_forward" and knob == "all"))
        if writes:
            sources.append("%s (%s = %s)" % (entry.location, entry.key, entry.value))
    return sources


def _networkd_conf_sources(view, family, name):
    """networkd.conf's global IPv4Forwarding=/IPv6Forwarding=yes (256+), which networkd writes to
    all and default whenever it starts (networkd-sysctl.c), even where an equal value makes it skip
    the write."""
    setting = view.networkd_conf.forwarding[family]
    if name not in ("all", "default", "ip_forward") or setting.value is not True:
        return []
    source = setting.source
    return ["%s (%s=%s)" % (source.location, source.key, source.value)]


def _one_way_global_sources(view, family, name):
    """systemd 228-255: the IPForward=/IPMasquerade= lines with which networkd turns `all` on
    whenever it configures their link (one-way global, NEWS 228), even where it is on already."""
    if name not in ("all", "ip_forward") or not ONE_WAY_GLOBAL <= view.version < PER_LINK_FORWARDING_KEYS:
        return []
    model = view.model
    causes = [model.enables_global(plan, family) for plan in model.managed_plans]   # None for loopback and CAN
    return [cause for cause in causes if cause]


def _modelled_sources(states, family, name):
    """The writes of 1 to this switch itself (not spread to it by the kernel) in the predicted ``states``.

    A networkd restart shows what networkd writes; the boot state adds what wins at boot when a
    restart would skip an equal value (systemd 250 and later).
    """
    sources = []
    for state in states:
        value = state.get(family, kernel_name(name))
        if value.value == 1 and value.cause and value.inherited_from is None:
            sources.append(value.cause)
    return sources


def _inherited_source(states, family, name):
    """How the kernel gave this switch its 1 when nothing names it: from `all` or from `default`."""
    for state in states:
        value = state.get(family, name)
        if value.value == 1 and value.inherited_from == "all":
            return "kernel propagation from %s" % GLOBAL_KNOB[family]
        if value.value == 1 and value.inherited_from == "default":
            return "copied from net.%s.conf.default.forwarding when the link appeared" % family
    return None


def set_by(view, states, family, name, knob_live):
    """What sets this switch to 1: sysctl.d and networkd lines (file:line), else the kernel or a runtime write."""
    sources = []
    candidates = (_sysctl_d_sources(view, family, name) + _networkd_conf_sources(view, family, name)
                  + _one_way_global_sources(view, family, name) + _modelled_sources(states, family, name))
    for source in candidates:
        if source not in sources:
            sources.append(source)
    if sources:
        return sources
    if name not in ("all", "ip_forward"):
        inherited = _inherited_source(states, family, name)
        if inherited:
            return [inherited]
        if knob_live == 1:
            return ["kernel propagation from %s" % GLOBAL_KNOB[family]]
    return ["%s (%s)" % (RUNTIME_WRITE, DOCKERD_WRITE) if family == "ipv4" else RUNTIME_WRITE]


def reason(family, name, uplinks):
    """Why a container host needs this switch on."""
    uplink_names = ", ".join(uplinks) or "none covered"
    if name in ("all", "ip_forward"):
        return ("container host: Docker routes the containers' %s traffic between its links (%s) and the "
                "uplinks (%s); the kernel forwards it only while forwarding is on"
                % ("IPv4" if family == "ipv4" else "IPv6", ", ".join(DOCKER_LINK_PATTERNS), uplink_names))
    if name == "default":
        return "container host: the links Docker creates later (%s) take their forwarding from it" % ", ".join(
            DOCKER_LINK_PATTERNS[1:])
    if is_docker_link(name):
        return "container host: %s is one of Docker's links; the containers' traffic enters the host on it" % name
    if name in uplinks:
        return "container host: %s is an uplink; Docker routes the containers' traffic out through it" % name
    return ("%s is neither one of Docker's links nor an uplink networkd manages: it forwards because the "
            "container host's forwarding reaches every link; review whether it should" % name)


def _switches(covered):
    """(family, name) of every forwarding switch the evidence considers, in a fixed order."""
    names = ["all", "default"] + [link.name for link in covered]
    return [("ipv4", "ip_forward")] + [(family, name) for family in FAMILIES for name in names]


def _live_value(view, family, name):
    if name == "ip_forward":
        return view.ip_forward
    return view.live_values.get(family, {}).get(name)


def host_role(runtimes):
    """The host's role, from the runtimes found on it (runtimes.py), those that start at boot first."""
    if not runtimes:
        return NO_RUNTIME_ROLE
    names = [runtime.name for runtime in runtimes if runtime.at_boot]
    idle = [runtime.name for runtime in runtimes if not runtime.at_boot]
    role = "container host: %s" % ", ".join(names) if names else "container host"
    if idle:
        role += "%s%s installed, not started at boot" % ("; " if names else ": ", ", ".join(idle))
    return role


def build_evidence(view, covered):
    """The evidence document for the ``covered`` links of a loaded HostView.

    Lists every switch that reads 1 now or will read 1 after a reboot: net.ipv4.ip_forward, and
    all, default and each covered link for both families. Switches at 0 are not listed; they
    deviate from nothing.
    """
    model = view.model
    states = (model.predict("restart"), model.boot_state)
    uplinks = [link.name for link in covered if uplink(view, link)]
    entries = []
    for family, name in _switches(covered):
        live = _live_value(view, family, name)
        after_boot = model.boot_state.get(family, kernel_name(name)).value
        if live != 1 and after_boot != 1:
            continue
        key = sysctl_key(family, name)
        entries.append({
            "key": key,
            "live": live,
            "after_boot": after_boot,
            "set_by": set_by(view, states, family, name, _live_value(view, family, "all")),
            "reason": reason(family, name, uplinks),
            "deviates_from": benchmark_items_for(key),
        })
    return {
        "format": FORMAT,
        "host": view.facts.hostname,
        "systemd_version": view.version,
        "role": host_role(view.runtimes),
        "runtimes": [runtime.name for runtime in view.runtimes],
        "uplinks": uplinks,
        "forwarding": entries,
    }
