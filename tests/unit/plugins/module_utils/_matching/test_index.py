# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The match indexes only skip tests that cannot pass: same answers as testing every file and link."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.index import LinkIndex
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.network_files import load_network_configuration

NAMES = st.sampled_from(["eth0", "eth1", "eth10", "enp3s0", "uplink0", "br0", "docker0", "veth1a2b", "wan0"])
WORDS = st.sampled_from(["eth0", "eth*", "eth?", "e*", "*", "en[op]*", "uplink0", "br0", "docker0", "veth*", "x", "*0"])
NAME_LINES = st.lists(st.tuples(st.sampled_from(["", "!"]), st.lists(WORDS, min_size=1, max_size=3)), max_size=3)
LINKS = st.lists(st.tuples(NAMES, st.lists(NAMES, max_size=2)), min_size=1, max_size=6, unique_by=lambda x: x[0])


def render(name_lines, kind):
    lines = ["Name=%s%s" % (bang, " ".join(words)) for bang, words in name_lines]
    if kind:
        lines.append("Kind=%s" % kind)
    return ("[Match]\n%s\n" % "\n".join(lines)).encode()


@settings(max_examples=200, deadline=None)
@given(files=st.lists(st.tuples(NAME_LINES, st.sampled_from(["", "veth", "!bridge"])), min_size=1, max_size=8),
       links=LINKS, version=st.sampled_from([244, 257]))
def test_indexes_give_the_same_answers_as_testing_everything(files, links, version):
    fs = MemoryFileSystem({"/etc/systemd/network/%02d.network" % number: render(name_lines, kind)
                           for number, (name_lines, kind) in enumerate(files)})
    configuration = load_network_configuration(fs, version, HostFacts())
    described = [Link(name=name, altnames=tuple(a for a in altnames if a != name), kind="veth") for name, altnames in links]
    for link in described:
        naive = next((network for network in configuration.loaded if network.match.matches(link)), None)
        assert configuration.governing_file(link) is naive
    index = LinkIndex(described, version)
    for network in configuration.loaded:
        naive = [link.name for link in described if network.match.matches(link)]
        assert [link.name for link in index.candidates(network.match) if network.match.matches(link)] == naive
