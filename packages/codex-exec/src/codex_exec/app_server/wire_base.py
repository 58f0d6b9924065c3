"""Base of the app-server wire models: the ``Wire`` model config, shared literals, user input."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from codex_core.config.models import ApprovalPolicy, SandboxMode

__all__ = [
    "ApprovalPolicy",
    "ApprovalsReviewer",
    "AskForApproval",
    "Empty",
    "GranularApproval",
    "GranularApprovalSettings",
    "ImageInput",
    "LocalImageInput",
    "SandboxMode",
    "SandboxPolicy",
    "SkillInput",
    "TextInput",
    "UserInput",
    "Wire",
]

ApprovalsReviewer = Literal["user", "auto_review", "guardian_subagent"]


class GranularApprovalSettings(BaseModel):
    """Which prompts a granular policy shows (``true``) or rejects at once (``false``); the
    members are snake_case on the wire, as in the reference."""

    model_config = ConfigDict(extra="ignore", title="GranularApprovalSettings")

    sandbox_approval: bool = True
    rules: bool = True
    skill_approval: bool = False
    request_permissions: bool = False
    mcp_elicitations: bool = True


class GranularApproval(BaseModel):
    """``{"granular": {...}}``: on-request with per-kind prompt switches."""

    model_config = ConfigDict(extra="forbid", title="GranularApproval")

    granular: GranularApprovalSettings


AskForApproval = ApprovalPolicy | GranularApproval
"""The reference's ``AskForApproval``: a policy name or the granular form."""


class Wire(BaseModel):
    """Base of every wire model: camelCase aliases, python names accepted too."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        json_schema_serialization_defaults_required=True,
        protected_namespaces=(),  # fields such as `model_provider` (pydantic < 2.10 warned about each)
    )

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class SandboxPolicy(Wire):
    """The v2 ``SandboxPolicy`` (its ``type``; ``networkAccess`` / ``writableRoots`` as reported)."""

    type: Literal["dangerFullAccess", "readOnly", "workspaceWrite", "externalSandbox"]
    network_access: Any = None
    writable_roots: list[str] | None = None


class Empty(Wire):
    """``{}`` (params of parameterless methods, results that carry nothing)."""


# --- user input ---------------------------------------------------------------------------


class TextInput(Wire):
    type: Literal["text"]
    text: str
    text_elements: list[dict[str, Any]] = Field(default_factory=list, alias="text_elements")


class ImageInput(Wire):
    type: Literal["image"]
    url: str


class LocalImageInput(Wire):
    type: Literal["localImage"]
    path: str


class SkillInput(Wire):
    """A skill the user picked (its ``SKILL.md`` is sent to the model with the turn)."""

    type: Literal["skill"]
    name: str
    path: str


UserInput = Annotated[TextInput | ImageInput | LocalImageInput | SkillInput, Field(discriminator="type")]
