"""Keys typed while the TUI starts reach the composer, in order (a mixin of ``CodexApp``).

``startup_input`` keeps what is typed before Textual runs (``typed_input``); keys that arrive
after Textual started but before the composer has focus are held (``on_event``). Once the
composer is ready, ``_start_input_replay`` feeds both, one key at a time, then input flows
directly.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from textual import events
from textual.message import Message

__all__ = ["REPLAY_STEP_TIMEOUT", "ReplayMark", "StartupInputMixin", "parse_terminal_input"]

log = logging.getLogger("codex.tui")

REPLAY_STEP_TIMEOUT = 1.0
"""Longest wait for one replayed start-up key to be handled before the next is sent."""


class ReplayMark(Message):
    """Follows each replayed start-up key down to the composer and back up to the app."""

    def __init__(self, done: asyncio.Event, *, back: bool = False) -> None:
        super().__init__()
        self.done = done
        self.back = back


class StartupInputMixin:
    """Start-up input handling of ``CodexApp`` (uses its ``composer``, ``typed_input``,
    ``terminal_attributes``, ``_held_input`` and ``_replaying`` via ``self``). The app routes
    ``ReplayMark`` messages to ``_bounce_replay_mark``."""

    _held_input: list[events.Event] | None
    _replaying: events.Event | None
    typed_input: bytes
    terminal_attributes: list[Any] | None

    async def on_event(self, event: events.Event) -> None:
        # Keys that arrive before the composer has focus would go to whatever has it (or
        # nowhere): hold them until ``_replay_held_input`` has fed the earlier ones.
        if (
            self._held_input is not None
            and isinstance(event, events.Key | events.Paste)
            and not event.is_forwarded
            and event is not self._replaying
        ):
            self._held_input.append(event)
            return
        await super().on_event(event)

    def _start_input_replay(self) -> None:
        """What was typed before the app started goes first, then what arrived since."""
        typed, self.typed_input = self.typed_input, b""
        if self._held_input is not None:
            self._held_input[:0] = parse_terminal_input(typed)
        if not self._held_input:
            self._held_input = None  # nothing to replay: input flows directly from now on
            return
        # a callable, not a coroutine: nothing is left un-awaited if the app exits before it starts
        self.run_worker(self._replay_held_input, group="input-replay", exit_on_error=False)  # type: ignore[arg-type]

    async def _replay_held_input(self) -> None:
        """Post the held keys one at a time, each only once the previous one has been handled
        everywhere: keys handled by bindings (Backspace, arrows) come back up to the app after
        the composer has seen the next key, so a burst would be applied out of order. Keys
        arriving meanwhile are held behind them; then input flows directly."""
        held = self._held_input
        while held:
            event = held.pop(0)
            done = asyncio.Event()
            self._replaying = event
            self.post_message(event)
            self.post_message(ReplayMark(done))
            try:
                await asyncio.wait_for(done.wait(), REPLAY_STEP_TIMEOUT)
            except TimeoutError:
                log.warning("replayed key %r not acknowledged; going on", getattr(event, "key", event))
        self._replaying = None
        self._held_input = None

    def _bounce_replay_mark(self, mark: ReplayMark) -> None:
        # First pass: queued behind the key, sent down to the composer; second pass: it bubbled
        # back up, after the key and anything the key bubbled up.
        if mark.back:
            mark.done.set()
        else:
            self.composer.post_message(ReplayMark(mark.done, back=True))

    def _hand_terminal_settings_to_driver(self) -> None:
        """Textual saved the terminal settings after ``startup_input`` had switched them to raw
        input; give it the user's own, so exit and Ctrl+Z restore those."""
        driver = self._driver
        if self.terminal_attributes is not None and driver is not None and hasattr(driver, "attrs_before"):
            driver.attrs_before = self.terminal_attributes


def parse_terminal_input(data: bytes) -> list[events.Event]:
    """Keys and pastes in raw terminal bytes, parsed as Textual's driver parses them."""
    if not data:
        return []
    from textual._xterm_parser import XTermParser

    parser = XTermParser()
    text = data.decode("utf-8", "replace")
    parsed = [*parser.feed(text), *parser.feed("")]
    return [e for e in parsed if isinstance(e, events.Key | events.Paste)]
