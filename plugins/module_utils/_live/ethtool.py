# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A link's driver and permanent MAC address, asked of the kernel with the ethtool ioctl, as networkd does."""

from __future__ import annotations

from typing import Optional, Tuple

SIOCETHTOOL = 0x8946
ETHTOOL_GDRVINFO = 0x00000003
ETHTOOL_GPERMADDR = 0x00000020
IFNAMSIZ = 16
_DRVINFO_SIZE = 196          # struct ethtool_drvinfo
_PERMADDR_SPACE = 32         # MAX_ADDR_LEN
_IFREQ_SIZE = 40             # struct ifreq on 64-bit (32 on 32-bit; padding is harmless)


def _ioctl_socket():
    """A socket to run interface ioctls on: AF_INET, else AF_NETLINK (as systemd's socket_ioctl_fd())."""
    import socket
    try:
        return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    except OSError:
        return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)  # NETLINK_GENERIC


def _ethtool_command(sock, ifname, request):
    """Run SIOCETHTOOL with ``request`` as the ethtool buffer; returns the buffer after the call."""
    import array
    import fcntl
    import struct
    buffer = array.array("B", request)
    address = buffer.buffer_info()[0]
    ifreq = struct.pack("16sP", ifname, address)
    ifreq += b"\0" * max(0, _IFREQ_SIZE - len(ifreq))
    fcntl.ioctl(sock.fileno(), SIOCETHTOOL, ifreq)
    return buffer.tobytes()


def ethtool_ioctl(ifname: str) -> Tuple[Optional[str], Optional[str]]:
    """``(driver, permanent MAC)`` of ``ifname`` via ETHTOOL_GDRVINFO / ETHTOOL_GPERMADDR.

    Either is None when the kernel does not tell; no exception escapes.
    """
    try:
        import struct
        name = ifname.encode("utf-8")
        if not name or len(name) >= IFNAMSIZ:
            return None, None
        sock = _ioctl_socket()
    except Exception:  # pylint: disable=broad-except
        return None, None
    driver = permanent = None
    try:
        try:
            reply = _ethtool_command(sock, name, struct.pack("I", ETHTOOL_GDRVINFO) + b"\0" * (_DRVINFO_SIZE - 4))
            driver = reply[4:36].split(b"\0", 1)[0].decode("utf-8", "replace") or None
        except Exception:  # pylint: disable=broad-except
            driver = None
        try:
            reply = _ethtool_command(sock, name, struct.pack("II", ETHTOOL_GPERMADDR, _PERMADDR_SPACE)
                                     + b"\0" * _PERMADDR_SPACE)
            size = struct.unpack("I", reply[4:8])[0]
            data = reply[8:8 + size] if 0 < size <= _PERMADDR_SPACE else b""
            if data and any(data):
                permanent = ":".join("%02x" % byte for byte in bytearray(data))
        except Exception:  # pylint: disable=broad-except
            permanent = None
    finally:
        try:
            sock.close()
        except Exception:  # pylint: disable=broad-except
            pass
    return driver, permanent
