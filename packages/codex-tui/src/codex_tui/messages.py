"""Textual messages that carry core events and composer actions between widgets."""

from __future__ import annotations

from typing import Any

from textual.message import Message

__all__ = ["CoreEvent", "TurnEnded"]


class CoreEvent(Message):
    """Wraps one ``codex_core.protocol.events.ThreadEvent`` posted by the turn worker."""

    def __init__(self, event: Any) -> None:
        super().__init__()
        self.event = event


class TurnEnded(Message):
    """The turn worker finished (normally, failed, or interrupted)."""

    def __init__(self, *, last_agent_message: str | None, error: str | None = None) -> None:
        super().__init__()
        self.last_agent_message = last_agent_message
        self.error = error
