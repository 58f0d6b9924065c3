"""Connect to an allowed unix socket without following symlinks planted after the policy check.

``connect(2)`` on ``AF_UNIX`` always follows symlinks, so connecting by path after checking it
leaves a window in which the path can be re-pointed at another socket. On Linux the canonical
path is opened component by component with ``O_PATH | O_NOFOLLOW`` (any symlink -> refused),
the final inode is checked to be a socket, and the connect goes through ``/proc/self/fd/<n>``,
which reaches exactly that inode. Elsewhere the canonical path is connected directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import socket
import stat
import sys

__all__ = ["connect_unix_pinned", "open_socket_path_nofollow"]

_PINNED = sys.platform.startswith("linux") and os.path.isdir("/proc/self/fd")
"""Whether connects can go through ``/proc/self/fd/<n>`` (Linux with /proc mounted)."""


def open_socket_path_nofollow(path: str) -> int:
    """An ``O_PATH`` fd for the socket inode at canonical ``path``; no component may be a symlink.

    Raises ``OSError`` (``ELOOP``/``ENOTDIR`` for a symlink, ``ENOTSOCK`` for a non-socket).
    """
    if not path.startswith("/"):
        raise OSError(errno.EINVAL, "not an absolute path", path)
    parts = [p for p in path.split("/") if p]
    if not parts or any(p in (".", "..") for p in parts):
        raise OSError(errno.EINVAL, "not a canonical path", path)
    flags = os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open("/", flags | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            nxt = os.open(part, flags | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        final = os.open(parts[-1], flags, dir_fd=fd)
    finally:
        os.close(fd)
    st = os.fstat(final)
    if not stat.S_ISSOCK(st.st_mode):
        os.close(final)
        what = "is a symlink" if stat.S_ISLNK(st.st_mode) else "is not a socket"
        raise OSError(errno.ENOTSOCK, what, path)
    return final


async def connect_unix_pinned(path: str) -> socket.socket:
    """A connected non-blocking ``AF_UNIX`` stream socket to canonical ``path`` (see module doc)."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        if _PINNED:
            fd = open_socket_path_nofollow(path)
            try:
                await loop.sock_connect(sock, f"/proc/self/fd/{fd}")
            finally:
                os.close(fd)
        else:
            await loop.sock_connect(sock, path)
    except BaseException:
        with contextlib.suppress(OSError):
            sock.close()
        raise
    return sock
