"""Local skills: ``SKILL.md`` instructions found on disk, listed for the model, sent when named.

- :mod:`codex_core.skills.discovery`: where skills are found and how a ``SKILL.md`` is read;
- :mod:`codex_core.skills.render`: the ``<skills_instructions>`` part of the developer message;
- :mod:`codex_core.skills.mentions`: ``$name`` mentions and ``skill`` inputs, and the messages
  that carry a named skill's file to the model;
- :mod:`codex_core.skills.frontmatter`: the YAML front matter of ``SKILL.md`` and ``agents/openai.yaml``;
- :mod:`codex_core.skills.model`: the records (:class:`Skill`, :class:`SkillError`, ...).

``[[skills.config]]`` entries are read by :func:`skill_rules` (in ``discovery``); the app-server edits
them (``skills/config/write``, in ``codex_exec.app_server.skills``).

See docs/skills.md.
"""

from __future__ import annotations

from codex_core.skills.discovery import discover_skills, load_skills, skill_roots, skill_rules
from codex_core.skills.mentions import extract_mentions, inject_skills, is_skill_message, select_skills
from codex_core.skills.model import Skill, SkillError, SkillInterface, SkillRoot, SkillScope, SkillsOutcome
from codex_core.skills.render import SkillsSection, render_skills_section, skills_budget

__all__ = [
    "Skill",
    "SkillError",
    "SkillInterface",
    "SkillRoot",
    "SkillScope",
    "SkillsOutcome",
    "SkillsSection",
    "discover_skills",
    "extract_mentions",
    "inject_skills",
    "is_skill_message",
    "load_skills",
    "render_skills_section",
    "select_skills",
    "skill_roots",
    "skill_rules",
    "skills_budget",
]
