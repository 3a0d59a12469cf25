# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host side of one module run: the CPU it costs inside a lab container, next to ping's.

The fleet bench times whole playbooks; this isolates what a module costs the host it runs on.
It starts one lab container laid out as the fleet bench's hosts are, keeps the AnsiballZ file
of each module (ANSIBLE_KEEP_REMOTE_FILES), then runs each file ``--runs`` times per round with
``docker exec <host> python3 <file>``, rounds interleaved so that a noisy minute hits every
module alike. The CPU is read from the container's cgroup around each batch: everything the run
starts inside the container counts (the module's commands, PID 1 answering systemctl), and
docker exec's own cost outside the container does not, nor does anything else on the machine.

To see where a module's cost goes, edit its kept file on the host (the payload is a zip; its
``explode`` and ``execute`` subcommands are AnsiballZ's own) and pass it with ``--file``.

Usage: PATH=.venv/bin:$PATH ANSIBLE_COLLECTIONS_PATH=.build/collections \\
       python benchmarks/host_cost.py --lock /tmp/hostnet-molecule.lock [--runs 20] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fleet"))
import lab_fleet  # noqa: E402  (benchmarks/fleet/lab_fleet.py)
from fleet_bench import FLEET_DIR, holding, write_inventory  # noqa: E402

HOST = "hostnet-cost-1"
LABEL = "owner=hostnet-cost"
MODULES = {
    "ping": ("ansible.builtin.ping", ""),
    "audit": ("hostnet.networkd.networkd_forwarding", "state=audit"),
}
# Where Docker keeps a container's CPU time: (path, seconds per unit, line prefix in the file or None).
CPU_ACCOUNTING = (
    ("/sys/fs/cgroup/cpuacct/docker/{id}/cpuacct.usage", 1e-9, None),                    # v1, cgroupfs driver
    ("/sys/fs/cgroup/cpuacct/system.slice/docker-{id}.scope/cpuacct.usage", 1e-9, None),  # v1, systemd driver
    ("/sys/fs/cgroup/docker/{id}/cpu.stat", 1e-6, "usage_usec "),                         # v2, cgroupfs driver
    ("/sys/fs/cgroup/system.slice/docker-{id}.scope/cpu.stat", 1e-6, "usage_usec "),      # v2, systemd driver
)


def cpu_reader(container_id):
    """A function that returns the CPU seconds the container has used so far."""
    for template, unit, prefix in CPU_ACCOUNTING:
        path = template.format(id=container_id)
        if os.path.exists(path):
            def read(path=path, unit=unit, prefix=prefix):
                with open(path, encoding="ascii") as stream:
                    lines = stream.read().splitlines()
                value = lines[0] if prefix is None else next(line for line in lines if line.startswith(prefix))
                return int(value.split()[-1]) * unit
            return read
    raise RuntimeError("no CPU accounting found for container %s (looked for %s)"
                       % (container_id[:12], ", ".join(t.format(id="<id>") for t, _u, _p in CPU_ACCOUNTING)))


def keep_module_file(inventory, name, fqcn, arguments):
    """Run ``fqcn`` once with ansible, keeping its AnsiballZ file on the host as /root/cost-<name>.py."""
    lab_fleet.docker("exec", HOST, "rm", "-rf", "/root/.ansible/tmp")
    environment = dict(os.environ, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_PIPELINING="0",
                       ANSIBLE_CONFIG=os.path.join(FLEET_DIR, "ansible.cfg"))
    command = ["ansible", "-i", inventory, HOST, "-m", fqcn] + (["-a", arguments] if arguments else [])
    run = subprocess.run(command, env=environment, check=False, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("%s failed on %s: %s" % (fqcn, HOST, (run.stdout + run.stderr).strip()[-2000:]))
    path = "/root/cost-%s.py" % name
    lab_fleet.docker("exec", HOST, "sh", "-c", "cp /root/.ansible/tmp/*/AnsiballZ_*.py %s" % path)
    return path


def cost_per_run(read_cpu, path, runs):
    """The container's CPU seconds per ``docker exec <host> python3 <path>``, over ``runs`` runs."""
    before = read_cpu()
    for _run in range(runs):
        lab_fleet.docker("exec", HOST, "python3", path)
    return (read_cpu() - before) / runs


def measure(files, runs, rounds):
    read_cpu = cpu_reader(lab_fleet.docker("inspect", "--format", "{{.Id}}", HOST))
    costs = {name: [] for name in files}
    for round_number in range(1, rounds + 1):
        for name, path in files.items():
            costs[name].append(cost_per_run(read_cpu, path, runs))
            print("round %d %s: %.1f ms" % (round_number, name, costs[name][-1] * 1000), file=sys.stderr, flush=True)
    return costs


def print_table(costs):
    floor = statistics.median(costs["ping"])
    print("| module | CPU per run (median) | rounds | over ping |")
    print("|---|---:|---|---:|")
    for name, values in costs.items():
        median = statistics.median(values)
        rounds = ", ".join("%.0f" % (value * 1000) for value in values)
        print("| %s | %.0f ms | %s | %+.0f ms |" % (name, median * 1000, rounds, (median - floor) * 1000))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per module and round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (the median is reported)")
    parser.add_argument("--image", default=os.environ.get("HOSTNET_LAB_IMAGE_DEBIAN13", "hostnet-lab:trixie"))
    parser.add_argument("--file", action="append", default=[], metavar="NAME=PATH",
                        help="also measure this AnsiballZ file, already on the host")
    parser.add_argument("--keep", action="store_true", help="leave the container running (for --file experiments)")
    parser.add_argument("--lock", help="hold this lock file (flock) while the container exists")
    args = parser.parse_args()
    lab_fleet.LABEL = LABEL   # lab_fleet's helpers, this tool's container: remove_all() leaves the fleet bench's alone
    with holding(args.lock):
        try:
            if HOST not in lab_fleet.docker("ps", "--format", "{{.Names}}").split():
                lab_fleet.remove_all()
                lab_fleet.start_laid_out([HOST], args.image)
            with tempfile.TemporaryDirectory(prefix="hostnet-cost-") as workdir:
                inventory = write_inventory(workdir, [HOST])
                files = {name: keep_module_file(inventory, name, fqcn, arguments)
                         for name, (fqcn, arguments) in MODULES.items()}
            files.update(item.split("=", 1) for item in args.file)
            print_table(measure(files, args.runs, args.rounds))
        finally:
            if not args.keep:
                lab_fleet.remove_all()


if __name__ == "__main__":
    main()
