# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small fixture hosts for the library's unit tests: files in memory, links as data."""

from __future__ import annotations

from ansible_collections.hostnet.networkd.plugins.module_utils._model.host import HostView
from ansible_collections.hostnet.networkd.plugins.module_utils._report.audit import audit_report
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link

UPLINK = Link(name="uplink0", type="ether", kind="veth", mac="02:00:00:00:00:01", ifindex=2)
DOCKER0 = Link(name="docker0", type="bridge", kind="bridge", mac="02:42:00:00:00:01", ifindex=3)
VETH = Link(name="veth1a2b", type="ether", kind="veth", mac="02:00:00:00:00:03", ifindex=4)
LO = Link(name="lo", type="loopback", ifindex=1)
DOCKER_HOST_LINKS = [LO, UPLINK, DOCKER0, VETH]


def network(match="Name=uplink0", network=""):
    """A small .network file: a [Match] line and [Network] lines."""
    text = "[Match]\n%s\n" % match
    if network:
        text += "\n[Network]\n%s\n" % network
    return text.encode()


def host(files, version, links=None, live=None, facts=None):
    """A loaded HostView over an in-memory tree; ``live`` is {"ipv4": {"uplink0": 1, ...}}."""
    fs = MemoryFileSystem({path: (content.encode() if isinstance(content, str) else content)
                           for path, content in files.items()})
    return HostView(version=version, fs=fs, links=list(links or DOCKER_HOST_LINKS),
                    facts=facts or HostFacts(hostname="lab"), live_values=live or {}).load()


def report(files, version, links=None, live=None, families=("ipv4",), desired=1, covered=None):
    view = host(files, version, links, live)
    covered_links = [link for link in view.links if covered is None or link.name in covered]
    return audit_report(view, covered_links, families, desired)


def link_entry(result, name):
    return next(link for link in result["links"] if link["name"] == name)
