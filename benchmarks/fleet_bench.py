# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet: wall time of four workloads on N lab containers, side by side in one run.

(a) ping, the floor; (b) the audit playbook hostnet.networkd.audit; (c) a
converged re-run of the role docker_host_network; (d) the hand-written
playbook with builtin modules. For each fleet size the containers are
started and laid out, the role runs once untimed to converge the hosts (the
hand-written playbook writes the same values, so it finds them converged too),
then the workloads run in turn, ``--repeat`` rounds of a, b, c (and d), so that
a noisy moment hits every workload alike; the median of each is reported. (d)
takes ten to forty times as long as the others, so it runs in the first
``--handwritten-repeat`` rounds only: the short workloads get more rounds, and
their medians hold better on a machine whose speed drifts from one run to the
next, for the same time. A timed run of (c) or (d) that changes anything stops
the bench: it would not measure a converged run.
Every workload uses benchmarks/fleet/ansible.cfg and --forks N. The bench
containers are removed at the end of each fleet size, and on failure.

Molecule and the bench must not share the machine while it measures: with
--lock (make bench passes the lab lock, /tmp/hostnet-molecule.lock) each fleet
size takes the lock before its containers start and gives it back once they
are removed, so a run of several sizes lets Molecule in between them.

Usage: PATH=.venv/bin:$PATH ANSIBLE_COLLECTIONS_PATH=.build/collections \
       python benchmarks/fleet_bench.py --lock /tmp/hostnet-molecule.lock [--sizes 5 10 20] [--repeat 7]
       [--handwritten-repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fleet"))
import lab_fleet  # noqa: E402  (benchmarks/fleet/lab_fleet.py)

FLEET_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fleet")
WORKLOADS = {
    "ping": [os.path.join(FLEET_DIR, "ping.yml")],
    "audit": ["hostnet.networkd.audit"],
    "role": [os.path.join(FLEET_DIR, "role.yml")],
    "handwritten": [os.path.join(FLEET_DIR, "handwritten.yml")],
}
RECAP = re.compile(r"^\S+\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


def write_inventory(directory, names):
    path = os.path.join(directory, "inventory.ini")
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("[bench]\n%s\n\n[bench:vars]\n" % "\n".join(names))
        # Reached as root through `docker exec`: the audit playbook's become has nothing to do,
        # and the lab images have no sudo.
        stream.write("ansible_connection=community.docker.docker\nansible_become=false\n")
    return path


def run_playbook(workload, inventory, forks, workdir):
    """Run one workload; returns (seconds, changed tasks over all hosts). Fails on any failed host."""
    environment = dict(os.environ, ANSIBLE_CONFIG=os.path.join(FLEET_DIR, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    command = ["ansible-playbook", "-i", inventory, "--forks", str(forks),
               "-e", "hostnet_audit_report_dir=" + os.path.join(workdir, "audit-report")] + WORKLOADS[workload]
    start = time.perf_counter()
    result = subprocess.run(command, check=False, capture_output=True, text=True, cwd=workdir, env=environment)
    seconds = time.perf_counter() - start
    recap = RECAP.findall(result.stdout)
    if result.returncode != 0 or not recap or any(int(failed) or int(unreachable) for changed, unreachable, failed in recap):
        raise RuntimeError("%s failed (rc %d):\n%s\n%s" % (workload, result.returncode, result.stdout[-4000:], result.stderr[-2000:]))
    return seconds, sum(int(changed) for changed, unreachable, failed in recap)


@contextlib.contextmanager
def holding(lock_path):
    """Hold the lab lock (flock(1)'s lock on ``lock_path``) inside the block; no lock when it is None."""
    if lock_path is None:
        yield
        return
    with open(lock_path, "a", encoding="utf-8") as lock:
        started = time.monotonic()
        fcntl.flock(lock, fcntl.LOCK_EX)
        print("lock %s taken after %.0f s" % (lock_path, time.monotonic() - started), file=sys.stderr, flush=True)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    time.sleep(10)    # flock is not fair: give a Molecule run that waits for the lock the time to take it


def bench_size(size, image, repeat, handwritten_repeat):
    """Start ``size`` containers, measure the workloads in ``repeat`` rounds (d in the first ``handwritten_repeat``), remove them."""
    names = lab_fleet.container_names(size)
    started = time.monotonic()
    try:
        lab_fleet.remove_all()    # leftovers of an interrupted run
        lab_fleet.start_laid_out(names, image)
        with tempfile.TemporaryDirectory(prefix="hostnet-bench-") as workdir:
            inventory = write_inventory(workdir, names)
            run_playbook("role", inventory, size, workdir)     # converge; not timed
            runs = {workload: [] for workload in WORKLOADS}
            for round_number in range(1, repeat + 1):
                for workload in WORKLOADS:
                    if workload == "handwritten" and round_number > handwritten_repeat:
                        continue
                    seconds, changed = run_playbook(workload, inventory, size, workdir)
                    runs[workload].append({"seconds": seconds, "changed": changed})
                    print("N=%d round %d %s: %.2f s, changed=%d" % (size, round_number, workload, seconds, changed),
                          file=sys.stderr, flush=True)
                    if workload in ("role", "handwritten") and changed:
                        raise RuntimeError("%s changed %d things on hosts the role had converged" % (workload, changed))
        print("N=%d done in %.0f s" % (size, time.monotonic() - started), file=sys.stderr, flush=True)
        return {"hosts": size, "systemd": lab_fleet.systemd_version(names[0]), "runs": runs,
                "median": {workload: statistics.median(run["seconds"] for run in runs[workload]) for workload in runs}}
    finally:
        lab_fleet.remove_all()


def machine():
    """The machine and the versions the numbers depend on, as docs/performance.md reports them."""
    def output(*command):
        return subprocess.run(command, check=False, capture_output=True, text=True).stdout.strip()

    with open("/proc/meminfo", encoding="utf-8") as stream:
        memory_kib = int(next(line.split()[1] for line in stream if line.startswith("MemTotal:")))
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": os.uname().release,
        "python": sys.version.split()[0],
        "ansible_core": output("ansible", "--version").splitlines()[0],
        "docker": output("docker", "version", "--format", "client {{.Client.Version}}, server {{.Server.Version}}"),
        "load_average_at_start": os.getloadavg(),
    }


GOALS = "goals (issue 7): b/a <= 1.3, c/a <= 3, d/c >= 5"


def print_table(results):
    print("| hosts | (a) ping | (b) audit | (c) role, converged | (d) hand-written | b/a | c/a | d/c |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        median = result["median"]
        ratios = (median["audit"] / median["ping"], median["role"] / median["ping"], median["handwritten"] / median["role"])
        met = (ratios[0] <= 1.3, ratios[1] <= 3, ratios[2] >= 5)
        print("| %d | %.2f s | %.2f s | %.2f s | %.2f s | %s |" % (
            result["hosts"], median["ping"], median["audit"], median["role"], median["handwritten"],
            " | ".join("%.2f%s" % (ratio, "" if ok else " (missed)") for ratio, ok in zip(ratios, met))))
    print(GOALS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 20], help="fleet sizes")
    parser.add_argument("--repeat", type=int, default=7, help="rounds of timed runs (the median of each workload is reported)")
    parser.add_argument("--handwritten-repeat", type=int, default=3,
                        help="rounds in which the hand-written playbook runs too (the first ones)")
    parser.add_argument("--image", default=os.environ.get("HOSTNET_LAB_IMAGE_DEBIAN13", "hostnet-lab:trixie"))
    parser.add_argument("--json", help="also write every run to this file")
    parser.add_argument("--lock", help="hold this lock file (flock) while each fleet size runs")
    args = parser.parse_args()
    host = machine()
    print("machine: %s" % json.dumps(host), file=sys.stderr, flush=True)
    results = []
    for size in args.sizes:
        with holding(args.lock):
            results.append(bench_size(size, args.image, args.repeat, min(args.handwritten_repeat, args.repeat)))
    print_table(results)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as stream:
            json.dump({"machine": host, "image": args.image, "results": results}, stream, indent=1)


if __name__ == "__main__":
    main()
