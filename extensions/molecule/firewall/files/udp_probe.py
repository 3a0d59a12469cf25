# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send one UDP datagram from one network namespace to another and report whether it arrived and the answer came back.

Usage: udp_probe.py SRC_NETNS DST_NETNS DST_ADDRESS

Both namespaces live inside the lab container, behind its own veth links: the datagram crosses
the container's root namespace (which forwards, or drops, it) and nothing else. A receiver in
DST_NETNS waits for the datagram and answers it; the sender in SRC_NETNS waits for the answer.
Prints JSON: {"delivered": bool, "answered": bool, "seen_from": source address or null}.
"""

import json
import subprocess
import sys

PORT = 40404
RECEIVER = r"""
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
sock = socket.socket(family, socket.SOCK_DGRAM)
sock.bind((sys.argv[1], int(sys.argv[2])))
sock.settimeout(3)
print("ready", flush=True)
try:
    data, peer = sock.recvfrom(100)
    sock.sendto(b"answer:" + data, peer)
    print(peer[0], flush=True)
except socket.timeout:
    print("", flush=True)
"""
SENDER = r"""
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
sock = socket.socket(family, socket.SOCK_DGRAM)
sock.settimeout(2)
sock.sendto(b"hostnet-probe", (sys.argv[1], int(sys.argv[2])))
try:
    print(sock.recvfrom(100)[0].decode(), flush=True)
except socket.timeout:
    print("", flush=True)
"""


def main():
    source, destination, address = sys.argv[1:4]
    receiver = subprocess.Popen(["ip", "netns", "exec", destination, "python3", "-c", RECEIVER, address, str(PORT)],
                                stdout=subprocess.PIPE, universal_newlines=True)
    if receiver.stdout.readline().strip() != "ready":
        sys.exit("the receiver in %s did not start" % destination)
    sender = subprocess.run(["ip", "netns", "exec", source, "python3", "-c", SENDER, address, str(PORT)],
                            stdout=subprocess.PIPE, universal_newlines=True, check=True)
    seen_from = receiver.communicate(timeout=10)[0].strip()
    print(json.dumps({
        "delivered": bool(seen_from),
        "answered": sender.stdout.strip() == "answer:hostnet-probe",
        "seen_from": seen_from or None,
    }))


if __name__ == "__main__":
    main()
