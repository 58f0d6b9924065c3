"""The immutable, effective ``Config`` that the rest of codex-core consumes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from codex_core.config.models import (
    ApprovalPolicy,
    ApprovalsReviewer,
    ConfigToml,
    FileOpener,
    GranularApprovalFlags,
    HistoryToml,
    McpServerToml,
    ModelProviderToml,
    Personality,
    ReasoningEffort,
    ReasoningSummary,
    SandboxMode,
    SandboxWorkspaceWriteToml,
    ShellEnvironmentPolicyToml,
    TuiToml,
    Verbosity,
    WebSearchMode,
    WebSearchToolToml,
)
from codex_core.config.permissions import PermissionProfileToml
from codex_core.config.requirements import Requirements
from codex_core.config.unknown import UnknownKey

__all__ = ["Config", "Origin"]


@attrs.frozen
class Origin:
    """Where an effective value came from."""

    layer: str
    """``default``, ``system``, ``user``, ``project``, ``session-flags`` (``-c``), ``profile:<name>``,
    ``cli`` (explicit flag) or ``requirements``."""
    path: str | None = None
    """The file that set it, when it came from a file."""

    def __str__(self) -> str:
        return f"{self.layer} ({self.path})" if self.path else self.layer


@attrs.frozen(kw_only=True)
class Config:
    """Effective configuration for one run. Build it with ``load_config``."""

    codex_home: Path
    cwd: Path
    model: str
    model_provider_id: str
    model_providers: Mapping[str, ModelProviderToml]
    model_reasoning_effort: ReasoningEffort | None
    model_reasoning_summary: ReasoningSummary | None
    model_verbosity: Verbosity | None
    model_context_window: int | None
    model_auto_compact_token_limit: int | None
    approval_policy: ApprovalPolicy
    """``on-request`` when a granular policy is configured (see ``approval_granular``)."""
    approval_granular: GranularApprovalFlags | None
    """The per-kind switches of ``approval_policy = { granular = {...} }``, else ``None``."""
    sandbox_mode: SandboxMode
    sandbox_workspace_write: SandboxWorkspaceWriteToml
    """Includes ``--add-dir`` roots in ``writable_roots``."""
    default_permissions: str | None
    permissions: Mapping[str, PermissionProfileToml]
    shell_environment_policy: ShellEnvironmentPolicyToml
    mcp_servers: Mapping[str, McpServerToml]
    notify: tuple[str, ...] | None
    history: HistoryToml
    tui: TuiToml
    active_profile: str | None
    project_doc_max_bytes: int
    project_doc_fallback_filenames: tuple[str, ...]
    features: Mapping[str, bool]
    web_search: WebSearchMode
    hide_agent_reasoning: bool
    show_raw_agent_reasoning: bool
    base_instructions: str | None
    developer_instructions: str | None
    user_instructions: str | None
    compact_prompt: str | None
    oss: bool
    trusted_project: bool
    requirements: Requirements
    toml: ConfigToml
    """The merged, validated document (before profile/flags), for keys not lifted above."""
    origins: Mapping[str, Origin]
    warnings: tuple[str, ...] = ()
    """Non-fatal problems found while loading (e.g. a value replaced to satisfy requirements).
    Unrecognized keys come first, as one warning (``unknown_keys`` has each of them)."""
    unknown_keys: tuple[UnknownKey, ...] = ()
    """Every key no model declares, with its layer, file and line (ignored; see ``warnings``)."""
    profile_file: Path | None = None
    """``$CODEX_HOME/<profile>.config.toml`` when the active profile is one (0.169's form)."""
    project_root: Path | None = None
    """Nearest directory at or above ``cwd`` with a ``project_root_markers`` entry (``None``:
    ``cwd`` alone). Project ``.codex/config.toml`` layers and AGENTS.md are read from here down."""
    project_root_markers: tuple[str, ...] = (".git",)
    review_model: str | None = None
    """Model for reviews (``codex review``); ``None``: the session model."""
    personality: Personality | None = None
    service_tier: str | None = None
    """``service_tier`` of model requests (``flex``, ``priority``...); ``None``: not sent."""
    plan_mode_reasoning_effort: ReasoningEffort | None = None
    approvals_reviewer: ApprovalsReviewer = "user"
    tool_output_token_limit: int | None = None
    """Token budget of one tool output kept in the conversation; ``None``: the built-in budget."""
    web_search_tool: WebSearchToolToml | None = None
    """``[tools.web_search]`` options (context size, allowed domains, location)."""
    file_opener: FileOpener = "vscode"
    """URI scheme for file links in the TUI (``none``: plain paths)."""
    disable_paste_burst: bool = False
    """TUI: no burst-paste detection (``disable_paste_burst`` or ``tui.disable_paste_burst``)."""
    analytics_enabled: bool = True
    """Reported only: codex-py sends no analytics."""
    feedback_enabled: bool = True
    check_for_update_on_startup: bool = True
    """Reported only: codex-py never checks for updates."""

    def feature(self, name: str) -> bool:
        """Whether feature ``name`` is on (legacy aliases such as ``view_image_tool`` read their
        0.169 name; unknown names are off)."""
        from codex_core.config.features import KNOWN_FEATURES, canonical_feature

        name = canonical_feature(name)
        return self.features.get(name, KNOWN_FEATURES.get(name, False))

    def explain(self, key: str) -> Origin:
        """Where the effective value of dotted ``key`` came from (deepest recorded ancestor)."""
        parts = key.split(".")
        for i in range(len(parts), 0, -1):
            origin = self.origins.get(".".join(parts[:i]))
            if origin is not None:
                return origin
        # a table whose children were set: report the first child's origin
        for k, origin in self.origins.items():
            if k.startswith(key + "."):
                return origin
        return Origin("default")

    def explain_all(self) -> dict[str, Origin]:
        return dict(sorted(self.origins.items()))
