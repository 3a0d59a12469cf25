# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The match indexes only skip tests that cannot change an answer: same answers as testing every file and link."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.index import FileIndex, LinkIndex, ValueIndex
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.network_files import load_network_configuration

NAMES = ["eth0", "eth1", "eth10", "enp3s0", "enp3s0f1", "uplink0", "br0", "docker0", "veth1a2b", "wan0", "wlp2s0", "lo"]
MACS = ["02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:0a", "52:54:00:12:34:56"]
# Every kind of [Match] list key, with literals, globs, negations, MACs in several spellings, and empty resets.
KEY_VALUES = {
    "Name": ["eth0", "eth*", "eth?", "e*", "*", "en[op]*", "uplink0", "br0", "docker0", "veth*", "x", "*0", "wl*",
             "enp3s0f1", "lo", "!eth0", "!wl*", "!eth0 wl*", "!*", "eth1 !eth10", "!en*", ""],
    "MACAddress": ["02:00:00:00:00:01", "02-00-00-00-00-0A", "0200.0000.0002", "52:54:00:12:34:56 02:00:00:00:00:02",
                   "nonsense", ""],
    "PermanentMACAddress": ["02:00:00:00:00:01", "52:54:00:12:34:56", ""],
    "Path": ["pci-0000:00:1f.6", "pci-*", "!pci-0000:00:*", "platform-*"],
    "Driver": ["e1000e", "veth", "!veth", "e1000*", "e1000?", "!v*", "virtio_net bridge"],
    "Type": ["ether", "bridge", "!loopback", "wlan", "ether bridge", "!ether"],
    "Kind": ["veth", "!veth", "bridge", "*", "!bridge veth"],
    "Property": ["ID_BUS=pci", "!ID_BUS=usb", "ID_NET_NAME_PATH=enp*", "!ID_MODEL=*", "ID_BUS=pci ID_MODEL=*"],
    "WLANInterfaceType": ["station", "!ap"],
    "SSID": ["home", "!guest"],
    "BSSID": ["02:00:00:00:00:01"],
}
# Name= the most often, as on hosts.
MATCH_LINES = st.lists(st.sampled_from(sorted(KEY_VALUES) + ["Name"] * 4).flatmap(
    lambda key: st.sampled_from(KEY_VALUES[key]).map(lambda value: "%s=%s" % (key, value))), max_size=4)
CONDITION = st.sampled_from(["", "", "", "Host=lab", "Host=other", "Virtualization=container"])
LINKS = st.lists(st.fixed_dictionaries({
    "name": st.sampled_from(NAMES),
    "altnames": st.lists(st.sampled_from(NAMES), max_size=2),
    "type": st.sampled_from([None, "ether", "bridge", "wlan", "loopback"]),
    "kind": st.sampled_from([None, "veth", "bridge"]),
    "driver": st.sampled_from([None, "e1000e", "veth", "bridge"]),
    "mac": st.sampled_from([None] + MACS + ["02-00-00-00-00-0A", "0200.0000.0001"]),
    "permanent_mac": st.sampled_from([None] + MACS),
    "path": st.sampled_from([None, "pci-0000:00:1f.6", "pci-0000:03:00.0", "platform-x"]),
    "properties": st.dictionaries(st.sampled_from(["ID_BUS", "ID_MODEL", "ID_NET_NAME_PATH"]),
                                  st.sampled_from(["pci", "usb", "enp3s0", "I219"]), max_size=2),
}), min_size=1, max_size=7, unique_by=lambda link: link["name"])
FILES = st.lists(st.tuples(MATCH_LINES, CONDITION), min_size=1, max_size=10)
VERSIONS = st.sampled_from([244, 247, 251, 257])


def links_of(described):
    return [Link(**dict(description, altnames=tuple(a for a in description["altnames"] if a != description["name"])))
            for description in described]


def tree(files):
    return {"/etc/systemd/network/%02d.network" % number: "[Match]\n%s\n" % "\n".join(lines + [condition])
            for number, (lines, condition) in enumerate(files)}


@settings(max_examples=300, deadline=None)
@given(files=FILES, described=LINKS, version=VERSIONS)
def test_indexes_give_the_same_answers_as_testing_everything(files, described, version):
    fs = MemoryFileSystem({path: text.encode() for path, text in tree(files).items()})
    configuration = load_network_configuration(fs, version, HostFacts(hostname="lab", virtualization="none"))
    links = links_of(described)
    for link in links:
        naive = next((network for network in configuration.loaded if network.match.matches(link)), None)
        assert configuration.governing_file(link) is naive
    index = LinkIndex(links, version)
    for network in configuration.loaded:
        naive = [link for link in links if network.match.matches(link)]
        assert index.matched_links(network.match) == naive
        assert index.matched_count(network.match) == len(naive)


@settings(max_examples=500, deadline=None)
@given(lines=MATCH_LINES, described=LINKS, version=VERSIONS)
def test_the_links_one_match_section_matches_are_those_matches_accepts(lines, described, version):
    fs = MemoryFileSystem({"/etc/systemd/network/10.network": ("[Match]\n%s\n" % "\n".join(lines)).encode()})
    network = load_network_configuration(fs, version, HostFacts()).files[0]
    links = links_of(described)
    if network.usable:
        naive = [link for link in links if network.match.matches(link)]
        assert LinkIndex(links, version).matched_links(network.match) == naive
        assert [n for n in FileIndex([network], version).candidates(links[0]) if n.match.matches(links[0])] == (
            [network] if links[0] in naive else [])


def test_a_negation_is_counted_from_the_links_it_excludes_not_every_link():
    links = [Link(name="eth%d" % number) for number in range(50)] + [Link(name="wlp2s0"), Link(name="wlp3s0")]
    fs = MemoryFileSystem({"/etc/systemd/network/10-not-wifi.network": b"[Match]\nName=!eth12 wl*\n"})
    negation = load_network_configuration(fs, 257, HostFacts()).loaded[0].match
    tested = []
    original = negation.matches
    negation.matches = lambda link: tested.append(link.name) or original(link)
    index = LinkIndex(links, 257)
    assert index.matched_count(negation) == 49
    assert sorted(tested) == ["eth12", "wlp2s0", "wlp3s0"]


def test_a_mac_file_is_a_candidate_only_for_the_link_with_that_address():
    files = {"/etc/systemd/network/%02d-mac.network" % number: ("[Match]\nMACAddress=02-00-00-00-00-%02X\n" % number).encode()
             for number in range(40)}
    configuration = load_network_configuration(MemoryFileSystem(files), 257, HostFacts())
    index = FileIndex(configuration.loaded, 257)
    link = Link(name="eth7", mac="02:00:00:00:00:07")
    assert [network.path for network in index.candidates(link)] == ["/etc/systemd/network/07-mac.network"]
    assert configuration.governing_file(link).path == "/etc/systemd/network/07-mac.network"


def test_no_file_after_the_first_that_surely_matches_is_a_candidate():
    files = {"/etc/systemd/network/10-eth.network": b"[Match]\nName=eth*\nType=wlan\n",
             "/etc/systemd/network/20-not-wifi.network": b"[Match]\nName=!wl*\n",
             "/etc/systemd/network/30-eth0.network": b"[Match]\nName=eth0\n"}
    configuration = load_network_configuration(MemoryFileSystem(files), 257, HostFacts())
    index = FileIndex(configuration.loaded, 257)
    assert [n.path for n in index.candidates(Link(name="eth0"))] == [
        "/etc/systemd/network/10-eth.network", "/etc/systemd/network/20-not-wifi.network"]
    assert [n.path for n in index.candidates(Link(name="wlp2s0"))] == ["/etc/systemd/network/20-not-wifi.network"]


@given(values=st.lists(st.text(alphabet="ab\U0010ffff", max_size=4), max_size=12),
       prefix=st.text(alphabet="ab\U0010ffff", max_size=3))
def test_a_prefix_finds_exactly_the_values_that_start_with_it(values, prefix):
    index = ValueIndex((value, position) for position, value in enumerate(values))
    assert sorted(index.prefixed(prefix)) == [position for position, value in enumerate(values) if value.startswith(prefix)]
    assert index.count((), [prefix]) == len(index.prefixed(prefix))
