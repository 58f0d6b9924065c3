"""Coalesce streaming deltas before they reach the widgets.

A model (or a test) can stream deltas far faster than a terminal can usefully repaint, and every
Textual message has a fixed dispatch cost. ``DeltaCoalescer`` sits in the turn worker: runs of
``item.delta`` events for the same item and kind are joined and forwarded at most every
``interval`` seconds; any other event first flushes the pending text, so order is preserved. A
timer flushes text that is left pending when the stream pauses, so nothing waits for the next
event and nothing is dropped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

__all__ = ["DeltaCoalescer"]


class DeltaCoalescer:
    """Feed events in stream order with ``feed``; ``forward`` receives them, deltas merged."""

    def __init__(self, forward: Callable[[Any], None], *, interval: float = 1 / 30) -> None:
        self.forward = forward
        self.interval = interval
        self._first: Any = None
        self._parts: list[str] = []
        self._since = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def feed(self, event: Any) -> None:
        """Forward ``event`` now, or hold it if it is a delta that can be merged."""
        if event.type != "item.delta":
            self.flush()
            self.forward(event)
            return
        first = self._first
        if first is not None and (first.item_id != event.item_id or first.kind != event.kind):
            self.flush()
            first = None
        if first is None:
            self._first = event
            self._parts = [event.delta]
            self._since = time.monotonic()
            self._timer = asyncio.get_running_loop().call_later(self.interval, self.flush)
            return
        self._parts.append(event.delta)
        if time.monotonic() - self._since >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Forward the pending merged delta, if any."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        first, self._first = self._first, None
        if first is None:
            return
        parts, self._parts = self._parts, []
        self.forward(first if len(parts) == 1 else first.model_copy(update={"delta": "".join(parts)}))
