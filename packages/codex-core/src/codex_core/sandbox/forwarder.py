"""In-namespace TCP -> unix-socket forwarder for the proxied network mode.

Runs inside the command's network namespace (which has only loopback), listening on
``127.0.0.1:<port>``; each accepted connection is relayed byte-for-byte to the host proxy's unix
socket. Single-threaded ``selectors`` loop; stops when ``should_stop()`` returns true.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
from collections.abc import Callable, Sequence

__all__ = ["listen_loopback", "serve_forwarder"]

_CHUNK = 64 * 1024


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
    listeners: Sequence[tuple[socket.socket, str]],
    *,
    should_stop: Callable[[], bool],
    tick: float = 0.2,
    wake_fds: Sequence[int] = (),
) -> None:
    """Relay connections accepted on each ``(listener, uds_path)`` to ``uds_path`` until stopped.

    ``should_stop`` is checked every ``tick`` seconds and whenever one of ``wake_fds`` (e.g. a
    pidfd of the command) becomes readable.
    """
    sel = selectors.DefaultSelector()
    for fd in wake_fds:
        sel.register(fd, selectors.EVENT_READ, ("wake", None))
    for lst, path in listeners:
        sel.register(lst, selectors.EVENT_READ, ("listen", path))
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
            kind, path = key.data
            if kind == "wake":
                continue
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if kind == "listen":
                try:
                    client, _ = sock.accept()
                except BlockingIOError:
                    continue
                upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    upstream.connect(path)
                except OSError:
                    client.close()
                    upstream.close()
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
