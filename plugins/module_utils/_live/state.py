# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live state of the running host: links, forwarding sysctls, systemd version, host facts.

This is the only module of the library that looks at a running system. Every
read goes through injected helpers so that it can be tested without one:

* ``fs``: a :class:`FileSystemView` for /sys, /proc, /run and /etc
  (``RootFileSystem("/")`` on a host, ``MemoryFileSystem`` in tests);
* ``runner(args) -> (rc, stdout, stderr)`` for commands (the modules pass
  ``commands.run_read_only``), and ``which(name)`` (``module.get_bin_path``):
  a command runs only when ``which`` finds it;
* ``ethtool(ifname) -> (driver, permanent_mac)``: :func:`ethtool_ioctl` on a host.

Nothing here raises for a missing file or tool: the value becomes None (or
empty) and, when that loses something the audit needs, a warning says so.

What networkd's matcher compares against (verified in systemd's sources):

* ``Type=``: ``net_get_type_string()`` (src/shared/netif-util.c): the udev
  DEVTYPE when the link has a udev device, else the ARPHRD name of the link's
  hardware type, lowercased (src/basic/arphrd-util.c, generated from the
  kernel's ``ARPHRD_*`` constants). networkd only has a udev device when udev
  is available, i.e. when /sys is writable (``udev_available()`` in
  src/shared/udev-util.c); in a container (/sys read-only) DEVTYPE, ID_PATH
  and udev properties play no part.
* ``Driver=``: networkd reads the driver with ethtool ``ETHTOOL_GDRVINFO``
  (src/network/networkd-link.c ``link_update_driver()``); udev's
  ``ID_NET_DRIVER`` comes from the same ioctl (udev-builtin-net_driver.c).
* ``PermanentMACAddress=``: ``IFLA_PERM_ADDRESS`` (``permaddr`` in
  ``ip -j link``), else ethtool ``ETHTOOL_GPERMADDR`` for links that have a
  hardware address.
* ``Path=``: udev ``ID_PATH``; ``Property=``: the udev device's properties.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

from .._matching.facts import HostFacts
from .._files.view import RootFileSystem
from .._matching.links import Link, normalize_mac
from .._parsing.versions import installed_versions

Runner = Callable[[List[str]], Tuple[int, str, str]]
Which = Callable[[str], Optional[str]]
Ethtool = Callable[[str], Tuple[Optional[str], Optional[str]]]

SYS_CLASS_NET = "/sys/class/net"
UDEV_DATA = "/run/udev/data"
NETWORKD_CREDENTIALS = "/run/credentials/systemd-networkd.service"
NETWORKD_UNIT = "systemd-networkd.service"
# ActiveState values of a unit that runs (src/basic/unit-def.c unit_active_state_table).
RUNNING_STATES = ("active", "reloading", "refreshing")
ZERO_MAC = "00:00:00:00:00:00"

# Kernel ARPHRD_* values (include/uapi/linux/if_arp.h) and systemd's names for
# them: the constant without its ARPHRD_ prefix, lowercased by
# net_get_type_string(). ARPHRD_HDLC is an alias of CISCO and is skipped by
# systemd's arphrd-to-name.awk.
ARPHRD_NAMES = {
    0: "netrom", 1: "ether", 2: "eether", 3: "ax25", 4: "pronet", 5: "chaos",
    6: "ieee802", 7: "arcnet", 8: "appletlk", 15: "dlci", 19: "atm", 23: "metricom",
    24: "ieee1394", 27: "eui64", 32: "infiniband",
    256: "slip", 257: "cslip", 258: "slip6", 259: "cslip6", 260: "rsrvd", 264: "adapt",
    270: "rose", 271: "x25", 272: "hwx25", 280: "can", 290: "mctp",
    512: "ppp", 513: "cisco", 516: "lapb", 517: "ddcmp", 518: "rawhdlc", 519: "rawip",
    768: "tunnel", 769: "tunnel6", 770: "frad", 771: "skip", 772: "loopback",
    773: "localtlk", 774: "fddi", 775: "bif", 776: "sit", 777: "ipddp", 778: "ipgre",
    779: "pimreg", 780: "hippi", 781: "ash", 782: "econet", 783: "irda", 784: "fcpp",
    785: "fcal", 786: "fcpl", 787: "fcfabric",
    800: "ieee802_tr", 801: "ieee80211", 802: "ieee80211_prism",
    803: "ieee80211_radiotap", 804: "ieee802154", 805: "ieee802154_monitor",
    820: "phonet", 821: "phonet_pipe", 822: "caif", 823: "ip6gre", 824: "netlink",
    825: "6lowpan", 826: "vsockmon",
    0xFFFE: "none", 0xFFFF: "void",
}

# iproute2's link_type names (lib/ll_types.c) that differ from systemd's, for
# links that only ip reports (no sysfs entry).
IP_LINK_TYPE_TO_SYSTEMD = {
    "ipip": "tunnel", "gre": "ipgre", "gre6": "ip6gre", "ieee802.11": "ieee80211",
    "ieee802.11/prism": "ieee80211_prism", "ieee802.11/radiotap": "ieee80211_radiotap",
    "ieee802.15.4": "ieee802154", "ieee802.15.4/monitor": "ieee802154_monitor",
    "ieee802.2": "ieee802", "ieee1394": "ieee1394", "[65534]": "none",
}

# uname machine -> systemd architecture name (src/basic/architecture.c).
ARCHITECTURES = {
    "x86_64": "x86-64", "i686": "x86", "i586": "x86", "i486": "x86", "i386": "x86",
    "aarch64": "arm64", "aarch64_be": "arm64-be",
    "armv8l": "arm", "armv8b": "arm-be", "armv7ml": "arm", "armv7mb": "arm-be",
    "armv7l": "arm", "armv7b": "arm-be", "armv6l": "arm", "armv6b": "arm-be",
    "armv5tl": "arm", "armv5tel": "arm", "armv5tejl": "arm", "armv5tejb": "arm-be",
    "armv5teb": "arm-be", "armv5tb": "arm-be", "armv4tl": "arm", "armv4tb": "arm-be",
    "armv4l": "arm", "armv4b": "arm-be",
    "alpha": "alpha", "arc": "arc", "arceb": "arc-be", "crisv32": "cris", "ia64": "ia64",
    "parisc64": "parisc64", "parisc": "parisc", "loongarch64": "loongarch64",
    "m68k": "m68k", "mips64": "mips64", "mips": "mips", "nios2": "nios2",
    "ppc64le": "ppc64-le", "ppc64": "ppc64", "ppcle": "ppc-le", "ppc": "ppc",
    "riscv64": "riscv64", "riscv32": "riscv32", "s390x": "s390x", "s390": "s390",
    "sh5": "sh64", "sh4a": "sh", "sh4": "sh", "sh3": "sh", "sh2a": "sh", "sh2": "sh",
    "sparc64": "sparc64", "sparc": "sparc", "tilegx": "tilegx",
}

# systemd-detect-virt identifiers (src/basic/virt.c virtualization_table).
CONTAINER_VIRTUALIZATIONS = frozenset((
    "systemd-nspawn", "lxc-libvirt", "lxc", "openvz", "docker", "podman", "rkt", "wsl",
    "proot", "pouch", "container-other",
))
VM_VIRTUALIZATIONS = frozenset((
    "kvm", "amazon", "qemu", "bochs", "xen", "uml", "vmware", "oracle", "microsoft", "zvm",
    "parallels", "bhyve", "qnx", "acrn", "powervm", "apple", "sre", "google", "vm-other",
))


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


@dataclass
class LiveState:
    links: List[Link]                                 # every link, sorted by ifindex
    forwarding: Dict[str, Dict[str, Optional[int]]]  # {"ipv4": {"all": 1, "eth0": 0, ...}, "ipv6": {...}}
    ip_forward: Optional[int]                         # /proc/sys/net/ipv4/ip_forward
    systemd_version: Optional[int]
    facts: HostFacts
    sysctl_writable: Optional[bool]                   # False when /proc/sys/net is mounted read-only
    warnings: List[str] = field(default_factory=list)
    networkd: Optional[NetworkdService] = None


# --------------------------------------------------------------------------- helpers

def _read_text(fs, path):
    """The text of ``path``, or None when it cannot be read."""
    try:
        return fs.read_bytes(path).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


def _read_line(fs, path):
    text = _read_text(fs, path)
    if text is None:
        return None
    text = text.strip()
    return text or None


def _parse_int(text):
    if text is None:
        return None
    try:
        return int(str(text).strip(), 0 if str(text).strip().lower().startswith("0x") else 10)
    except ValueError:
        return None


def _run(runner, which, name, args):
    """``(rc, stdout, stderr)`` of ``name args``, or None when the tool is missing or cannot run."""
    try:
        path = which(name)
    except Exception:  # a broken lookup is a missing tool
        path = None
    if not path:
        return None
    try:
        rc, out, err = runner([path] + list(args))
    except Exception:  # pylint: disable=broad-except
        return None
    return rc, out or "", err or ""


def _warn(warnings, message):
    if warnings is not None and message not in warnings:
        warnings.append(message)


def _parse_env_lines(text):
    """``KEY=value`` lines (a sysfs uevent file) -> dict."""
    result = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            result[key.strip()] = value
    return result


def _unescape_mount_path(path):
    """/proc/self/mountinfo escapes space, tab, newline and backslash as octal."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), path)


def _read_mounts(fs):
    """``[(mount point, read_only)]`` in mount order, or None when nothing can be read."""
    text = _read_text(fs, "/proc/self/mountinfo")
    if text:
        mounts = []
        for line in text.splitlines():
            fields = line.split()
            if len(fields) < 6:
                continue
            options = fields[5].split(",")
            super_options = []
            if "-" in fields[6:]:
                rest = fields[fields.index("-", 6) + 1:]
                if len(rest) >= 3:
                    super_options = rest[2].split(",")
            mounts.append((_unescape_mount_path(fields[4]), "ro" in options or "ro" in super_options))
        return mounts
    text = _read_text(fs, "/proc/mounts")
    if text:
        mounts = []
        for line in text.splitlines():
            fields = line.split()
            if len(fields) >= 4:
                mounts.append((_unescape_mount_path(fields[1]), "ro" in fields[3].split(",")))
        return mounts
    return None


def _path_read_only(mounts, path):
    """Whether the mount that holds ``path`` is read-only; None when no mount covers it."""
    best = None
    best_len = -1
    for mount_point, read_only in mounts or ():
        prefix = mount_point.rstrip("/") + "/"
        if path == mount_point or path.startswith(prefix):
            # Later mounts on the same point are stacked on top: they win.
            if len(mount_point) >= best_len:
                best, best_len = read_only, len(mount_point)
    return best


# --------------------------------------------------------------------------- parsers

def parse_udev_database(text):
    # type: (str) -> Dict[str, str]
    """``/run/udev/data/n<ifindex>`` -> its ``E:KEY=value`` properties."""
    properties = {}
    for line in (text or "").splitlines():
        if not line.startswith("E:"):
            continue
        key, sep, value = line[2:].partition("=")
        if sep and key:
            properties[key] = value
    return properties


def parse_link_json(text):
    # type: (str) -> Dict[str, dict]
    """``ip -d -j link show`` output -> ``{ifname: {ifindex, address, link_type, kind, altnames, permaddr}}``.

    Raises ValueError when ``text`` is not ip's JSON list of links (an ip too
    old for ``-j`` prints an error or plain text instead).
    """
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("ip -j link did not print a JSON list")
    links = {}
    for entry in data:
        if not isinstance(entry, dict) or not entry.get("ifname"):
            continue
        linkinfo = entry.get("linkinfo") if isinstance(entry.get("linkinfo"), dict) else {}
        altnames = entry.get("altnames") or []
        links[entry["ifname"]] = {
            "ifindex": entry.get("ifindex"),
            "address": entry.get("address"),
            "link_type": entry.get("link_type"),
            "kind": linkinfo.get("info_kind") or None,
            "altnames": [str(name) for name in altnames] if isinstance(altnames, list) else [],
            "permaddr": entry.get("permaddr"),
        }
    return links


def _parse_systemd_version(text):
    match = re.search(r"^\s*systemd\s+(\d+)\b", text or "", re.MULTILINE)
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------- systemd version

def systemd_version(runner, which, fs=None):
    # type: (Runner, Which, Optional[object]) -> Optional[int]
    """The installed systemd's version.

    The name of its private library says it when exactly one is installed below ``fs``: a
    directory listing, where a program costs the host about 8 ms of CPU (docs/performance.md).
    Otherwise ``networkctl --version`` ("systemd 257 (257.13-1~deb13u1)"), else ``systemctl --version``.
    """
    installed = installed_versions(fs) if fs is not None else []
    if len(installed) == 1:
        return installed[0]
    for tool in ("networkctl", "systemctl"):
        result = _run(runner, which, tool, ["--version"])
        if result is None or result[0] != 0:
            continue
        version = _parse_systemd_version(result[1])
        if version is not None:
            return version
    return None


# --------------------------------------------------------------------------- systemd-networkd

# Where systemd's own cgroup tree is mounted, by the controllers field of its line in /proc/1/cgroup:
# the unified hierarchy ("0::/...") and the named legacy one ("1:name=systemd:/...").
SYSTEMD_CGROUP_MOUNTS = {
    "": ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"),   # cgroup v2, or v2 next to v1 controllers (hybrid)
    "name=systemd": ("/sys/fs/cgroup/systemd",),       # cgroup v1
}


def networkd_has_processes(fs):
    # type: (object) -> bool
    """Whether a process runs in systemd-networkd.service's cgroup.

    systemd runs every service in a cgroup of its own below the one PID 1 started in (a
    container's PID 1 starts below the host's root cgroup) and removes it once the service has
    stopped, so a process there means networkd runs. Two small files answer that where
    ``systemctl show`` asks PID 1 over D-Bus, which costs the host about 12 ms of CPU
    (docs/performance.md). False only means no process was found: the caller then asks systemctl,
    which also says why.
    """
    for line in (_read_text(fs, "/proc/1/cgroup") or "").splitlines():
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue
        _hierarchy, controllers, path = fields
        root = path[:-len("/init.scope")] if path.endswith("/init.scope") else path
        for mount in SYSTEMD_CGROUP_MOUNTS.get(controllers, ()):
            procs = _read_text(fs, "%s%s/system.slice/%s/cgroup.procs" % (mount, root.rstrip("/"), NETWORKD_UNIT))
            if procs and procs.strip():
                return True
    return False


def read_networkd_service(runner, which, fs=None):
    # type: (Runner, Which, Optional[object]) -> NetworkdService
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
    result = _run(runner, which, "systemctl", ["show", NETWORKD_UNIT, "--property=LoadState,ActiveState,SubState"])
    if result is None:
        return NetworkdService(networkctl, error="systemctl is not available")
    rc, out, err = result
    properties = _parse_env_lines(out)
    if rc != 0 or not properties.get("LoadState"):
        reason = (err.strip() or out.strip() or "exit status %d" % rc).splitlines()[0][:200]
        return NetworkdService(networkctl, error="`systemctl show %s` failed: %s" % (NETWORKD_UNIT, reason))
    return NetworkdService(networkctl, properties["LoadState"], properties.get("ActiveState") or None,
                           properties.get("SubState") or None)


def networkd_problem(service):
    # type: (NetworkdService) -> Optional[str]
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


# --------------------------------------------------------------------------- links

def _ip_links(runner, which, warnings):
    """ip's view of the links, or None (with a warning) when ip cannot tell."""
    result = _run(runner, which, "ip", ["-d", "-j", "link", "show"])
    if result is None:
        _warn(warnings, "The ip command is not available: alternative names (Name=), link kinds (Kind=) "
                        "and kernel-reported permanent MAC addresses are unknown.")
        return None
    rc, out, err = result
    try:
        if rc != 0:
            raise ValueError(err.strip() or "exit status %d" % rc)
        return parse_link_json(out)
    except ValueError as exc:
        _warn(warnings, "'ip -d -j link show' failed or is too old for JSON output (%s): alternative "
                        "names (Name=), link kinds (Kind=) and kernel-reported permanent MAC addresses "
                        "are unknown." % str(exc).strip()[:200])
        return None


def _udev_available(mounts):
    """networkd uses udev devices only when /sys is writable (systemd's udev_available())."""
    read_only = _path_read_only(mounts, "/sys")
    return read_only is not True


def _call_ethtool(ethtool, name):
    if ethtool is None:
        return None, None
    try:
        result = ethtool(name)
        driver, permanent = result
    except Exception:  # pylint: disable=broad-except
        return None, None
    return driver or None, permanent or None


def _build_link(name, fs, ip_info, ethtool, udev_available):
    base = "%s/%s" % (SYS_CLASS_NET, name)
    ip_info = ip_info or {}

    ifindex = _parse_int(_read_line(fs, base + "/ifindex"))
    if ifindex is None and isinstance(ip_info.get("ifindex"), int):
        ifindex = ip_info["ifindex"]

    address_text = _read_text(fs, base + "/address")
    if address_text is None:
        address_text = ip_info.get("address")
    mac = normalize_mac(address_text.strip()) if address_text else None
    has_address = bool(address_text and address_text.strip())

    uevent = _parse_env_lines(_read_text(fs, base + "/uevent")) if udev_available else {}
    arphrd = _parse_int(_read_line(fs, base + "/type"))
    link_type = uevent.get("DEVTYPE") or None
    if not link_type and arphrd is not None:
        link_type = ARPHRD_NAMES.get(arphrd)
    if not link_type and ip_info.get("link_type") and arphrd is None:
        ip_type = str(ip_info["link_type"])
        link_type = IP_LINK_TYPE_TO_SYSTEMD.get(ip_type, ip_type)

    udev = {}
    if udev_available and ifindex is not None:
        udev = parse_udev_database(_read_text(fs, "%s/n%d" % (UDEV_DATA, ifindex)) or "")
    properties = {}
    if udev:
        # sd_device properties: the kernel's uevent variables, SUBSYSTEM, then udev's database.
        properties.update(uevent)
        properties["SUBSYSTEM"] = "net"
        properties.update(udev)

    driver = udev.get("ID_NET_DRIVER") or None
    permanent_mac = normalize_mac(ip_info.get("permaddr"))
    if permanent_mac == ZERO_MAC:
        permanent_mac = None
    if driver is None or (permanent_mac is None and has_address):
        eth_driver, eth_permanent = _call_ethtool(ethtool, name)
        if driver is None:
            driver = eth_driver
        if permanent_mac is None and has_address:
            candidate = normalize_mac(eth_permanent)
            if candidate != ZERO_MAC:
                permanent_mac = candidate

    return Link(
        name=name,
        altnames=tuple(ip_info.get("altnames") or ()),
        type=link_type,
        kind=ip_info.get("kind"),
        driver=driver,
        mac=mac,
        permanent_mac=permanent_mac,
        path=udev.get("ID_PATH") or None,
        ifindex=ifindex,
        properties=properties,
    )


def discover_links(runner, which, fs, ethtool, warnings=None):
    # type: (Runner, Which, object, Optional[Ethtool], Optional[List[str]]) -> List[Link]
    """Every link in /sys/class/net (plus any only ``ip`` reports), sorted by ifindex.

    ``warnings``, when given, collects what could not be determined.
    """
    ip_links = _ip_links(runner, which, warnings)
    mounts = _read_mounts(fs)
    udev_available = _udev_available(mounts)

    names = [name for name in fs.list_dir(SYS_CLASS_NET) if fs.is_dir("%s/%s" % (SYS_CLASS_NET, name))]
    if ip_links:
        extra = sorted(set(ip_links) - set(names))
        names.extend(extra)

    if udev_available and names and not fs.is_dir(UDEV_DATA):
        _warn(warnings, "The udev database (%s) is missing although /sys is writable: systemd-udevd does "
                        "not seem to run, so Path=, Property= and udev device types are unknown and "
                        "networkd would wait for udev before configuring links." % UDEV_DATA)
    if not names:
        _warn(warnings, "No network links found in %s." % SYS_CLASS_NET)

    links = [_build_link(name, fs, (ip_links or {}).get(name), ethtool, udev_available) for name in names]
    links.sort(key=lambda link: (link.ifindex is None, link.ifindex or 0, link.name))
    return links


# --------------------------------------------------------------------------- forwarding

def read_forwarding(fs):
    # type: (object) -> Tuple[Dict[str, Dict[str, Optional[int]]], Optional[int]]
    """``({"ipv4": {"all": 1, "default": 1, "eth0": 0}, "ipv6": {...}}, ip_forward)``.

    Values that cannot be read or parsed are None; a kernel without IPv6 gives
    an empty ``ipv6`` dict.
    """
    forwarding = {}
    for family in ("ipv4", "ipv6"):
        base = "/proc/sys/net/%s/conf" % family
        values = {}
        for name in fs.list_dir(base):
            path = "%s/%s/forwarding" % (base, name)
            if not fs.is_file(path):
                continue
            values[name] = _parse_int(_read_line(fs, path))
        forwarding[family] = values
    ip_forward = _parse_int(_read_line(fs, "/proc/sys/net/ipv4/ip_forward"))
    return forwarding, ip_forward


def _sysctl_writable(fs):
    read_only = _path_read_only(_read_mounts(fs), "/proc/sys/net")
    return None if read_only is None else not read_only


# --------------------------------------------------------------------------- host facts

def _machine_id(fs):
    value = _read_line(fs, "/etc/machine-id")
    if value and re.match(r"^[0-9a-fA-F]{32}$", value):
        return value.lower()
    return None


def _hostname(fs):
    value = _read_line(fs, "/proc/sys/kernel/hostname")
    if value:
        return value
    for line in (_read_text(fs, "/etc/hostname") or "").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    return None


def _virtualization(runner, which):
    """``(virtualization, container)`` from systemd-detect-virt; ``(None, None)`` when unknown."""
    result = _run(runner, which, "systemd-detect-virt", [])
    if result is None:
        return None, None
    rc, out, _err = result
    value = out.strip().splitlines()[0].strip() if out.strip() else ""
    if value == "none" or (rc == 1 and not value):
        return "none", False
    if rc != 0 or not value:
        return None, None
    if value in CONTAINER_VIRTUALIZATIONS:
        return value, True
    if value in VM_VIRTUALIZATIONS:
        return value, False
    # An identifier newer than this table: ask directly.
    container = _run(runner, which, "systemd-detect-virt", ["--container", "--quiet"])
    return value, (None if container is None else container[0] == 0)


def _kernel_command_line(fs, container):
    """systemd's proc_cmdline(): PID 1's command line inside a container, else /proc/cmdline."""
    if container:
        raw = _read_text(fs, "/proc/1/cmdline")
        if raw is not None:
            return raw.replace("\0", " ").strip()
    value = _read_text(fs, "/proc/cmdline")
    return value.strip() if value is not None else None


def _firmware(fs, container):
    """The Firmware= values that can be read from sysfs: "uefi", "device-tree" (condition.c)."""
    if not fs.is_dir("/sys"):
        return None
    holds = set()
    # is_efi_boot() is false in a container.
    if not container and fs.is_dir("/sys/firmware/efi"):
        holds.add("uefi")
    if fs.is_dir("/sys/firmware/devicetree"):
        holds.add("device-tree")
    return frozenset(holds)


def host_facts(runner, which, fs, machine=None, warnings=None):
    # type: (Runner, Which, object, Optional[str], Optional[List[str]]) -> HostFacts
    """What the [Match] conditions (Host=, Virtualization=, ...) test, read from the host.

    ``machine`` is the kernel's machine name (``uname -m``); by default
    /proc/sys/kernel/arch, else ``os.uname().machine``.
    """
    if machine is None:
        machine = _read_line(fs, "/proc/sys/kernel/arch")
    if machine is None:
        try:
            machine = os.uname().machine
        except (AttributeError, OSError):
            machine = None
    architecture = ARCHITECTURES.get(machine) if machine else None
    if architecture is None:
        _warn(warnings, "Unknown machine architecture %r: Architecture= cannot be evaluated." % (machine,))

    virtualization, container = _virtualization(runner, which)
    if virtualization is None:
        _warn(warnings, "systemd-detect-virt is not available or failed: Virtualization= cannot be evaluated.")

    hostname = _hostname(fs)
    if hostname is None:
        _warn(warnings, "The host name cannot be read: Host= cannot be evaluated.")
    kernel_release = _read_line(fs, "/proc/sys/kernel/osrelease")
    if kernel_release is None:
        try:
            kernel_release = os.uname().release if isinstance(fs, RootFileSystem) and fs.root == "/" else None
        except (AttributeError, OSError):
            kernel_release = None

    credentials = frozenset()
    if fs.is_dir(NETWORKD_CREDENTIALS):
        credentials = frozenset(fs.list_dir(NETWORKD_CREDENTIALS))

    return HostFacts(
        hostname=hostname,
        machine_id=_machine_id(fs),
        virtualization=virtualization,
        container=container,
        kernel_release=kernel_release,
        architecture=architecture,
        kernel_command_line=_kernel_command_line(fs, container),
        credentials=credentials,
        firmware=_firmware(fs, container),
    )


# --------------------------------------------------------------------------- ethtool

SIOCETHTOOL = 0x8946
ETHTOOL_GDRVINFO = 0x00000003
ETHTOOL_GPERMADDR = 0x00000020
IFNAMSIZ = 16
_DRVINFO_SIZE = 196          # struct ethtool_drvinfo
_PERMADDR_SPACE = 32         # MAX_ADDR_LEN
_IFREQ_SIZE = 40             # struct ifreq on 64-bit (32 on 32-bit; padding is harmless)


def _ioctl_socket():
    """A socket to run interface ioctls on: AF_INET, else AF_NETLINK (as systemd's socket_ioctl_fd())."""
    import socket
    try:
        return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    except OSError:
        return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)  # NETLINK_GENERIC


def _ethtool_command(sock, ifname, request):
    """Run SIOCETHTOOL with ``request`` as the ethtool buffer; returns the buffer after the call."""
    import array
    import fcntl
    import struct
    buffer = array.array("B", request)
    address = buffer.buffer_info()[0]
    ifreq = struct.pack("16sP", ifname, address)
    ifreq += b"\0" * max(0, _IFREQ_SIZE - len(ifreq))
    fcntl.ioctl(sock.fileno(), SIOCETHTOOL, ifreq)
    return buffer.tobytes()


def ethtool_ioctl(ifname):
    # type: (str) -> Tuple[Optional[str], Optional[str]]
    """``(driver, permanent MAC)`` of ``ifname`` via ETHTOOL_GDRVINFO / ETHTOOL_GPERMADDR.

    Either is None when the kernel does not tell; no exception escapes.
    """
    try:
        import struct
        name = ifname.encode("utf-8")
        if not name or len(name) >= IFNAMSIZ:
            return None, None
        sock = _ioctl_socket()
    except Exception:  # pylint: disable=broad-except
        return None, None
    driver = permanent = None
    try:
        try:
            reply = _ethtool_command(sock, name, struct.pack("I", ETHTOOL_GDRVINFO) + b"\0" * (_DRVINFO_SIZE - 4))
            driver = reply[4:36].split(b"\0", 1)[0].decode("utf-8", "replace") or None
        except Exception:  # pylint: disable=broad-except
            driver = None
        try:
            reply = _ethtool_command(sock, name, struct.pack("II", ETHTOOL_GPERMADDR, _PERMADDR_SPACE)
                                     + b"\0" * _PERMADDR_SPACE)
            size = struct.unpack("I", reply[4:8])[0]
            data = reply[8:8 + size] if 0 < size <= _PERMADDR_SPACE else b""
            if data and any(data):
                permanent = ":".join("%02x" % byte for byte in bytearray(data))
        except Exception:  # pylint: disable=broad-except
            permanent = None
    finally:
        try:
            sock.close()
        except Exception:  # pylint: disable=broad-except
            pass
    return driver, permanent


# --------------------------------------------------------------------------- everything

def read_live_state(runner, which, fs=None, ethtool=None):
    # type: (Runner, Which, Optional[object], Optional[Ethtool]) -> LiveState
    """Everything the audit needs from the running host, with warnings for what is unknown."""
    if fs is None:
        fs = RootFileSystem("/")
    if ethtool is None:
        ethtool = ethtool_ioctl
    warnings = []  # type: List[str]

    links = discover_links(runner, which, fs, ethtool, warnings=warnings)

    forwarding, ip_forward = read_forwarding(fs)
    if not forwarding.get("ipv4"):
        _warn(warnings, "/proc/sys/net/ipv4/conf/*/forwarding cannot be read: current IPv4 forwarding is unknown.")
    if ip_forward is None:
        _warn(warnings, "/proc/sys/net/ipv4/ip_forward cannot be read.")

    version = systemd_version(runner, which, fs)
    if version is None:
        _warn(warnings, "The systemd version cannot be determined (no single libsystemd-shared is installed and neither "
                        "'networkctl --version' nor 'systemctl --version' answered): version-dependent behaviour "
                        "is unknown.")

    facts = host_facts(runner, which, fs, warnings=warnings)

    writable = _sysctl_writable(fs)
    if writable is None:
        _warn(warnings, "The mount options of /proc/sys cannot be read: whether networkd can write "
                        "forwarding sysctls is unknown.")
    elif not writable:
        _warn(warnings, "/proc/sys is mounted read-only (unprivileged container?): networkd cannot "
                        "change forwarding sysctls here.")

    return LiveState(
        links=links,
        forwarding=forwarding,
        ip_forward=ip_forward,
        systemd_version=version,
        facts=facts,
        sysctl_writable=writable,
        warnings=warnings,
        networkd=read_networkd_service(runner, which, fs),
    )
