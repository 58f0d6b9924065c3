"""The immutable, effective ``Config`` that the rest of codex-core consumes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from codex_core.config.models import (
    ApprovalPolicy,
    ConfigToml,
    GranularApprovalFlags,
    HistoryToml,
    McpServerToml,
    ModelProviderToml,
    ReasoningEffort,
    ReasoningSummary,
    SandboxMode,
    SandboxWorkspaceWriteToml,
    ShellEnvironmentPolicyToml,
    TuiToml,
    Verbosity,
    WebSearchMode,
)
from codex_core.config.permissions import PermissionProfileToml
from codex_core.config.requirements import Requirements

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
    """Non-fatal problems found while loading (e.g. a value replaced to satisfy requirements)."""

    def feature(self, name: str) -> bool:
        from codex_core.config.models import KNOWN_FEATURES

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
