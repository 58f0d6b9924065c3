"""What skill discovery finds: skills, the roots they came from, and the files it could not load."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import attrs

__all__ = ["Skill", "SkillError", "SkillInterface", "SkillRoot", "SkillScope", "SkillsOutcome"]

SkillScope = Literal["repo", "user", "system", "admin"]
"""Where a skill comes from, as Codex 0.169 names it (``skills/list``'s ``scope``)."""


@attrs.frozen
class SkillRoot:
    """A directory scanned for ``SKILL.md`` files."""

    path: Path
    scope: SkillScope


@attrs.frozen
class SkillInterface:
    """``interface`` of the optional ``agents/openai.yaml`` beside a ``SKILL.md`` (for UIs)."""

    display_name: str | None = None
    short_description: str | None = None
    brand_color: str | None = None
    default_prompt: str | None = None


@attrs.frozen
class Skill:
    """One loaded skill."""

    name: str
    description: str
    path: Path
    """The ``SKILL.md`` as found under its root (a symlinked directory on the way is kept as is)."""
    real_path: Path
    """Where ``path`` resolves to (what is read, and what makes two entries the same skill)."""
    scope: SkillScope
    root: Path
    short_description: str | None = None
    interface: SkillInterface | None = None
    allow_implicit_invocation: bool = True
    """``policy.allow_implicit_invocation`` of ``agents/openai.yaml``: ``False`` keeps the skill out
    of the model's list (it still runs when the user names it)."""
    enabled: bool = True
    """``False`` when ``[[skills.config]]`` disables it: listed by ``skills/list``, never used."""


@attrs.frozen
class SkillError:
    """A ``SKILL.md`` that could not be loaded (``path``) and why."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"failed to load skill {self.path}: {self.message}"


@attrs.frozen
class SkillsOutcome:
    """Everything discovered for one working directory, skills in Codex's order (repo, user,
    system, admin; then by name and path)."""

    skills: tuple[Skill, ...] = ()
    errors: tuple[SkillError, ...] = ()
    roots: tuple[Path, ...] = ()
    """Roots that hold at least one skill, in scan order (the ``r0``, ``r1``... aliases)."""

    @property
    def enabled(self) -> tuple[Skill, ...]:
        return tuple(s for s in self.skills if s.enabled)
