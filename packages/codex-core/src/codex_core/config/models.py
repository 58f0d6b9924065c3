"""Typed models of ``config.toml`` with Codex's real key names and defaults.

Unknown keys are rejected (``extra="forbid"``) so that a typo is reported with its key path
instead of being silently ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from codex_core.config.permissions import PermissionProfileToml

TomlPath = Annotated[Path, Field(strict=False)]
"""A path written as a TOML string."""

__all__ = [
    "KNOWN_FEATURES",
    "ApprovalPolicy",
    "ApprovalPolicyToml",
    "ConfigToml",
    "FeatureName",
    "GranularApprovalFlags",
    "GranularApprovalToml",
    "HistoryToml",
    "McpServerToml",
    "ModelProviderToml",
    "ProfileToml",
    "ProjectToml",
    "ReasoningEffort",
    "ReasoningSummary",
    "SandboxMode",
    "SandboxWorkspaceWriteToml",
    "ShellEnvironmentPolicyToml",
    "TuiToml",
    "Verbosity",
    "WebSearchMode",
]

ApprovalPolicy = Literal["untrusted", "on-failure", "on-request", "never"]
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
ReasoningEffort = Literal["minimal", "low", "medium", "high", "xhigh"]
ReasoningSummary = Literal["auto", "concise", "detailed", "none"]
Verbosity = Literal["low", "medium", "high"]
WebSearchMode = Literal["disabled", "cached", "live"]

FeatureName = Literal[
    "shell_tool",
    "unified_exec",
    "apply_patch_freeform",
    "view_image_tool",
    "web_search_request",
    "network_proxy",
    "use_legacy_landlock",
    "use_linux_sandbox_bwrap",
    "rmcp_client",
]
KNOWN_FEATURES: dict[str, bool] = {
    # name -> default
    "shell_tool": True,
    "unified_exec": False,
    "apply_patch_freeform": False,
    "view_image_tool": True,
    "web_search_request": False,
    "network_proxy": False,
    "use_legacy_landlock": False,
    "use_linux_sandbox_bwrap": False,
    "rmcp_client": True,
}
"""Feature flags we know (``codex features list``); unknown names are rejected."""


class _Toml(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


class ModelProviderToml(_Toml):
    """``[model_providers.<id>]``."""

    name: str | None = None
    base_url: str | None = None
    env_key: str | None = None
    env_key_instructions: str | None = None
    experimental_bearer_token: str | None = None
    wire_api: Literal["responses", "chat"] = "responses"
    query_params: dict[str, str] | None = None
    http_headers: dict[str, str] | None = None
    env_http_headers: dict[str, str] | None = None
    request_max_retries: int | None = Field(default=None, ge=0)
    stream_max_retries: int | None = Field(default=None, ge=0)
    stream_idle_timeout_ms: int | None = Field(default=None, ge=1)
    requires_openai_auth: bool = False

    @field_validator("name")
    @classmethod
    def _name_not_empty(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("provider name must not be empty")
        return v

    @field_validator("wire_api")
    @classmethod
    def _no_chat(cls, v: str) -> str:
        if v == "chat":
            raise ValueError('`wire_api = "chat"` is no longer supported. How to fix: set wire_api = "responses"')
        return v


class SandboxWorkspaceWriteToml(_Toml):
    writable_roots: list[TomlPath] = Field(default_factory=list)
    network_access: bool = False
    exclude_tmpdir_env_var: bool = False
    exclude_slash_tmp: bool = False


class ShellEnvironmentPolicyToml(_Toml):
    inherit: Literal["all", "core", "none"] = "all"
    ignore_default_excludes: bool = True
    exclude: list[str] = Field(default_factory=list)
    set: dict[str, str] = Field(default_factory=dict)
    include_only: list[str] = Field(default_factory=list)
    experimental_use_profile: bool = False


class McpServerToml(_Toml):
    """``[mcp_servers.<name>]``: stdio (``command``) or streamable HTTP (``url``)."""

    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] | None = None
    env_vars: list[str] | None = None
    cwd: TomlPath | None = None
    url: str | None = None
    bearer_token_env_var: str | None = None
    bearer_token: str | None = None
    http_headers: dict[str, str] | None = None
    env_http_headers: dict[str, str] | None = None
    startup_timeout_sec: float | None = Field(default=None, gt=0)
    startup_timeout_ms: int | None = Field(default=None, gt=0)
    tool_timeout_sec: float = Field(default=60.0, gt=0)
    enabled: bool = True
    enabled_tools: list[str] | None = None
    disabled_tools: list[str] | None = None
    scopes: list[str] | None = None
    oauth_resource: str | None = None

    @model_validator(mode="after")
    def _transport(self) -> McpServerToml:
        if self.bearer_token is not None:
            raise ValueError(
                "`bearer_token` is not supported in config.toml; put the token in an environment "
                "variable and set `bearer_token_env_var` to its name"
            )
        if (self.command is None) == (self.url is None):
            raise ValueError("exactly one of `command` (stdio) or `url` (streamable HTTP) must be set")
        if self.url is not None:
            bad = [k for k in ("env", "env_vars", "cwd") if getattr(self, k) is not None]
            if self.args:
                bad.append("args")
            if bad:
                raise ValueError(f"stdio-only key(s) {', '.join(bad)} not allowed on a streamable HTTP server")
        else:
            bad = [
                k
                for k in ("bearer_token_env_var", "http_headers", "env_http_headers", "scopes", "oauth_resource")
                if getattr(self, k) is not None
            ]
            if bad:
                raise ValueError(f"HTTP-only key(s) {', '.join(bad)} not allowed on a stdio server")
        return self

    @property
    def transport(self) -> Literal["stdio", "streamable_http"]:
        return "stdio" if self.command is not None else "streamable_http"

    @property
    def startup_timeout(self) -> float:
        if self.startup_timeout_sec is not None:
            return self.startup_timeout_sec
        if self.startup_timeout_ms is not None:
            return self.startup_timeout_ms / 1000
        return 10.0


class HistoryToml(_Toml):
    persistence: Literal["save-all", "none"] = "save-all"
    max_bytes: int | None = Field(default=None, ge=0)


class TuiToml(_Toml):
    notifications: bool | list[str] = False
    animations: bool = True
    show_tooltips: bool = True
    alternate_screen: bool | Literal["auto", "always", "never"] = "auto"


class ProjectToml(_Toml):
    trust_level: Literal["trusted", "untrusted"] | None = None


class GranularApprovalFlags(_Toml):
    """``approval_policy = { granular = { ... } }``: ``true`` shows prompts of that kind, ``false``
    rejects them automatically."""

    sandbox_approval: bool = True
    rules: bool = True
    skill_approval: bool = False
    request_permissions: bool = False
    mcp_elicitations: bool = True


class GranularApprovalToml(_Toml):
    granular: GranularApprovalFlags | None = None
    reject: GranularApprovalFlags | None = None
    """Older name of ``granular``."""

    @property
    def flags(self) -> GranularApprovalFlags:
        return self.granular or self.reject or GranularApprovalFlags()


ApprovalPolicyToml = ApprovalPolicy | GranularApprovalToml


class ProfileToml(_Toml):
    """``[profiles.<name>]``: keys that a profile may override."""

    model: str | None = None
    model_provider: str | None = None
    approval_policy: ApprovalPolicyToml | None = None
    sandbox_mode: SandboxMode | None = None
    model_reasoning_effort: ReasoningEffort | None = None
    model_reasoning_summary: ReasoningSummary | None = None
    model_verbosity: Verbosity | None = None
    model_catalog_json: str | None = None
    chatgpt_base_url: str | None = None
    experimental_instructions_file: TomlPath | None = None
    model_instructions_file: TomlPath | None = None
    tools_web_search: bool | None = None
    web_search: WebSearchMode | None = None
    features: dict[FeatureName, bool] | None = None


class ConfigToml(_Toml):
    """The whole ``config.toml`` document (after layering)."""

    model: str | None = None
    model_provider: str | None = None
    model_providers: dict[str, ModelProviderToml] = Field(default_factory=dict)
    model_reasoning_effort: ReasoningEffort | None = None
    model_reasoning_summary: ReasoningSummary | None = None
    model_verbosity: Verbosity | None = None
    model_context_window: int | None = Field(default=None, gt=0)
    model_auto_compact_token_limit: int | None = Field(default=None, gt=0)
    model_max_output_tokens: int | None = Field(default=None, gt=0)
    approval_policy: ApprovalPolicyToml | None = None
    sandbox_mode: SandboxMode | None = None
    sandbox_workspace_write: SandboxWorkspaceWriteToml | None = None
    default_permissions: str | None = None
    permissions: dict[str, PermissionProfileToml] = Field(default_factory=dict)
    shell_environment_policy: ShellEnvironmentPolicyToml = Field(default_factory=ShellEnvironmentPolicyToml)
    mcp_servers: dict[str, McpServerToml] = Field(default_factory=dict)
    notify: list[str] | None = None
    history: HistoryToml = Field(default_factory=HistoryToml)
    tui: TuiToml = Field(default_factory=TuiToml)
    profile: str | None = None
    profiles: dict[str, ProfileToml] = Field(default_factory=dict)
    project_doc_max_bytes: int = Field(default=32 * 1024, ge=0)
    project_doc_fallback_filenames: list[str] = Field(default_factory=list)
    features: dict[FeatureName, bool] = Field(default_factory=dict)
    web_search: WebSearchMode | None = None
    tools: dict[str, Any] | None = None
    projects: dict[str, ProjectToml] = Field(default_factory=dict)
    file_opener: Literal["vscode", "cursor", "windsurf", "vscode-insiders", "none"] = "vscode"
    hide_agent_reasoning: bool = False
    show_raw_agent_reasoning: bool = False
    openai_base_url: str | None = None
    chatgpt_base_url: str | None = None
    oss_provider: Literal["lmstudio", "ollama"] | None = None
    instructions: str | None = None
    base_instructions: str | None = None
    developer_instructions: str | None = None
    model_instructions_file: TomlPath | None = None
    experimental_instructions_file: TomlPath | None = None
    compact_prompt: str | None = None
    disable_paste_burst: bool = False
    preferred_auth_method: Literal["chatgpt", "apikey"] | None = None

    @field_validator("model_providers")
    @classmethod
    def _no_builtin_redefinition(cls, v: dict[str, ModelProviderToml]) -> dict[str, ModelProviderToml]:
        for builtin in ("openai", "ollama", "lmstudio"):
            if builtin in v:
                raise ValueError(f"built-in model provider `{builtin}` cannot be redefined")
        return v

    @field_validator("permissions")
    @classmethod
    def _reserved_profile_names(cls, v: dict[str, PermissionProfileToml]) -> dict[str, PermissionProfileToml]:
        for name in v:
            if name.startswith(":"):
                raise ValueError(f"permissions profile `{name}` uses a reserved built-in profile prefix")
        return v
