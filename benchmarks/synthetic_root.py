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
link is tested against every file before it.
"""

from __future__ import annotations

import os

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
    for path, content in list(files.items()) + list(extra.items()):
        real = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(real), exist_ok=True)
        if content is None:
            os.symlink("/dev/null", real)
        else:
            with open(real, "w", encoding="utf-8") as stream:
                stream.write(content)
    return len(files), len(extra) - 2
