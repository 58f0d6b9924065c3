"""Bulk relay for linked sockets: large non-blocking reads and writes straight on the descriptors.

Used by :meth:`codex_core.network.relay.Endpoint.link` once a tunnel has moved enough bytes to be
a bulk transfer, when both endpoints are plain sockets on a selector event loop with nothing
buffered; short exchanges stay on the asyncio protocol relay. Each readiness callback moves up to
1 MiB per system call through a per-thread scratch buffer (only an unsent remainder is copied),
which measured faster on loopback than both the protocol relay and ``splice(2)`` through a pipe
(see benchmarks/README.md). The asyncio transports stay paused (they keep owning the sockets and
close them); the relay works on duplicated file descriptors with its own readiness callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Callable

__all__ = ["BulkRelay", "bulk_available"]

_CHUNK = 1 << 20
_ROUNDS = 16
"""Reads per readiness callback before yielding to the event loop (fairness between tunnels)."""

_local = threading.local()


def _scratch() -> bytearray:
    buf: bytearray | None = getattr(_local, "buf", None)
    if buf is None:
        buf = _local.buf = bytearray(_CHUNK)
    return buf


def bulk_available(loop: asyncio.AbstractEventLoop) -> bool:
    return isinstance(loop, asyncio.SelectorEventLoop)


class _Direction:
    """One direction: ``src`` socket -> ``dst`` socket; ``pending`` holds what ``dst`` did not take yet."""

    def __init__(self, relay: BulkRelay, src: int, dst: int, shutdown_dst: Callable[[], None]) -> None:
        self.relay = relay
        self.src, self.dst = src, dst
        self.shutdown_dst = shutdown_dst
        self.pending = b""
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
        scratch = _scratch()
        for _ in range(_ROUNDS):
            if self.pending:
                try:
                    sent = os.write(self.dst, self.pending)
                except BlockingIOError:
                    break
                except OSError:
                    return self.relay.write_failed(self)
                self.pending = self.pending[sent:]
                if self.pending:
                    break  # the destination's buffer is full: wait until it is writable
            if self.eof:
                self._finish()
                return None
            try:
                n = os.readv(self.src, [scratch])
            except BlockingIOError:
                break
            except OSError:  # the source is gone, and it is the other direction's destination
                return self.relay.close()
            if n == 0:  # nothing is pending here: end-of-file can be passed on at once
                self.eof = True
                self._finish()
                return None
            with memoryview(scratch) as view:
                try:
                    sent = os.write(self.dst, view[:n])
                except BlockingIOError:
                    sent = 0
                except OSError:
                    return self.relay.write_failed(self)
                if sent < n:
                    self.pending = bytes(view[sent:n])
        self._want(read=not self.eof and not self.pending, write=bool(self.pending))
        return None

    def _finish(self) -> None:
        self._want(read=False, write=False)
        self.done = True
        with contextlib.suppress(OSError):
            self.shutdown_dst()
        self.relay.direction_done()

    def close(self) -> None:
        self._want(read=False, write=False)


class BulkRelay:
    """Relay bytes both ways between two connected sockets until both directions hit EOF."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        a: socket.socket,
        b: socket.socket,
        on_close: Callable[[], None],
        *,
        forward: tuple[bool, bool] = (True, True),
    ) -> None:
        """``forward`` says which directions (``a -> b``, ``b -> a``) are relayed. A direction that
        is not (a framed HTTP request whose body is complete) is never read from: it counts as
        finished, without passing an end-of-file on."""
        self.loop = loop
        # socket buffers are left to the kernel's auto-tuning (setting SO_RCVBUF would pin them)
        first = os.dup(a.fileno())
        try:
            second = os.dup(b.fileno())
        except OSError:
            os.close(first)
            raise
        self._fds = (first, second)
        self._on_close = on_close
        self._closed = False
        fa, fb = self._fds
        self._dirs = (
            _Direction(self, fa, fb, lambda: b.shutdown(socket.SHUT_WR)),
            _Direction(self, fb, fa, lambda: a.shutdown(socket.SHUT_WR)),
        )
        for d, relayed in zip(self._dirs, forward, strict=True):
            d.done = not relayed

    def start(self) -> None:
        for d in self._dirs:
            if not d.done:
                d.pump()

    def direction_done(self) -> None:
        if all(d.done for d in self._dirs):
            self.close()

    def write_failed(self, direction: _Direction) -> None:
        """``direction`` cannot write any more (its destination reset or stopped reading): it stops,
        dropping what it held. The other direction reads from that same peer, which is going away,
        so it is left to deliver what it has and end on that peer's end-of-file or error."""
        direction._want(read=False, write=False)
        direction.pending, direction.eof = b"", True
        direction.done = True
        self.direction_done()

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
