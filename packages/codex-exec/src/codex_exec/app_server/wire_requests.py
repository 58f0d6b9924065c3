"""Wire models of the server -> client requests: approvals, the model's questions
(``item/tool/requestUserInput``) and their answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from codex_exec.app_server.wire_base import Wire

__all__ = [
    "AcceptWithExecpolicyAmendment",
    "CommandExecutionApprovalDecision",
    "CommandExecutionRequestApprovalParams",
    "CommandExecutionRequestApprovalResponse",
    "ExecpolicyAmendment",
    "FileChangeRequestApprovalParams",
    "FileChangeRequestApprovalResponse",
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
