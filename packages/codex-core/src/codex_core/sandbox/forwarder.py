"""In-namespace TCP -> unix-socket forwarder for the proxied network mode.

Runs inside the command's network namespace (which has only loopback), listening on
``127.0.0.1:<port>``; each accepted connection is relayed byte-for-byte to the host proxy's unix
socket. Single-threaded ``selectors`` loop; stops when ``should_stop()`` returns true.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import stat
import struct
from collections.abc import Callable, Sequence

__all__ = ["UdsTarget", "listen_loopback", "serve_forwarder"]

_CHUNK = 64 * 1024


class UdsTarget:
    """The host proxy's unix socket, opened safely.

    The directory is opened once (``O_PATH|O_DIRECTORY``) before the command starts; every
    connection then goes relative to that descriptor, refuses a socket path that is not a socket
    (a symlink, say), and checks the listener's ``SO_PEERCRED`` against the expected pid/uid. So
    even a command that could modify the directory cannot point the forwarder (which runs outside
    Landlock, with full capabilities) at some other host socket.
    """

    def __init__(self, path: str, *, peer_pid: int | None, peer_uid: int | None) -> None:
        directory, self.name = os.path.split(path)
        if not self.name or not directory:
            raise ValueError(f"proxy socket path must be absolute: {path!r}")
        self.path = path
        self.dir_fd = os.open(directory, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NOFOLLOW)
        self.peer_pid, self.peer_uid = peer_pid, peer_uid

    def connect(self) -> socket.socket:
        """A connected stream socket to the proxy; ``OSError`` when anything looks wrong."""
        st = os.stat(self.name, dir_fd=self.dir_fd, follow_symlinks=False)
        if not stat.S_ISSOCK(st.st_mode):
            raise PermissionError(f"{self.path} is not a socket")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            os.fchdir(self.dir_fd)  # single-threaded: connect relative to the pinned directory
            sock.connect(self.name)
            pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
            if (self.peer_pid is not None and pid != self.peer_pid) or (
                self.peer_uid is not None and uid != self.peer_uid
            ):
                raise PermissionError(f"{self.path}: unexpected listener (pid {pid}, uid {uid})")
        except BaseException:
            sock.close()
            raise
        return sock


def listen_loopback(port: int) -> socket.socket:
    """A listening TCP socket on ``127.0.0.1:port`` (``port`` 0 picks a free one)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(128)
    s.setblocking(False)
    return s


class _Pipe:
    """One direction of a relayed connection with a small pending buffer."""

    def __init__(self, src: socket.socket, dst: socket.socket) -> None:
        self.src, self.dst = src, dst
        self.pending = b""
        self.eof = False


def serve_forwarder(
    listeners: Sequence[tuple[socket.socket, UdsTarget]],
    *,
    should_stop: Callable[[], bool],
    tick: float = 0.2,
    wake_fds: Sequence[int] = (),
) -> None:
    """Relay connections accepted on each ``(listener, target)`` to ``target`` until stopped.

    ``should_stop`` is checked every ``tick`` seconds and whenever one of ``wake_fds`` (e.g. a
    pidfd of the command) becomes readable.
    """
    sel = selectors.DefaultSelector()
    for fd in wake_fds:
        sel.register(fd, selectors.EVENT_READ, ("wake", None))
    for lst, target in listeners:
        sel.register(lst, selectors.EVENT_READ, ("listen", target))
    pairs: dict[socket.socket, tuple[socket.socket, list[_Pipe]]] = {}

    def close_pair(s: socket.socket) -> None:
        entry = pairs.pop(s, None)
        if entry is None:
            return
        other = entry[0]
        pairs.pop(other, None)
        for sock in (s, other):
            with contextlib.suppress(KeyError, ValueError):
                sel.unregister(sock)
            sock.close()

    def update(s: socket.socket) -> None:
        if s not in pairs:
            return
        pipes = pairs[s][1]
        events = 0
        for p in pipes:
            if p.src is s and not p.eof and not p.pending:
                events |= selectors.EVENT_READ
            if p.dst is s and p.pending:
                events |= selectors.EVENT_WRITE
        with contextlib.suppress(KeyError):
            sel.unregister(s)
        if events:
            sel.register(s, events, ("conn", None))
        if all(p.eof and not p.pending for p in pipes):
            close_pair(s)

    while not should_stop():
        for key, mask in sel.select(tick):
            kind, target = key.data
            if kind == "wake":
                continue
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if kind == "listen":
                try:
                    client, _ = sock.accept()
                except BlockingIOError:
                    continue
                try:
                    upstream = target.connect()
                except OSError:
                    client.close()
                    continue
                client.setblocking(False)
                upstream.setblocking(False)
                pipes = [_Pipe(client, upstream), _Pipe(upstream, client)]
                pairs[client] = (upstream, pipes)
                pairs[upstream] = (client, pipes)
                update(client)
                update(upstream)
                continue
            if sock not in pairs:
                continue
            _, pipes = pairs[sock]
            for p in pipes:
                if mask & selectors.EVENT_READ and p.src is sock and not p.pending and not p.eof:
                    try:
                        data = sock.recv(_CHUNK)
                    except (BlockingIOError, InterruptedError):
                        data = None
                    except OSError:
                        data = b""
                    if data == b"":
                        p.eof = True
                        with contextlib.suppress(OSError):
                            p.dst.shutdown(socket.SHUT_WR)
                    elif data:
                        p.pending = data
                if mask & selectors.EVENT_WRITE and p.dst is sock and p.pending:
                    try:
                        sent = sock.send(p.pending)
                        p.pending = p.pending[sent:]
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        p.pending = b""
                        p.eof = True
                    if not p.pending and p.eof:
                        with contextlib.suppress(OSError):
                            p.dst.shutdown(socket.SHUT_WR)
            if sock in pairs:
                other = pairs[sock][0]
                update(sock)
                update(other)
    for s in list(pairs):
        close_pair(s)
    for lst, _ in listeners:
        lst.close()
