"""Kernel-side relay for linked sockets on Linux (``os.splice`` through a pipe, no user copies).

Used by :meth:`codex_core.network.relay.Endpoint.link` when both endpoints are plain sockets on
a selector event loop with nothing buffered; otherwise the protocol relay is used. The asyncio
transports stay paused (they keep owning the sockets and close them); the relay works on
duplicated file descriptors so it can register its own readiness callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import socket
from collections.abc import Callable

__all__ = ["SpliceRelay", "splice_available"]

_CHUNK = 1 << 20
_FLAGS = getattr(os, "SPLICE_F_MOVE", 1) | getattr(os, "SPLICE_F_NONBLOCK", 2)
_F_SETPIPE_SZ = 1031
_SOCK_BUF = 4 << 20


def splice_available(loop: asyncio.AbstractEventLoop) -> bool:
    return hasattr(os, "splice") and isinstance(loop, asyncio.SelectorEventLoop)


class _Direction:
    """One direction: ``src`` socket -> pipe -> ``dst`` socket."""

    def __init__(self, relay: SpliceRelay, src: int, dst: int, shutdown_dst: Callable[[], None]) -> None:
        self.relay = relay
        self.src, self.dst = src, dst
        self.shutdown_dst = shutdown_dst
        self.pr, self.pw = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        with contextlib.suppress(OSError):
            fcntl.fcntl(self.pw, _F_SETPIPE_SZ, _CHUNK)
        self.pending = 0
        self.eof = False
        self.done = False
        self.reading = False
        self.writing = False

    def _want(self, read: bool, write: bool) -> None:
        loop = self.relay.loop
        if read != self.reading:
            if read:
                loop.add_reader(self.src, self.pump)
            else:
                loop.remove_reader(self.src)
            self.reading = read
        if write != self.writing:
            if write:
                loop.add_writer(self.dst, self.pump)
            else:
                loop.remove_writer(self.dst)
            self.writing = write

    def pump(self) -> None:
        try:
            while True:
                progressed = False
                if not self.eof and self.pending < _CHUNK:
                    try:
                        n = os.splice(self.src, self.pw, _CHUNK - self.pending, flags=_FLAGS)
                    except BlockingIOError:
                        n = -1
                    if n == 0:
                        self.eof = True
                    elif n > 0:
                        self.pending += n
                        progressed = True
                if self.pending:
                    try:
                        self.pending -= os.splice(self.pr, self.dst, self.pending, flags=_FLAGS)
                        progressed = True
                    except BlockingIOError:
                        pass
                if self.eof and not self.pending:
                    self._finish()
                    return
                if not progressed:
                    break
        except OSError:
            self.relay.close()
            return
        self._want(read=not self.eof and self.pending < _CHUNK, write=self.pending > 0)

    def _finish(self) -> None:
        self._want(read=False, write=False)
        self.done = True
        with contextlib.suppress(OSError):
            self.shutdown_dst()
        self.relay.direction_done()

    def close(self) -> None:
        self._want(read=False, write=False)
        for fd in (self.pr, self.pw):
            with contextlib.suppress(OSError):
                os.close(fd)


class SpliceRelay:
    """Relay bytes both ways between two connected sockets until both directions hit EOF."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, a: socket.socket, b: socket.socket, on_close: Callable[[], None]
    ) -> None:
        self.loop = loop
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _SOCK_BUF)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SOCK_BUF)
        self._fds = (os.dup(a.fileno()), os.dup(b.fileno()))
        self._on_close = on_close
        self._closed = False
        fa, fb = self._fds
        self._dirs = (
            _Direction(self, fa, fb, lambda: b.shutdown(socket.SHUT_WR)),
            _Direction(self, fb, fa, lambda: a.shutdown(socket.SHUT_WR)),
        )

    def start(self) -> None:
        for d in self._dirs:
            d.pump()

    def direction_done(self) -> None:
        if all(d.done for d in self._dirs):
            self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for d in self._dirs:
            d.close()
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._on_close()
