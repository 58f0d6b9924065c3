"""Pydantic models of the app-server v2 messages this server implements (camelCase on the wire).

Field names and shapes follow the schema printed by ``codex app-server generate-json-schema``
of the reference 0.169 binary. Params models ignore unknown members (clients send newer
fields); results and notifications are what we emit. ``METHODS``, ``NOTIFICATIONS`` and
``SERVER_REQUESTS`` are the registries used both for dispatch and for schema generation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from codex_exec.app_server.wire_base import (
    ApprovalPolicy,
    ApprovalsReviewer,
    AskForApproval,
    Empty,
    GranularApproval,
    GranularApprovalSettings,
    ImageInput,
    LocalImageInput,
    SandboxMode,
    SandboxPolicy,
    TextInput,
    UserInput,
    Wire,
)
from codex_exec.app_server.wire_exec import EXEC_METHODS, EXEC_NOTIFICATIONS
from codex_exec.app_server.wire_fs import FS_METHODS, FS_NOTIFICATIONS
from codex_exec.app_server.wire_listings import LISTING_METHODS
from codex_exec.app_server.wire_settings import (
    Account,
    AccountUpdatedNotification,
    CancelLoginAccountParams,
    ConfigBatchWriteParams,
    ConfigEdit,
    ConfigLayerMetadata,
    ConfigReadParams,
    ConfigReadResponse,
    ConfigRequirements,
    ConfigRequirementsReadResponse,
    ConfigValueWriteParams,
    ConfigWriteResponse,
    GetAccountParams,
    GetAccountResponse,
    LoginAccountParams,
    LoginAccountResponse,
    MergeStrategy,
    ModelInfo,
    ModelListParams,
    ModelListResponse,
    NetworkRequirements,
    OverriddenMetadata,
    ReasoningEffortOption,
)

__all__ = [
    "METHODS",
    "NOTIFICATIONS",
    "SERVER_REQUESTS",
    "Account",
    "AccountUpdatedNotification",
    "AgentMessageItem",
    "ApprovalPolicy",
    "ApprovalsReviewer",
    "AskForApproval",
    "CancelLoginAccountParams",
    "CommandExecutionApprovalDecision",
    "CommandExecutionItem",
    "ConfigBatchWriteParams",
    "ConfigEdit",
    "ConfigLayerMetadata",
    "ConfigReadParams",
    "ConfigReadResponse",
    "ConfigRequirements",
    "ConfigRequirementsReadResponse",
    "ConfigValueWriteParams",
    "ConfigWriteResponse",
    "ContextCompactionItem",
    "Empty",
    "FileChangeItem",
    "GetAccountParams",
    "GetAccountResponse",
    "GranularApproval",
    "GranularApprovalSettings",
    "ImageInput",
    "LocalImageInput",
    "LoginAccountParams",
    "LoginAccountResponse",
    "McpToolCallItem",
    "MergeStrategy",
    "ModelInfo",
    "ModelListParams",
    "ModelListResponse",
    "NetworkRequirements",
    "OverriddenMetadata",
    "ReasoningEffortOption",
    "ReasoningItem",
    "ReviewStartParams",
    "ReviewStartResponse",
    "SandboxMode",
    "SandboxPolicy",
    "TextInput",
    "ThreadInfo",
    "ThreadItem",
    "TokenUsageBreakdown",
    "Turn",
    "TurnError",
    "UserInput",
    "UserMessageItem",
    "WebSearchItem",
    "Wire",
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
    | ExitedReviewModeItem,
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
    turns: list[Turn] = Field(default_factory=list)


# --- client requests ----------------------------------------------------------------------


class ClientInfo(Wire):
    name: str
    title: str | None = None
    version: str


class InitializeCapabilities(Wire):
    experimental_api: bool = False
    opt_out_notification_methods: list[str] | None = None


class InitializeParams(Wire):
    client_info: ClientInfo
    capabilities: InitializeCapabilities | None = None


class ServerInfo(Wire):
    name: str
    version: str


class InitializeResponse(Wire):
    server_info: ServerInfo
    user_agent: str
    codex_home: str
    platform_family: str
    platform_os: str


class ThreadSettings(Wire):
    """Overrides shared by ``thread/start`` and ``thread/resume``."""

    model: str | None = None
    model_provider: str | None = None
    cwd: str | None = None
    approval_policy: AskForApproval | None = None
    approvals_reviewer: ApprovalsReviewer | None = None
    sandbox: SandboxMode | None = None
    config: dict[str, Any] | None = None
    base_instructions: str | None = None
    developer_instructions: str | None = None


class ThreadStartParams(ThreadSettings):
    ephemeral: bool | None = None


class ThreadStartResponse(Wire):
    thread: ThreadInfo
    model: str
    model_provider: str
    cwd: str
    approval_policy: AskForApproval
    approvals_reviewer: ApprovalsReviewer = "user"
    sandbox: SandboxPolicy
    reasoning_effort: str | None = None


class ThreadResumeParams(ThreadSettings):
    thread_id: str
    exclude_turns: bool = False


class ThreadResumeResponse(ThreadStartResponse):
    pass


class ThreadForkParams(ThreadSettings):
    thread_id: str
    """Required like the reference; ignored when a non-empty ``path`` is given."""
    path: str | None = None
    last_turn_id: str | None = None
    ephemeral: bool = False
    exclude_turns: bool = False


class ThreadForkResponse(ThreadStartResponse):
    pass


class ThreadIdParams(Wire):
    """``thread/archive`` and ``thread/unarchive``."""

    thread_id: str


class ThreadUnarchiveResponse(Wire):
    thread: ThreadInfo


class ThreadSetNameParams(Wire):
    thread_id: str
    name: str


class ThreadListParams(Wire):
    archived: bool | None = None
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1)
    cwd: str | list[str] | None = None
    sort_direction: Literal["asc", "desc"] | None = None
    search_term: str | None = None


class ThreadListResponse(Wire):
    data: list[ThreadInfo]
    next_cursor: str | None = None


class ThreadReadParams(Wire):
    thread_id: str
    include_turns: bool = False


class ThreadReadResponse(Wire):
    thread: ThreadInfo


class ThreadCompactStartParams(Wire):
    thread_id: str


class TurnStartParams(Wire):
    thread_id: str
    input: list[UserInput]
    cwd: str | None = None
    approval_policy: AskForApproval | None = None
    sandbox_policy: SandboxPolicy | None = None
    model: str | None = None
    effort: str | None = None
    summary: str | None = None
    output_schema: dict[str, Any] | None = None


class TurnStartResponse(Wire):
    turn: Turn


class TurnSteerParams(Wire):
    thread_id: str
    input: list[UserInput]
    expected_turn_id: str
    client_user_message_id: str | None = None


class TurnSteerResponse(Wire):
    turn_id: str


class TurnInterruptParams(Wire):
    thread_id: str
    turn_id: str


class UncommittedChangesTarget(Wire):
    type: Literal["uncommittedChanges"]


class BaseBranchTarget(Wire):
    type: Literal["baseBranch"]
    branch: str


class CommitTarget(Wire):
    type: Literal["commit"]
    sha: str
    title: str | None = None


class CustomTarget(Wire):
    type: Literal["custom"]
    instructions: str


ReviewTarget = Annotated[
    UncommittedChangesTarget | BaseBranchTarget | CommitTarget | CustomTarget, Field(discriminator="type")
]


class ReviewStartParams(Wire):
    thread_id: str
    target: ReviewTarget
    delivery: Literal["inline"] | None = None


class ReviewStartResponse(Wire):
    turn: Turn
    review_thread_id: str


class ThreadShellCommandParams(Wire):
    thread_id: str
    command: str
    timeout_ms: int | None = Field(default=None, ge=0)


class ThreadInjectItemsParams(Wire):
    thread_id: str
    items: list[dict[str, Any]]


class ThreadRevertParams(Wire):
    thread_id: str
    before_turn_id: str
    """This turn and every later one are dropped from the saved history."""


class ThreadRevertResponse(Wire):
    thread: ThreadInfo
    turns_backwards_cursor: str | None = None
    items_backwards_cursor: str | None = None


class ThreadLoadedListParams(Wire):
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1)


class ThreadLoadedListResponse(Wire):
    data: list[str]
    next_cursor: str | None = None


class ThreadUnsubscribeResponse(Wire):
    status: Literal["notLoaded", "notSubscribed", "unsubscribed"]


class ThreadTurnsListParams(Wire):
    thread_id: str
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1)
    sort_direction: Literal["asc", "desc"] | None = None
    """Default ``desc`` (newest first)."""
    items_view: Literal["notLoaded", "summary", "full"] | None = None
    """Default ``summary``: the user's input and the last agent message of each turn."""


class ThreadTurnsListResponse(Wire):
    data: list[Turn]
    next_cursor: str | None = None
    backwards_cursor: str | None = None


class ThreadItemsListParams(Wire):
    thread_id: str
    turn_id: str | None = None
    cursor: str | dict[str, Any] | None = None
    limit: int | None = Field(default=None, ge=1)
    sort_direction: Literal["asc", "desc"] | None = None
    """Default ``asc``."""


class ThreadItemEntry(Wire):
    turn_id: str
    item: ThreadItem
    started_at_ms: int | None = None
    completed_at_ms: int | None = None


class ThreadItemsListResponse(Wire):
    data: list[ThreadItemEntry]
    next_cursor: str | None = None
    backwards_cursor: str | None = None


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


# --- server -> client requests ------------------------------------------------------------


class CommandExecutionRequestApprovalParams(Wire):
    thread_id: str
    turn_id: str
    item_id: str
    started_at_ms: int
    approval_id: str | None = None
    command: str | None = None
    cwd: str | None = None
    reason: str | None = None
    command_actions: list[dict[str, Any]] | None = None
    proposed_execpolicy_amendment: list[str] | None = None


class ExecpolicyAmendment(BaseModel):
    execpolicy_amendment: list[str]


class AcceptWithExecpolicyAmendment(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    accept_with_execpolicy_amendment: ExecpolicyAmendment = Field(alias="acceptWithExecpolicyAmendment")


CommandExecutionApprovalDecision = (
    Literal["accept", "acceptForSession", "decline", "cancel"] | AcceptWithExecpolicyAmendment
)


class CommandExecutionRequestApprovalResponse(Wire):
    decision: CommandExecutionApprovalDecision


class FileChangeRequestApprovalParams(Wire):
    thread_id: str
    turn_id: str
    item_id: str
    started_at_ms: int
    reason: str | None = None
    grant_root: str | None = None


class FileChangeRequestApprovalResponse(Wire):
    decision: Literal["accept", "acceptForSession", "decline", "cancel"]


class ToolRequestUserInputOption(Wire):
    label: str
    description: str


class ToolRequestUserInputQuestion(Wire):
    id: str
    header: str
    question: str
    is_other: bool
    is_secret: bool
    options: list[ToolRequestUserInputOption] | None = None


class ToolRequestUserInputParams(Wire):
    """The model's ``request_user_input`` questions (``itemId`` is its tool call id)."""

    thread_id: str
    turn_id: str
    item_id: str
    questions: list[ToolRequestUserInputQuestion]
    is_blocking: bool = True
    auto_resolution_ms: int | None = None


class ToolRequestUserInputAnswer(Wire):
    answers: list[str]


class ToolRequestUserInputResponse(Wire):
    answers: dict[str, ToolRequestUserInputAnswer]


# --- registries ---------------------------------------------------------------------------

METHODS: dict[str, tuple[type[Wire], type[Wire]]] = {
    "initialize": (InitializeParams, InitializeResponse),
    "thread/start": (ThreadStartParams, ThreadStartResponse),
    "thread/resume": (ThreadResumeParams, ThreadResumeResponse),
    "thread/fork": (ThreadForkParams, ThreadForkResponse),
    "thread/list": (ThreadListParams, ThreadListResponse),
    "thread/read": (ThreadReadParams, ThreadReadResponse),
    "thread/name/set": (ThreadSetNameParams, Empty),
    "thread/archive": (ThreadIdParams, Empty),
    "thread/unarchive": (ThreadIdParams, ThreadUnarchiveResponse),
    "thread/delete": (ThreadIdParams, Empty),
    "thread/revert": (ThreadRevertParams, ThreadRevertResponse),
    "thread/shellCommand": (ThreadShellCommandParams, Empty),
    "thread/inject_items": (ThreadInjectItemsParams, Empty),
    "thread/unsubscribe": (ThreadIdParams, ThreadUnsubscribeResponse),
    "thread/loaded/list": (ThreadLoadedListParams, ThreadLoadedListResponse),
    "thread/turns/list": (ThreadTurnsListParams, ThreadTurnsListResponse),
    "thread/items/list": (ThreadItemsListParams, ThreadItemsListResponse),
    "thread/compact/start": (ThreadCompactStartParams, Empty),
    "turn/start": (TurnStartParams, TurnStartResponse),
    "turn/steer": (TurnSteerParams, TurnSteerResponse),
    "turn/interrupt": (TurnInterruptParams, Empty),
    "review/start": (ReviewStartParams, ReviewStartResponse),
    "config/read": (ConfigReadParams, ConfigReadResponse),
    "config/value/write": (ConfigValueWriteParams, ConfigWriteResponse),
    "config/batchWrite": (ConfigBatchWriteParams, ConfigWriteResponse),
    "configRequirements/read": (Empty, ConfigRequirementsReadResponse),
    "account/read": (GetAccountParams, GetAccountResponse),
    "account/login/start": (LoginAccountParams, LoginAccountResponse),
    "account/login/cancel": (CancelLoginAccountParams, Empty),
    "account/logout": (Empty, Empty),
    "model/list": (ModelListParams, ModelListResponse),
    **FS_METHODS,
    **EXEC_METHODS,
    **LISTING_METHODS,
}
"""Client -> server requests: method -> (params model, result model)."""

NOTIFICATIONS: dict[str, type[Wire]] = {
    "thread/started": ThreadStartedNotification,
    "thread/name/updated": ThreadNameUpdatedNotification,
    "thread/archived": ThreadIdNotification,
    "thread/unarchived": ThreadIdNotification,
    "thread/deleted": ThreadIdNotification,
    "thread/reverted": ThreadIdNotification,
    "thread/closed": ThreadIdNotification,
    "thread/status/changed": ThreadStatusChangedNotification,
    "thread/tokenUsage/updated": ThreadTokenUsageUpdatedNotification,
    "thread/compacted": ContextCompactedNotification,
    "turn/started": TurnNotification,
    "turn/completed": TurnNotification,
    "turn/plan/updated": TurnPlanUpdatedNotification,
    "turn/diff/updated": TurnDiffUpdatedNotification,
    "item/started": ItemStartedNotification,
    "item/completed": ItemCompletedNotification,
    "item/agentMessage/delta": DeltaNotification,
    "item/reasoning/summaryTextDelta": ReasoningSummaryTextDeltaNotification,
    "item/reasoning/summaryPartAdded": ReasoningSummaryPartAddedNotification,
    "item/commandExecution/outputDelta": DeltaNotification,
    "account/updated": AccountUpdatedNotification,
    "error": ErrorNotification,
    "warning": WarningNotification,
    "configWarning": ConfigWarningNotification,
    "deprecationNotice": DeprecationNoticeNotification,
    **FS_NOTIFICATIONS,
    **EXEC_NOTIFICATIONS,
}
"""Server -> client notifications: method -> params model."""

SERVER_REQUESTS: dict[str, tuple[type[Wire], type[Wire]]] = {
    "item/commandExecution/requestApproval": (
        CommandExecutionRequestApprovalParams,
        CommandExecutionRequestApprovalResponse,
    ),
    "item/fileChange/requestApproval": (FileChangeRequestApprovalParams, FileChangeRequestApprovalResponse),
    "item/tool/requestUserInput": (ToolRequestUserInputParams, ToolRequestUserInputResponse),
}
"""Server -> client requests: method -> (params model, result model)."""
