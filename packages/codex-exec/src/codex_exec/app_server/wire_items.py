"""Wire models of thread items, turns and threads (the ``ThreadItem``, ``Turn``, ``ThreadStatus``
and ``Thread`` objects of the reference 0.169 schema), shared by results and notifications."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from codex_exec.app_server.wire_base import UserInput, Wire

__all__ = [
    "ActiveThreadStatus",
    "AgentMessageItem",
    "CommandExecutionItem",
    "ContextCompactionItem",
    "DynamicToolCallItem",
    "DynamicToolCallOutputContentItem",
    "EnteredReviewModeItem",
    "ExitedReviewModeItem",
    "FileChangeItem",
    "FileUpdateChange",
    "IdleThreadStatus",
    "InputAudioContentItem",
    "InputImageContentItem",
    "InputTextContentItem",
    "McpToolCallError",
    "McpToolCallItem",
    "McpToolCallResult",
    "NotLoadedThreadStatus",
    "PatchChangeKind",
    "ReasoningItem",
    "SystemErrorThreadStatus",
    "ThreadInfo",
    "ThreadItem",
    "ThreadSection",
    "ThreadSectionAppearance",
    "ThreadStatus",
    "Turn",
    "TurnError",
    "UserMessageItem",
    "WebSearchItem",
]

# --- thread items -------------------------------------------------------------------------


class UserMessageItem(Wire):
    type: Literal["userMessage"] = "userMessage"
    id: str
    content: list[UserInput]


class AgentMessageItem(Wire):
    type: Literal["agentMessage"] = "agentMessage"
    id: str
    text: str


class ReasoningItem(Wire):
    type: Literal["reasoning"] = "reasoning"
    id: str
    summary: list[str] = Field(default_factory=list)
    content: list[str] = Field(default_factory=list)


class CommandExecutionItem(Wire):
    type: Literal["commandExecution"] = "commandExecution"
    id: str
    command: str
    cwd: str
    process_id: str | None = None
    status: Literal["inProgress", "completed", "failed", "declined"]
    command_actions: list[dict[str, Any]] = Field(default_factory=list)
    aggregated_output: str | None = None
    exit_code: int | None = None
    duration_ms: int | None = None


class PatchChangeKind(Wire):
    type: Literal["add", "delete", "update"]
    move_path: str | None = Field(default=None, alias="move_path")


class FileUpdateChange(Wire):
    path: str
    kind: PatchChangeKind
    diff: str = ""


class FileChangeItem(Wire):
    type: Literal["fileChange"] = "fileChange"
    id: str
    changes: list[FileUpdateChange]
    status: Literal["inProgress", "completed", "failed", "declined"]


class McpToolCallResult(Wire):
    content: list[Any]
    structured_content: Any = None


class McpToolCallError(Wire):
    message: str


class McpToolCallItem(Wire):
    type: Literal["mcpToolCall"] = "mcpToolCall"
    id: str
    server: str
    tool: str
    status: Literal["inProgress", "completed", "failed"]
    arguments: Any = None
    result: McpToolCallResult | None = None
    error: McpToolCallError | None = None


class WebSearchItem(Wire):
    type: Literal["webSearch"] = "webSearch"
    id: str
    query: str


class ContextCompactionItem(Wire):
    type: Literal["contextCompaction"] = "contextCompaction"
    id: str


class EnteredReviewModeItem(Wire):
    """A review turn began; ``review`` says what is reviewed."""

    type: Literal["enteredReviewMode"] = "enteredReviewMode"
    id: str
    review: str


class ExitedReviewModeItem(Wire):
    """A review turn ended; ``review`` is the rendered review (findings, or the reviewer's text)."""

    type: Literal["exitedReviewMode"] = "exitedReviewMode"
    id: str
    review: str


class InputTextContentItem(Wire):
    model_config = ConfigDict(title="InputTextDynamicToolCallOutputContentItem")

    type: Literal["inputText"]
    text: str


class InputImageContentItem(Wire):
    model_config = ConfigDict(title="InputImageDynamicToolCallOutputContentItem")

    type: Literal["inputImage"]
    image_url: str


class InputAudioContentItem(Wire):
    model_config = ConfigDict(title="InputAudioDynamicToolCallOutputContentItem")

    type: Literal["inputAudio"]
    audio_url: str


DynamicToolCallOutputContentItem = Annotated[
    InputTextContentItem | InputImageContentItem | InputAudioContentItem, Field(discriminator="type")
]
"""What a dynamic tool returns: text, an image URL (or ``data:`` URL), an audio URL."""


class DynamicToolCallItem(Wire):
    """The model's call of a client-provided tool (``item/tool/call``)."""

    type: Literal["dynamicToolCall"] = "dynamicToolCall"
    id: str
    tool: str
    namespace: str | None = None
    arguments: Any = None
    status: Literal["inProgress", "completed", "failed"]
    content_items: list[DynamicToolCallOutputContentItem] | None = None
    success: bool | None = None
    duration_ms: int | None = None


ThreadItem = Annotated[
    UserMessageItem
    | AgentMessageItem
    | ReasoningItem
    | CommandExecutionItem
    | FileChangeItem
    | McpToolCallItem
    | WebSearchItem
    | ContextCompactionItem
    | EnteredReviewModeItem
    | ExitedReviewModeItem
    | DynamicToolCallItem,
    Field(discriminator="type"),
]

# --- thread / turn ------------------------------------------------------------------------


class TurnError(Wire):
    message: str
    codex_error_info: str | None = None
    additional_details: str | None = None


class Turn(Wire):
    id: str
    items: list[ThreadItem] = Field(default_factory=list)
    status: Literal["completed", "interrupted", "failed", "inProgress"]
    error: TurnError | None = None
    started_at: int | None = None
    completed_at: int | None = None
    duration_ms: int | None = None


class NotLoadedThreadStatus(Wire):
    type: Literal["notLoaded"] = "notLoaded"


class IdleThreadStatus(Wire):
    type: Literal["idle"] = "idle"


class SystemErrorThreadStatus(Wire):
    type: Literal["systemError"] = "systemError"


class ActiveThreadStatus(Wire):
    type: Literal["active"] = "active"
    active_flags: list[Literal["waitingOnApproval", "waitingOnUserInput"]] = Field(default_factory=list)


ThreadStatus = Annotated[
    NotLoadedThreadStatus | IdleThreadStatus | SystemErrorThreadStatus | ActiveThreadStatus,
    Field(discriminator="type"),
]
"""The reference's ``ThreadStatus`` union: only ``active`` carries ``activeFlags``."""


class ThreadSectionAppearance(Wire):
    color: str | None = None
    icon: str | None = None


class ThreadSection(Wire):
    """A user-visible group of threads (``threadSection/*``)."""

    id: str
    name: str
    appearance: ThreadSectionAppearance | None = None


class ThreadInfo(Wire):
    """The ``Thread`` object of the protocol (named ``Thread`` in the schemas, like the reference)."""

    model_config = ConfigDict(title="Thread")

    id: str
    session_id: str
    preview: str
    ephemeral: bool
    model_provider: str
    model: str | None = None
    created_at: int
    updated_at: int
    status: ThreadStatus
    path: str | None = None
    cwd: str
    cli_version: str
    source: Literal["cli", "vscode", "exec", "appServer", "unknown"] = "appServer"
    forked_from_id: str | None = None
    project_id: str | None = None
    name: str | None = None
    section: ThreadSection | None = None
    section_entered_at: int | None = None
    """Unix seconds: when the thread entered ``section``."""
    turns: list[Turn] = Field(default_factory=list)
