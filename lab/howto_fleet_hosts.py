# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the four lab hosts of docs/howto-fleet.md, each with forwarding broken its own way.

One container per lab image (systemd 247, 252, 257, 262), with the lab's options and no network
but its own: an ``uplink0`` veth managed by networkd (its peer in a network namespace of the
container) and a ``docker0`` bridge, as dockerd leaves it, with ``net.ipv4.ip_forward=1``. Then:

* hostnet-docs-debian11 (247): a CIS file, /etc/sysctl.d/60-cis.conf, sets net.ipv4.ip_forward = 0;
* hostnet-docs-debian12 (252): a catch-all 99-catchall.network (Name=*, DHCP=yes) grabs docker0;
* hostnet-docs-debian13 (257): IPv4Forwarding=no in networkd.conf.d, read when networkd started,
  and uplink0 is 0 already; dockerd started after networkd, so docker0 is 1;
* hostnet-docs-debian-sid (262): the same drop-in, written after networkd configured uplink0
  (uplink0 is 1 until the next reload), and IPForward=yes in the uplink's file, which 262 ignores.

The page's inventory reaches them with the docker connection. Run from the repository with the
lab images built (make lab): ``python lab/howto_fleet_hosts.py``; ``--remove`` removes them.
"""

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "benchmarks", "fleet"))
import lab_fleet  # noqa: E402  (benchmarks/fleet/lab_fleet.py: the lab's container options)

LABEL = "owner=hostnet-docs"
HOSTS = {   # name: image, as extensions/molecule/config.yml resolves it
    "hostnet-docs-debian11": os.environ.get("HOSTNET_LAB_IMAGE_DEBIAN11", "hostnet-lab:bullseye"),
    "hostnet-docs-debian12": os.environ.get("HOSTNET_LAB_IMAGE_DEBIAN12", "hostnet-lab:bookworm"),
    "hostnet-docs-debian13": os.environ.get("HOSTNET_LAB_IMAGE_DEBIAN13", "hostnet-lab:trixie"),
    "hostnet-docs-debian-sid": os.environ.get("HOSTNET_LAB_IMAGE_DEBIAN_SID", "hostnet-lab:sid"),
}
LINKS = """
set -e
ip netns add upstream
ip link add uplink0 type veth peer name eth0 netns upstream
ip -n upstream link set eth0 up
sysctl -qw net.ipv4.ip_forward=1
ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
"""
UPLINK_FILE = "/etc/systemd/network/10-uplink0.network"
UPLINK = "[Match]\nName=uplink0\n\n[Network]\nAddress=192.0.2.1/24\n"
HARDEN_FILE = "/etc/systemd/networkd.conf.d/10-harden.conf"
HARDEN = "# Hardening: no forwarding\n[Network]\nIPv4Forwarding=no\n"


def shell(name, script):
    """Run ``script`` in ``name``; returns its output."""
    return lab_fleet.docker("exec", name, "sh", "-c", script)


def write(name, path, text):
    subprocess.run(["docker", "exec", "-i", name, "sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "-", path],
                   input=text.encode(), check=True)


def start():
    lab_fleet.remove_all()
    cgroup = lab_fleet.lab_cgroup()
    for name, image in HOSTS.items():
        lab_fleet.start([name], image, cgroup)
    debian11, debian12, debian13, sid = HOSTS
    for name in HOSTS:
        lab_fleet.wait_for_networkd(name)
        shell(name, LINKS)
        write(name, UPLINK_FILE, UPLINK + ("" if name == debian13 else "IPForward=yes\n"))
        shell(name, "until networkctl reload 2>/dev/null; do sleep 1; done")
    write(debian11, "/etc/sysctl.d/60-cis.conf", "# CIS 3.2.2 Ensure IP forwarding is disabled\nnet.ipv4.ip_forward = 0\n")
    write(debian12, "/etc/systemd/network/99-catchall.network", "[Match]\nName=*\n\n[Network]\nDHCP=yes\n")
    shell(debian12, "networkctl reload")
    write(debian13, HARDEN_FILE, HARDEN)
    shell(debian13, "systemctl restart systemd-networkd")
    lab_fleet.wait_for_networkd(debian13)
    # dockerd starts after networkd: forwarding on again, then networkd configures uplink0 its way.
    shell(debian13, "sysctl -qw net.ipv4.ip_forward=1 && until networkctl reconfigure uplink0 2>/dev/null; do sleep 1; done")
    write(sid, HARDEN_FILE, HARDEN)
    for name in HOSTS:
        values = shell(name, "cat /proc/sys/net/ipv4/conf/uplink0/forwarding "
                             "/proc/sys/net/ipv4/conf/docker0/forwarding").split()
        print("%s: uplink0 %s, docker0 %s" % (name, values[0], values[1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--remove", action="store_true", help="remove the four hosts")
    args = parser.parse_args()
    lab_fleet.LABEL = LABEL   # lab_fleet's helpers, these hosts: remove_all() leaves the bench's alone
    if args.remove:
        lab_fleet.remove_all()
    else:
        start()


if __name__ == "__main__":
    main()
