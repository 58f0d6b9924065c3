"""Skills the user names in a turn, and what is sent to the model for each.

A skill is used in a turn when the user picks it (the app-server's ``skill`` input item, by
path) or mentions it in the text: ``$skill-name`` (letters, digits, ``_``, ``-``, ``:``; case
sensitive; ``$PATH``, ``$HOME`` and other common environment variables are not mentions), or
``[$skill-name](/path/to/SKILL.md)`` (by path). A plain name shared by two enabled skills
selects neither. Disabled skills are never used.

For each one, Codex 0.169 adds one user message after the user's own:
``<skill>\\n<name>NAME</name>\\n<path>PATH</path>\\nCONTENTS OF SKILL.md\\n</skill>`` (PATH with
symlinks resolved), in the
order of the discovered skills (picked and linked ones first). The file is read on the host
through the same sandbox check as discovery; one that cannot be read is reported as a warning
("Failed to load skill NAME at PATH: REASON") and not sent.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from codex_core.fs_access.errors import FsError
from codex_core.protocol.items import InputText, Message
from codex_core.skills.discovery import read_skill_text
from codex_core.skills.model import Skill

if TYPE_CHECKING:
    from codex_core.config import Config
    from codex_core.sandbox import SandboxPolicy

__all__ = [
    "Mentions",
    "SkillInjections",
    "extract_mentions",
    "inject_skills",
    "is_skill_message",
    "select_skills",
    "skill_message",
    "turn_skill_messages",
]

_NAME_CHAR = r"[A-Za-z0-9_:\-]"
_LINKED = re.compile(rf"\[\$({_NAME_CHAR}+)\]\s*\(([^)]*)\)")
_PLAIN = re.compile(rf"\$({_NAME_CHAR}+)")
_COMMON_ENV_VARS = frozenset(
    {"PATH", "HOME", "USER", "SHELL", "PWD", "TMPDIR", "TEMP", "TMP", "LANG", "TERM", "XDG_CONFIG_HOME"}
)
_APP_LINK_PREFIXES = ("app://", "mcp://", "plugin://")
_SKILL_PREFIX = "skill://"
_OPEN = "<skill>\n<name>"


@attrs.frozen
class Mentions:
    """What one text names: plain ``$name`` mentions and linked paths."""

    names: frozenset[str] = frozenset()
    paths: frozenset[str] = frozenset()


def extract_mentions(text: str) -> Mentions:
    names: set[str] = set()
    paths: set[str] = set()
    pos = 0
    while pos < len(text):
        linked = _LINKED.match(text, pos) if text[pos] == "[" else None
        if linked is not None and linked.group(2).strip():
            name, path = linked.group(1), linked.group(2).strip()
            if name.upper() not in _COMMON_ENV_VARS and not path.startswith(_APP_LINK_PREFIXES):
                paths.add(path.removeprefix(_SKILL_PREFIX))
            pos = linked.end()
            continue
        plain = _PLAIN.match(text, pos) if text[pos] == "$" else None
        if plain is not None:
            if plain.group(1).upper() not in _COMMON_ENV_VARS:
                names.add(plain.group(1))
            pos = plain.end()
            continue
        pos += 1
    return Mentions(names=frozenset(names), paths=frozenset(paths))


def select_skills(skills: Sequence[Skill], texts: Iterable[str], picked: Iterable[tuple[str, str]] = ()) -> list[Skill]:
    """The enabled skills a turn uses: ``picked`` (``(name, path)`` of ``skill`` input items)
    first, then those the ``texts`` link to or name, each once, in ``skills`` order."""
    enabled = [s for s in skills if s.enabled]
    counts = Counter(s.name for s in enabled)
    selected: list[Skill] = []
    seen: set[Path] = set()
    blocked: set[str] = set()

    def by_path(path: str) -> Skill | None:
        for skill in enabled:
            if skill.real_path not in seen and path in (str(skill.path), str(skill.real_path)):
                return skill
        return None

    for name, path in picked:
        blocked.add(name)
        skill = by_path(path)
        if skill is not None:
            seen.add(skill.real_path)
            selected.append(skill)
    for text in texts:
        mentions = extract_mentions(text)
        for skill in enabled:
            if skill.real_path not in seen and (
                str(skill.path) in mentions.paths or str(skill.real_path) in mentions.paths
            ):
                seen.add(skill.real_path)
                selected.append(skill)
        for skill in enabled:
            if skill.real_path in seen or skill.name in blocked or skill.name not in mentions.names:
                continue
            if counts[skill.name] != 1:
                continue
            seen.add(skill.real_path)
            selected.append(skill)
    return selected


@attrs.frozen
class SkillInjections:
    """The messages to add after the user's, and warnings for skills that could not be read."""

    messages: tuple[Message, ...] = ()
    warnings: tuple[str, ...] = ()


def skill_message(skill: Skill, contents: str) -> Message:
    text = f"{_OPEN}{skill.name}</name>\n<path>{skill.real_path}</path>\n{contents}\n</skill>"
    return Message(role="user", content=[InputText(text=text)])


def is_skill_message(item: object) -> bool:
    """Whether ``item`` is a message :func:`inject_skills` made (its text is not the user's)."""
    if not isinstance(item, Message) or item.role != "user" or len(item.content) != 1:
        return False
    part = item.content[0]
    return isinstance(part, InputText) and part.text.startswith(_OPEN) and part.text.endswith("\n</skill>")


def inject_skills(selected: Iterable[Skill], policy: SandboxPolicy | None) -> SkillInjections:
    """Read each selected skill's ``SKILL.md`` (checked against ``policy``) into its message."""
    messages: list[Message] = []
    warnings: list[str] = []
    for skill in selected:
        try:
            contents = read_skill_text(skill.path, Path(os.path.realpath(skill.path)), policy)
        except (OSError, ValueError, FsError) as exc:
            warnings.append(f"Failed to load skill {skill.name} at {skill.path}: {exc}")
            continue
        messages.append(skill_message(skill, contents))
    return SkillInjections(messages=tuple(messages), warnings=tuple(warnings))


def turn_skill_messages(
    config: Config,
    user_items: Sequence[object],
    *,
    picked: Iterable[tuple[str, str]] = (),
    policy: SandboxPolicy | Callable[[], SandboxPolicy] | None = None,
) -> SkillInjections:
    """The skill messages for a turn whose input is ``user_items``: skills ``picked`` by the
    client and those named in the user's messages, minus any already carried by ``user_items``.
    ``policy`` may be a callable: it is called only when a skill may be read (a ``$`` in the
    text or a picked skill). Blocking (it scans the skill roots): async callers use a thread."""
    from codex_core.skills.discovery import discover_skills

    texts: list[str] = []
    present: set[str] = set()
    for item in user_items:
        part = item.content[0] if isinstance(item, Message) and item.content else None
        if is_skill_message(item) and isinstance(part, InputText):
            present.add(part.text.split("</path>", 1)[0].rsplit("<path>", 1)[-1])
        elif isinstance(item, Message) and item.role == "user":
            texts.extend(p.text for p in item.content if isinstance(p, InputText))
    picked = list(picked)
    if not picked and not any("$" in t for t in texts):
        return SkillInjections()
    if callable(policy):
        policy = policy()
    outcome = discover_skills(config, policy=policy)
    selected = [s for s in select_skills(outcome.skills, texts, picked) if str(s.real_path) not in present]
    return inject_skills(selected, policy)
