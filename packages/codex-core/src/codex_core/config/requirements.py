"""Managed requirements (``/etc/codex/requirements.toml``): admin constraints on user choices."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from codex_core.config.models import ApprovalPolicy, SandboxMode, WebSearchMode
from codex_core.config.toml_io import read_toml_file
from codex_core.errors import ConfigError

__all__ = [
    "DEFAULT_REQUIREMENTS_PATH",
    "Requirements",
    "constraint_error",
    "debug_name",
    "load_requirements",
    "require_allowed",
]

DEFAULT_REQUIREMENTS_PATH = Path("/etc/codex/requirements.toml")
"""Overridable with the ``CODEX_REQUIREMENTS_PATH`` environment variable or ``load_config(requirements_path=...)``."""


class Requirements(BaseModel):
    """Parsed requirements. Unknown top-level keys are ignored, as Codex does."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    allowed_approval_policies: list[ApprovalPolicy] | None = None
    allowed_sandbox_modes: list[SandboxMode | Literal["external-sandbox"]] | None = None
    allowed_web_search_modes: list[WebSearchMode] | None = None
    features: dict[str, bool] | None = Field(default=None, alias="features")
    feature_requirements: dict[str, bool] | None = None
    mcp_servers: dict[str, dict[str, Any]] | None = None
    rules: dict[str, Any] | None = None
    enforce_residency: Literal["us"] | None = None
    experimental_network: dict[str, Any] | None = None
    """Validated and normalised by ``codex_core.network``."""
    permissions: dict[str, Any] | None = None
    source: str = "built-in defaults"
    """Where these requirements came from (file path), used in error messages."""

    @field_validator("allowed_approval_policies")
    @classmethod
    def _non_empty_policies(cls, v: list[ApprovalPolicy] | None) -> list[ApprovalPolicy] | None:
        if v is not None and not v:
            raise ValueError("field `allowed_approval_policies` cannot be empty")
        return v

    @field_validator("allowed_sandbox_modes")
    @classmethod
    def _must_include_read_only(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and "read-only" not in v:
            raise ValueError("field `allowed_sandbox_modes` must include 'read-only' to allow any PermissionProfile")
        return v

    @property
    def pinned_features(self) -> dict[str, bool]:
        return {**(self.feature_requirements or {}), **(self.features or {})}


def debug_name(value: str) -> str:
    """Render a kebab-case wire value the way Codex's error messages do (``on-request`` -> ``OnRequest``)."""
    return "".join(part.capitalize() for part in value.split("-"))


def constraint_error(field: str, candidate: str, allowed: list[str], source: str) -> str:
    rendered = "[" + ", ".join(debug_name(a) for a in allowed) + "]"
    return (
        f"invalid value for `{field}`: `{debug_name(candidate)}` is not in the allowed set {rendered} (set by {source})"
    )


def require_allowed(field: str, value: str, allowed: Sequence[str] | None, req: Requirements) -> None:
    """Refuse an explicit choice that managed requirements forbid (``ConfigError`` naming the source)."""
    if allowed is not None and value not in allowed:
        raise ConfigError(constraint_error(field, value, list(allowed), req.source), key=field)


def load_requirements(path: Path | None = None) -> Requirements:
    """Load managed requirements; a missing file means no constraints."""
    if path is None:
        env = os.environ.get("CODEX_REQUIREMENTS_PATH")
        path = Path(env) if env else DEFAULT_REQUIREMENTS_PATH
    loaded = read_toml_file(path)
    if loaded is None:
        return Requirements()
    data, text = loaded
    fields = {**data, "source": str(path)}
    try:
        return Requirements.model_validate(fields)
    except ValidationError as exc:
        from codex_core.config.errors import validation_to_config_error

        raise validation_to_config_error(exc, source=str(path), text=text, data=fields) from None
