# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A synthetic host for the library benchmark: many .network files and many links.

The tree is written to a real directory and read through RootFileSystem, the
view the module uses on a host, so the numbers include the system calls an
audit makes. (MemoryFileSystem is a test double: its list_dir() and is_dir()
scan every path it holds, which would make a 10,000-file benchmark measure
the double instead of the library.)

The mix is what large hosts have: one exact-name file per link (most of them
with a drop-in, some overridden from /run or masked in /etc), files for links
that are gone, a few globs and negations, a file with a condition, and a
catch-all at the end that governs every link no earlier file claims. That
last file is the worst case for "the first matching file wins": an unclaimed
link is tested against every file before it. write_root() writes that tree
for the library benchmark (benchmarks/library_scale.py).

mixed_links() and write_mixed_root() make a second kind of host, drawn at
random from a seed, for the module benchmark (benchmarks/module_scale.py,
issue 19): links with altnames and MACs, described as the module's ``links``
option takes them, and files that reach them in every way [Match] can (see
mixed_network_files()).
"""

from __future__ import annotations

import os
import random

from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link

VERSION = 257           # the systemd of the lab's Debian 13 image
ETC, RUN, USR_LIB = "/etc/systemd/network", "/run/systemd/network", "/usr/lib/systemd/network"
FACTS = HostFacts(hostname="bench", virtualization="docker", container=True, kernel_release="6.1.0",
                  architecture="x86-64", kernel_command_line="quiet", credentials=frozenset(), firmware=frozenset())


def link_name(index):
    """Names that look like a Docker host's links: NICs, bridges and veth peers."""
    kind = index % 4
    if kind == 0:
        return "enp%ds0" % index
    if kind == 1:
        return "br-%08x" % index
    return "veth%07x" % index


def make_links(count):
    """``count`` links plus lo, with the attributes [Match] can test."""
    links = [Link(name="lo", type="loopback", ifindex=1)]
    for index in range(count):
        name = link_name(index)
        kind = {"e": None, "b": "bridge", "v": "veth"}[name[0]]
        links.append(Link(name=name, type="bridge" if kind == "bridge" else "ether", kind=kind,
                          driver="e1000e" if kind is None else kind, mac="02:00:%02x:%02x:%02x:%02x" % (
                              index >> 24 & 255, index >> 16 & 255, index >> 8 & 255, index & 255),
                          ifindex=index + 2))
    return links


def live_values(links):
    """Forwarding values as a live host reports them: all on, one link in ten off."""
    values = {"all": 1, "default": 1}
    values.update({link.name: int(link.ifindex % 10 != 0) for link in links})
    return {"ipv4": values, "ipv6": dict(values)}


def network_files(count):
    """{in-root path: content} for ``count`` .network files, drop-ins not counted.

    File ``i`` names the link ``link_name(i)``; with fewer links than files the
    rest name links that are gone. One file in 50 is a glob, one in 100 a
    negation, one in 500 has a Host= condition; one in 10 is overridden by a
    same-name file in /etc (so two files share the name), one in 200 is masked.
    """
    files = {}
    index = 0
    while len(files) < count - 1:
        name = "%05d-%s.network" % (index, link_name(index))
        body = "[Match]\nName=%s\n" % link_name(index)
        if index % 50 == 7:
            body = "[Match]\nName=veth%06x?\nKind=veth\n" % (index // 16)
        elif index % 100 == 13:
            body = "[Match]\nName=!enp* !lo\nType=wlan\n"
        elif index % 500 == 17:
            body = "[Match]\nName=%s\nHost=bench\n" % link_name(index)
        body += "\n[Network]\nAddress=10.%d.%d.1/24\n" % (index >> 8 & 255, index & 255)
        directory = USR_LIB if index % 3 else RUN
        files["%s/%s" % (directory, name)] = body
        if index % 10 == 3 and len(files) < count - 1:
            files["%s/%s" % (ETC, name)] = body.replace("Address=", "IPv4Forwarding=yes\nAddress=")
        if index % 200 == 5 and len(files) < count - 1:
            files["%s/%s" % (ETC, name)] = None     # masked: a symlink to /dev/null
        index += 1
    files[ETC + "/99-catchall.network"] = "[Match]\nName=*\nType=ether bridge\n\n[Network]\nDHCP=no\n"
    return files


def dropins(paths):
    """Drop-ins for two files in three, some in /etc, some beside the file's directory."""
    result = {}
    for position, path in enumerate(sorted(paths)):
        if position % 3 == 2:
            continue
        directory = ETC if position % 2 else RUN
        name = os.path.basename(path)
        result["%s/%s.d/50-forwarding.conf" % (directory, name)] = "[Network]\nIPv4Forwarding=%s\n" % (
            "yes" if position % 5 else "no")
    return result


def write_root(root, file_count):
    """Write the tree below ``root``; returns (number of .network files, number of drop-ins)."""
    files = network_files(file_count)
    extra = dropins(path for path, content in files.items() if content is not None)
    extra["/etc/systemd/networkd.conf.d/50-bench.conf"] = "[Network]\nIPv4Forwarding=no\n"
    extra["/etc/sysctl.d/90-bench.conf"] = "net.ipv4.ip_forward = 1\nnet.ipv4.conf.veth*.forwarding = 0\n"
    write_tree(root, files)
    write_tree(root, extra)
    return len(files), len(extra) - 2


def write_tree(root, files):
    """Write {in-root path: content} below ``root``; None is a mask (a symlink to /dev/null)."""
    made = set()
    for path, content in files.items():
        real = os.path.join(root, path.lstrip("/"))
        directory = os.path.dirname(real)
        if directory not in made:
            os.makedirs(directory, exist_ok=True)
            made.add(directory)
        if content is None:
            os.symlink("/dev/null", real)
        else:
            with open(real, "w", encoding="utf-8") as stream:
                stream.write(content)


# -- the mixed host of the module benchmark (issue 19) ---------------------------------------

NICS_PER_BUS = 8        # NICs share a PCI bus by eights: a glob on the bus's altnames reaches a few links


def _mac_text(number, rng):
    """A locally administered unicast MAC from ``number``, spelled in one of the ways systemd accepts."""
    octets = [0x02, 0x42, number >> 24 & 255, number >> 16 & 255, number >> 8 & 255, number & 255]
    spelling = rng.random()
    if spelling < 0.7:
        return ":".join("%02x" % octet for octet in octets)
    if spelling < 0.8:
        return ":".join("%02X" % octet for octet in octets)
    if spelling < 0.9:
        return "-".join("%02x" % octet for octet in octets)
    return ".".join("%02x%02x" % (octets[i], octets[i + 1]) for i in (0, 2, 4))


def mixed_links(count, seed=0):
    """``count`` links plus lo, as dicts of the module's ``links`` option.

    About 40 % NICs (``ens<n>``, type ether, with a driver, a PCI path, a
    permanent MAC and two altnames: ``enp<bus>s<slot>f<function>`` and
    ``enx<mac>``), 2 % wireless NICs (``wlp<bus>s<slot>``), 18 % bridges
    (``br-<hex>``) and 40 % veth peers (``veth<hex>``). Every link but lo has
    a MAC, spelled in the ways systemd and ``ip`` accept (the module
    normalises them).
    """
    rng = random.Random("links-%d-%d" % (count, seed))
    links = [{"name": "lo", "type": "loopback", "ifindex": 1}]
    for index in range(count):
        draw = rng.random()
        number = index + 1
        mac = _mac_text(number, rng)
        link = {"ifindex": index + 2, "mac": mac}
        bus, slot = index // NICS_PER_BUS, index % NICS_PER_BUS
        if draw < 0.40:
            link.update(name="ens%d" % number, type="ether", driver=rng.choice(["e1000e", "ixgbe", "mlx5_core", "virtio_net"]),
                        path="pci-0000:%02x:%02x.0" % (bus, slot), permanent_mac=_mac_text(number | 1 << 23, rng),
                        altnames=["enp%ds%df0" % (bus, slot), "enx0242%08x" % number])
        elif draw < 0.42:
            link.update(name="wlp%ds%d" % (bus, slot), type="wlan", driver="iwlwifi", path="pci-0000:%02x:%02x.0" % (bus, slot))
        elif draw < 0.60:
            link.update(name="br-%08x" % rng.getrandbits(32), type="bridge", kind="bridge", driver="bridge")
        else:
            link.update(name="veth%07x" % rng.getrandbits(28), type="ether", kind="veth", driver="veth")
        links.append(link)
    return links


def _forwarding_lines(rng):
    """A forwarding key as hosts have them: the 256+ keys mostly, the old IPForward= sometimes."""
    key = rng.choice(["IPv4Forwarding", "IPv4Forwarding", "IPv6Forwarding", "IPForward"])
    value = rng.choice(["yes", "yes", "no"]) if key != "IPForward" else rng.choice(["yes", "ipv4", "no"])
    return "%s=%s\n" % (key, value)


def _match_lines(rng, links):
    """One [Match] section, drawn from the mix: (kind, text)."""
    link = rng.choice(links)
    draw = rng.random()
    if draw < 0.76:       # most files: one link by its exact name (an altname now and then)
        names = [link["name"]] + list(link.get("altnames") or ())
        return "name", "Name=%s\n" % (names[0] if rng.random() < 0.9 else rng.choice(names))
    if draw < 0.84:       # a glob on the altnames of a bus's NICs, sometimes narrowed by type or driver
        bus = (link["ifindex"] - 2) // NICS_PER_BUS
        extra = rng.choice(["", "", "Type=ether\n", "Driver=ixgbe e1000e\n"])
        return "glob", "Name=enp%ds* enx0242%07x?\n%s" % (bus, (link["ifindex"] - 1) >> 4, extra)
    if draw < 0.90:       # MACAddress= (a few addresses), or the permanent one
        chosen = rng.sample(links, min(len(links), rng.choice([1, 1, 2, 3])))
        if rng.random() < 0.2 and "permanent_mac" in link:
            return "mac", "PermanentMACAddress=%s\n" % _mac_text((link["ifindex"] - 1) | 1 << 23, rng)
        # ifindex - 1 is the number mixed_links() made the MAC from; spelled anew, maybe differently.
        return "mac", "MACAddress=%s\n" % " ".join(_mac_text(item["ifindex"] - 1, rng) for item in chosen)
    if draw < 0.94:       # a negation that matches nearly every link: Name=!en12 wl*
        extra = rng.choice(["", "", "Type=!loopback\n", "Kind=!bridge\n"])
        return "negation", "Name=!%s wl*\n%s" % (link["name"], extra)
    if draw < 0.98:       # the other keys [Match] knows: Type=, Kind=, Driver=, Path=
        return "other", rng.choice([
            "Name=br-*\nType=bridge\n",
            "Kind=veth\nDriver=veth\n",
            "Driver=%s\n" % rng.choice(["mlx5_core", "virtio_net"]),
            "Path=pci-0000:%02x:*\n" % ((link["ifindex"] - 2) // NICS_PER_BUS),
            "Type=wlan\nName=wl*\n",
        ])
    # a condition: Host= never holds on the bench's facts, Virtualization= cannot be told offline
    condition = rng.choice(["Host=build-*", "Virtualization=!container", "KernelCommandLine=!nfsroot"])
    return "condition", "Name=%s\n%s\n" % (link["name"], condition)


def mixed_network_files(file_count, links, seed=0):
    """({in-root path: content} for ``file_count`` .network files, number of drop-ins), issue 19's mix.

    Per file, at random: 76 % name one link exactly, 8 % glob on NICs'
    altnames, 6 % match by MACAddress= or PermanentMACAddress= (in any
    spelling), 4 % are negations that match nearly every link
    (``Name=!ens12 wl*``), 4 % use Type=, Kind=, Driver= or Path=, 2 % add a
    condition. A third set a forwarding key, a tenth have a drop-in (in /etc
    or /run). A third live in /usr/lib, half of those overridden by a file of
    the same name in /etc; the rest in /etc, some in /run. File names start
    with a random two-digit priority, 10 to 89, and 50 to 99 for negations,
    which are fallbacks: the kinds interleave in load order.
    """
    rng = random.Random("files-%d-%d-%d" % (file_count, len(links), seed))
    candidates = [link for link in links if link["name"] != "lo"]
    files = {}
    dropin_count = 0
    for index in range(file_count):
        kind, match = _match_lines(rng, candidates)
        body = "[Match]\n%s\n[Network]\n" % match
        if rng.random() < 1 / 3:
            body += _forwarding_lines(rng)
        body += "Address=10.%d.%d.1/24\n" % (index >> 8 & 255, index & 255)
        # Negations are fallbacks, numbered late as such files are, but not always after the rest.
        name = "%02d-%s-%05d.network" % (rng.randrange(50, 100) if kind == "negation" else rng.randrange(10, 90), kind, index)
        place = rng.random()
        if place < 1 / 3:
            files["%s/%s" % (USR_LIB, name)] = body
            if rng.random() < 0.5:
                files["%s/%s" % (ETC, name)] = body.replace("Address=10.", "Address=10.1")
        else:
            files["%s/%s" % (ETC if place < 0.9 else RUN, name)] = body
        if rng.random() < 0.1:
            directory = rng.choice([ETC, ETC, RUN])
            files["%s/%s.d/50-local.conf" % (directory, name)] = "[Network]\n" + (
                _forwarding_lines(rng) if rng.random() < 0.5 else "DHCP=no\n")
            dropin_count += 1
    return files, dropin_count


def write_mixed_root(root, file_count, links, seed=0):
    """Write issue 19's mix below ``root``; returns (number of .network files, number of drop-ins).

    Overriding files count once, as networkd loads one file per name.
    """
    files, dropin_count = mixed_network_files(file_count, links, seed)
    files["/etc/systemd/networkd.conf.d/50-bench.conf"] = "[Network]\nIPv4Forwarding=no\n"
    files["/etc/sysctl.d/90-bench.conf"] = "net.ipv4.ip_forward = 1\nnet.ipv4.conf.veth*.forwarding = 0\n"
    write_tree(root, files)
    return file_count, dropin_count


# [Match] shapes mixed_network_files() never writes, one per file, drawn from small alphabets so that
# files repeat them, as hosts do: globs whose first character is a glob character, globs after a short
# prefix, globs on Driver= and Path=, negated globs, and long lists of exact names.
SHAPES = {
    "suffix": lambda rng, links: "Name=*%s\n" % rng.choice(HEX),
    "wildcard-first": lambda rng, links: "Name=?eth%s*\n" % rng.choice(HEX),
    "class": lambda rng, links: "Name=veth[%s-f]*\n" % rng.choice(HEX),
    "negated-glob": lambda rng, links: "Name=!*%s%s\n" % (rng.choice(HEX), rng.choice(HEX)),
    "driver-glob": lambda rng, links: "Driver=*%s\n" % rng.choice(["net", "e", "core", "x"]),
    "path-glob": lambda rng, links: "Path=*:%02x.0\n" % rng.randrange(32),
    "name-lists": lambda rng, links: "Name=%s\n" % " ".join(rng.choice(links)["name"] for _name in range(50)),
}
HEX = "0123456789abcdef"


def shaped_network_files(shape, file_count, links, seed=0):
    """{in-root path: content}: ``file_count`` files in /etc whose [Match] has one of SHAPES, each with a forwarding key."""
    rng = random.Random("shape-%s-%d-%d-%d" % (shape, file_count, len(links), seed))
    candidates = [link for link in links if link["name"] != "lo"]
    return {"%s/%02d-%s-%05d.network" % (ETC, rng.randrange(10, 90), shape, index):
            "[Match]\n%s\n[Network]\n%s" % (SHAPES[shape](rng, candidates), _forwarding_lines(rng))
            for index in range(file_count)}
