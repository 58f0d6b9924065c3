"""The slice of the ``codex_core`` SDK that the TUI drives, as structural types.

The TUI is written against these Protocols rather than concrete classes so that tests can drive
it with the real ``codex_core.Codex`` (on ``codex_core.testing.ScriptedModel``) or with a small
fake, and so that the TUI never reaches into core internals.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from codex_core.config import Config

__all__ = ["ApprovalDecision", "CodexLike", "SessionInfoLike", "ThreadLike"]

ApprovalDecision = Literal["approved", "approved_for_session", "denied", "abort"]
"""What the user answered to an ``approval.requested`` event."""


class ThreadLike(Protocol):
    """One conversation: ``codex_core.Thread``."""

    @property
    def id(self) -> str | None: ...

    @property
    def config(self) -> Config: ...

    def run_streamed(self, text: str, *, images: Sequence[Path] = ()) -> AsyncIterator[Any]:
        """Run one turn and yield ``codex_core.protocol.events.ThreadEvent`` objects."""
        ...

    async def respond_approval(self, request_id: str, decision: ApprovalDecision) -> None: ...

    def interrupt(self) -> None: ...

    def override(
        self,
        *,
        model: str | None = None,
        approval_policy: str | None = None,
        sandbox_mode: str | None = None,
    ) -> None: ...

    async def compact(self) -> None: ...


class SessionInfoLike(Protocol):
    """A saved session, as listed by ``codex_core.session.list_sessions``."""

    @property
    def id(self) -> str: ...

    @property
    def updated_at(self) -> Any: ...

    @property
    def cwd(self) -> Any: ...

    @property
    def preview(self) -> str | None: ...


class CodexLike(Protocol):
    """The SDK entry point: ``codex_core.Codex``."""

    def start_thread(self) -> ThreadLike: ...

    def resume_thread(self, thread_id: str) -> ThreadLike: ...
