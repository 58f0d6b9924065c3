"""Wire models of the thread, turn and item notifications (server -> client, no reply)."""

from __future__ import annotations

from typing import Literal

from codex_exec.app_server.wire_base import Wire
from codex_exec.app_server.wire_items import ThreadInfo, ThreadItem, ThreadStatus, Turn, TurnError

__all__ = [
    "AccountRateLimitsUpdatedNotification",
    "ConfigWarningNotification",
    "ContextCompactedNotification",
    "CreditsSnapshot",
    "DeltaNotification",
    "DeprecationNoticeNotification",
    "ErrorNotification",
    "ItemCompletedNotification",
    "ItemStartedNotification",
    "RateLimitSnapshot",
    "RateLimitWindow",
    "ReasoningSummaryPartAddedNotification",
    "ReasoningSummaryTextDeltaNotification",
    "ReasoningTextDeltaNotification",
    "ServerRequestResolvedNotification",
    "ThreadIdNotification",
    "ThreadNameUpdatedNotification",
    "ThreadStartedNotification",
    "ThreadStatusChangedNotification",
    "ThreadTokenUsage",
    "ThreadTokenUsageUpdatedNotification",
    "TokenUsageBreakdown",
    "TurnDiffUpdatedNotification",
    "TurnNotification",
    "TurnPlanStep",
    "TurnPlanUpdatedNotification",
    "WarningNotification",
]

# --- notifications ------------------------------------------------------------------------


class ThreadStartedNotification(Wire):
    thread: ThreadInfo


class TurnNotification(Wire):
    """``turn/started`` and ``turn/completed``."""

    thread_id: str
    turn: Turn


class ItemStartedNotification(Wire):
    thread_id: str
    turn_id: str
    item: ThreadItem
    started_at_ms: int


class ItemCompletedNotification(Wire):
    thread_id: str
    turn_id: str
    item: ThreadItem
    completed_at_ms: int


class DeltaNotification(Wire):
    """``item/agentMessage/delta`` and ``item/commandExecution/outputDelta``."""

    thread_id: str
    turn_id: str
    item_id: str
    delta: str


class ReasoningSummaryTextDeltaNotification(DeltaNotification):
    summary_index: int = 0


class ReasoningTextDeltaNotification(Wire):
    """Raw reasoning text (models such as gpt-oss stream it; ``show_raw_agent_reasoning``)."""

    thread_id: str
    turn_id: str
    item_id: str
    delta: str
    content_index: int


class ReasoningSummaryPartAddedNotification(Wire):
    thread_id: str
    turn_id: str
    item_id: str
    summary_index: int


class TurnPlanStep(Wire):
    step: str
    status: Literal["pending", "inProgress", "completed"]


class TurnPlanUpdatedNotification(Wire):
    thread_id: str
    turn_id: str
    explanation: str | None = None
    plan: list[TurnPlanStep]


class TokenUsageBreakdown(Wire):
    total_tokens: int
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    reasoning_output_tokens: int = 0


class ThreadTokenUsage(Wire):
    total: TokenUsageBreakdown
    last: TokenUsageBreakdown
    model_context_window: int | None = None


class ThreadTokenUsageUpdatedNotification(Wire):
    thread_id: str
    turn_id: str
    token_usage: ThreadTokenUsage


class ErrorNotification(Wire):
    error: TurnError
    thread_id: str
    turn_id: str
    will_retry: bool


class WarningNotification(Wire):
    message: str
    thread_id: str | None = None


class TurnDiffUpdatedNotification(Wire):
    """The turn's aggregated unified diff (every file change applied so far in the turn)."""

    thread_id: str
    turn_id: str
    diff: str


class DeprecationNoticeNotification(Wire):
    summary: str
    details: str | None = None


class ConfigWarningNotification(Wire):
    """A problem found while loading the config (unrecognized keys, replaced values), sent once
    after ``initialize``."""

    summary: str
    details: str | None = None


class ThreadNameUpdatedNotification(Wire):
    thread_id: str
    thread_name: str | None = None


class ThreadStatusChangedNotification(Wire):
    thread_id: str
    status: ThreadStatus


class ThreadIdNotification(Wire):
    """``thread/archived``, ``thread/unarchived``, ``thread/deleted`` and ``thread/closed``."""

    thread_id: str


class ContextCompactedNotification(Wire):
    thread_id: str
    turn_id: str


class ServerRequestResolvedNotification(Wire):
    """A server -> client request was answered, or dropped because its turn ended."""

    thread_id: str
    request_id: str | int


class RateLimitWindow(Wire):
    used_percent: int
    window_duration_mins: int | None = None
    resets_at: int | None = None
    """Unix seconds."""


class CreditsSnapshot(Wire):
    has_credits: bool
    unlimited: bool
    balance: str | None = None


class RateLimitSnapshot(Wire):
    """The rate limits a model response reported in its ``x-codex-*`` headers."""

    limit_id: str | None = None
    limit_name: str | None = None
    primary: RateLimitWindow | None = None
    secondary: RateLimitWindow | None = None
    credits: CreditsSnapshot | None = None
    plan_type: str | None = None


class AccountRateLimitsUpdatedNotification(Wire):
    """Sent with ``thread/tokenUsage/updated`` when the model's responses report rate limits."""

    rate_limits: RateLimitSnapshot
