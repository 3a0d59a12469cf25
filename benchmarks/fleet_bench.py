# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet: wall time of four workloads on N lab containers, side by side in one run.

(a) ping, the floor; (b) the audit playbook hostnet.networkd.audit; (c) a
converged re-run of the role docker_host_network; (d) the hand-written
playbook with builtin modules. For each fleet size the containers are
started and laid out, (c) and (d) run once untimed to converge the hosts,
then the workloads run in turn, ``--repeat`` rounds of a, b, c, d, so that a
noisy moment hits every workload alike; the median of each is reported.
Every workload uses benchmarks/fleet/ansible.cfg and --forks N. The bench
containers are removed at the end, and on failure.

Run it under the lab lock (make bench does): Molecule and the bench must not
share the machine while it measures.

Usage: PATH=.venv/bin:$PATH ANSIBLE_COLLECTIONS_PATH=.build/collections python benchmarks/fleet_bench.py [--sizes 5 10 20]
"""

from __future__ import annotations

import argparse
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


def bench_size(size, image, cgroup, repeat):
    """Start ``size`` containers, measure every workload ``repeat`` times, remove them."""
    names = lab_fleet.container_names(size)
    try:
        lab_fleet.start(names, image, cgroup)
        for name in names:
            lab_fleet.wait_for_networkd(name)
            lab_fleet.lay_out(name)
        with tempfile.TemporaryDirectory(prefix="hostnet-bench-") as workdir:
            inventory = write_inventory(workdir, names)
            for workload in ("role", "handwritten"):
                run_playbook(workload, inventory, size, workdir)     # converge; not timed
            runs = {workload: [] for workload in WORKLOADS}
            for round_number in range(1, repeat + 1):
                for workload in WORKLOADS:
                    seconds, changed = run_playbook(workload, inventory, size, workdir)
                    runs[workload].append({"seconds": seconds, "changed": changed})
                    print("N=%d round %d %s: %.2f s, changed=%d" % (size, round_number, workload, seconds, changed),
                          file=sys.stderr, flush=True)
        return {"hosts": size, "systemd": lab_fleet.systemd_version(names[0]), "runs": runs,
                "median": {workload: statistics.median(run["seconds"] for run in runs[workload]) for workload in runs}}
    finally:
        lab_fleet.remove_all()


def print_table(results):
    print("| hosts | (a) ping | (b) audit | (c) role, converged | (d) hand-written | b/a | c/a | d/c |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        median = result["median"]
        print("| %d | %.2f s | %.2f s | %.2f s | %.2f s | %.2f | %.2f | %.2f |" % (
            result["hosts"], median["ping"], median["audit"], median["role"], median["handwritten"],
            median["audit"] / median["ping"], median["role"] / median["ping"], median["handwritten"] / median["role"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 20], help="fleet sizes")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per workload (the median is reported)")
    parser.add_argument("--image", default=os.environ.get("HOSTNET_LAB_IMAGE_DEBIAN13", "hostnet-lab:trixie"))
    parser.add_argument("--json", help="also write every run to this file")
    args = parser.parse_args()
    cgroup = subprocess.run(["sh", os.path.join(FLEET_DIR, os.pardir, os.pardir, "lab", "detect-cgroup.sh")],
                            check=True, capture_output=True, text=True).stdout.strip()
    lab_fleet.remove_all()    # leftovers of an interrupted run
    results = [bench_size(size, args.image, cgroup, args.repeat) for size in args.sizes]
    print_table(results)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as stream:
            json.dump(results, stream, indent=1)


if __name__ == "__main__":
    main()
