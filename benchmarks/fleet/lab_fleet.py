# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bench fleet: lab containers named hostnet-bench-<i>, each laid out as a small Docker host.

The containers run with exactly the options of extensions/molecule/config.yml
(docs/internals/lab.md, "Container options, and why each", says why each is needed), with no network
but their own: every link the bench uses is created inside its container.
They carry the label owner=hostnet-bench, so remove_all() finds them even
after a crash, and never touches Molecule's platforms (debian11...).
"""

from __future__ import annotations

import os
import subprocess
import time

NAME_PREFIX = "hostnet-bench-"
LABEL = "owner=hostnet-bench"
PROJECT_LABEL = "project=hostnet.networkd"   # every container of this project's lab: make clean-lab
BOOT_COMMAND = "mount -o remount,rw,bind /proc/sys && exec /lib/systemd/systemd"

# An uplink veth whose file gives it an address, and a docker0 bridge with three container veths,
# as dockerd leaves them (docker0's address set by dockerd, not by networkd).
LAYOUT_SCRIPT = """
set -e
ip link add uplink0 type veth peer name uplink0p
ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
for i in 0 1 2; do
    ip link add veth$i type veth peer name veth${i}c
    ip link set veth$i master docker0
    ip link set veth$i up
    ip link set veth${i}c up
done
ip link set docker0 up
ip link set uplink0p up
printf '[Match]\\nName=uplink0\\n\\n[Network]\\nAddress=192.0.2.1/24\\nConfigureWithoutCarrier=yes\\n' \\
    > /etc/systemd/network/10-uplink.network
# networkd can be active before the system bus answers networkctl: try for up to 30 s.
tries=0
until networkctl reload; do
    tries=$((tries + 1))
    [ "$tries" -lt 30 ] || exit 1
    sleep 1
done
"""


def docker(*args, check=True):
    result = subprocess.run(("docker",) + args, check=False, capture_output=True, text=True)
    if check and result.returncode != 0:
        message = (result.stderr or result.stdout).strip()
        raise RuntimeError("docker %s failed (rc %d): %s" % (" ".join(args[:2]), result.returncode, message))
    return result.stdout.strip()


def container_names(count):
    return ["%s%d" % (NAME_PREFIX, index) for index in range(1, count + 1)]


def start(names, image, cgroup):
    """Start one container per name with the lab's options."""
    for name in names:
        docker("run", "--detach", "--name", name, "--hostname", name, "--label", LABEL, "--label", PROJECT_LABEL,
               "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN",
               "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
               "--cgroupns", "host", "--volume", "%s:/sys/fs/cgroup:rw" % cgroup,
               "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",
               "--network", "none", image, "/bin/sh", "-c", BOOT_COMMAND)


def lab_cgroup():
    """The cgroup directory lab containers mount at /sys/fs/cgroup (lab/detect-cgroup.sh)."""
    detect = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "lab", "detect-cgroup.sh")
    return subprocess.run(["sh", detect], check=True, capture_output=True, text=True).stdout.strip()


def start_laid_out(names, image):
    """Start one container per name, each with networkd running and laid out as a small Docker host."""
    start(names, image, lab_cgroup())
    for name in names:
        wait_for_networkd(name)
        lay_out(name)


def wait_for_networkd(name, timeout=120):
    """Wait until systemd-networkd runs in ``name``."""
    deadline = time.monotonic() + timeout
    while docker("exec", name, "systemctl", "is-active", "systemd-networkd", check=False) != "active":
        if time.monotonic() > deadline:
            raise RuntimeError("%s: systemd-networkd is not active after %d s" % (name, timeout))
        time.sleep(1)


def lay_out(name):
    docker("exec", name, "/bin/sh", "-c", LAYOUT_SCRIPT)


def systemd_version(name):
    return int(docker("exec", name, "networkctl", "--version").split()[1])


def remove_all():
    """Remove every bench container, running or not."""
    names = docker("ps", "--all", "--quiet", "--filter", "label=" + LABEL).split()
    if names:
        docker("rm", "--force", "--volumes", *names)
