"""A socket endpoint protocol: buffered reads during a handshake, then a flow-controlled relay.

After :meth:`Endpoint.link`, bytes received on one endpoint are written straight to the other's
transport (no per-chunk coroutine), and write-buffer pressure on one side pauses reading on the
other. Half-closes are propagated; when both directions are done, both transports close.

A direction may be *framed* (``link(..., framer=...)``): what the endpoint receives goes through
the :class:`Framer`, which passes on one message (an HTTP request body) and nothing after it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from codex_core.network.bulk import BulkRelay

__all__ = ["Endpoint", "Framer", "FramingError", "HandshakeError"]

log = logging.getLogger("codex_core.network")

_MAX_BUFFER = 256 * 1024
BULK_AFTER = 256 * 1024
"""Bytes relayed by the protocol relay before a connection is moved to the bulk relay."""


class HandshakeError(Exception):
    """The peer closed or sent too much before the handshake finished."""


class FramingError(Exception):
    """A framed direction received bytes that do not frame as the message it expects."""


class Framer(Protocol):
    """Frames one direction of a link: ``feed`` returns the part of ``data`` to pass on and
    raises :class:`FramingError` on malformed input; once ``done``, everything else is dropped."""

    @property
    def done(self) -> bool: ...

    def feed(self, data: bytes) -> bytes: ...


class _Dropped:
    """The framer of a direction that failed: nothing more is passed on."""

    done = True

    def feed(self, data: bytes) -> bytes:
        return b""


class Endpoint(asyncio.Protocol):
    """One TCP/UDS connection (client side or upstream side)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.eof = False
        self.closed = False
        self.peer: Endpoint | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._sent_eof = False
        self.relay: BulkRelay | None = None
        self._bulk_ok = False
        self._relayed = 0
        self.framer: Framer | None = None
        """When set, frames what this endpoint passes on to its peer (see :meth:`link`)."""
        self.delivered = False
        """Whether this endpoint has passed any byte on to its peer."""

    # -- asyncio.Protocol ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        peer = self.peer
        if peer is not None:
            if self.framer is not None:
                data = self._frame(data)
                if not data:
                    return
            self.delivered = True
            if peer.transport is not None and not peer.closed:
                peer.transport.write(data)
                if self._bulk_ok:
                    self._relayed += len(data)
                    if self._relayed >= BULK_AFTER:
                        self._try_bulk(peer)
            return
        self.buf += data
        if len(self.buf) > _MAX_BUFFER and self.transport is not None:
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        if self.peer is not None:
            self.peer._send_eof()
        return True  # keep the write side open (half-close)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()

    def pause_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None and not self.peer.closed:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None and not self.peer.closed:
            self.peer.transport.resume_reading()

    # -- handshake reads -------------------------------------------------------------------------

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _wait(self) -> None:
        if self.eof or self.closed:
            raise HandshakeError("connection closed during handshake")
        if self.transport is not None:
            self.transport.resume_reading()
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    async def read_until(self, sep: bytes, limit: int = 64 * 1024) -> bytes:
        """Bytes up to and including ``sep``."""
        while True:
            idx = self.buf.find(sep)
            if idx != -1:
                out = bytes(self.buf[: idx + len(sep)])
                del self.buf[: idx + len(sep)]
                return out
            if len(self.buf) > limit:
                raise HandshakeError("request head too large")
            await self._wait()

    async def read_through(self, find: Callable[[bytearray], int | None]) -> bytes:
        """The first ``find(buffer)`` bytes; ``find`` returns None to wait for more data and may
        raise to refuse what arrived so far."""
        while True:
            end = find(self.buf)
            if end is not None:
                out = bytes(self.buf[:end])
                del self.buf[:end]
                return out
            await self._wait()

    async def read_exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            await self._wait()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    async def peek(self, n: int = 1) -> bytes:
        while len(self.buf) < n:
            await self._wait()
        return bytes(self.buf[:n])

    # -- relay -----------------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(data)

    def close(self) -> None:
        if self.relay is not None:
            self.relay.close()
        if self.transport is not None:
            self.transport.close()

    def _send_eof(self) -> None:
        t = self.transport
        if t is None or self.closed or self._sent_eof:
            return
        self._sent_eof = True
        if self.eof or not t.can_write_eof():
            t.close()  # both directions done (close() flushes pending data first)
        else:
            t.write_eof()

    def _frame(self, data: bytes) -> bytes:
        framer = self.framer
        assert framer is not None
        if framer.done:
            return b""
        try:
            return framer.feed(data)
        except FramingError as exc:
            self.framer = _Dropped()
            self.framing_failed(str(exc))
            return b""

    def framing_failed(self, reason: str) -> None:
        """A framed direction got malformed input: nothing more of it is passed on and both
        connections close. Subclasses may answer the sender first."""
        log.debug("network proxy: closing a connection: %s", reason)
        if self.peer is not None:
            self.peer.close()
        self.close()

    def _bulkable(self) -> socket.socket | None:
        t = self.transport
        if t is None or self.closed or self.eof or self.buf or t.get_write_buffer_size():
            return None
        sock: socket.socket | None = t.get_extra_info("socket")
        return sock

    def link(self, other: Endpoint, *, bulk: bool = True, framer: Framer | None = None) -> None:
        """Relay all further bytes both ways; any buffered handshake leftovers are sent first.

        With ``framer``, what this endpoint sends on (leftovers included) is framed by it: the
        proxy passes one request body to the upstream and drops whatever the client sends after
        it. Once a connection has moved :data:`BULK_AFTER` bytes, it is handed to the bulk relay
        (:mod:`codex_core.network.bulk`); short exchanges stay here.
        """
        self.peer, other.peer = other, self
        self.framer = framer
        if bulk:
            from codex_core.network.bulk import bulk_available

            self._bulk_ok = other._bulk_ok = bulk_available(asyncio.get_running_loop())
        for a, b in ((self, other), (other, self)):
            if a.buf:
                data = bytes(a.buf)
                a.buf.clear()
                if a.framer is not None:
                    data = a._frame(data)
                if data:
                    a.delivered = True
                    b.write(data)
        for a, b in ((self, other), (other, self)):
            if a.closed:
                b.close()
            elif a.eof:
                b._send_eof()
        for e in (self, other):
            if e.transport is not None and not e.closed:
                e.transport.resume_reading()

    def _try_bulk(self, other: Endpoint) -> bool:
        """Move both directions to the bulk relay if nothing is buffered on either side.

        A framed direction must have finished its message first; it is not relayed any more
        (the bulk relay moves raw bytes and cannot frame)."""
        from codex_core.network.bulk import BulkRelay

        if any(e.framer is not None and not e.framer.done for e in (self, other)):
            return False
        fa, fb = self._bulkable(), other._bulkable()
        if fa is None or fb is None or other.eof:
            return False
        loop = asyncio.get_running_loop()
        self._bulk_ok = other._bulk_ok = False
        ta, tb = self.transport, other.transport
        assert ta is not None and tb is not None
        ta.pause_reading()
        tb.pause_reading()

        def on_close() -> None:
            ta.close()
            tb.close()

        relay = BulkRelay(loop, fa, fb, on_close, forward=(self.framer is None, other.framer is None))
        self.relay = other.relay = relay
        relay.start()
        return True
