"""The one typed event stream that core emits to every frontend.

The public kinds match the ``codex exec --json`` JSONL schema exactly (``thread.started``,
``turn.started``, ``item.started``/``item.updated``/``item.completed``, ``turn.completed``,
``turn.failed``, ``error``). A few *live* kinds exist for interactive frontends and are not
part of the exec JSONL (see ``EXEC_JSON_TYPES``): ``item.delta`` (streaming text/output),
``approval.requested`` (the frontend must answer with an approval op), ``token.count`` and
``warning``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "EXEC_JSON_TYPES",
    "AgentMessageItem",
    "ApprovalRequested",
    "CommandExecutionItem",
    "CreditsSnapshot",
    "ErrorEvent",
    "ErrorItem",
    "FileChange",
    "FileChangeItem",
    "ItemCompleted",
    "ItemDelta",
    "ItemStarted",
    "ItemUpdated",
    "McpToolCallError",
    "McpToolCallItem",
    "McpToolCallResult",
    "RateLimitSnapshot",
    "RateLimitWindow",
    "ReasoningItem",
    "ThreadError",
    "ThreadEvent",
    "ThreadItem",
    "ThreadStarted",
    "TodoEntry",
    "TodoListItem",
    "TokenCount",
    "TurnCompleted",
    "TurnFailed",
    "TurnStarted",
    "Usage",
    "Warning",
    "WebSearchItem",
    "event_adapter",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    def _repr_markdown_(self) -> str | None:
        """Compact Markdown for Jupyter (``codex_core.display``)."""
        from codex_core.display import markdown_of

        return markdown_of(self)


# --- items -------------------------------------------------------------------------------


class AgentMessageItem(_Model):
    id: str
    type: Literal["agent_message"] = "agent_message"
    text: str


class ReasoningItem(_Model):
    id: str
    type: Literal["reasoning"] = "reasoning"
    text: str


class CommandExecutionItem(_Model):
    id: str
    type: Literal["command_execution"] = "command_execution"
    command: str
    aggregated_output: str = ""
    exit_code: int | None = None
    status: Literal["in_progress", "completed", "failed", "declined"] = "in_progress"


class FileChange(_Model):
    path: str
    kind: Literal["add", "delete", "update"]
    diff: str | None = None
    """Unified diff of this change (live events only; ``codex exec --json`` omits it)."""


class FileChangeItem(_Model):
    id: str
    type: Literal["file_change"] = "file_change"
    changes: list[FileChange]
    status: Literal["in_progress", "completed", "failed"] = "completed"


class McpToolCallResult(_Model):
    content: list[dict[str, Any]]
    structured_content: Any = None


class McpToolCallError(_Model):
    message: str


class McpToolCallItem(_Model):
    id: str
    type: Literal["mcp_tool_call"] = "mcp_tool_call"
    server: str
    tool: str
    arguments: Any = None
    result: McpToolCallResult | None = None
    error: McpToolCallError | None = None
    status: Literal["in_progress", "completed", "failed"] = "in_progress"


class WebSearchItem(_Model):
    id: str
    type: Literal["web_search"] = "web_search"
    query: str


class TodoEntry(_Model):
    text: str
    completed: bool


class TodoListItem(_Model):
    id: str
    type: Literal["todo_list"] = "todo_list"
    items: list[TodoEntry]


class ErrorItem(_Model):
    id: str
    type: Literal["error"] = "error"
    message: str


ThreadItem = Annotated[
    AgentMessageItem
    | ReasoningItem
    | CommandExecutionItem
    | FileChangeItem
    | McpToolCallItem
    | WebSearchItem
    | TodoListItem
    | ErrorItem,
    Field(discriminator="type"),
]

# --- events ------------------------------------------------------------------------------


class Usage(_Model):
    input_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_output_tokens: int = 0


class ThreadError(_Model):
    message: str


class ThreadStarted(_Model):
    type: Literal["thread.started"] = "thread.started"
    thread_id: str


class TurnStarted(_Model):
    type: Literal["turn.started"] = "turn.started"


class TurnCompleted(_Model):
    type: Literal["turn.completed"] = "turn.completed"
    usage: Usage


class TurnFailed(_Model):
    type: Literal["turn.failed"] = "turn.failed"
    error: ThreadError


class ItemStarted(_Model):
    type: Literal["item.started"] = "item.started"
    item: ThreadItem


class ItemUpdated(_Model):
    type: Literal["item.updated"] = "item.updated"
    item: ThreadItem


class ItemCompleted(_Model):
    type: Literal["item.completed"] = "item.completed"
    item: ThreadItem


class ErrorEvent(_Model):
    type: Literal["error"] = "error"
    message: str


# --- live-only events (not in exec --json) -----------------------------------------------


class ItemDelta(_Model):
    """Streaming fragment for an item that is still in progress."""

    type: Literal["item.delta"] = "item.delta"
    item_id: str
    kind: Literal["agent_message", "reasoning", "reasoning_content", "command_output"]
    delta: str
    index: int = 0
    """For ``reasoning``: the summary section the text belongs to (a new index starts a section);
    for ``reasoning_content`` (raw reasoning text, sent with ``show_raw_agent_reasoning``): the
    content part."""


class ApprovalRequested(_Model):
    """Core is waiting for the frontend to approve or deny an action (answer with ``Thread.approve``)."""

    type: Literal["approval.requested"] = "approval.requested"
    request_id: str
    kind: Literal["exec", "patch"]
    item_id: str
    command: list[str] | None = None
    cwd: str
    reason: str | None = None
    changes: list[FileChange] | None = None
    proposed_rule: list[str] | None = None


class RateLimitWindow(_Model):
    used_percent: float
    window_minutes: int | None = None
    resets_at: int | None = None
    """Unix seconds."""


class CreditsSnapshot(_Model):
    has_credits: bool
    unlimited: bool
    balance: str | None = None


class RateLimitSnapshot(_Model):
    """The provider's rate-limit state, from the ``x-codex-*`` response headers."""

    primary: RateLimitWindow | None = None
    secondary: RateLimitWindow | None = None
    credits: CreditsSnapshot | None = None


class TokenCount(_Model):
    type: Literal["token.count"] = "token.count"
    total: Usage
    last: Usage
    total_tokens: int
    context_window: int | None = None
    rate_limits: RateLimitSnapshot | None = None
    """The latest rate limits the model's responses reported (``None`` when they report none)."""


class Warning(_Model):
    type: Literal["warning"] = "warning"
    message: str
    retry: bool = False
    """A dropped model stream that is being retried ("Reconnecting... 1/5"): the turn goes on."""


ThreadEvent = Annotated[
    ThreadStarted
    | TurnStarted
    | TurnCompleted
    | TurnFailed
    | ItemStarted
    | ItemUpdated
    | ItemCompleted
    | ErrorEvent
    | ItemDelta
    | ApprovalRequested
    | TokenCount
    | Warning,
    Field(discriminator="type"),
]

EXEC_JSON_TYPES = frozenset(
    {
        "thread.started",
        "turn.started",
        "turn.completed",
        "turn.failed",
        "item.started",
        "item.updated",
        "item.completed",
        "error",
    }
)
"""Event kinds that ``codex exec --json`` prints."""

event_adapter: TypeAdapter[Any] = TypeAdapter(ThreadEvent, config=ConfigDict(defer_build=True))
