"""Bounded output capture: keep the head and the tail, drop the middle."""

from __future__ import annotations

__all__ = ["DEFAULT_CAPTURE_BYTES", "HeadTailBuffer"]

DEFAULT_CAPTURE_BYTES = 1024 * 1024


class HeadTailBuffer:
    """At most ``limit`` bytes: the first ``limit // 2`` and the most recent rest."""

    def __init__(self, limit: int = DEFAULT_CAPTURE_BYTES) -> None:
        if limit < 2:
            raise ValueError("capture limit must be at least 2 bytes")
        self.limit = limit
        self._head = bytearray()
        self._tail = bytearray()
        self._head_cap = limit // 2
        self._tail_cap = limit - self._head_cap
        self.total = 0
        """Bytes written in total (kept or not)."""

    def write(self, data: bytes) -> None:
        self.total += len(data)
        room = self._head_cap - len(self._head)
        if room > 0:
            self._head += data[:room]
            data = data[room:]
        if data:
            self._tail += data
            if len(self._tail) > self._tail_cap:
                del self._tail[: len(self._tail) - self._tail_cap]

    @property
    def dropped(self) -> int:
        return self.total - len(self._head) - len(self._tail)

    def getvalue(self) -> bytes:
        """Head + tail; a marker line separates them when bytes were dropped."""
        if self.dropped:
            marker = f"\n[... {self.dropped} bytes of output omitted ...]\n".encode()
            return bytes(self._head) + marker + bytes(self._tail)
        return bytes(self._head) + bytes(self._tail)
