# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two runs at the same time on one root, in two processes: no lost update.

One run fixes IPv4, the other IPv6, in the same .network file. Without a lock both read the
file before either writes, both report a change, and the second rename drops the first key.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.hostnet.networkd.plugins.modules import networkd_forwarding

LINKS = [{"name": "uplink0", "type": "ether", "kind": "veth", "mac": "02:00:00:00:00:01", "ifindex": 2}]
UPLINK = "etc/systemd/network/10-uplink0.network"


def _run_when_released(root, family, start, output):
    """In a child: wait for the start signal with the other run, run the module, send the result."""
    with os.fdopen(output, "w") as stream:
        sys.stdout = stream
        start.wait()
        with patch_module_args(dict(root=root, systemd_version=257, links=LINKS, state="enabled",
                                    interfaces=["uplink0"], family=family)):
            try:
                networkd_forwarding.main()
            except SystemExit:
                pass


def run_together(root):
    context = multiprocessing.get_context("fork")
    start = context.Barrier(2)
    children, pipes = [], []
    for family in ("ipv4", "ipv6"):
        read_end, write_end = os.pipe()
        child = context.Process(target=_run_when_released, args=(root, family, start, write_end))
        child.start()
        os.close(write_end)
        children.append(child)
        pipes.append(read_end)
    results = []
    for child, read_end in zip(children, pipes):
        with os.fdopen(read_end) as stream:
            output = stream.read()
        child.join(60)
        results.append(json.loads(output.strip().splitlines()[-1]))
    return results


@pytest.mark.parametrize("round_number", range(5))
def test_two_runs_at_once_keep_both_changes_or_one_fails_clearly(tmp_path, round_number):
    path = tmp_path / UPLINK
    path.parent.mkdir(parents=True)
    path.write_bytes(b"[Match]\nName=uplink0\n")
    results = run_together(str(tmp_path))
    content = path.read_bytes()
    failed = [result for result in results if result.get("failed")]
    for result in failed:
        assert result["msg"] and "exception" not in result, result
    if not failed:
        assert b"IPv4Forwarding=yes\n" in content and b"IPv6Forwarding=yes\n" in content, (round_number, content)
        assert all(result["changed"] for result in results)
    else:
        assert len(failed) == 1
        assert content.count(b"Forwarding=yes\n") == 1
    assert [name for name in os.listdir(path.parent) if name != "10-uplink0.network"] == []
