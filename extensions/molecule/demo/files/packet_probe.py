# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send one IPv4 packet from the wire side of a veth pair into the uplink, and report what the kernel did with it.

Usage: packet_probe.py WIRE UPLINK SRC DST

The frame leaves WIRE (the uplink's veth peer, standing for the cable) addressed to UPLINK's MAC, so the
kernel receives it on UPLINK exactly as a packet from the network for a container (DST) would arrive.
Both ends are links of the container's own network namespace: nothing leaves it.
Prints JSON: the IPv4 forwarding values of all, default and UPLINK, and the change of the /proc/net/snmp
counters that tell the packet's fate (ForwDatagrams: forwarded; InAddrErrors: dropped, here because
UPLINK does not forward).
"""

import json
import socket
import struct
import sys
import time

COUNTERS = ("ForwDatagrams", "InAddrErrors")


def snmp_ip():
    with open("/proc/net/snmp") as snmp:
        lines = [line.split() for line in snmp if line.startswith("Ip:")]
    return dict(zip(lines[0][1:], (int(value) for value in lines[1][1:])))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def mac(name):
    with open("/sys/class/net/%s/address" % name) as address:
        return bytes.fromhex(address.read().strip().replace(":", ""))


def frame(wire, uplink, src, dst):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4844, 1) + b"hostnet-demo"
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0x4844, 0, 64, socket.IPPROTO_ICMP, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return mac(uplink) + mac(wire) + b"\x08\x00" + header + icmp


def forwarding(name):
    with open("/proc/sys/net/ipv4/conf/%s/forwarding" % name) as value:
        return int(value.read())


def main():
    wire, uplink, src, dst = sys.argv[1:5]
    before = snmp_ip()
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as sock:
        sock.bind((wire, 0))
        sock.send(frame(wire, uplink, src, dst))
    time.sleep(0.3)
    after = snmp_ip()
    print(json.dumps({
        "forwarding": {name: forwarding(name) for name in ("all", "default", uplink)},
        "counters": {name: after[name] - before[name] for name in COUNTERS},
    }))


if __name__ == "__main__":
    main()
