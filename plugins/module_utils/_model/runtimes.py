# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Container and VM runtimes that write the forwarding sysctls when they start, found from files.

Each runtime below writes forwarding itself (docs/internals/container-runtimes.md cites the code):

- dockerd: ``net.ipv4.ip_forward = 1`` when it is not 1, unless ``"ip-forward": false`` in
  /etc/docker/daemon.json or ``--ip-forward=false`` on its command line; with ``"ipv6": true`` also
  ``net.ipv6.conf.default.forwarding`` and ``all.forwarding`` (moby
  libnetwork/drivers/bridge/setup_ip_forwarding.go);
- netavark (Podman), when it creates a bridge for a rootful container: ``net.ipv4.ip_forward = 1``
  (containers/netavark src/network/bridge.rs); Podman has no daemon, so only containers started at
  boot count: Quadlet ``.container`` units installed for a target, or an enabled podman-restart.service;
- the k3s agent: ``net.ipv4.conf.{all,default}.forwarding = 1`` (k3s-io/k3s pkg/agent/syssetup/setup.go);
- libvirtd, when it starts a NAT or routed network: ``net.ipv4.ip_forward = 1`` (and IPv6 ``all`` for
  a network with an IPv6 address) (libvirt src/network/bridge_driver.c);
- incusd and LXD, when they start a managed bridge: ``net.ipv4.ip_forward = 1`` and, for IPv6,
  ``forwarding = 1`` on every entry of /proc/sys/net/ipv6/conf (lxc/incus
  internal/server/network/driver_bridge.go, canonical/lxd lxd/network/driver_bridge.go).

Everything is read from files below the root (unit files, enablement links, daemon.json...), so an
offline image is read the same way as a live host. A runtime starts at boot when its unit is
enabled for a target; it writes after networkd has configured the links when its unit is ordered
after network-online.target, else possibly before.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from typing import NamedTuple, Optional, Tuple

from .._parsing.unit_file import parse_unit_file
from .._parsing.values import parse_boolean

# systemd's unit search path for the system manager, highest priority first (systemd.unit(5)).
UNIT_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
             "/usr/lib/systemd/system", "/lib/systemd/system")
NETWORK_ONLINE = "network-online.target"
DOCKER_DAEMON_JSON = "/etc/docker/daemon.json"
DOCKER_DEFAULTS = "/etc/default/docker"
QUADLET_DIRS = ("/etc/containers/systemd", "/run/containers/systemd", "/usr/share/containers/systemd")
LIBVIRT_AUTOSTART = "/etc/libvirt/qemu/networks/autostart"
# A libvirt <forward> without mode is NAT; these modes are the virtual networks libvirtd starts with
# forwarding on (docs/internals/container-runtimes.md); bridge, passthrough and the like are not.
LIBVIRT_FORWARDING_MODES = ("nat", "route", "open")
EVERY_LINK = "*"


class RuntimeWrite(NamedTuple):
    """One sysctl write: ``name`` is "all", "default" or EVERY_LINK (all, default and each link).

    ``key`` is the sysctl as the runtime names it, when it is not the usual one (k3s writes
    net.ipv4.conf.all.forwarding, which the kernel treats as net.ipv4.ip_forward).
    """

    family: str
    name: str
    value: int
    key: Optional[str] = None


class Runtime(NamedTuple):
    """A runtime found below the root, and what it writes when it starts.

    ``at_boot`` is True when the runtime starts at boot (so its writes are part of the after-boot
    prediction); ``after_links`` when it is ordered after network-online.target, that is after
    networkd has configured the links. ``writes`` is empty when its configuration stops it from
    writing forwarding; ``note`` then says which line does, or what the audit had to assume.
    """

    name: str
    unit: str
    at_boot: bool
    after_links: bool
    writes: Tuple[RuntimeWrite, ...]
    evidence: Tuple[str, ...]
    note: Optional[str] = None

    @property
    def cause(self):
        """The write's cause, as predictions and evidence name it."""
        keys = ", ".join(_key(write) for write in self.writes)
        return "%s at its start (%s): %s" % (PROGRAMS[self.name], self.unit, keys)

    def as_dict(self):
        return {"name": self.name, "unit": self.unit, "starts_at_boot": self.at_boot,
                "after_network_online": self.after_links,
                "writes": [_key(write) for write in self.writes],
                "evidence": list(self.evidence), "note": self.note}


PROGRAMS = {"docker": "dockerd", "podman": "netavark (podman)", "k3s": "k3s", "libvirt": "libvirtd",
            "incus": "incusd", "lxd": "lxd"}


def _key(write):
    if write.key:
        return "%s = %d" % (write.key, write.value)
    if write.family == "ipv4" and write.name == "all":
        return "net.ipv4.ip_forward = %d" % write.value
    name = "<every link>" if write.name == EVERY_LINK else write.name
    return "net.%s.conf.%s.forwarding = %d" % (write.family, name, write.value)


class UnitInfo(NamedTuple):
    path: Optional[str]
    enabled_by: Tuple[str, ...]      # the enablement links found (…/<target>.wants/<unit>)
    masked: bool
    after: Tuple[str, ...]
    exec_start: Optional[str]
    environment_files: Tuple[str, ...]


def _unit_files(fs, unit):
    """The unit file (first in the search path) and its drop-ins (<unit>.d/*.conf, by name)."""
    main = next((posixpath.join(d, unit) for d in UNIT_DIRS if unit in fs.list_dir(d)), None)
    dropins = {}
    for directory in UNIT_DIRS:
        for name in fs.list_dir(posixpath.join(directory, unit + ".d")):
            if name.endswith(".conf") and name not in dropins:
                dropins[name] = posixpath.join(directory, unit + ".d", name)
    return main, [dropins[name] for name in sorted(dropins)]


def _enablement(fs, unit):
    """The ``*.wants``/``*.requires`` links that pull ``unit`` in at boot, from /etc and the vendor dirs."""
    found = []
    for directory in UNIT_DIRS:
        for entry in fs.list_dir(directory):
            if entry.endswith((".wants", ".requires")) and unit in fs.list_dir(posixpath.join(directory, entry)):
                found.append(posixpath.join(directory, entry, unit))
    return tuple(found)


def read_unit(fs, unit):
    """A unit's file, enablement, ordering and command line, or None when it is not installed."""
    main, dropins = _unit_files(fs, unit)
    if main is None:
        return None
    masked = fs.is_masked(main)
    after, exec_start, environment_files = [], None, []
    for path in ([] if masked else [main] + dropins):
        try:
            parsed = parse_unit_file(fs.read_bytes(path), path)
        except OSError:
            continue
        for assignment in parsed.assignments:
            if assignment.section == "Unit" and assignment.key == "After":
                after.extend(assignment.value.split())
            elif assignment.section == "Service" and assignment.key == "ExecStart":
                exec_start = assignment.value or None   # an empty ExecStart= resets the list
            elif assignment.section == "Service" and assignment.key == "EnvironmentFile":
                environment_files.append(assignment.value.lstrip("-"))
    return UnitInfo(main, () if masked else _enablement(fs, unit), masked, tuple(after), exec_start,
                    tuple(environment_files))


def _read_text(fs, path):
    try:
        return fs.read_bytes(path).decode("utf-8", errors="replace")
    except OSError:
        return None


def _words(command):
    try:
        return shlex.split(command or "")
    except ValueError:
        return (command or "").split()


def _flag_false(words, flag):
    """Whether ``--flag=false`` (or ``--flag false``) is among ``words``."""
    for index, word in enumerate(words):
        if word.startswith(flag + "="):
            return parse_boolean(word.split("=", 1)[1]) is False
        if word == flag and index + 1 < len(words) and parse_boolean(words[index + 1]) is False:
            return True
    return False


def _environment_value(fs, path, variable):
    text = _read_text(fs, path) or ""
    match = re.search(r"^\s*%s=(.*)$" % re.escape(variable), text, re.MULTILINE)
    if not match:
        return None
    value = match.group(1).strip()
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


def _line_of(text, needle):
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return 1


def _docker(fs, warnings):
    unit = read_unit(fs, "docker.service")
    if unit is None:
        return None
    evidence = [unit.path] + list(unit.enabled_by)
    writes = [RuntimeWrite("ipv4", "all", 1)]
    note = None
    config = {}
    text = _read_text(fs, DOCKER_DAEMON_JSON)
    if text is not None:
        evidence.append(DOCKER_DAEMON_JSON)
        try:
            config = json.loads(text) if text.strip() else {}
        except ValueError as error:
            warnings.append("%s: not valid JSON (%s); dockerd refuses to start with it, the audit reads "
                            "dockerd's defaults" % (DOCKER_DAEMON_JSON, error))
        if not isinstance(config, dict):
            config = {}
    words = _words(unit.exec_start)
    if "$DOCKER_OPTS" in words or "${DOCKER_OPTS}" in words:
        for path in unit.environment_files:
            value = _environment_value(fs, path, "DOCKER_OPTS")
            if value:
                evidence.append(path)
                words.extend(_words(value))
    if config.get("ip-forward") is False:
        writes = []
        note = '"ip-forward": false in %s:%d' % (DOCKER_DAEMON_JSON, _line_of(text, '"ip-forward"'))
    elif _flag_false(words, "--ip-forward"):
        writes = []
        note = "--ip-forward=false on dockerd's command line (%s)" % unit.path
    elif config.get("ipv6") is True:
        writes += [RuntimeWrite("ipv6", "default", 1), RuntimeWrite("ipv6", "all", 1)]
    return Runtime("docker", "docker.service", bool(unit.enabled_by), NETWORK_ONLINE in unit.after,
                   tuple(writes), tuple(evidence), note)


def _quadlet_containers(fs):
    """Quadlet .container files that start at boot: an [Install] section with WantedBy=/RequiredBy=."""
    found = []
    for directory in QUADLET_DIRS:
        for name in fs.list_dir(directory):
            path = posixpath.join(directory, name)
            if not name.endswith(".container"):
                continue
            text = _read_text(fs, path) or ""
            if re.search(r"^\s*(WantedBy|RequiredBy)\s*=", text, re.MULTILINE):
                network = re.search(r"^\s*Network\s*=\s*(\S+)", text, re.MULTILINE)
                if network is None or network.group(1) not in ("host", "none", "ns:", "slirp4netns", "pasta"):
                    found.append(path)
    return found


def _podman(fs):
    restart = read_unit(fs, "podman-restart.service")
    quadlets = _quadlet_containers(fs)
    if restart is None and not quadlets:
        return None
    evidence = ([restart.path] + list(restart.enabled_by) if restart else []) + quadlets
    at_boot = bool(quadlets) or bool(restart and restart.enabled_by)
    # Quadlet adds After=network-online.target to rootful units (podman-systemd.unit(5)); so does
    # podman-restart.service.
    after_links = bool(quadlets) or bool(restart and NETWORK_ONLINE in restart.after)
    return Runtime("podman", "a Quadlet container" if quadlets else "podman-restart.service", at_boot,
                   after_links, (RuntimeWrite("ipv4", "all", 1),), tuple(evidence),
                   "netavark writes it when it creates the bridge of a rootful container's network")


def _k3s(fs):
    for unit_name in ("k3s.service", "k3s-agent.service"):
        unit = read_unit(fs, unit_name)
        if unit is not None:
            return Runtime("k3s", unit_name, bool(unit.enabled_by), NETWORK_ONLINE in unit.after,
                           (RuntimeWrite("ipv4", "all", 1, "net.ipv4.conf.all.forwarding"),
                            RuntimeWrite("ipv4", "default", 1)),
                           (unit.path,) + unit.enabled_by)
    return None


def _libvirt(fs):
    units = [(name, read_unit(fs, name)) for name in ("libvirtd.service", "virtnetworkd.service")]
    units = [(name, unit) for name, unit in units if unit is not None]
    if not units:
        return None
    name, unit = next(((n, u) for n, u in units if u.enabled_by), units[0])
    writes, networks = [], []
    for entry in fs.list_dir(LIBVIRT_AUTOSTART):
        path = posixpath.join(LIBVIRT_AUTOSTART, entry)
        text = _read_text(fs, path) or ""
        forward = re.search(r"<forward\b([^>]*)>", text) or re.search(r"<forward\b([^>]*)/>", text)
        if not entry.endswith(".xml") or forward is None:
            continue
        mode = re.search(r"mode\s*=\s*['\"]([^'\"]+)", forward.group(1))
        if mode is not None and mode.group(1) not in LIBVIRT_FORWARDING_MODES:
            continue
        networks.append(path)
        if RuntimeWrite("ipv4", "all", 1) not in writes:
            writes.append(RuntimeWrite("ipv4", "all", 1))
        if re.search(r"<ip\b[^>]*family\s*=\s*['\"]ipv6", text) and RuntimeWrite("ipv6", "all", 1) not in writes:
            writes.append(RuntimeWrite("ipv6", "all", 1))
    note = None if networks else "no autostarted NAT or routed network in %s" % LIBVIRT_AUTOSTART
    return Runtime("libvirt", name, bool(unit.enabled_by), NETWORK_ONLINE in unit.after, tuple(writes),
                   (unit.path,) + unit.enabled_by + tuple(networks), note)


def _incus_or_lxd(fs):
    candidates = (("incus", "incus-startup.service", "incus.service"),
                  ("lxd", "snap.lxd.activate.service", "snap.lxd.daemon.service"),
                  ("lxd", "lxd-startup.service", "lxd.service"))
    for name, starter, daemon in candidates:
        start_unit, daemon_unit = read_unit(fs, starter), read_unit(fs, daemon)
        if start_unit is None and daemon_unit is None:
            continue
        enabled = (start_unit and start_unit.enabled_by) or (daemon_unit and daemon_unit.enabled_by) or ()
        ordered = daemon_unit or start_unit
        return Runtime(name, daemon, bool(enabled), NETWORK_ONLINE in ordered.after,
                       (RuntimeWrite("ipv4", "all", 1), RuntimeWrite("ipv6", EVERY_LINK, 1)),
                       tuple(u.path for u in (start_unit, daemon_unit) if u) + tuple(enabled),
                       "assumed to manage a bridge with IPv4 and IPv6 addresses, as `%s admin init` "
                       "creates by default; its database is not read" % name)
    return None


def find_runtimes(fs):
    """(runtimes found below the root's files, warnings), in a fixed order."""
    warnings = []
    found = [_docker(fs, warnings), _podman(fs), _k3s(fs), _libvirt(fs), _incus_or_lxd(fs)]
    runtimes = [runtime for runtime in found if runtime is not None]
    for runtime in runtimes:
        if runtime.at_boot and runtime.writes and not runtime.after_links:
            warnings.append("%s is not ordered after %s: its forwarding write at boot may come before networkd "
                            "configures the links; the prediction assumes it comes first"
                            % (runtime.unit, NETWORK_ONLINE))
    return runtimes, warnings
