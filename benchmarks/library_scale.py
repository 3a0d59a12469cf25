# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Library scale: a full audit of synthetic hosts of 100 to 10,000 files and 10 to 1,000 links.

A full audit is what the module does in audit mode once it has read the live
state: HostView(...).load() and audit_report() over every link but lo, for
both families. Wall time is the median (and the fastest) of ``--repeat``
runs; peak memory comes from one more run under tracemalloc (which slows
Python down, so it is not timed). The digest of each report lets two runs of
different library code show that they produce the same results.

Usage: PYTHONPATH=.build/collections python benchmarks/library_scale.py [--repeat N] [--json FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
import tracemalloc

from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import select_links
from ansible_collections.hostnet.networkd.plugins.module_utils._model.host import HostView
from ansible_collections.hostnet.networkd.plugins.module_utils._report.audit import audit_report
from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import RootFileSystem

import synthetic_root

FILE_COUNTS = (100, 1000, 10000)
LINK_COUNTS = (10, 100, 1000)
FAMILIES = ["ipv4", "ipv6"]


def full_audit(root, links, live):
    """One audit, as the module runs it: load every layer, then report on every link but lo."""
    view = HostView(version=synthetic_root.VERSION, fs=RootFileSystem(root), links=links,
                    facts=synthetic_root.FACTS, live_values=live).load()
    return audit_report(view, select_links(links, None), FAMILIES)


def measure(root, link_count, repeat):
    """(median seconds, fastest seconds, peak bytes, report digest) of a full audit of ``root`` with ``link_count`` links."""
    links = synthetic_root.make_links(link_count)
    live = synthetic_root.live_values(links)
    report = full_audit(root, links, live)    # also warms the page cache
    times = [timed(full_audit, root, links, live) for run in range(repeat)]
    tracemalloc.start()
    full_audit(root, links, live)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    digest = hashlib.sha256(json.dumps(report, sort_keys=True).encode()).hexdigest()[:16]
    return statistics.median(times), min(times), peak, digest


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def growth(rows, key, other, sizes):
    """Ratio of each size's time to the previous size's, along ``key`` with ``other`` fixed."""
    by_size = {(row[key], row[other]): row["seconds"] for row in rows}
    ratios = []
    for fixed in sorted({row[other] for row in rows}):
        for smaller, larger in zip(sizes, sizes[1:]):
            ratios.append((fixed, smaller, larger, by_size[(larger, fixed)] / by_size[(smaller, fixed)]))
    return ratios


def print_tables(rows):
    print("| .network files | drop-ins | links | wall time (median) | fastest | peak memory | report digest |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        print("| %d | %d | %d | %.3f s | %.3f s | %.1f MiB | %s |" % (
            row["files"], row["dropins"], row["links"], row["seconds"], row["fastest_seconds"],
            row["peak_bytes"] / 2.0 ** 20, row["digest"]))
    print()
    print("| growth | fixed | from | to | time ratio (10x size) |")
    print("|---|---:|---:|---:|---:|")
    for fixed, smaller, larger, ratio in growth(rows, "files", "links", FILE_COUNTS):
        print("| files | %d links | %d | %d | %.2f |" % (fixed, smaller, larger, ratio))
    for fixed, smaller, larger, ratio in growth(rows, "links", "files", LINK_COUNTS):
        print("| links | %d files | %d | %d | %.2f |" % (fixed, smaller, larger, ratio))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (the median and the fastest are reported)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = []
    for file_count in FILE_COUNTS:
        with tempfile.TemporaryDirectory(prefix="hostnet-bench-") as root:
            files, dropin_count = synthetic_root.write_root(root, file_count)
            for link_count in LINK_COUNTS:
                seconds, fastest, peak, digest = measure(root, link_count, args.repeat)
                rows.append({"files": files, "dropins": dropin_count, "links": link_count, "seconds": seconds,
                             "fastest_seconds": fastest, "peak_bytes": peak, "digest": digest})
                print("files=%d links=%d: %.3f s, %.1f MiB" % (files, link_count, seconds, peak / 2.0 ** 20),
                      file=sys.stderr)
    print_tables(rows)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as stream:
            json.dump(rows, stream, indent=1)


if __name__ == "__main__":
    main()
