# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's links as networkd's matcher sees them: names, altnames, type, kind, driver, addresses, udev.

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
from typing import Dict, List, Optional

from .._matching.links import Link, normalize_mac
from .reading import Ethtool, Runner, Which, add_warning, parse_env_lines, parse_int, path_read_only, read_line, read_mounts, read_text, run_tool

SYS_CLASS_NET = "/sys/class/net"
UDEV_DATA = "/run/udev/data"
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


def parse_udev_database(text: str) -> Dict[str, str]:
    """``/run/udev/data/n<ifindex>`` -> its ``E:KEY=value`` properties."""
    properties = {}
    for line in (text or "").splitlines():
        if not line.startswith("E:"):
            continue
        key, sep, value = line[2:].partition("=")
        if sep and key:
            properties[key] = value
    return properties


def parse_link_json(text: str) -> Dict[str, dict]:
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


def _ip_links(runner, which, warnings):
    """ip's view of the links, or None (with a warning) when ip cannot tell."""
    result = run_tool(runner, which, "ip", ["-d", "-j", "link", "show"])
    if result is None:
        add_warning(warnings, "The ip command is not available: alternative names (Name=), link kinds (Kind=) "
                              "and kernel-reported permanent MAC addresses are unknown.")
        return None
    rc, out, err = result
    try:
        if rc != 0:
            raise ValueError(err.strip() or "exit status %d" % rc)
        return parse_link_json(out)
    except ValueError as exc:
        add_warning(warnings, "'ip -d -j link show' failed or is too old for JSON output (%s): alternative "
                              "names (Name=), link kinds (Kind=) and kernel-reported permanent MAC addresses "
                              "are unknown." % str(exc).strip()[:200])
        return None


def _udev_available(mounts):
    """networkd uses udev devices only when /sys is writable (systemd's udev_available())."""
    read_only = path_read_only(mounts, "/sys")
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

    ifindex = parse_int(read_line(fs, base + "/ifindex"))
    if ifindex is None and isinstance(ip_info.get("ifindex"), int):
        ifindex = ip_info["ifindex"]

    address_text = read_text(fs, base + "/address")
    if address_text is None:
        address_text = ip_info.get("address")
    mac = normalize_mac(address_text.strip()) if address_text else None
    has_address = bool(address_text and address_text.strip())

    uevent = parse_env_lines(read_text(fs, base + "/uevent")) if udev_available else {}
    arphrd = parse_int(read_line(fs, base + "/type"))
    link_type = uevent.get("DEVTYPE") or None
    if not link_type and arphrd is not None:
        link_type = ARPHRD_NAMES.get(arphrd)
    if not link_type and ip_info.get("link_type") and arphrd is None:
        ip_type = str(ip_info["link_type"])
        link_type = IP_LINK_TYPE_TO_SYSTEMD.get(ip_type, ip_type)

    udev = {}
    if udev_available and ifindex is not None:
        udev = parse_udev_database(read_text(fs, "%s/n%d" % (UDEV_DATA, ifindex)) or "")
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


def discover_links(runner: Runner, which: Which, fs, ethtool: Optional[Ethtool],
                   warnings: Optional[List[str]] = None) -> List[Link]:
    """Every link in /sys/class/net (plus any only ``ip`` reports), sorted by ifindex.

    ``warnings``, when given, collects what could not be determined.
    """
    ip_links = _ip_links(runner, which, warnings)
    mounts = read_mounts(fs)
    udev_available = _udev_available(mounts)

    names = [name for name in fs.list_dir(SYS_CLASS_NET) if fs.is_dir("%s/%s" % (SYS_CLASS_NET, name))]
    if ip_links:
        extra = sorted(set(ip_links) - set(names))
        names.extend(extra)

    if udev_available and names and not fs.is_dir(UDEV_DATA):
        add_warning(warnings, "The udev database (%s) is missing although /sys is writable: systemd-udevd does "
                              "not seem to run, so Path=, Property= and udev device types are unknown and "
                              "networkd would wait for udev before configuring links." % UDEV_DATA)
    if not names:
        add_warning(warnings, "No network links found in %s." % SYS_CLASS_NET)

    links = [_build_link(name, fs, (ip_links or {}).get(name), ethtool, udev_available) for name in names]
    links.sort(key=lambda link: (link.ifindex is None, link.ifindex or 0, link.name))
    return links
