# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The match indexes only skip tests that cannot change an answer: same answers as testing every file and link."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.index import LinkIndex, ValueIndex
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.match import MatchSection
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
    naive = [next((network for network in configuration.loaded if network.match.matches(link)), None) for link in links]
    assert configuration.governing_files(links) == naive
    index = LinkIndex(links, version)
    for network in configuration.loaded:
        naive = [link for link in links if network.match.matches(link)]
        assert index.matched_links(network.match) == naive
        assert index.matched_count(network.match) == len(naive)


@settings(max_examples=500, deadline=None)
@given(lines=MATCH_LINES, described=LINKS, version=VERSIONS)
def test_the_links_one_match_section_matches_are_those_matches_accepts(lines, described, version):
    fs = MemoryFileSystem({"/etc/systemd/network/10.network": ("[Match]\n%s\n" % "\n".join(lines)).encode()})
    configuration = load_network_configuration(fs, version, HostFacts())
    network = configuration.files[0]
    links = links_of(described)
    if network.usable:
        naive = [link for link in links if network.match.matches(link)]
        assert LinkIndex(links, version).matched_links(network.match) == naive
        assert configuration.governing_files(links) == [
            network if link in naive else None for link in links]


def test_a_negation_is_counted_from_the_links_it_excludes_not_every_link():
    links = [Link(name="eth%d" % number) for number in range(50)] + [Link(name="wlp2s0"), Link(name="wlp3s0")]
    fs = MemoryFileSystem({"/etc/systemd/network/10-not-wifi.network": b"[Match]\nName=!eth12 wl*\n"})
    negation = load_network_configuration(fs, 257, HostFacts()).loaded[0].match
    tested = []
    original = negation.key_test

    def counting(key):
        test = original(key)
        return lambda link: tested.append(link.name) or test(link)

    negation.key_test = counting
    index = LinkIndex(links, 257)
    assert index.matched_count(negation) == 49
    assert sorted(tested) == ["eth12", "wlp2s0", "wlp3s0"]


def test_a_key_many_files_repeat_is_tested_once_per_link(monkeypatch):
    links = [Link(name="eth%d" % number) for number in range(30)]
    files = {"/etc/systemd/network/%03d-ends-in-0.network" % number: b"[Match]\nName=*0\n" for number in range(200)}
    # The same key beside another one: a combination of its own, whose Name=*0 is answered already.
    files.update(("/etc/systemd/network/5%02d-e1000e.network" % number, b"[Match]\nName=*0\nDriver=e1000e\n")
                 for number in range(20))
    files["/etc/systemd/network/999-rest.network"] = b"[Match]\nName=eth*\n"
    configuration = load_network_configuration(MemoryFileSystem(files), 257, HostFacts())
    tested = []
    original = MatchSection.key_test

    def counting(section, key):
        test = original(section, key)
        return lambda link: tested.append(link.name) or test(link)

    monkeypatch.setattr(MatchSection, "key_test", counting)
    governing = configuration.governing_files(links)
    assert [network.path for network in governing[:2]] == [
        "/etc/systemd/network/000-ends-in-0.network", "/etc/systemd/network/999-rest.network"]
    assert sorted(tested) == sorted(link.name for link in links)     # *0 is a glob no lookup decides
    index = LinkIndex(links, 257)
    assert [index.matched_count(network.match) for network in configuration.loaded] == [3] * 200 + [0] * 20 + [30]
    assert len(tested) == 2 * len(links)


def test_no_file_is_looked_at_once_every_link_is_governed(monkeypatch):
    files = {"/etc/systemd/network/10-all.network": b"[Match]\nName=*\n"}
    files.update(("/etc/systemd/network/%02d-later.network" % number, b"[Match]\nName=eth%d\n" % number)
                 for number in range(20, 60))
    configuration = load_network_configuration(MemoryFileSystem(files), 257, HostFacts())
    answered = []
    original = LinkIndex.answer
    monkeypatch.setattr(LinkIndex, "answer", lambda index, match: answered.append(match) or original(index, match))
    governing = configuration.governing_files([Link(name="eth%d" % number) for number in range(20, 60)])
    assert {network.path for network in governing} == {"/etc/systemd/network/10-all.network"}
    assert len(answered) == 1


@given(values=st.lists(st.text(alphabet="ab\U0010ffff", max_size=4), max_size=12),
       prefix=st.text(alphabet="ab\U0010ffff", max_size=3))
def test_a_prefix_finds_exactly_the_values_that_start_with_it(values, prefix):
    index = ValueIndex((value, position) for position, value in enumerate(values))
    assert sorted(index.prefixed(prefix)) == [position for position, value in enumerate(values) if value.startswith(prefix)]
