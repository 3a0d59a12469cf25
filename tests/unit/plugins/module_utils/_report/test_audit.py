# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network_files rows of an audit: what each file governs and matches, against testing every pair; the warnings."""

from __future__ import annotations

from hypothesis import given, settings

from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.module_utils._report.audit import (
    UNDECIDED_LINES_SHOWN,
    collect_warnings,
    network_files_report,
)
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils._matching.test_index import (
    FILES,
    LINKS,
    VERSIONS,
    links_of,
    tree,
)
from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils.hosts import host


@settings(max_examples=100, deadline=None)
@given(files=FILES, described=LINKS, version=VERSIONS)
def test_each_file_says_which_links_it_governs_and_how_many_others_it_matches(files, described, version):
    view = host(tree(files), version, links=links_of(described))
    full, full_unused = network_files_report(view, view.links, "full")
    compact, unused = network_files_report(view, view.links)
    assert len(full) == len(view.configuration.files) and unused == full_unused
    expected_compact, expected_unused = [], {}
    for network, row in zip(view.configuration.files, full):
        usable = network.usable
        matched = [link.name for link in view.links if usable and network.match.matches(link)]
        governs = [link.name for link in view.links
                   if usable and next((n for n in view.configuration.loaded if n.match.matches(link)), None) is network]
        assert row["path"] == network.path
        assert row["matched_links"] == matched
        assert row["governed_links"] == governs
        assert row["other_matches"] == len(matched) - len(governs)
        if usable and not governs:
            expected_unused[network.path] = len(matched)
        else:
            expected_compact.append({key: value for key, value in row.items()
                                     if key == "path" or (value and key != "matched_links")})
    assert compact == expected_compact
    assert unused == expected_unused


def test_a_negation_governs_what_earlier_files_leave_and_counts_the_rest():
    links = [Link(name="eth%d" % number, ifindex=number + 2) for number in range(5)] + [Link(name="wlp2s0", ifindex=9)]
    view = host({"/etc/systemd/network/10-eth1.network": "[Match]\nName=eth1\n",
                 "/etc/systemd/network/20-eth1-again.network": "[Match]\nName=eth1\n",
                 "/etc/systemd/network/90-wired.network": "[Match]\nName=!wl* eth4\n"}, 257, links=links)
    assert network_files_report(view, view.links) == ([
        {"path": "/etc/systemd/network/10-eth1.network", "governed_links": ["eth1"]},
        {"path": "/etc/systemd/network/90-wired.network", "governed_links": ["eth0", "eth2", "eth3"], "other_matches": 1}],
        {"/etc/systemd/network/20-eth1-again.network": 1})


def test_a_match_that_cannot_be_decided_is_one_warning_per_line_however_many_links_lack_the_property():
    bare = [Link(name="veth%d" % number, ifindex=number + 2) for number in range(7)]
    files = {"/etc/systemd/network/10-pci.network": "[Match]\nPath=pci-0000:00:03.0\n",
             "/etc/systemd/network/20-mac.network": "[Match]\nMACAddress=02:00:00:00:00:09\n"}
    one = collect_warnings(host(files, 257, links=bare[:1]), bare[:1])
    assert one == [
        "/etc/systemd/network/10-pci.network:2: Path= cannot be decided for veth0: its udev ID_PATH is not known "
        "(links[].path); the file is taken not to match it",
        "/etc/systemd/network/20-mac.network:2: MACAddress= cannot be decided for veth0: its MAC address is not known "
        "(links[].mac); the file is taken not to match it"]
    many = collect_warnings(host(files, 257, links=bare), bare)
    assert many == [
        "/etc/systemd/network/10-pci.network:2: Path= cannot be decided for 7 links (veth0, veth1, veth2, veth3, veth4 "
        "and 2 more): their udev ID_PATH is not known (links[].path); the file is taken not to match them",
        "/etc/systemd/network/20-mac.network:2: MACAddress= cannot be decided for 7 links (veth0, veth1, veth2, veth3, "
        "veth4 and 2 more): their MAC address is not known (links[].mac); the file is taken not to match them"]


def test_more_undecidable_lines_of_one_key_than_are_shown_are_one_warning():
    bare = [Link(name="veth%d" % number, ifindex=number + 2) for number in range(3)]
    many = {"/etc/systemd/network/%02d-pci.network" % number: "[Match]\nPath=pci-0000:00:%02d.0\n" % number
            for number in range(10, 10 + UNDECIDED_LINES_SHOWN + 2)}
    many["/etc/systemd/network/05-veth0.network"] = "[Match]\nName=veth0\n"
    assert collect_warnings(host(many, 257, links=bare), bare) == [
        "12 [Match] lines with Path= cannot be decided for links whose udev ID_PATH is not known (links[].path), and "
        "their files are taken not to match them: /etc/systemd/network/10-pci.network:2 for 2 links (veth1, veth2); "
        "/etc/systemd/network/11-pci.network:2 for 2 links (veth1, veth2); /etc/systemd/network/12-pci.network:2 for 2 "
        "links (veth1, veth2); and 9 more lines"]
    few = dict(list(many.items())[:UNDECIDED_LINES_SHOWN])
    assert len(collect_warnings(host(few, 257, links=bare), bare)) == UNDECIDED_LINES_SHOWN
