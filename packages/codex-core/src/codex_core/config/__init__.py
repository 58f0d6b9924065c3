"""Configuration: typed ``config.toml`` models, layering, requirements and ``load_config``."""

from codex_core.config.features import FEATURES, Feature
from codex_core.config.loader import ConfigOverrides, find_codex_home, load_config
from codex_core.config.models import (
    KNOWN_FEATURES,
    ApprovalPolicy,
    ConfigToml,
    HistoryToml,
    McpServerToml,
    ModelProviderToml,
    ProfileToml,
    ReasoningEffort,
    ReasoningSummary,
    SandboxMode,
    SandboxWorkspaceWriteToml,
    ShellEnvironmentPolicyToml,
    TuiToml,
    Verbosity,
    WebSearchMode,
)
from codex_core.config.overrides import parse_override
from codex_core.config.permissions import NetworkPermissionsToml, PermissionProfileToml
from codex_core.config.project_root import find_project_root
from codex_core.config.requirements import Requirements, load_requirements
from codex_core.config.resolved import Config, Origin
from codex_core.config.unknown import UnknownKey
from codex_core.errors import ConfigError

__all__ = [
    "FEATURES",
    "KNOWN_FEATURES",
    "ApprovalPolicy",
    "Config",
    "ConfigError",
    "ConfigOverrides",
    "ConfigToml",
    "Feature",
    "HistoryToml",
    "McpServerToml",
    "ModelProviderToml",
    "NetworkPermissionsToml",
    "Origin",
    "PermissionProfileToml",
    "ProfileToml",
    "ReasoningEffort",
    "ReasoningSummary",
    "Requirements",
    "SandboxMode",
    "SandboxWorkspaceWriteToml",
    "ShellEnvironmentPolicyToml",
    "TuiToml",
    "UnknownKey",
    "Verbosity",
    "WebSearchMode",
    "find_codex_home",
    "find_project_root",
    "load_config",
    "load_requirements",
    "parse_override",
]
