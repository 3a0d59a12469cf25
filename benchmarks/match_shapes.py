# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Match shapes: networkd_forwarding on [Match] shapes the issue 19 generator does not write.

For each shape of synthetic_root.SHAPES (``Name=*0``, ``Name=?eth3*``, ``Driver=*net``,
``Path=*:03.0``, negated globs, long name lists...), ``--files`` .network files of that shape and
the links of synthetic_root.mixed_links() (``--links``). The module's main() runs in a process of
its own for each collection (``patch_module_args``, stdout to memory, so without Ansible around
it: module_scale.py measures that), the fastest of ``--repeat`` runs. Printed: the seconds, the
result's size, and whether the collections give the same answers (``links``, ``network_files``,
``unused_network_files``; the warnings may be folded differently).

Usage: PATH=.venv/bin:$PATH PYTHONPATH=.build/collections python benchmarks/match_shapes.py [--commit LABEL=REV]
       [--collection LABEL=PATH] [--shapes suffix ...] [--files N] [--links N] [--repeat N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import module_scale
import synthetic_root

COMPARED = ("links", "network_files", "unused_network_files")
RUNNER = """
import io, json, sys, time
from ansible.module_utils.testing import patch_module_args
from ansible_collections.hostnet.networkd.plugins.modules import networkd_forwarding
arguments = json.load(open(sys.argv[1]))
captured, sys.stdout = sys.stdout, io.StringIO()
start = time.perf_counter()
with patch_module_args(arguments):
    try:
        networkd_forwarding.main()
    except SystemExit:
        pass
seconds = time.perf_counter() - start
printed, sys.stdout = sys.stdout.getvalue(), captured
result = json.loads(printed)
print(json.dumps({"seconds": seconds, "bytes": len(printed), "failed": bool(result.get("failed")),
                  "answers": {key: result.get(key) for key in sys.argv[2:]}}))
"""


def run_once(collections_path, arguments_file):
    environment = dict(os.environ, PYTHONPATH=collections_path)
    output = subprocess.run([sys.executable, "-c", RUNNER, arguments_file] + list(COMPARED), env=environment,
                            check=True, capture_output=True, text=True).stdout
    measured = json.loads(output)
    if measured["failed"]:
        raise RuntimeError("the module failed on %s" % arguments_file)
    answers = json.dumps(measured.pop("answers"), sort_keys=True)
    measured["digest"] = hashlib.sha256(answers.encode()).hexdigest()[:16]
    return measured


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collection", type=module_scale.labelled("path"), action="append", dest="measured",
                        metavar="LABEL=PATH", help="a collection checkout to measure (repeatable)")
    parser.add_argument("--commit", type=module_scale.labelled("commit"), action="append", dest="measured",
                        metavar="LABEL=REV", help="the collection at a commit of this repository (repeatable)")
    parser.add_argument("--shapes", nargs="+", default=sorted(synthetic_root.SHAPES), choices=sorted(synthetic_root.SHAPES))
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per shape and collection (the fastest is kept)")
    args = parser.parse_args()
    measured = args.measured or [("path", "this-tree", module_scale.REPOSITORY)]
    labels = [label for _kind, label, _value in measured]
    print("| shape | files | links | " + " | ".join("%s: seconds | %s: result" % (label, label) for label in labels)
          + " | same answers |")
    print("|---|---:|---:|" + "---:|---:|" * len(labels) + "---|")
    with tempfile.TemporaryDirectory(prefix="hostnet-shapes-") as workdir:
        collections = module_scale.prepare_collections(measured, workdir)
        links = synthetic_root.mixed_links(args.links)
        for shape in args.shapes:
            root = os.path.join(workdir, "root-" + shape)
            synthetic_root.write_tree(root, synthetic_root.shaped_network_files(shape, args.files, links))
            arguments_file = os.path.join(workdir, "arguments-%s.json" % shape)
            with open(arguments_file, "w", encoding="utf-8") as stream:
                json.dump({"root": root, "systemd_version": synthetic_root.VERSION, "links": links}, stream)
            cells, digests = [], set()
            for label in labels:
                runs = [run_once(collections[label], arguments_file) for _run in range(args.repeat)]
                fastest = min(runs, key=lambda run: run["seconds"])
                cells.append("%.2f s | %s" % (fastest["seconds"], module_scale.size_text(fastest["bytes"])))
                digests.update(run["digest"] for run in runs)
            same = "yes" if len(digests) == 1 else "no"
            print("| %s | %d | %d | %s | %s |" % (shape, args.files, args.links, " | ".join(cells), same), flush=True)


if __name__ == "__main__":
    main()
