"""Resolve a merged ``ConfigToml`` into ``Config``: profile, explicit flags, requirements."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_core.config.features import canonical_feature, feature_enabled
from codex_core.config.models import (
    ApprovalPolicy,
    ApprovalsReviewer,
    ConfigToml,
    FeatureValue,
    GranularApprovalFlags,
    GranularApprovalToml,
    SandboxMode,
    WebSearchMode,
    WebSearchToolToml,
)
from codex_core.config.permissions import PermissionProfileToml, resolve_profile_inheritance
from codex_core.config.project_root import DEFAULT_PROJECT_ROOT_MARKERS
from codex_core.config.requirements import Requirements, constraint_error
from codex_core.config.resolved import Config, Origin
from codex_core.config.unknown import UnknownKey
from codex_core.errors import ConfigError

if TYPE_CHECKING:
    from codex_core.config.loader import ConfigOverrides

__all__ = ["resolve"]


def _read_instructions_file(path: Path | None, base: Path) -> str | None:
    if path is None:
        return None
    p = path.expanduser()
    if not p.is_absolute():
        p = base / p
    try:
        return p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"model_instructions_file: cannot read {p}: {exc.strerror}", key="model_instructions_file"
        ) from None


_BUILTIN_PROFILE_MODES: dict[str, SandboxMode] = {
    ":read-only": "read-only",
    ":workspace": "workspace-write",
    ":danger-full-access": "danger-full-access",
}


def _profile_sandbox_mode(name: str, permissions: Mapping[str, PermissionProfileToml]) -> SandboxMode:
    """The legacy sandbox mode a permission profile amounts to (for display and requirements)."""
    if name in _BUILTIN_PROFILE_MODES:
        return _BUILTIN_PROFILE_MODES[name]
    profile = permissions.get(name)
    if profile is None:
        return "read-only"  # reported as an error below
    if profile.filesystem.get(":root") == "write":
        return "danger-full-access"
    writes = any(v == "write" or (isinstance(v, dict) and "write" in v.values()) for v in profile.filesystem.values())
    return "workspace-write" if writes else "read-only"


def resolve(
    doc: ConfigToml,
    *,
    origins: dict[str, Origin],
    overrides: ConfigOverrides,
    codex_home: Path,
    cwd: Path,
    requirements: Requirements,
    trusted: bool,
    default_model: str,
    default_approval_policy: ApprovalPolicy | None,
    profile_file: Path | None = None,
    project_root: Path | None = None,
    unknown_keys: tuple[UnknownKey, ...] = (),
    warnings: Sequence[str] = (),
) -> Config:
    """``profile_file``: the ``$CODEX_HOME/<profile>.config.toml`` layered in by the loader (it
    wins over a ``[profiles.<profile>]`` table of the same name, which is then ignored)."""
    ov = overrides
    origins = dict(origins)
    warnings = list(warnings)
    permissions = resolve_profile_inheritance(doc.permissions)

    profile_name = ov.profile or doc.profile
    profile = None
    if profile_name is not None:
        profile = doc.profiles.get(profile_name)
        if profile is not None and profile_file is not None:
            warnings.append(
                f"profile `{profile_name}`: {profile_file} is used and `[profiles.{profile_name}]` in config.toml "
                "is ignored; move its settings into that file"
            )
            profile = None
        elif profile is None and profile_file is None:
            known = ", ".join(sorted(doc.profiles)) or "none defined"
            message = (
                f"config profile `{profile_name}` not found: no {codex_home / (profile_name + '.config.toml')} "
                f"and no `[profiles.{profile_name}]` (profiles: {known})"
            )
            if not ov.profile:  # `profile = "..."` in a config file names something that must exist
                raise ConfigError(message, key="profile")
            warnings.append(message + "; using the configuration without a profile")
    if profile is not None:
        for k in profile.model_fields_set:
            origins[k] = Origin(f"profile:{profile_name}", origins.get(f"profiles.{profile_name}.{k}", Origin("")).path)

    def pick(key: str, flag: Any) -> Any:
        if flag is not None:
            origins[key] = Origin("cli")
            return flag
        if profile is not None and key in profile.model_fields_set:
            return getattr(profile, key)
        return getattr(doc, key, None)

    model = pick("model", ov.model) or default_model
    provider = pick("model_provider", ov.model_provider)
    if ov.oss:
        provider = doc.oss_provider or "ollama"
        origins["model_provider"] = Origin("cli")
    provider = provider or "openai"
    if provider not in ("openai", "ollama", "lmstudio") and provider not in doc.model_providers:
        known = ", ".join(sorted({"openai", "ollama", "lmstudio", *doc.model_providers}))
        raise ConfigError(f"model_provider `{provider}` is not defined; known providers: {known}", key="model_provider")

    # approval policy / sandbox mode: explicit flags beat profile beat config
    flag_approval: ApprovalPolicy | None = ov.approval_policy
    flag_sandbox: SandboxMode | None = ov.sandbox_mode
    if ov.dangerously_bypass_approvals_and_sandbox:
        if ov.full_auto or ov.approval_policy is not None:
            raise ConfigError(
                "--dangerously-bypass-approvals-and-sandbox cannot be used with --full-auto or --ask-for-approval"
            )
        flag_approval, flag_sandbox = "never", "danger-full-access"
    elif ov.full_auto:
        flag_approval = flag_approval or "on-request"
        flag_sandbox = flag_sandbox or "workspace-write"

    picked_approval = pick("approval_policy", flag_approval)
    granular: GranularApprovalFlags | None = None
    if isinstance(picked_approval, GranularApprovalToml):
        granular = picked_approval.flags
        picked_approval = "on-request"  # granular is on-request with per-kind prompt switches
    approval: ApprovalPolicy = picked_approval or default_approval_policy or "on-request"
    if "approval_policy" not in origins and default_approval_policy is None:
        origins["approval_policy"] = Origin("default")
    explicit_sandbox = (
        flag_sandbox is not None
        or doc.sandbox_mode is not None
        or (profile is not None and profile.sandbox_mode is not None)
    )
    sandbox: SandboxMode = pick("sandbox_mode", flag_sandbox) or ("workspace-write" if trusted else "read-only")
    # `sandbox_mode` / `--sandbox` anywhere switches back from permission profiles to legacy mode
    default_permissions = None if explicit_sandbox else doc.default_permissions
    if default_permissions is not None:
        sandbox = _profile_sandbox_mode(default_permissions, permissions)
        origins["sandbox_mode"] = origins.get("default_permissions", Origin("default"))

    # managed requirements
    allowed_ap = requirements.allowed_approval_policies
    if allowed_ap is not None and approval not in allowed_ap:
        msg = constraint_error("approval_policy", approval, list(allowed_ap), requirements.source)
        if flag_approval is not None:
            raise ConfigError(msg, key="approval_policy")
        warnings.append(msg + f"; using `{allowed_ap[0]}`")
        approval = allowed_ap[0]
        origins["approval_policy"] = Origin("requirements", requirements.source)
    allowed_sb = requirements.allowed_sandbox_modes
    if allowed_sb is not None and sandbox not in allowed_sb:
        msg = constraint_error("sandbox_mode", sandbox, list(allowed_sb), requirements.source)
        if flag_sandbox is not None:
            raise ConfigError(msg, key="sandbox_mode")
        if default_permissions is not None:
            msg += f" (permission profile `{default_permissions}`)"
        warnings.append(msg + "; using `read-only`")
        sandbox = "read-only"
        default_permissions = None
        origins["sandbox_mode"] = Origin("requirements", requirements.source)

    features = _feature_switches(doc.features)
    if profile is not None and profile.features:
        features.update(_feature_switches(profile.features))
    for name, value in requirements.pinned_features.items():
        if features.get(name, value) != value:
            warnings.append(f"feature `{name}` is pinned to {value} by {requirements.source}")
        features[name] = value
        origins[f"features.{name}"] = Origin("requirements", requirements.source)

    web_search: WebSearchMode = pick("web_search", None) or "cached"
    if ov.search:
        web_search = "live"
        origins["web_search"] = Origin("cli")
    allowed_ws = requirements.allowed_web_search_modes
    if allowed_ws is not None and web_search != "disabled" and web_search not in allowed_ws:
        msg = constraint_error("web_search", web_search, [*allowed_ws, "disabled"], requirements.source)
        if ov.search:
            raise ConfigError(msg, key="web_search")
        web_search = "cached" if "cached" in allowed_ws else ("live" if "live" in allowed_ws else "disabled")

    sww = doc.sandbox_workspace_write or type(doc).model_fields["sandbox_workspace_write"].annotation.__args__[0]()  # type: ignore[union-attr]
    if ov.add_dirs:
        # not resolve(): the sandbox policy resolves roots itself and refuses symlinks inside writable roots
        extra = [Path(os.path.normpath(Path(d).expanduser().absolute())) for d in ov.add_dirs]
        for d in extra:
            if not d.is_dir():
                raise ConfigError(f"--add-dir: {d} is not a directory", key="add_dir")
        sww = sww.model_copy(update={"writable_roots": [*sww.writable_roots, *extra]})
        origins["sandbox_workspace_write.writable_roots"] = Origin("cli")
    for root in sww.writable_roots:
        if not root.is_absolute():
            raise ConfigError(
                f"sandbox_workspace_write.writable_roots: `{root}` must be an absolute path",
                key="sandbox_workspace_write.writable_roots",
            )

    if default_permissions is not None:
        name = default_permissions
        if not name.startswith(":") and name not in doc.permissions:
            if not doc.permissions:
                raise ConfigError("default_permissions requires a `[permissions]` table", key="default_permissions")
            raise ConfigError(
                f"default_permissions names `{name}`, but there is no `[permissions.{name}]` table",
                key="default_permissions",
            )

    mcp_servers = dict(doc.mcp_servers)
    if requirements.mcp_servers is not None:  # admin allowlist by identity (command or url)
        for name, server in list(mcp_servers.items()):
            entry = requirements.mcp_servers.get(name)
            ident = entry.get("identity") if isinstance(entry, dict) else None
            ident = ident if isinstance(ident, dict) else {}
            allowed = (server.command is not None and ident.get("command") == server.command) or (
                server.url is not None and ident.get("url") == server.url
            )
            if not allowed and server.enabled:
                mcp_servers[name] = server.model_copy(update={"enabled": False})
                warnings.append(
                    f"MCP server `{name}` is disabled: its identity is not allowed by `mcp_servers` in {requirements.source}"
                )
                origins[f"mcp_servers.{name}.enabled"] = Origin("requirements", requirements.source)

    instructions_file = pick("model_instructions_file", None) or pick("experimental_instructions_file", None)
    base_instructions = doc.base_instructions or _read_instructions_file(instructions_file, codex_home)

    reviewer: ApprovalsReviewer = pick("approvals_reviewer", None) or "user"
    if reviewer != "user":
        warnings.append(
            f'approvals_reviewer = "{reviewer}" is not supported by codex-py; approval requests go to the user'
        )
    tools = pick("tools", None) or doc.tools
    web_search_tool = (
        tools.web_search if tools is not None and isinstance(tools.web_search, WebSearchToolToml) else None
    )

    return Config(
        codex_home=codex_home,
        cwd=cwd,
        model=model,
        model_provider_id=provider,
        model_providers=dict(doc.model_providers),
        model_reasoning_effort=pick("model_reasoning_effort", None),
        model_reasoning_summary=pick("model_reasoning_summary", None),
        model_verbosity=pick("model_verbosity", None),
        model_context_window=doc.model_context_window,
        model_auto_compact_token_limit=doc.model_auto_compact_token_limit,
        approval_policy=approval,
        approval_granular=granular if approval == "on-request" else None,
        sandbox_mode=sandbox,
        sandbox_workspace_write=sww,
        default_permissions=default_permissions,
        permissions=permissions,
        shell_environment_policy=doc.shell_environment_policy,
        mcp_servers=mcp_servers,
        notify=tuple(doc.notify) if doc.notify else None,
        history=doc.history,
        tui=doc.tui,
        active_profile=profile_name,
        project_doc_max_bytes=doc.project_doc_max_bytes,
        project_doc_fallback_filenames=tuple(doc.project_doc_fallback_filenames),
        features=features,
        web_search=web_search,
        hide_agent_reasoning=doc.hide_agent_reasoning,
        show_raw_agent_reasoning=doc.show_raw_agent_reasoning,
        base_instructions=base_instructions,
        developer_instructions=doc.developer_instructions,
        user_instructions=doc.instructions,
        compact_prompt=doc.compact_prompt,
        oss=ov.oss,
        trusted_project=trusted,
        requirements=requirements,
        toml=doc,
        origins=origins,
        warnings=tuple(warnings),
        unknown_keys=unknown_keys,
        profile_file=profile_file,
        project_root=project_root,
        project_root_markers=tuple(
            doc.project_root_markers if doc.project_root_markers is not None else DEFAULT_PROJECT_ROOT_MARKERS
        ),
        review_model=doc.review_model,
        personality=pick("personality", None),
        service_tier=pick("service_tier", None),
        plan_mode_reasoning_effort=pick("plan_mode_reasoning_effort", None),
        approvals_reviewer=reviewer,
        tool_output_token_limit=doc.tool_output_token_limit,
        web_search_tool=web_search_tool,
        file_opener=doc.file_opener,
        disable_paste_burst=doc.disable_paste_burst or bool(doc.tui.disable_paste_burst),
        analytics_enabled=_enabled(pick("analytics", None) or doc.analytics),
        feedback_enabled=_enabled(doc.feedback),
        check_for_update_on_startup=doc.check_for_update_on_startup,
    )


def _enabled(table: Any) -> bool:
    """An ``[analytics]``/``[feedback]`` switch: on unless ``enabled = false``."""
    value = getattr(table, "enabled", None)
    return value is not False


def _feature_switches(table: Mapping[str, FeatureValue]) -> dict[str, bool]:
    """``[features]`` as name -> on/off, with legacy aliases under their 0.169 name."""
    out: dict[str, bool] = {}
    for name, value in table.items():
        enabled = feature_enabled(value)
        if enabled is not None:
            out[canonical_feature(str(name))] = enabled
    return out
