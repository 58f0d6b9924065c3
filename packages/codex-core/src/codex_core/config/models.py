"""Typed models of ``config.toml`` with Codex's real key names and defaults.

Every key of Codex CLI 0.169's ``config.toml`` is declared here (plus the few older keys codex-py
still honours), and every model forbids undeclared keys, so a *known* key is always validated
strictly: a wrong type or an unknown enum value is an error naming file, line and key.

Keys no model declares are not errors: :mod:`codex_core.config.unknown` sets them aside before
validation and the loader reports them as a warning (an error with ``--strict-config``). Tables
that Codex 0.169 itself does not check (``[hooks]``, ``[apps.*]``, ``[desktop]``, ...) are
:class:`~codex_core.config.unknown.OpenTable` fields: anything in them is accepted quietly.
Permission profiles are the exception: an unknown key there is an error (a misspelt rule must
never widen the sandbox), see :mod:`codex_core.config.permissions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from codex_core.config.features import KNOWN_FEATURES, TABLE_FEATURES
from codex_core.config.permissions import PermissionProfileToml
from codex_core.config.unknown import KnownKeys, OpenTable

TomlPath = Annotated[Path, Field(strict=False)]
"""A path written as a TOML string."""
AnyTable = Annotated[dict[str, Any], OpenTable()]
"""A table accepted as is: read by nothing in codex-py, or read loosely where it is used."""

__all__ = [
    "KNOWN_FEATURES",
    "AgentRoleToml",
    "AgentsToml",
    "AnalyticsToml",
    "ApprovalPolicy",
    "ApprovalPolicyToml",
    "ApprovalsReviewer",
    "ConfigToml",
    "FeatureName",
    "FeedbackToml",
    "GranularApprovalFlags",
    "GranularApprovalToml",
    "HistoryToml",
    "McpServerToml",
    "McpToolToml",
    "MemoriesToml",
    "ModelProviderToml",
    "NoticeToml",
    "OtelToml",
    "Personality",
    "ProfileToml",
    "ProjectToml",
    "ReasoningEffort",
    "ReasoningSummary",
    "SandboxMode",
    "SandboxWorkspaceWriteToml",
    "ShellEnvironmentPolicyToml",
    "SkillsToml",
    "ToolsToml",
    "TuiToml",
    "Verbosity",
    "WebSearchMode",
    "WebSearchToolToml",
]

ApprovalPolicy = Literal["untrusted", "on-failure", "on-request", "never"]
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh"]
ReasoningSummary = Literal["auto", "concise", "detailed", "none"]
Verbosity = Literal["low", "medium", "high"]
WebSearchMode = Literal["disabled", "cached", "live"]
Personality = Literal["none", "friendly", "pragmatic"]
ApprovalsReviewer = Literal["user", "auto_review", "guardian_subagent"]
"""Who reviews escalated approval requests. codex-py always asks the user (``auto_review`` is
accepted and reported as a warning, see docs/config.md)."""
FileOpener = Literal["vscode", "vscode-insiders", "windsurf", "cursor", "none"]
AppToolApproval = Literal["auto", "prompt", "approve"]

FeatureName = str
"""A feature name: one of ``KNOWN_FEATURES`` (``codex features list``)."""
FeatureValue = bool | dict[str, Any]
"""``true``/``false``, or a table for the few features that take settings (``TABLE_FEATURES``)."""
FeaturesTable = Annotated[dict[FeatureName, FeatureValue], KnownKeys(frozenset(KNOWN_FEATURES))]


def _check_feature_values(v: dict[str, FeatureValue] | None) -> dict[str, FeatureValue] | None:
    for name, value in (v or {}).items():
        if isinstance(value, dict) and name not in TABLE_FEATURES:
            raise ValueError(f"feature `{name}` takes true or false, not a table")
        if isinstance(value, dict) and not isinstance(value.get("enabled", False), bool):
            raise ValueError(f"feature `{name}`: `enabled` must be true or false")
    return v


class _Toml(BaseModel):
    # protected_namespaces: config keys start with `model_` (pydantic < 2.10 warned about each)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True, protected_namespaces=())


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
    websocket_connect_timeout_ms: int | None = Field(default=None, ge=0)
    supports_websockets: bool = False
    """Accepted; codex-py always uses HTTP streaming."""
    supports_standalone_web_search: bool | None = None
    auth: AnyTable | None = None
    """Command-backed bearer token (``command``, ``args``, ...): accepted, not run by codex-py."""
    aws: AnyTable | None = None
    gateway_oauth: AnyTable | None = None

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


class McpToolToml(_Toml):
    """``[mcp_servers.<name>.tools.<tool>]``."""

    approval_mode: AppToolApproval | None = None


class McpServerToml(_Toml):
    """``[mcp_servers.<name>]``: stdio (``command``) or streamable HTTP (``url``)."""

    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] | None = None
    env_vars: list[str] | None = None
    """Names of variables forwarded from Codex's environment (0.169's ``{ name = "X" }`` entries
    are read as their name)."""
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
    required: bool = False
    """A required server that fails to start fails the session instead of being skipped."""
    enabled_tools: list[str] | None = None
    disabled_tools: list[str] | None = None
    tools: dict[str, McpToolToml] | None = None
    """Per-tool settings (``[mcp_servers.<name>.tools.<tool>] approval_mode = ...``)."""
    default_tools_approval_mode: AppToolApproval | None = None
    supports_parallel_tool_calls: bool | None = None
    scopes: list[str] | None = None
    oauth_resource: str | None = None
    oauth: AnyTable | None = None
    auth: Literal["oauth", "chatgpt"] | None = None
    http_headers_helper: str | None = None
    name: str | None = None
    """Legacy display name, accepted and ignored."""
    environment_id: str | None = None
    startup_readiness: str | None = None
    tool_input_schema_max_bytes: int | None = Field(default=None, ge=0)

    @field_validator("env_vars", mode="before")
    @classmethod
    def _env_var_names(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [e["name"] if isinstance(e, dict) and isinstance(e.get("name"), str) else e for e in v]
        return v

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
                for k in (
                    "bearer_token_env_var",
                    "http_headers",
                    "env_http_headers",
                    "http_headers_helper",
                    "scopes",
                    "oauth_resource",
                    "oauth",
                )
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
    """``[tui]``: every key of 0.169's; the TUI reads the ones it implements (docs/tui.md)."""

    notifications: bool | list[str] = False
    notification_method: Literal["auto", "osc9", "bel"] = "auto"
    notification_condition: Literal["unfocused", "always"] = "unfocused"
    animations: bool = True
    show_tooltips: bool = True
    alternate_screen: bool | Literal["auto", "always", "never"] = "auto"
    theme: str | None = None
    """Syntax-highlighting theme name (kebab-case)."""
    status_line: list[str] | None = None
    status_line_use_colors: bool = True
    terminal_title: list[str] | None = None
    vim_mode_default: bool = False
    screen_reader_detection_done: bool = False
    """Written by Codex itself once it has asked about screen readers."""
    show_server_version_notice: bool | None = None
    auto_recap: bool | None = None
    disable_paste_burst: bool | None = None
    question_esc_back: bool | None = None
    raw_output_mode: bool = False
    fullscreen_transcript: bool | None = None
    collapse_turn_details: bool | None = None
    sidebar_width_percent: int | None = Field(default=None, ge=0, le=100)
    mouse_scroll_speed: float | None = Field(default=None, gt=0)
    copy_on_select: str | None = None
    copy_on_select_clear_selection: bool | None = None
    right_click_paste: str | None = None
    pet: str | None = None
    pet_anchor: str | None = None
    session_picker_view: Literal["comfortable", "dense"] | None = None
    agents_overview_grouping: str | None = None
    resume_cwd: str | None = None
    terminal_resize_reflow_max_rows: int | None = Field(default=None, ge=0)
    effects: AnyTable | None = None
    rendering: AnyTable | None = None
    keymap: AnyTable | None = None
    presets: AnyTable | None = None
    default_hosts: AnyTable | None = None
    model_availability_nux: AnyTable | None = None


class ProfileTuiToml(_Toml):
    """``[profiles.<name>.tui]``."""

    session_picker_view: Literal["comfortable", "dense"] | None = None


class AnalyticsToml(_Toml):
    """``[analytics]``: codex-py sends no analytics; ``enabled`` is accepted and reported."""

    enabled: bool | None = None


class FeedbackToml(_Toml):
    """``[feedback]``: codex-py has no feedback upload; ``enabled`` is accepted and reported."""

    enabled: bool | None = None


class OtelToml(_Toml):
    """``[otel]``: OpenTelemetry export settings. codex-py exports nothing (accepted, ignored)."""

    environment: str | None = None
    exporter: str | dict[str, Any] | None = None
    metrics_exporter: str | dict[str, Any] | None = None
    trace_exporter: str | dict[str, Any] | None = None
    log_user_prompt: bool | None = None
    log_sse_deltas: bool | None = None
    log_agent_responses: bool | None = None
    log_guardian_assessments: bool | None = None
    tool_result: AnyTable | None = None
    span_attributes: dict[str, str] | None = None
    tracestate: dict[str, dict[str, str]] | None = None


class NoticeToml(_Toml):
    """``[notice]``: acknowledgements Codex writes itself (warnings shown once, migrations seen)."""

    hide_full_access_warning: bool | None = None
    hide_world_writable_warning: bool | None = None
    hide_rate_limit_model_nudge: bool | None = None
    hide_gpt5_1_migration_prompt: bool | None = None
    hide_gpt_5_1_codex_max_migration_prompt: bool | None = Field(
        default=None, alias="hide_gpt-5.1-codex-max_migration_prompt"
    )
    hide_gov_cloud_guidance: bool | None = None
    fast_default_opt_out: bool | None = None
    model_migrations: dict[str, str] | None = None
    external_config_migration_prompts: AnyTable | None = None


class MemoriesToml(_Toml):
    """``[memories]``: the memories subsystem, not implemented by codex-py (accepted, ignored)."""

    generate_memories: bool | None = None
    use_memories: bool | None = None
    dedicated_tools: bool | None = None
    dual_write: bool | None = None
    disable_on_external_context: bool | None = None
    max_raw_memories_for_consolidation: int | None = Field(default=None, ge=0)
    max_unused_days: int | None = None
    max_rollout_age_days: int | None = None
    max_rollouts_per_startup: int | None = Field(default=None, ge=0)
    min_rollout_idle_hours: int | None = None
    min_rate_limit_remaining_percent: int | None = None
    extract_model: str | None = None
    consolidation_model: str | None = None
    consolidation_service_tier: str | None = None


class SkillEntryToml(_Toml):
    enabled: bool
    name: str | None = None
    path: TomlPath | None = None


class BundledSkillsToml(_Toml):
    enabled: bool = True


class SkillsToml(_Toml):
    """``[skills]``: skill discovery settings (``codex_core.skills``)."""

    include_instructions: bool | None = None
    bundled: BundledSkillsToml | None = None
    config: list[SkillEntryToml] | None = None


class AgentRoleToml(_Toml):
    """``[agents.<role>]``: a sub-agent role."""

    description: str | None = None
    config_file: TomlPath | None = None
    nickname_candidates: list[str] | None = None


class AgentsToml(_Toml):
    """``[agents]``: sub-agent limits and roles (codex-py runs no sub-agents: accepted, ignored).
    Keys other than the settings below are role tables."""

    codex_entry_model: ClassVar[type[BaseModel]] = AgentRoleToml
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True, strict=True, protected_namespaces=())

    max_threads: int | None = Field(default=None, ge=1)
    max_depth: int | None = Field(default=None, ge=1)
    job_max_runtime_seconds: int | None = Field(default=None, ge=1)
    interrupt_message: bool | None = None
    default_subagent_model: str | None = None
    default_subagent_reasoning_effort: str | None = None

    @model_validator(mode="after")
    def _roles(self) -> AgentsToml:
        for name, value in (self.model_extra or {}).items():
            if not isinstance(value, dict):
                raise ValueError(f"`agents.{name}` must be a table describing an agent role")
            AgentRoleToml.model_validate(value)
        return self


class WebSearchLocationToml(_Toml):
    city: str | None = None
    country: str | None = None
    region: str | None = None
    timezone: str | None = None


class WebSearchToolToml(_Toml):
    """``[tools.web_search]``: options of the hosted web search tool."""

    context_size: Literal["low", "medium", "high"] | None = None
    allowed_domains: list[str] | None = None
    location: WebSearchLocationToml | None = None


class ToolsToml(_Toml):
    """``[tools]``."""

    web_search: bool | WebSearchToolToml | None = None
    """``true``/``false`` (older configs: turn the tool on or off) or the tool's options."""
    client_search_provider: str | None = None
    experimental_request_user_input: AnyTable | None = None
    update_plan: AnyTable | None = None


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
    toml_shape: ClassVar[str] = "{ granular = { … } }"
    """How error messages show this table (:mod:`codex_core.config.errors`)."""

    granular: GranularApprovalFlags | None = None
    reject: GranularApprovalFlags | None = None
    """Older name of ``granular``."""

    @property
    def flags(self) -> GranularApprovalFlags:
        return self.granular or self.reject or GranularApprovalFlags()


ApprovalPolicyToml = ApprovalPolicy | GranularApprovalToml


class ProfileToml(_Toml):
    """``[profiles.<name>]``: keys that a profile may override (0.169's profile keys, plus the
    older ``experimental_instructions_file`` and ``tools_web_search``)."""

    model: str | None = None
    model_provider: str | None = None
    approval_policy: ApprovalPolicyToml | None = None
    approvals_reviewer: ApprovalsReviewer | None = None
    sandbox_mode: SandboxMode | None = None
    model_reasoning_effort: ReasoningEffort | None = None
    plan_mode_reasoning_effort: ReasoningEffort | None = None
    model_reasoning_summary: ReasoningSummary | None = None
    model_verbosity: Verbosity | None = None
    model_catalog_json: str | None = None
    chatgpt_base_url: str | None = None
    experimental_instructions_file: TomlPath | None = None
    experimental_compact_prompt_file: TomlPath | None = None
    model_instructions_file: TomlPath | None = None
    oss_provider: Literal["lmstudio", "ollama"] | None = None
    personality: Personality | None = None
    service_tier: str | None = None
    tools_web_search: bool | None = None
    web_search: WebSearchMode | None = None
    tools: ToolsToml | None = None
    analytics: AnalyticsToml | None = None
    tui: ProfileTuiToml | None = None
    windows: AnyTable | None = None
    include_apps_instructions: bool | None = None
    include_collaboration_mode_instructions: bool | None = None
    include_environment_context: bool | None = None
    include_permissions_instructions: bool | None = None
    experimental_use_unified_exec_tool: bool | None = None
    features: FeaturesTable | None = None

    @field_validator("features")
    @classmethod
    def _feature_values(cls, v: dict[str, FeatureValue] | None) -> dict[str, FeatureValue] | None:
        return _check_feature_values(v)


class ConfigToml(_Toml):
    """The whole ``config.toml`` document (after layering).

    Grouped as 0.169 documents them. "Accepted" keys are validated and kept in ``Config.toml``
    but change nothing in codex-py; docs/config.md lists which and why.
    """

    # model and provider
    model: str | None = None
    review_model: str | None = None
    model_provider: str | None = None
    model_providers: dict[str, ModelProviderToml] = Field(default_factory=dict)
    model_reasoning_effort: ReasoningEffort | None = None
    plan_mode_reasoning_effort: ReasoningEffort | None = None
    model_reasoning_summary: ReasoningSummary | None = None
    model_verbosity: Verbosity | None = None
    model_context_window: int | None = Field(default=None, gt=0)
    model_auto_compact_token_limit: int | None = Field(default=None, gt=0)
    model_auto_compact_token_limit_scope: Literal["total", "body_after_prefix"] | None = None
    model_post_turn_compact_threshold_percent: int | None = Field(default=None, ge=0, le=255)
    model_max_output_tokens: int | None = Field(default=None, gt=0)
    model_catalog_json: TomlPath | None = None
    personality: Personality | None = None
    service_tier: str | None = None
    """Service tier requested for new turns (``default``, ``priority``, ``flex``; ``fast``)."""
    openai_base_url: str | None = None
    chatgpt_base_url: str | None = None
    oss_provider: Literal["lmstudio", "ollama"] | None = None
    responses_api_metadata: dict[str, Any] | None = None
    # approvals and sandbox
    approval_policy: ApprovalPolicyToml | None = None
    approvals_reviewer: ApprovalsReviewer | None = None
    auto_review: AnyTable | None = None
    sandbox_mode: SandboxMode | None = None
    sandbox_workspace_write: SandboxWorkspaceWriteToml | None = None
    default_permissions: str | None = None
    permissions: dict[str, PermissionProfileToml] = Field(default_factory=dict)
    shell_environment_policy: ShellEnvironmentPolicyToml = Field(default_factory=ShellEnvironmentPolicyToml)
    allow_login_shell: bool = True
    allow_symlinked_codex_home: bool | None = None
    # tools
    features: FeaturesTable = Field(default_factory=dict)
    experimental_use_unified_exec_tool: bool | None = None
    web_search: WebSearchMode | None = None
    tools: ToolsToml | None = None
    tool_output_token_limit: int | None = Field(default=None, ge=0)
    background_terminal_max_timeout: int | None = Field(default=None, ge=0)
    mcp_servers: dict[str, McpServerToml] = Field(default_factory=dict)
    mcp_oauth_credentials_store: Literal["auto", "file", "keyring"] | None = None
    mcp_oauth_callback_port: int | None = Field(default=None, ge=0, le=65535)
    mcp_oauth_callback_url: str | None = None
    mcp_enterprise_managed_auth: AnyTable | None = None
    mcp_optional_startup_grace_ms: int | None = Field(default=None, ge=0)
    hooks: AnyTable | None = None
    """Lifecycle hooks (``[[hooks.PreToolUse]]`` ...): accepted; codex-py runs no hooks."""
    skills: SkillsToml | None = None
    memories: MemoriesToml | None = None
    agents: AgentsToml | None = None
    apps: AnyTable | None = None
    apps_mcp_product_sku: str | None = None
    plugins: AnyTable | None = None
    marketplaces: AnyTable | None = None
    tool_suggest: AnyTable | None = None
    browser_use: AnyTable | None = None
    computer_use: AnyTable | None = None
    goals: AnyTable | None = None
    js_repl_node_path: TomlPath | None = None
    js_repl_node_module_dirs: list[str] | None = None
    # instructions and context
    instructions: str | None = None
    base_instructions: str | None = None
    developer_instructions: str | None = None
    model_instructions_file: TomlPath | None = None
    experimental_instructions_file: TomlPath | None = None
    compact_prompt: str | None = None
    experimental_compact_prompt_file: TomlPath | None = None
    include_apps_instructions: bool | None = None
    include_collaboration_mode_instructions: bool | None = None
    include_environment_context: bool | None = None
    include_permissions_instructions: bool | None = None
    project_doc_max_bytes: int = Field(default=32 * 1024, ge=0)
    project_doc_fallback_filenames: list[str] = Field(default_factory=list)
    project_root_markers: list[str] | None = None
    """Names whose presence marks the project root (default ``[".git"]``; ``[]``: the working
    directory is the root). Project ``.codex/config.toml`` layers and AGENTS.md files are
    looked up from that root down to the working directory."""
    # profiles, projects, history, UI
    profile: str | None = None
    profiles: dict[str, ProfileToml] = Field(default_factory=dict)
    projects: dict[str, ProjectToml] = Field(default_factory=dict)
    notify: list[str] | None = None
    history: HistoryToml = Field(default_factory=HistoryToml)
    tui: TuiToml = Field(default_factory=TuiToml)
    file_opener: FileOpener = "vscode"
    hide_agent_reasoning: bool = False
    show_raw_agent_reasoning: bool = False
    disable_paste_burst: bool = False
    notice: NoticeToml | None = None
    check_for_update_on_startup: bool = True
    """codex-py never checks for updates; accepted."""
    suppress_unstable_features_warning: bool | None = None
    desktop: AnyTable | None = None
    windows: AnyTable | None = None
    # auth, telemetry, storage
    preferred_auth_method: Literal["chatgpt", "apikey"] | None = None
    cli_auth_credentials_store: Literal["file", "keyring", "auto", "ephemeral"] | None = None
    forced_login_method: Literal["chatgpt", "api"] | None = None
    forced_chatgpt_workspace_id: str | list[str] | None = None
    analytics: AnalyticsToml | None = None
    feedback: FeedbackToml | None = None
    otel: OtelToml | None = None
    log_dir: TomlPath | None = None
    sqlite_home: TomlPath | None = None
    thread_unload_delay_secs: int | None = Field(default=None, ge=0)
    ghost_snapshot: AnyTable | None = None
    cloud: AnyTable | None = None
    orchestrator: AnyTable | None = None
    # realtime (experimental in 0.169)
    audio: AnyTable | None = None
    realtime: AnyTable | None = None
    experimental_realtime_start_instructions: str | None = None
    experimental_realtime_ws_backend_prompt: str | None = None
    experimental_realtime_ws_base_url: str | None = None
    experimental_realtime_webrtc_call_base_url: str | None = None
    experimental_realtime_ws_model: str | None = None
    experimental_realtime_ws_startup_context: str | None = None
    experimental_thread_store: AnyTable | None = None
    experimental_thread_store_endpoint: str | None = None

    @field_validator("features")
    @classmethod
    def _feature_values(cls, v: dict[str, FeatureValue] | None) -> dict[str, FeatureValue] | None:
        return _check_feature_values(v)

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
