# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which .network file governs a link (docs/internals/networkd-configuration.md, "Search directories" to "The first matching file wins")."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import MemoryFileSystem, Symlink
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.network_files import (
    UNDECIDABLE_ATTRIBUTES,
    load_network_configuration,
)
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._matching.test_index import (
    FILES,
    LINKS,
    VERSIONS,
    links_of,
    tree,
)

from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils.hosts import UPLINK, network

ETC = "/etc/systemd/network/"
RUN = "/run/systemd/network/"
USR = "/usr/lib/systemd/network/"
LIB = "/lib/systemd/network/"
LOCAL = "/usr/local/lib/systemd/network/"


def governing(files, version=257, link=UPLINK, facts=None):
    fs = MemoryFileSystem(files)
    configuration = load_network_configuration(fs, version, facts or HostFacts(hostname="lab"))
    found = configuration.governing_files([link])[0]
    return found.path if found else None, configuration


def test_same_name_in_etc_masks_usr_lib():
    path, configuration = governing({ETC + "10-a.network": network(), USR + "10-a.network": network()})
    assert path == ETC + "10-a.network"
    hidden = configuration.find(USR + "10-a.network")
    assert hidden.overridden_by == ETC + "10-a.network"


def test_symlink_to_dev_null_masks_the_vendor_file():
    path, configuration = governing({ETC + "10-a.network": Symlink("/dev/null"), USR + "10-a.network": network(),
                                     USR + "20-b.network": network()})
    assert path == USR + "20-b.network"
    assert configuration.find(ETC + "10-a.network").masked


def test_empty_file_is_masked():
    path, _configuration = governing({ETC + "10-a.network": b"", USR + "20-b.network": network()})
    assert path == USR + "20-b.network"


def test_files_sort_by_name_with_strcmp_across_directories():
    path, _configuration = governing({USR + "10-a.network": network(), ETC + "9-b.network": network()})
    assert path == USR + "10-a.network"


def test_run_sorts_with_etc_by_name_not_by_directory():
    path, _configuration = governing({ETC + "50-etc.network": network(), RUN + "10-netplan-uplink0.network": network()})
    assert path == RUN + "10-netplan-uplink0.network"


def test_first_matching_file_wins_even_if_later_ones_match():
    path, _configuration = governing({ETC + "10-other.network": network("Name=eth*"), ETC + "20-up.network": network(),
                                      ETC + "30-all.network": network("Name=*")})
    assert path == ETC + "20-up.network"


def test_dropins_come_from_every_directory_sorted_by_name():
    _path, configuration = governing({
        USR + "10-a.network": network(),
        USR + "10-a.network.d/20-vendor.conf": b"[Network]\nIPv4Forwarding=no\n",
        ETC + "10-a.network.d/10-local.conf": b"[Network]\nIPv4Forwarding=yes\n",
    })
    assert configuration.find(USR + "10-a.network").dropins == [
        ETC + "10-a.network.d/10-local.conf", USR + "10-a.network.d/20-vendor.conf"]


def test_dropin_in_etc_overrides_same_name_in_usr_lib():
    _path, configuration = governing({
        USR + "10-a.network": network(),
        USR + "10-a.network.d/50-x.conf": b"[Network]\nIPv4Forwarding=no\n",
        ETC + "10-a.network.d/50-x.conf": b"[Network]\nIPv4Forwarding=yes\n",
    })
    assert configuration.find(USR + "10-a.network").dropins == [ETC + "10-a.network.d/50-x.conf"]


def test_dropins_do_not_exist_before_232():
    _path, configuration = governing({ETC + "10-a.network": network(),
                                      ETC + "10-a.network.d/x.conf": b"[Network]\n"}, version=231)
    assert configuration.find(ETC + "10-a.network").dropins == []


def test_dropin_match_keys_extend_the_main_file():
    path, _configuration = governing({ETC + "10-a.network": network("Name=eth0"),
                                      ETC + "10-a.network.d/more.conf": b"[Match]\nName=uplink*\n"})
    assert path == ETC + "10-a.network"


def test_empty_match_is_rejected_from_245():
    path, configuration = governing({ETC + "10-empty.network": b"[Match]\n[Network]\nDHCP=yes\n",
                                     ETC + "20-up.network": network()}, version=245)
    assert path == ETC + "20-up.network"
    assert "No valid settings found in the [Match] section" in configuration.find(ETC + "10-empty.network").error


def test_empty_match_matches_every_link_before_245():
    path, _configuration = governing({ETC + "10-empty.network": b"[Match]\n[Network]\nDHCP=yes\n",
                                      ETC + "20-up.network": network()}, version=244)
    assert path == ETC + "10-empty.network"


def test_comment_only_file_is_not_masked_but_rejected_for_empty_match():
    _path, configuration = governing({ETC + "10-c.network": b"# nothing here\n"})
    entry = configuration.find(ETC + "10-c.network")
    assert not entry.masked and entry.error


def test_false_condition_drops_the_file_and_the_next_one_matches():
    path, _configuration = governing({ETC + "10-a.network": network("Name=uplink0\nHost=other"),
                                      ETC + "20-b.network": network()})
    assert path == ETC + "20-b.network"


def test_unknown_condition_keeps_the_file_usable():
    path, configuration = governing({ETC + "10-a.network": network("Name=uplink0\nKernelCommandLine=quiet")})
    assert path == ETC + "10-a.network"
    assert configuration.find(ETC + "10-a.network").conditions.holds is None


def test_file_with_a_fatal_parse_error_is_dropped():
    path, configuration = governing({ETC + "10-bad.network": b"[Match\nName=uplink0\n",
                                     ETC + "20-good.network": network()})
    assert path == ETC + "20-good.network"
    assert configuration.find(ETC + "10-bad.network").error.startswith(ETC + "10-bad.network:1")


def test_unmanaged_yes_is_reported():
    _path, configuration = governing({ETC + "10-a.network": b"[Match]\nName=uplink0\n[Link]\nUnmanaged=yes\n"})
    assert configuration.find(ETC + "10-a.network").unmanaged.location == ETC + "10-a.network:4"


def test_lib_is_searched_by_split_usr_builds_before_255():
    files = {LIB + "10-a.network": network()}
    assert governing(files, version=252)[0] == LIB + "10-a.network"
    assert governing(files, version=255)[0] is None


def test_usr_local_lib_is_searched_from_235():
    files = {LOCAL + "10-a.network": network()}
    assert governing(files, version=234)[0] is None
    assert governing(files, version=247)[0] == LOCAL + "10-a.network"


def test_hidden_files_are_skipped():
    assert governing({ETC + ".10-a.network": network()})[0] is None


def test_unreadable_directory_named_like_a_file_is_reported():
    _path, configuration = governing({ETC + "10-dir.network/inner": b"x"})
    assert "not a regular file" in configuration.find(ETC + "10-dir.network").error


# --------------------------------------------------------------------------- ID_NET_MANAGED_BY

NM_OWNED = UPLINK.__class__(name="uplink0", type="ether", kind="veth", mac="02:00:00:00:00:01", ifindex=2,
                            properties={"ID_NET_MANAGED_BY": "org.freedesktop.NetworkManager"})


def test_link_managed_by_another_manager_is_never_matched_from_255():
    files = {ETC + "10-up.network": network()}
    assert governing(files, 255, link=NM_OWNED)[0] is None
    assert governing(files, 262, link=NM_OWNED)[0] is None
    assert governing(files, 254, link=NM_OWNED)[0] == ETC + "10-up.network"


def test_link_claimed_by_networkd_itself_is_matched():
    ours = UPLINK.__class__(name="uplink0", properties={"ID_NET_MANAGED_BY": "io.systemd.Network"})
    assert governing({ETC + "10-up.network": network()}, 257, link=ours)[0] == ETC + "10-up.network"


def naive_undecided_lines(configuration, links, shown):
    """undecided_lines() the slow way: every link against every file before the one that governs it."""
    lines = {}
    loaded = configuration.loaded
    for link in links:
        missing = {attribute for attribute in UNDECIDABLE_ATTRIBUTES if getattr(link, attribute) is None}
        governing = next((network for network in loaded if network.match.matches(link)), None)
        for network in loaded[:loaded.index(governing)] if governing is not None else loaded:
            unknown = network.match.unknown_keys(missing)
            skipped = {key for key, _location, _attribute in unknown}
            others = [network.match.key_test(selector.key) for selector in network.match.selectors()
                      if selector.key not in skipped]
            if unknown and all(test(link) for test in others):
                for key, location, attribute in unknown:
                    lines.setdefault((location or network.path, key, attribute), []).append(link.name)
    return {line: (len(names), names[:shown]) for line, names in lines.items()}


@settings(max_examples=300, deadline=None)
@given(files=FILES, described=LINKS, version=VERSIONS, shown=st.integers(min_value=1, max_value=3))
def test_undecided_lines_are_those_before_the_governing_file_that_test_what_a_link_lacks(
        files, described, version, shown):
    fs = MemoryFileSystem({path: text.encode() for path, text in tree(files).items()})
    configuration = load_network_configuration(fs, version, HostFacts(hostname="lab", virtualization="none"))
    links = links_of(described)
    found = configuration.undecided_lines(links, configuration.governing_files(links), shown)
    assert found == naive_undecided_lines(configuration, links, shown)
    assert list(found) == list(naive_undecided_lines(configuration, links, shown))     # the same order


def test_a_file_whose_other_keys_do_not_match_the_link_is_decided():
    fs = MemoryFileSystem({ETC + "10-ens5.network": b"[Match]\nPermanentMACAddress=02:1d:6f:3a:8c:01\nName=ens5\n"})
    configuration = load_network_configuration(fs, 257, HostFacts())
    links = [Link(name="eth0", type="ether"), Link(name="ens5", type="ether")]
    assert configuration.undecided_lines(links, [None, None], 5) == {
        (ETC + "10-ens5.network:2", "PermanentMACAddress", "permanent_mac"): (1, ["ens5"])}


def test_a_line_after_the_file_that_governs_the_link_is_not_counted_for_it():
    fs = MemoryFileSystem({ETC + "10-eth0.network": b"[Match]\nName=eth0\n",
                           ETC + "20-pci.network": b"[Match]\nName=eth*\nPath=pci-*\n",
                           ETC + "30-any-pci.network": b"[Match]\nPath=pci-*\n"})
    configuration = load_network_configuration(fs, 257, HostFacts())
    links = [Link(name="eth0"), Link(name="eth1"), Link(name="wlan0")]
    governing = configuration.governing_files(links)
    assert [network and network.path for network in governing] == [ETC + "10-eth0.network", None, None]
    assert configuration.undecided_lines(links, governing, 5) == {
        (ETC + "20-pci.network:3", "Path", "path"): (1, ["eth1"]),
        (ETC + "30-any-pci.network:2", "Path", "path"): (2, ["eth1", "wlan0"])}
