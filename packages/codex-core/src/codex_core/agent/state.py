"""Mutable per-thread runtime state shared by the turn loop and tool handlers."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Literal

import attrs

from codex_core.client.types import ModelClient, TokenUsage
from codex_core.config import Config
from codex_core.protocol.events import RateLimitSnapshot, ThreadEvent, Usage
from codex_core.protocol.items import OtherItem, ResponseItem

if TYPE_CHECKING:
    from codex_core.session.rollout import RolloutRecorder

__all__ = ["ApprovalDecision", "Emit", "ThreadState", "usage_event"]

ApprovalDecision = Literal[
    "approved", "approved_for_session", "approved_sandboxed", "approved_execpolicy_amendment", "denied", "abort"
]
Emit = Callable[[ThreadEvent], Coroutine[Any, Any, None]]


def usage_event(u: TokenUsage) -> Usage:
    return Usage(
        input_tokens=u.input_tokens,
        cached_input_tokens=u.cached_input_tokens,
        cache_write_input_tokens=u.cache_write_input_tokens,
        output_tokens=u.output_tokens,
        reasoning_output_tokens=u.reasoning_output_tokens,
    )


@attrs.define(kw_only=True)
class ThreadState:
    """Everything a running thread remembers between turns."""

    thread_id: str
    config: Config
    model_client: ModelClient
    history: list[ResponseItem | OtherItem] = attrs.field(factory=list)
    recorder: RolloutRecorder | None = None
    total_usage: TokenUsage = attrs.field(factory=TokenUsage)
    last_usage: TokenUsage = attrs.field(factory=TokenUsage)
    context_initialised: bool = False
    mcp: Any = None
    """``codex_core.mcp.McpConnectionManager`` when MCP servers are configured."""
    session_approvals: Any = None
    """``codex_core.approvals.SessionApprovals``: commands approved for the rest of the session."""
    exec_policy: Any = None
    """``codex_core.execpolicy`` loaded rules."""
    unified_exec: Any = None
    """``codex_core.agent.unified_exec.UnifiedExec``: interactive process sessions (``exec_command``)."""
    proxy: Any = None
    """``codex_core.sandbox.ProxyNetwork`` when the managed network proxy runs for this thread."""
    proxy_env: dict[str, str] = attrs.field(factory=dict)
    """Proxy environment variables for sandboxed commands."""
    user_input_handler: Any = None
    """``codex_core.user_input.UserInputHandler`` of a frontend that can ask the user
    (``Thread.set_user_input_handler``); ``None``: ``request_user_input`` is unavailable."""
    rate_limits: RateLimitSnapshot | None = None
    """The latest rate limits the model's responses reported (sent with ``token.count``)."""
    dynamic_tools: Any = None
    """``codex_core.dynamic_tools.DynamicTools`` a frontend registered (``set_dynamic_tools``)."""
    elicitation_handler: Any = None
    """``codex_core.mcp.elicitation.ElicitationHandler`` of a frontend that can ask the user
    (``set_elicitation_handler``); ``None``: MCP elicitations the policy does not answer are declined."""
    pending_approvals: dict[str, asyncio.Future[ApprovalDecision]] = attrs.field(factory=dict)
    closed_approvals: set[str] = attrs.field(factory=set)
    """Requests that were answered or abandoned (turn interrupted): late answers are ignored."""
    _item_ids: itertools.count[int] = attrs.field(factory=itertools.count)
    _request_ids: itertools.count[int] = attrs.field(factory=itertools.count)
    turn_counter: int = 0
    selected_skills: list[tuple[str, str]] = attrs.field(factory=list)
    """``(name, path)`` of skills the client picked for the next turn (``Thread.select_skills``)."""

    def next_item_id(self) -> str:
        return f"item_{next(self._item_ids)}"

    def next_request_id(self) -> str:
        return f"approval_{next(self._request_ids)}"

    def record(self, items: list[ResponseItem | OtherItem]) -> None:
        """Append to history and to the rollout (flushed per line)."""
        self.history.extend(items)
        if self.recorder is not None:
            self.recorder.record_items(items)

    def record_turn_context(self, payload: dict[str, Any]) -> None:
        if self.recorder is not None:
            self.recorder.record_turn_context(payload)

    def record_event(self, payload: dict[str, Any]) -> None:
        if self.recorder is not None:
            self.recorder.record_event(payload)
