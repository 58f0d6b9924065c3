"""Network namespace helpers: bring the loopback interface up inside a fresh namespace."""

from __future__ import annotations

import fcntl
import socket
import struct

__all__ = ["bring_loopback_up"]

_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1


def bring_loopback_up() -> None:
    """Set ``IFF_UP`` on ``lo`` (needs CAP_NET_ADMIN in the namespace)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = struct.pack("16sH14s", b"lo", 0, b"\0" * 14)
        res = fcntl.ioctl(s.fileno(), _SIOCGIFFLAGS, ifreq)
        flags = struct.unpack("16sH14s", res)[1] | _IFF_UP
        fcntl.ioctl(s.fileno(), _SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags, b"\0" * 14))
