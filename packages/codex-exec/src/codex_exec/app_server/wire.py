"""Pydantic models of the app-server v2 messages this server implements (camelCase on the wire).

Field names and shapes follow the schema printed by ``codex app-server generate-json-schema``
of the reference 0.169 binary. Params models ignore unknown members (clients send newer
fields); results and notifications are what we emit. ``METHODS``, ``NOTIFICATIONS`` and
``SERVER_REQUESTS`` are the registries used both for dispatch and for schema generation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

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
    SkillInput,
    TextInput,
    UserInput,
    Wire,
)
from codex_exec.app_server.wire_exec import EXEC_METHODS, EXEC_NOTIFICATIONS
from codex_exec.app_server.wire_fs import FS_METHODS, FS_NOTIFICATIONS
from codex_exec.app_server.wire_items import (
    ActiveThreadStatus,
    AgentMessageItem,
    CommandExecutionItem,
    ContextCompactionItem,
    DynamicToolCallItem,
    DynamicToolCallOutputContentItem,
    EnteredReviewModeItem,
    ExitedReviewModeItem,
    FileChangeItem,
    FileUpdateChange,
    IdleThreadStatus,
    InputAudioContentItem,
    InputImageContentItem,
    InputTextContentItem,
    McpToolCallError,
    McpToolCallItem,
    McpToolCallResult,
    NotLoadedThreadStatus,
    PatchChangeKind,
    ReasoningItem,
    SystemErrorThreadStatus,
    ThreadInfo,
    ThreadItem,
    ThreadSection,
    ThreadSectionAppearance,
    ThreadStatus,
    Turn,
    TurnError,
    UserMessageItem,
    WebSearchItem,
)
from codex_exec.app_server.wire_listings import LISTING_METHODS
from codex_exec.app_server.wire_meta import META_METHODS, META_NOTIFICATIONS
from codex_exec.app_server.wire_notifications import (
    AccountRateLimitsUpdatedNotification,
    ConfigWarningNotification,
    ContextCompactedNotification,
    CreditsSnapshot,
    DeltaNotification,
    DeprecationNoticeNotification,
    ErrorNotification,
    ItemCompletedNotification,
    ItemStartedNotification,
    RateLimitSnapshot,
    RateLimitWindow,
    ReasoningSummaryPartAddedNotification,
    ReasoningSummaryTextDeltaNotification,
    ReasoningTextDeltaNotification,
    ServerRequestResolvedNotification,
    ThreadIdNotification,
    ThreadNameUpdatedNotification,
    ThreadStartedNotification,
    ThreadStatusChangedNotification,
    ThreadTokenUsage,
    ThreadTokenUsageUpdatedNotification,
    TokenUsageBreakdown,
    TurnDiffUpdatedNotification,
    TurnNotification,
    TurnPlanStep,
    TurnPlanUpdatedNotification,
    WarningNotification,
)
from codex_exec.app_server.wire_requests import (
    AcceptWithExecpolicyAmendment,
    CommandExecutionApprovalDecision,
    CommandExecutionRequestApprovalParams,
    CommandExecutionRequestApprovalResponse,
    DynamicToolCallParams,
    DynamicToolCallResponse,
    DynamicToolSpec,
    ExecpolicyAmendment,
    FileChangeRequestApprovalParams,
    FileChangeRequestApprovalResponse,
    FunctionDynamicToolSpec,
    McpServerElicitationRequestParams,
    McpServerElicitationRequestResponse,
    NamespaceDynamicToolSpec,
    ToolRequestUserInputAnswer,
    ToolRequestUserInputOption,
    ToolRequestUserInputParams,
    ToolRequestUserInputQuestion,
    ToolRequestUserInputResponse,
)
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
from codex_exec.app_server.wire_skills import SKILL_METHODS

__all__ = [
    "METHODS",
    "NOTIFICATIONS",
    "SERVER_REQUESTS",
    "AcceptWithExecpolicyAmendment",
    "Account",
    "AccountRateLimitsUpdatedNotification",
    "AccountUpdatedNotification",
    "ActiveThreadStatus",
    "AgentMessageItem",
    "ApprovalPolicy",
    "ApprovalsReviewer",
    "AskForApproval",
    "CancelLoginAccountParams",
    "CommandExecutionApprovalDecision",
    "CommandExecutionItem",
    "CommandExecutionRequestApprovalParams",
    "CommandExecutionRequestApprovalResponse",
    "ConfigBatchWriteParams",
    "ConfigEdit",
    "ConfigLayerMetadata",
    "ConfigReadParams",
    "ConfigReadResponse",
    "ConfigRequirements",
    "ConfigRequirementsReadResponse",
    "ConfigValueWriteParams",
    "ConfigWarningNotification",
    "ConfigWriteResponse",
    "ContextCompactedNotification",
    "ContextCompactionItem",
    "CreditsSnapshot",
    "DeltaNotification",
    "DeprecationNoticeNotification",
    "DynamicToolCallItem",
    "DynamicToolCallOutputContentItem",
    "DynamicToolCallParams",
    "DynamicToolCallResponse",
    "DynamicToolSpec",
    "Empty",
    "EnteredReviewModeItem",
    "ErrorNotification",
    "ExecpolicyAmendment",
    "ExitedReviewModeItem",
    "FileChangeItem",
    "FileChangeRequestApprovalParams",
    "FileChangeRequestApprovalResponse",
    "FileUpdateChange",
    "FunctionDynamicToolSpec",
    "GetAccountParams",
    "GetAccountResponse",
    "GranularApproval",
    "GranularApprovalSettings",
    "IdleThreadStatus",
    "ImageInput",
    "InputAudioContentItem",
    "InputImageContentItem",
    "InputTextContentItem",
    "ItemCompletedNotification",
    "ItemStartedNotification",
    "LocalImageInput",
    "LoginAccountParams",
    "LoginAccountResponse",
    "McpServerElicitationRequestParams",
    "McpServerElicitationRequestResponse",
    "McpToolCallError",
    "McpToolCallItem",
    "McpToolCallResult",
    "MergeStrategy",
    "ModelInfo",
    "ModelListParams",
    "ModelListResponse",
    "NamespaceDynamicToolSpec",
    "NetworkRequirements",
    "NotLoadedThreadStatus",
    "OverriddenMetadata",
    "PatchChangeKind",
    "RateLimitSnapshot",
    "RateLimitWindow",
    "ReasoningEffortOption",
    "ReasoningItem",
    "ReasoningSummaryPartAddedNotification",
    "ReasoningSummaryTextDeltaNotification",
    "ReasoningTextDeltaNotification",
    "ReviewStartParams",
    "ReviewStartResponse",
    "SandboxMode",
    "SandboxPolicy",
    "ServerRequestResolvedNotification",
    "SkillInput",
    "SystemErrorThreadStatus",
    "TextInput",
    "ThreadIdNotification",
    "ThreadInfo",
    "ThreadItem",
    "ThreadNameUpdatedNotification",
    "ThreadSection",
    "ThreadSectionAppearance",
    "ThreadStartedNotification",
    "ThreadStatus",
    "ThreadStatusChangedNotification",
    "ThreadTokenUsage",
    "ThreadTokenUsageUpdatedNotification",
    "TokenUsageBreakdown",
    "ToolRequestUserInputAnswer",
    "ToolRequestUserInputOption",
    "ToolRequestUserInputParams",
    "ToolRequestUserInputQuestion",
    "ToolRequestUserInputResponse",
    "Turn",
    "TurnDiffUpdatedNotification",
    "TurnError",
    "TurnNotification",
    "TurnPlanStep",
    "TurnPlanUpdatedNotification",
    "UserInput",
    "UserMessageItem",
    "WarningNotification",
    "WebSearchItem",
    "Wire",
]

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
    dynamic_tools: list[DynamicToolSpec] | None = None
    """Client-run tools offered to the model (experimental in the reference: needs the
    ``experimentalApi`` capability); calls come back as ``item/tool/call``."""


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
    section_id: str | None = None
    """Omitted: every thread; ``null``: threads in no section; an id: that section's threads."""


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
    **META_METHODS,
    **SKILL_METHODS,
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
    "item/reasoning/textDelta": ReasoningTextDeltaNotification,
    "item/commandExecution/outputDelta": DeltaNotification,
    "serverRequest/resolved": ServerRequestResolvedNotification,
    "account/updated": AccountUpdatedNotification,
    "account/rateLimits/updated": AccountRateLimitsUpdatedNotification,
    "error": ErrorNotification,
    "warning": WarningNotification,
    "configWarning": ConfigWarningNotification,
    "deprecationNotice": DeprecationNoticeNotification,
    **FS_NOTIFICATIONS,
    **EXEC_NOTIFICATIONS,
    **META_NOTIFICATIONS,
}
"""Server -> client notifications: method -> params model."""

SERVER_REQUESTS: dict[str, tuple[type[Wire], type[Wire]]] = {
    "item/commandExecution/requestApproval": (
        CommandExecutionRequestApprovalParams,
        CommandExecutionRequestApprovalResponse,
    ),
    "item/fileChange/requestApproval": (FileChangeRequestApprovalParams, FileChangeRequestApprovalResponse),
    "item/tool/requestUserInput": (ToolRequestUserInputParams, ToolRequestUserInputResponse),
    "item/tool/call": (DynamicToolCallParams, DynamicToolCallResponse),
    "mcpServer/elicitation/request": (McpServerElicitationRequestParams, McpServerElicitationRequestResponse),
}
"""Server -> client requests: method -> (params model, result model)."""
