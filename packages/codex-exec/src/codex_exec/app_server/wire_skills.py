"""Wire models of ``skills/list``, ``skills/config/write`` and ``skills/extraRoots/set`` (field
names of the reference 0.169 schema)."""

from __future__ import annotations

from typing import Any, Literal

from codex_exec.app_server.wire_base import Empty, Wire

__all__ = [
    "SKILL_METHODS",
    "SkillErrorInfo",
    "SkillInterface",
    "SkillMetadata",
    "SkillsConfigWriteParams",
    "SkillsConfigWriteResponse",
    "SkillsExtraRootsSetParams",
    "SkillsListEntry",
    "SkillsListParams",
    "SkillsListResponse",
]

_OMITTED_WHEN_NULL = ("shortDescription", "interface", "dependencies")
"""Keys the reference leaves out of a skill when they have no value (``pluginId`` stays, null)."""


class SkillsListParams(Wire):
    cwds: list[str] | None = None
    """When empty, the server's working directory."""
    force_reload: bool | None = None


class SkillInterface(Wire):
    display_name: str | None = None
    short_description: str | None = None
    icon_small: str | None = None
    icon_large: str | None = None
    icon_small_url: str | None = None
    icon_large_url: str | None = None
    brand_color: str | None = None
    default_prompt: str | None = None


class SkillMetadata(Wire):
    name: str
    description: str
    short_description: str | None = None
    interface: SkillInterface | None = None
    dependencies: dict[str, Any] | None = None
    path: str
    scope: Literal["user", "repo", "system", "admin"]
    enabled: bool
    plugin_id: str | None = None


class SkillErrorInfo(Wire):
    path: str
    message: str


class SkillsListEntry(Wire):
    cwd: str
    skills: list[SkillMetadata]
    errors: list[SkillErrorInfo]


class SkillsListResponse(Wire):
    data: list[SkillsListEntry]

    def dump(self) -> dict[str, Any]:
        out = super().dump()
        for entry in out["data"]:
            for skill in entry["skills"]:
                for key in _OMITTED_WHEN_NULL:
                    if skill.get(key) is None:
                        skill.pop(key, None)
        return out


class SkillsConfigWriteParams(Wire):
    enabled: bool
    name: str | None = None
    """Name-based selector."""
    path: str | None = None
    """Path-based selector (absolute)."""


class SkillsConfigWriteResponse(Wire):
    effective_enabled: bool


class SkillsExtraRootsSetParams(Wire):
    extra_roots: list[str]


SKILL_METHODS: dict[str, tuple[type[Wire], type[Wire]]] = {
    "skills/list": (SkillsListParams, SkillsListResponse),
    "skills/config/write": (SkillsConfigWriteParams, SkillsConfigWriteResponse),
    "skills/extraRoots/set": (SkillsExtraRootsSetParams, Empty),
}
