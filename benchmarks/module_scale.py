# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module scale: networkd_forwarding as a user runs it, `ansible localhost -m`, beside ansible.builtin.ping.

For each size (100, 1,000 and 10,000 .network files x 10, 100 and 1,000 links) a
root of issue 19's mix (synthetic_root.write_mixed_root()) is written to a
temporary directory and its links to a JSON vars file. The module runs as

    ansible localhost -i localhost, -c local -e @links.json -e ansible_python_interpreter=PYTHON \\
        -m hostnet.networkd.networkd_forwarding -a 'root=ROOT systemd_version=257 links={{ bench_links }}'

so the time includes everything a user waits for: the controller templating
the links, AnsiballZ, argument validation, the audit, exit_json and the
controller reading and printing the result (to a file here, not a terminal).
`ansible localhost -m ansible.builtin.ping` with the same vars file is the
baseline. Two floors run the module benchmarks/floor/read_network_files.py
with the same arguments. The reading floor validates the links and reads every
.network file and drop-in without parsing them: what any module that reads
those files through Ansible pays. The answer floor of a collection does the
same and then returns the result that collection's module printed (``answer=``):
what any module pays that reads these files and gives that answer, so that
(module - answer floor) is the module's own work. Each size runs ``--rounds``
rounds, and a round is ping, the reading floor, then the answer floor and the
module of each collection measured (collections in an order that rotates from
round to round), so that a noisy moment hits all of them alike; "beyond ping"
is the median over the rounds of (module - ping of the same round), in wall
time and in CPU time (of ansible, its workers and the module, from wait4),
which a machine shared with other work inflates far less.

Before the rounds, one untimed run per collection goes through an interpreter
wrapper that records the peak RSS of the module's process (``wait4``) and the
bytes it printed (the result, ``invocation`` included), and digests of the
answers that must not depend on the collection's version (``links``,
``global``, ``sysctl``, ``evidence`` and the warnings).

``--collection LABEL=PATH`` measures the collection checked out at PATH,
``--commit LABEL=REV`` the collection at a commit of this repository (exported
with git archive); several may be given, to compare them in one run. Without
either, the tree this script is in is measured.

Usage: PATH=.venv/bin:$PATH PYTHONPATH=.build/collections python benchmarks/module_scale.py [--rounds N] [--commit before=REV]
       [--collection after=PATH] [--files 100 1000 10000] [--links 10 100 1000] [--json FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import synthetic_root

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
FILE_COUNTS = (100, 1000, 10000)
LINK_COUNTS = (10, 100, 1000)
VERSION = 257
MODULE = "hostnet.networkd.networkd_forwarding"
FLOOR_LIBRARY = os.path.join(HERE, "floor")
FLOOR_MODULE = "read_network_files"
# The keys of the result whose content must not depend on the collection measured.
ANSWERS = ("systemd_version", "links", "global", "sysctl", "evidence", "warnings")
GOALS = ("goals (issue 19): at 10,000 files x 1,000 links <= 1 s beyond ping, a result < 2 MB and a peak RSS "
         "< 100 MiB; growth per 10x size <= 11")

WRAPPER = """#!{python}
# The module's interpreter for the measuring run: runs it, keeps its peak RSS and result size.
import json, os, subprocess, sys
child = subprocess.Popen([{python!r}] + sys.argv[1:], stdout=subprocess.PIPE)
data = child.stdout.read()
_pid, status, usage = os.wait4(child.pid, 0)
sys.stdout.buffer.write(data)
sys.stdout.flush()
with open({report!r}, "wb") as stream:
    stream.write(data)
with open({report!r} + ".rusage", "w") as stream:
    json.dump({{"peak_rss_kib": usage.ru_maxrss, "result_bytes": len(data)}}, stream)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def prepare_collections(measured, workdir):
    """{label: ANSIBLE_COLLECTIONS_PATH} for each (kind, label, path or revision) to measure, in the order given."""
    collections = {}
    for kind, label, value in measured:
        tree = os.path.abspath(value)
        if kind == "commit":
            tree = os.path.join(workdir, "trees", label)
            os.makedirs(tree)
            archive = subprocess.run(["git", "-C", REPOSITORY, "archive", value], check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
        collections[label] = link_collection(tree, os.path.join(workdir, "collections", label))
    return collections


def link_collection(tree, collections_path):
    namespace = os.path.join(collections_path, "ansible_collections", "hostnet")
    os.makedirs(namespace)
    os.symlink(tree, os.path.join(namespace, "networkd"))
    return collections_path


def ansible(collections_path, workdir, vars_file, python, module, arguments=None, output=os.devnull, library=None):
    """Run one ad-hoc command; returns (wall seconds, CPU seconds of it and its children). Fails unless it succeeded."""
    command = ["ansible", "localhost", "-i", "localhost,", "-c", "local", "-e", "@" + vars_file,
               "-e", "ansible_python_interpreter=" + python, "-m", module]
    if library:
        command += ["-M", library]
    if arguments:
        command += ["-a", arguments]
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR="1",
                       ANSIBLE_CONFIG=os.path.join(workdir, "ansible.cfg"))
    with open(output, "wb") as stream, tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=stream, stderr=errors, cwd=workdir, env=environment)
        # wait4: the CPU time of ansible, its workers and the module, which a busy machine inflates
        # far less than the wall time.
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-3000:]
            raise RuntimeError("%s failed (rc %d): %s" % (" ".join(command), process.returncode, message))
    return seconds, usage.ru_utime + usage.ru_stime


def module_arguments(root):
    return "root=%s systemd_version=%d links={{ bench_links }}" % (root, VERSION)


def result_path(workdir, label):
    """Where the measuring run keeps the result a collection's module printed: the answer floor returns it."""
    return os.path.join(workdir, "result-%s.json" % label)


def measuring_run(label, collections_path, workdir, vars_file, root, python):
    """The untimed run: the module's peak RSS, its result's size and the digest of its answers."""
    report = result_path(workdir, label)
    wrapper = os.path.join(workdir, "python-%s" % label)
    with open(wrapper, "w", encoding="utf-8") as stream:
        stream.write(WRAPPER.format(python=python, report=report))
    os.chmod(wrapper, 0o755)
    ansible(collections_path, workdir, vars_file, wrapper, MODULE, module_arguments(root))
    with open(report + ".rusage", encoding="utf-8") as stream:
        usage = json.load(stream)
    with open(report, "rb") as stream:
        result = json.loads(stream.read())
    answers = {key: result.get(key) for key in ANSWERS}
    usage["answers_digest"] = hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()[:16]
    usage["network_files"] = len(result["network_files"])
    return usage


def bench_size(file_count, link_count, collections, rounds, python, seed):
    """Every collection at one size: the measuring run, then ``rounds`` interleaved rounds."""
    with tempfile.TemporaryDirectory(prefix="hostnet-module-bench-") as workdir:
        with open(os.path.join(workdir, "ansible.cfg"), "w", encoding="utf-8") as stream:
            stream.write("[defaults]\nretry_files_enabled = false\n")
        links = synthetic_root.mixed_links(link_count, seed)
        root = os.path.join(workdir, "root")
        files, dropins = synthetic_root.write_mixed_root(root, file_count, links, seed)
        vars_file = os.path.join(workdir, "links.json")
        with open(vars_file, "w", encoding="utf-8") as stream:
            json.dump({"bench_links": links}, stream)
        row = {"files": files, "dropins": dropins, "links": link_count, "ping": [], "ping_cpu": [], "floor": [],
               "floor_cpu": [], "collections": {}}
        for label, path in collections.items():
            row["collections"][label] = dict(measuring_run(label, path, workdir, vars_file, root, python),
                                             seconds=[], cpu=[], answer_floor=[], answer_floor_cpu=[])
        labels = list(collections)
        any_path = collections[labels[0]]
        ansible(any_path, workdir, vars_file, python, "ansible.builtin.ping")    # warms ping up as the measuring runs did the module
        for number in range(rounds):
            seconds, cpu = ansible(any_path, workdir, vars_file, python, "ansible.builtin.ping")
            row["ping"].append(seconds)
            row["ping_cpu"].append(cpu)
            seconds, cpu = ansible(any_path, workdir, vars_file, python, FLOOR_MODULE, module_arguments(root),
                                   library=FLOOR_LIBRARY)
            row["floor"].append(seconds)
            row["floor_cpu"].append(cpu)
            for label in labels[number % len(labels):] + labels[:number % len(labels)]:
                measured = row["collections"][label]
                answer = "%s answer=%s" % (module_arguments(root), result_path(workdir, label))
                seconds, cpu = ansible(any_path, workdir, vars_file, python, FLOOR_MODULE, answer, library=FLOOR_LIBRARY)
                measured["answer_floor"].append(seconds)
                measured["answer_floor_cpu"].append(cpu)
                seconds, cpu = ansible(collections[label], workdir, vars_file, python, MODULE, module_arguments(root))
                measured["seconds"].append(seconds)
                measured["cpu"].append(cpu)
        for label, measured in row["collections"].items():
            measured["median"] = statistics.median(measured["seconds"])
            measured["beyond_ping"] = statistics.median(m - p for m, p in zip(measured["seconds"], row["ping"]))
            measured["cpu_beyond_ping"] = statistics.median(m - p for m, p in zip(measured["cpu"], row["ping_cpu"]))
            measured["answer_floor_beyond_ping"] = statistics.median(
                f - p for f, p in zip(measured["answer_floor"], row["ping"]))
            measured["beyond_answer_floor"] = statistics.median(
                m - f for m, f in zip(measured["seconds"], measured["answer_floor"]))
            print("files=%d links=%d %s: %.2f s, %.2f s beyond ping (CPU %.2f s), answer floor %.2f s beyond ping, "
                  "%.2f s beyond it, %.0f KB, %.1f MiB" % (
                      files, link_count, label, measured["median"], measured["beyond_ping"],
                      measured["cpu_beyond_ping"], measured["answer_floor_beyond_ping"],
                      measured["beyond_answer_floor"], measured["result_bytes"] / 1000.0,
                      measured["peak_rss_kib"] / 1024.0), file=sys.stderr, flush=True)
        row["ping_median"] = statistics.median(row["ping"])
        row["floor_beyond_ping"] = statistics.median(f - p for f, p in zip(row["floor"], row["ping"]))
        print("files=%d links=%d reading floor: %.2f s beyond ping" % (files, link_count, row["floor_beyond_ping"]),
              file=sys.stderr, flush=True)
        return row


def growth(rows, label, key, other, sizes):
    """(fixed, from, to, wall ratio, CPU ratio) of the time beyond ping along ``key`` with ``other`` fixed."""
    by_size = {(row[key], row[other]): row["collections"][label] for row in rows}
    ratios = []
    for fixed in sorted({row[other] for row in rows}):
        for smaller, larger in zip(sizes, sizes[1:]):
            if (smaller, fixed) in by_size and (larger, fixed) in by_size:
                small, large = by_size[(smaller, fixed)], by_size[(larger, fixed)]
                ratios.append((fixed, smaller, larger, ratio(large["beyond_ping"], small["beyond_ping"]),
                               ratio(large["cpu_beyond_ping"], small["cpu_beyond_ping"])))
    return ratios


def ratio(larger, smaller):
    return "%.2f" % (larger / smaller) if smaller > 0 else "-"


def print_tables(rows, labels, file_counts, link_counts):
    print("| .network files | drop-ins | links | collection | ping | reading floor beyond ping "
          "| answer floor beyond ping | module | beyond ping | CPU beyond ping | beyond answer floor | result "
          "| peak RSS | answers digest |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        for label in labels:
            measured = row["collections"][label]
            print("| %d | %d | %d | %s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %s "
                  "| %.1f MiB | %s |" % (
                      row["files"], row["dropins"], row["links"], label, row["ping_median"],
                      row["floor_beyond_ping"], measured["answer_floor_beyond_ping"], measured["median"],
                      measured["beyond_ping"], measured["cpu_beyond_ping"], measured["beyond_answer_floor"],
                      size_text(measured["result_bytes"]), measured["peak_rss_kib"] / 1024.0,
                      measured["answers_digest"]))
    print()
    print("| collection | growth | fixed | from | to | beyond ping, 10x size | CPU beyond ping, 10x size |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label in labels:
        for fixed, smaller, larger, wall, cpu in growth(rows, label, "files", "links", file_counts):
            print("| %s | files | %d links | %d | %d | %s | %s |" % (label, fixed, smaller, larger, wall, cpu))
        for fixed, smaller, larger, wall, cpu in growth(rows, label, "links", "files", link_counts):
            print("| %s | links | %d files | %d | %d | %s | %s |" % (label, fixed, smaller, larger, wall, cpu))
    print(GOALS)


def size_text(count):
    if count >= 1000000:
        return "%.2f MB" % (count / 1e6)
    return "%.0f KB" % (count / 1e3)


def labelled(kind):
    """An argparse type: LABEL=VALUE -> (kind, label, value)."""
    def parse(text):
        label, equals, value = text.partition("=")
        if not equals or not label or not value:
            raise argparse.ArgumentTypeError("expected LABEL=VALUE, got %r" % text)
        return kind, label, value
    return parse


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per size (medians are reported)")
    parser.add_argument("--collection", type=labelled("path"), action="append", dest="measured", metavar="LABEL=PATH",
                        help="a collection checkout to measure (repeatable; measured in the order given)")
    parser.add_argument("--commit", type=labelled("commit"), action="append", dest="measured", metavar="LABEL=REV",
                        help="the collection at a commit of this repository (repeatable)")
    parser.add_argument("--files", type=int, nargs="+", default=list(FILE_COUNTS))
    parser.add_argument("--links", type=int, nargs="+", default=list(LINK_COUNTS))
    parser.add_argument("--seed", type=int, default=0, help="the generator's seed (another seed, another host of the same mix)")
    parser.add_argument("--python", default=sys.executable, help="the module's interpreter (default: this one)")
    parser.add_argument("--json", help="also write every run to this file")
    args = parser.parse_args()
    measured = args.measured or [("path", "this-tree", REPOSITORY)]
    if len({label for _kind, label, _value in measured}) != len(measured):
        parser.error("two collections have the same label")
    if any(not label.replace("-", "").replace("_", "").isalnum() for _kind, label, _value in measured):
        parser.error("labels name files and interpreters: letters, digits, - and _ only")
    rows = []
    with tempfile.TemporaryDirectory(prefix="hostnet-module-collections-") as workdir:
        collections = prepare_collections(measured, workdir)
        for file_count in args.files:
            for link_count in args.links:
                rows.append(bench_size(file_count, link_count, collections, args.rounds, args.python, args.seed))
    print_tables(rows, list(collections), args.files, args.links)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as stream:
            json.dump({"load_average_at_end": os.getloadavg(), "rounds": args.rounds, "seed": args.seed, "rows": rows},
                      stream, indent=1)


if __name__ == "__main__":
    main()
