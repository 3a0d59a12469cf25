# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cProfile of one full audit of a synthetic host: where the library spends its time.

Usage: PYTHONPATH=.build/collections python benchmarks/profile_library.py [--files N] [--links N] [--top N]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile

import library_scale
import synthetic_root


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25, help="functions to show, by own time and by cumulative time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hostnet-bench-") as root:
        synthetic_root.write_root(root, args.files)
        links = synthetic_root.make_links(args.links)
        live = synthetic_root.live_values(links)
        library_scale.full_audit(root, links, live)    # warm the page cache
        profiler = cProfile.Profile()
        profiler.runcall(library_scale.full_audit, root, links, live)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
