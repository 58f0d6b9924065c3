"""Feature flags: every name Codex CLI 0.169 knows, with its stage and default (``codex features list``).

The table is ``codex features list`` of the reference 0.169 with an empty config, so a
``[features]`` table, ``--enable``/``--disable`` or ``-c features.NAME=...`` written for 0.169 is
accepted here unchanged. Names outside it are unknown: a warning (an error with
``--strict-config``), never silently taken as a typo of something else.

codex-py reads only a few of them (``shell_tool``, ``unified_exec``, ``apply_patch_freeform``,
``view_image``, ``web_search_request``, ``network_proxy``); the rest are accepted and shown
with their effective value, and have no effect here (docs/config.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

__all__ = [
    "FEATURES",
    "KNOWN_FEATURES",
    "LEGACY_FEATURE_ALIASES",
    "TABLE_FEATURES",
    "Feature",
    "FeatureStage",
    "canonical_feature",
    "feature_enabled",
    "is_known_feature",
]

FeatureStage = Literal["under development", "experimental", "stable", "deprecated", "removed"]
DEV: Final = "under development"
EXP: Final = "experimental"
STABLE: Final = "stable"
DEPRECATED: Final = "deprecated"
REMOVED: Final = "removed"


@attrs.frozen
class Feature:
    name: str
    stage: FeatureStage
    default: bool


_ROWS: Final[tuple[tuple[str, FeatureStage, bool], ...]] = (
    ("agent_message_board", DEV, False),
    ("agent_message_board_mcp", DEV, False),
    ("analytics_plan_history", EXP, False),
    ("api_key_cyber_access_programs", STABLE, True),
    ("api_key_model_discovery", STABLE, True),
    ("app_server_websocket_compression", DEV, False),
    ("apply_patch_freeform", REMOVED, False),
    ("apply_patch_preserve_line_endings", REMOVED, False),
    ("apply_patch_streaming_events", DEV, False),
    ("apps", STABLE, True),
    ("apps_early_resource_discovery", DEV, False),
    ("apps_mcp_path_override", REMOVED, False),
    ("artifact", DEV, False),
    ("async_compaction", DEV, False),
    ("async_compaction_root_only", DEV, False),
    ("auth_elicitation", STABLE, True),
    ("background_paginated_rollout_migration", DEV, False),
    ("bedrock_setup_wizard", STABLE, True),
    ("browser_annotation_api", STABLE, True),
    ("browser_use", STABLE, True),
    ("browser_use_external", STABLE, True),
    ("browser_use_full_cdp_access", STABLE, True),
    ("chronicle", DEV, False),
    ("cli_daybreak", STABLE, True),
    ("cli_resume_account_check", DEV, False),
    ("code_mode", DEV, False),
    ("code_mode_buffered_exec", REMOVED, False),
    ("code_mode_host", STABLE, True),
    ("code_mode_host_grpc", STABLE, True),
    ("code_mode_host_output_truncation", STABLE, True),
    ("code_mode_interrupt", STABLE, True),
    ("code_mode_only", DEV, False),
    ("code_mode_only_strict_3p_tools", DEV, False),
    ("code_mode_prewarm", DEV, False),
    ("code_mode_tool_description_first", REMOVED, False),
    ("code_mode_tool_search", DEV, False),
    ("codex_apps_mcp_2026_07_28", DEV, False),
    ("codex_git_commit", REMOVED, False),
    ("collaboration_modes", REMOVED, True),
    ("command_sessions_world_state", DEV, False),
    ("compaction_image_budget", STABLE, True),
    ("computer_use", STABLE, True),
    ("concurrent_reasoning_summaries", DEV, False),
    ("content_item_kinds", STABLE, True),
    ("context_management", DEV, False),
    ("credential_masking", DEV, False),
    ("critical_path_timing", DEV, False),
    ("current_time_reminder", DEV, False),
    ("cwd_relative_turn_diffs", DEV, False),
    ("daemon_auto_start", STABLE, True),
    ("daybreak_program_propagation", DEV, False),
    ("default_mode_request_user_input", DEV, False),
    ("defer_mailbox_preemption", DEV, False),
    ("deferred_executor", DEV, False),
    ("deferred_tool_world_state", STABLE, True),
    ("elevated_windows_sandbox", REMOVED, False),
    ("enable_fanout", REMOVED, False),
    ("enable_mcp_apps", DEV, False),
    ("enable_request_compression", STABLE, True),
    ("exec_permission_approvals", DEV, False),
    ("executed_tool_call_metadata", DEV, False),
    ("executor_capability_discovery", DEV, False),
    ("executor_capability_discovery_v2", DEV, False),
    ("experimental_windows_sandbox", REMOVED, False),
    ("external_agent_memory_import", DEV, False),
    ("external_migration", REMOVED, False),
    ("fast_mode", STABLE, True),
    ("gateway_setup_wizard", STABLE, False),
    ("gcp_setup_wizard", STABLE, False),
    ("goals", STABLE, True),
    ("guardian_approval", STABLE, True),
    ("guardian_conversation_history_tools", DEV, False),
    ("guardian_denial_reconsideration", DEV, False),
    ("guardian_enhanced_node_repl_transcripts", DEV, False),
    ("guardian_ext", REMOVED, False),
    ("guardian_include_additional_context", STABLE, True),
    ("guardian_native_multi_agent_history", DEV, False),
    ("guardian_node_repl_transcript_images", DEV, False),
    ("guardian_recorded_items", DEV, False),
    ("guardian_reuse_parent_compaction", STABLE, True),
    ("guardian_root_handoff_context", DEV, False),
    ("guardian_trust_orchestrator_connectors", DEV, False),
    ("guardianv2", DEV, False),
    ("guardianv2.thread_context", REMOVED, False),
    ("guardianv2_decisions_comparison", DEV, False),
    ("guardianv3", DEV, False),
    ("hooks", STABLE, True),
    ("hosted_search_policy", DEV, False),
    ("image_detail_original", REMOVED, False),
    ("image_generation", STABLE, True),
    ("image_generation_animation", DEV, False),
    ("image_resize_notice", DEV, False),
    ("in_app_browser", STABLE, True),
    ("in_app_chat", STABLE, True),
    ("in_app_dictation", STABLE, True),
    ("in_app_local_automation", STABLE, True),
    ("in_app_updates", STABLE, True),
    ("in_app_voice", STABLE, True),
    ("incremental_exec_tools", DEV, False),
    ("incremental_tools", STABLE, True),
    ("incremental_tools_legacy", STABLE, False),
    ("incremental_tools_legacy_gcp", STABLE, True),
    ("instant_interrupt", DEV, True),
    ("interrupt_on_cancel", DEV, False),
    ("item_ids", REMOVED, True),
    ("js_repl", REMOVED, False),
    ("js_repl_tools_only", REMOVED, False),
    ("local_thread_store_compression", DEV, False),
    ("local_thread_store_shared_compression", REMOVED, False),
    ("login_shell_package_path", EXP, False),
    ("mcp_2026_07_28", DEV, False),
    ("mcp_connection_sharing", DEV, False),
    ("mcp_lazy_stdio_startup", DEV, False),
    ("mcp_oauth_refresh_coordination", STABLE, True),
    ("mcp_tool_list_changed", DEV, False),
    ("memories", STABLE, False),
    ("mentions_v2", STABLE, True),
    ("model_catalog_in_context", DEV, False),
    ("multi_agent", DEPRECATED, True),
    ("multi_agent_mode", REMOVED, False),
    ("multi_agent_v2", STABLE, False),
    ("multi_agent_v2_dynamic_tools", DEV, False),
    ("multi_env_copy_file", DEV, False),
    ("network_proxy", EXP, False),
    ("non_prefixed_mcp_tool_names", DEV, False),
    ("nonfatal_clock_read_errors", DEV, False),
    ("omit_app_server_notification_media", DEV, False),
    ("omit_skill_descriptions", DEV, False),
    ("output_token_replay", DEV, False),
    ("personality", REMOVED, False),
    ("plugin_discovery_prefetch", REMOVED, False),
    ("plugin_hooks", REMOVED, False),
    ("plugin_sharing", STABLE, True),
    ("plugins", STABLE, True),
    ("powershell_shell_version", DEV, False),
    ("prediction_preserve_parent_tools", STABLE, True),
    ("prefer_mxc", DEV, False),
    ("prevent_idle_sleep", EXP, False),
    ("psp", DEV, False),
    ("realtime_conversation", REMOVED, True),
    ("reasoning_effort_override", STABLE, True),
    ("recommended_plugins", STABLE, False),
    ("remote_compaction_v2", REMOVED, False),
    ("remote_control", REMOVED, False),
    ("remote_models", REMOVED, False),
    ("remote_plugin", STABLE, True),
    ("request_permissions_tool", DEV, False),
    ("request_rule", REMOVED, False),
    ("resize_all_images", REMOVED, True),
    ("respect_system_proxy", EXP, False),
    ("responses_websockets", REMOVED, False),
    ("responses_websockets_v2", REMOVED, False),
    ("retain_client_developer_messages", DEV, False),
    ("retain_client_tool_outputs", STABLE, True),
    ("rollout_budget", DEV, False),
    ("runtime_agent_instances", DEV, False),
    ("runtime_metrics", DEV, False),
    ("search_tool", REMOVED, False),
    ("secret_auth_storage", STABLE, False),
    ("send_async_message", REMOVED, False),
    ("send_message_to_user_async", DEV, False),
    ("shell_snapshot", STABLE, True),
    ("shell_snapshot_v2", DEV, False),
    ("shell_tool", STABLE, True),
    ("shell_zsh_fork", REMOVED, False),
    ("simplified_selection_hints", DEV, False),
    ("skill_catalog_deltas", DEV, False),
    ("skill_env_var_dependency_prompt", REMOVED, False),
    ("skill_mcp_dependency_install", STABLE, True),
    ("skill_search", STABLE, True),
    ("skip_host_skill_discovery", DEV, False),
    ("sleep_tool", STABLE, True),
    ("sqlite", REMOVED, True),
    ("stable_environment_tools", REMOVED, False),
    ("standalone_web_search", DEV, False),
    ("steer", REMOVED, True),
    ("step_model_switching", DEV, False),
    ("subagent_default_context_limits", DEV, False),
    ("subagent_thread_environments", DEV, False),
    ("suppress_model_change_announcements", STABLE, False),
    ("system_proxy_fallback", STABLE, True),
    ("terminal_resize_reflow", REMOVED, True),
    ("terminal_visualization_instructions", DEV, False),
    ("token_budget", DEV, False),
    ("tool_call_mcp_elicitation", STABLE, True),
    ("tool_search", REMOVED, False),
    ("tool_search_always_defer_mcp_tools", REMOVED, True),
    ("tool_suggest", STABLE, True),
    ("transcript_v2", REMOVED, False),
    ("tui_app_server", REMOVED, True),
    ("tui_extensions_statusline", DEV, False),
    ("tui_multi_backend", DEV, False),
    ("tui_workspace", DEV, False),
    ("ultrafast_mode", STABLE, True),
    ("unavailable_dummy_tools", REMOVED, False),
    ("unbounded_connection_retries", STABLE, True),
    ("undo", REMOVED, False),
    ("unified_exec", STABLE, True),
    ("unified_exec_tty", STABLE, True),
    ("unified_exec_zsh_fork", REMOVED, False),
    ("unified_image_budget", STABLE, True),
    ("untrusted_as_tool_output", STABLE, True),
    ("use_agent_identity", DEV, False),
    ("use_legacy_landlock", DEPRECATED, False),
    ("use_linux_sandbox_bwrap", REMOVED, False),
    ("use_xaa", DEV, False),
    ("view_image", STABLE, True),
    ("wake_on_agent_messages", DEV, False),
    ("web_search_cached", DEPRECATED, False),
    ("web_search_request", DEPRECATED, False),
    ("windows_sandbox_service", DEV, False),
    ("workspace_dependencies", STABLE, True),
    ("workspace_owner_usage_nudge", REMOVED, False),
    ("worktrees", REMOVED, True),
    ("write_stdin_approval", STABLE, True),
)

FEATURES: Final[Mapping[str, Feature]] = {name: Feature(name, stage, default) for name, stage, default in _ROWS}
"""Every 0.169 feature, in ``codex features list`` order (by name)."""

LEGACY_FEATURE_ALIASES: Final[Mapping[str, str]] = {"view_image_tool": "view_image"}
"""Names earlier codex-py releases used for a 0.169 feature; reading or setting the alias reads
or sets the 0.169 name. Not listed by ``codex features list``."""

_LEGACY_FEATURES: Final[Mapping[str, bool]] = {"rmcp_client": True}
"""Accepted for configs written for earlier codex-py releases and ignored (the MCP client is
always the built-in one)."""

KNOWN_FEATURES: Final[Mapping[str, bool]] = {
    **{name: f.default for name, f in FEATURES.items()},
    **{alias: FEATURES[target].default for alias, target in LEGACY_FEATURE_ALIASES.items()},
    **_LEGACY_FEATURES,
}
"""Name -> default of every accepted feature name (0.169's, the aliases and the legacy names)."""


def canonical_feature(name: str) -> str:
    """The 0.169 name of ``name`` (itself unless it is a legacy alias)."""
    return LEGACY_FEATURE_ALIASES.get(name, name)


TABLE_FEATURES: Final = frozenset({"network_proxy", "multi_agent_v2", "apps_mcp_path_override"})
"""Features whose value may be a table (``[features.network_proxy]``) instead of a bool; the
table's ``enabled`` key (default false) is the switch."""


def is_known_feature(name: str) -> bool:
    return name in KNOWN_FEATURES


def feature_enabled(value: Any) -> bool | None:
    """The switch a ``[features]`` value stands for: a bool, or a table's ``enabled`` (false
    when absent, as 0.169 reads ``[features.network_proxy]`` without it); ``None`` otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        enabled = value.get("enabled", False)
        return enabled if isinstance(enabled, bool) else None
    return None
