"""Wire models of the server -> client requests: approvals, the model's questions
(``item/tool/requestUserInput``), MCP elicitations (``mcpServer/elicitation/request``), dynamic
tool calls (``item/tool/call``, with the tool specs ``thread/start`` registers) and their
answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict, JsonValue

from codex_exec.app_server.wire_base import Wire
from codex_exec.app_server.wire_items import DynamicToolCallOutputContentItem

__all__ = [
    "AcceptWithExecpolicyAmendment",
    "CommandExecutionApprovalDecision",
    "CommandExecutionRequestApprovalParams",
    "CommandExecutionRequestApprovalResponse",
    "DynamicToolCallParams",
    "DynamicToolCallResponse",
    "DynamicToolSpec",
    "ExecpolicyAmendment",
    "FileChangeRequestApprovalParams",
    "FileChangeRequestApprovalResponse",
    "FunctionDynamicToolSpec",
    "McpServerElicitationRequestParams",
    "McpServerElicitationRequestResponse",
    "NamespaceDynamicToolSpec",
    "ToolRequestUserInputAnswer",
    "ToolRequestUserInputOption",
    "ToolRequestUserInputParams",
    "ToolRequestUserInputQuestion",
    "ToolRequestUserInputResponse",
]

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


# --- mcpServer/elicitation/request --------------------------------------------------------

_META: JsonDict = {"description": "The MCP request's `_meta`."}
_ELICITATION_REQUESTS: list[JsonValue] = [
    {
        "title": "McpServerElicitationFormRequest",
        "type": "object",
        "properties": {
            "_meta": _META,
            "message": {"type": "string"},
            "mode": {"const": "form", "type": "string"},
            "requestedSchema": {
                "description": "The flat JSON Schema of the answer (MCP `ElicitRequestFormParams`).",
                "type": "object",
            },
        },
        "required": ["message", "mode", "requestedSchema"],
    },
    {
        "title": "McpServerElicitationUrlRequest",
        "type": "object",
        "properties": {
            "_meta": _META,
            "elicitationId": {"type": "string"},
            "message": {"type": "string"},
            "mode": {"const": "url", "type": "string"},
            "url": {"type": "string"},
        },
        "required": ["elicitationId", "message", "mode", "url"],
    },
]


class McpServerElicitationRequestParams(Wire):
    """An MCP server's ``elicitation/create``: ``threadId``, ``turnId`` (the running turn, when
    there is one), ``serverName``, and the MCP request itself, a form (``mode: "form"``,
    ``message``, ``requestedSchema``) or a URL (``mode: "url"``, ``message``, ``url``,
    ``elicitationId``), each with the request's ``_meta`` when it has one."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"oneOf": _ELICITATION_REQUESTS})

    thread_id: str
    turn_id: str | None
    server_name: str


class McpServerElicitationRequestResponse(Wire):
    """The client's answer: ``accept`` (with ``content``, the form's values), ``decline`` or
    ``cancel``."""

    action: Literal["accept", "decline", "cancel"]
    content: Any = None
    meta: Any = Field(default=None, alias="_meta")


# --- dynamic tools: thread/start `dynamicTools`, item/tool/call ----------------------------


class FunctionDynamicToolSpec(Wire):
    """A client-provided function the model may call (its arguments described by ``inputSchema``);
    ``deferLoading`` registers it without offering it to the model."""

    type: Literal["function"]
    name: str
    description: str
    input_schema: Any
    defer_loading: bool = False


class NamespaceDynamicToolSpec(Wire):
    """Functions grouped under a namespace (a Responses API ``namespace`` tool)."""

    type: Literal["namespace"]
    name: str
    description: str
    tools: list[FunctionDynamicToolSpec]


DynamicToolSpec = Annotated[FunctionDynamicToolSpec | NamespaceDynamicToolSpec, Field(discriminator="type")]


class DynamicToolCallParams(Wire):
    """The model called a dynamic tool: run it and answer with its content items."""

    thread_id: str
    turn_id: str
    call_id: str
    namespace: str | None
    tool: str
    arguments: Any


class DynamicToolCallResponse(Wire):
    content_items: list[DynamicToolCallOutputContentItem]
    success: bool
