"""Finding skills: the roots Codex 0.169 scans, and the ``SKILL.md`` files under them.

Roots, in scan order (a root listed twice is scanned once, where it first appears):

1. ``.codex/skills`` of every directory from the working directory up to the project root
   (repo scope), whatever the project's trust;
2. ``$CODEX_HOME/skills`` and ``$HOME/.agents/skills`` (user), ``$CODEX_HOME/skills/.system``
   (system: where Codex installs its bundled skills; skipped with ``skills.bundled.enabled = false``);
3. ``/etc/codex/skills`` (admin);
4. extra roots (user; the app-server's ``skills/extraRoots/set``);
5. ``.agents/skills`` of every directory from the project root down to the working directory (repo).

Under a root, directories are walked breadth first, at most 6 levels deep and 2,000 directories;
names starting with ``.`` are skipped; symlinked directories are followed (except under the
system root), a symlinked ``SKILL.md`` is not. The same file reached twice is one skill (the
first). A file that cannot be loaded becomes a :class:`SkillError` naming it (and the line, for
bad front matter); discovery never raises for one bad skill.

Skill files are read on the host, so each one is checked against the sandbox policy first
(``fs_access.checks.refuse_read``, as for ``view_image``): a skill that resolves into a hidden
(``none``) path or outside the readable roots is not loaded, whatever link leads there.
"""

from __future__ import annotations

import errno
import os
from collections import deque
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from codex_core.config.project_root import find_project_root
from codex_core.fs_access.errors import FsError
from codex_core.logging import get_logger
from codex_core.skills.frontmatter import FlowCollection, FrontMatterError, extract_front_matter, parse_mapping
from codex_core.skills.model import Skill, SkillError, SkillInterface, SkillRoot, SkillScope, SkillsOutcome

if TYPE_CHECKING:
    from codex_core.config import Config
    from codex_core.sandbox import SandboxPolicy

__all__ = [
    "ADMIN_SKILLS_ROOT",
    "MAX_DESCRIPTION_CHARS",
    "MAX_NAME_CHARS",
    "MAX_SKILL_FILE_BYTES",
    "SkillRule",
    "check_readable",
    "discover_skills",
    "load_skills",
    "read_skill_text",
    "skill_roots",
    "skill_rules",
]

log = get_logger(__name__)

SKILL_FILE = "SKILL.md"
ADMIN_SKILLS_ROOT = Path("/etc/codex/skills")
MAX_NAME_CHARS = 64
MAX_DESCRIPTION_CHARS = 1024
"""Longer descriptions are cut to this many characters, ending in ``...`` (as 0.169 does)."""
MAX_SCAN_DEPTH = 6
MAX_DIRS_PER_ROOT = 2000
MAX_SKILL_FILE_BYTES = 1024 * 1024
"""A larger ``SKILL.md`` is refused: it would be sent whole to the model when mentioned."""
_SCOPE_RANK: dict[SkillScope, int] = {"repo": 0, "user": 1, "system": 2, "admin": 3}


def _dirs_root_to_cwd(cwd: Path, markers: Sequence[str]) -> list[Path]:
    root = find_project_root(cwd, markers) or cwd
    dirs = [cwd, *[p for p in cwd.parents if p.is_relative_to(root)]] if cwd.is_relative_to(root) else [cwd]
    return list(reversed(dirs))


def skill_roots(
    config: Config,
    *,
    cwd: Path | None = None,
    extra_roots: Iterable[Path] = (),
    home: Path | None = None,
    admin_root: Path = ADMIN_SKILLS_ROOT,
) -> list[SkillRoot]:
    """The roots scanned for ``cwd`` (default: the config's), in Codex 0.169's order."""
    cwd = config.cwd if cwd is None else cwd
    dirs = _dirs_root_to_cwd(cwd, config.project_root_markers)
    roots = [SkillRoot(d / ".codex" / "skills", "repo") for d in reversed(dirs) if (d / ".codex").is_dir()]
    roots.append(SkillRoot(config.codex_home / "skills", "user"))
    try:
        user_home = Path.home() if home is None else home
    except RuntimeError:  # no $HOME and no passwd entry
        user_home = None
    if user_home is not None:
        roots.append(SkillRoot(user_home / ".agents" / "skills", "user"))
    settings = config.toml.skills
    if settings is None or settings.bundled is None or settings.bundled.enabled:
        roots.append(SkillRoot(config.codex_home / "skills" / ".system", "system"))
    roots.append(SkillRoot(admin_root, "admin"))
    roots.extend(SkillRoot(Path(p), "user") for p in extra_roots)
    roots.extend(SkillRoot(d / ".agents" / "skills", "repo") for d in dirs)
    seen: set[Path] = set()
    unique: list[SkillRoot] = []
    for root in roots:
        key = Path(os.path.realpath(root.path))
        if key not in seen:
            seen.add(key)
            unique.append(root)
    return unique


# --- enabling and disabling (`[[skills.config]]`) -------------------------------------------


@attrs.frozen
class SkillRule:
    """One ``[[skills.config]]`` entry: a ``path`` or a ``name``, and ``enabled``."""

    enabled: bool
    path: Path | None = None
    name: str | None = None

    def matches(self, skill: Skill) -> bool:
        if self.path is not None:
            return self.path in (skill.path, skill.real_path) or Path(os.path.realpath(self.path)) == skill.real_path
        return self.name == skill.name


def skill_rules(config: Config) -> list[SkillRule]:
    """The ``[[skills.config]]`` entries that apply, in order; an entry naming the same skill as
    an earlier one replaces it. Entries with both or neither of ``path`` and ``name`` are ignored."""
    settings = config.toml.skills
    rules: list[SkillRule] = []
    for entry in (settings.config if settings is not None else None) or []:
        name = entry.name.strip() if entry.name is not None else None
        if (entry.path is None) == (not name):
            log.warning("ignoring skills.config entry: it needs exactly one of `path` and `name`")
            continue
        path = (
            None if entry.path is None else (entry.path if entry.path.is_absolute() else config.codex_home / entry.path)
        )
        rule = SkillRule(enabled=entry.enabled, path=path, name=name or None)
        rules = [r for r in rules if (r.path, r.name) != (rule.path, rule.name)]
        rules.append(rule)
    return rules


def _enabled(skill: Skill, rules: Sequence[SkillRule]) -> bool:
    enabled = True
    for rule in rules:
        if rule.matches(skill):
            enabled = rule.enabled
    return enabled


# --- reading one skill -----------------------------------------------------------------------


def check_readable(path: Path, real_path: Path, policy: SandboxPolicy | None) -> None:
    """Raise ``FsAccessDenied`` when a sandboxed command of the thread could not read ``path``
    (``real_path``: where it resolves); ``None``: no policy to respect."""
    if policy is None:
        return
    from codex_core.fs_access.checks import Located, refuse_read

    entry = Path(os.path.realpath(path.parent)) / path.name
    refuse_read(policy, Located(given=path, entry=entry, target=real_path), "read skill")


def _single_line(value: str) -> str:
    return " ".join(value.split())


def _text_field(data: dict[str, Any], key: str, label: str) -> str | None:
    value = data.get(key)
    if isinstance(value, FlowCollection):
        raise FrontMatterError(f"{label}: invalid type: {value.kind}, expected a string", value.line, value.column)
    if isinstance(value, dict):
        raise FrontMatterError(f"{label}: invalid type: map, expected a string", 0, 0)
    return value if isinstance(value, str) else None


def _cap(text: str) -> str:
    if len(text) <= MAX_DESCRIPTION_CHARS:
        return text
    return text[: MAX_DESCRIPTION_CHARS - 3] + "..."


def _read_text(real_path: Path) -> str:
    """The text of the regular file at ``real_path`` (absolute, resolved), opened by a walk from
    ``/`` that follows no symlink (``fs_access.walk``): a directory on the way swapped for a link
    after the policy check makes the read fail instead of landing elsewhere."""
    from codex_core.fs_access.walk import open_regular

    try:
        fd = open_regular(real_path)
    except OSError as exc:
        if exc.errno in (errno.EISDIR, errno.EINVAL):
            raise OSError(f"{real_path} is not a regular file") from None
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise OSError(f"{real_path} changed while it was being opened (a symlink was swapped in)") from None
        raise
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(MAX_SKILL_FILE_BYTES + 1)
    if len(data) > MAX_SKILL_FILE_BYTES:
        raise ValueError(f"the file is larger than {MAX_SKILL_FILE_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("failed to read file: stream did not contain valid UTF-8") from None


def read_skill_text(path: Path, real_path: Path, policy: SandboxPolicy | None) -> str:
    """A skill's ``SKILL.md``, checked against ``policy`` and read through its resolved path.
    Raises ``FsAccessDenied``, ``OSError`` or ``ValueError`` (messages name the reason)."""
    if path.is_symlink():
        raise ValueError(f"`{path}` is a symlink; skill files are not read through symlinks")
    check_readable(path, real_path, policy)
    return _read_text(real_path)


def _interface(skill_dir: Path, policy: SandboxPolicy | None) -> tuple[SkillInterface | None, bool]:
    """``agents/openai.yaml``: the UI ``interface`` and ``policy.allow_implicit_invocation``
    (optional; a file that cannot be read or parsed is ignored with a log line). It is checked
    against ``policy`` and read like ``SKILL.md`` (a symlinked file is not read; a symlinked
    ``agents`` directory is judged by where it leads)."""
    meta = skill_dir / "agents" / "openai.yaml"
    if not meta.is_file():
        return None, True
    try:
        text = read_skill_text(meta, Path(os.path.realpath(meta)), policy)
        data = parse_mapping(text.split("\n"))
    except (OSError, ValueError, FsError) as exc:
        log.warning("ignoring skill metadata", path=str(meta), error=str(exc))
        return None, True
    raw = data.get("interface")
    interface = None
    if isinstance(raw, dict):
        fields = {
            key: _single_line(raw[key])
            for key in ("display_name", "short_description", "default_prompt")
            if isinstance(raw.get(key), str) and raw[key].strip()
        }
        color = raw.get("brand_color")
        if isinstance(color, str) and len(color.strip()) == 7 and color.strip().startswith("#"):
            fields["brand_color"] = color.strip()
        interface = SkillInterface(**fields) if fields else None
    policy = data.get("policy")
    implicit = policy.get("allow_implicit_invocation") if isinstance(policy, dict) else None
    return interface, implicit not in ("false", "False", "FALSE")


def parse_skill(path: Path, real_path: Path, scope: SkillScope, root: Path, policy: SandboxPolicy | None) -> Skill:
    """Load one ``SKILL.md``. Raises ``ValueError``/``OSError``/``FsAccessDenied`` with the reason."""
    contents = read_skill_text(path, real_path, policy)
    block = extract_front_matter(contents)
    if block is None:
        raise ValueError("missing YAML frontmatter delimited by ---")
    try:
        data = parse_mapping(*block)
        raw_name = _text_field(data, "name", "name")
        raw_description = _text_field(data, "description", "description")
        metadata = data.get("metadata")
        raw_short = (
            _text_field(metadata, "short-description", "metadata.short-description")
            if isinstance(metadata, dict)
            else None
        )
    except FrontMatterError as exc:
        raise ValueError(f"invalid YAML: {exc}") from None
    name = _single_line(raw_name or "") or _single_line(path.parent.name) or "skill"
    description = _single_line(raw_description or "")
    short = _single_line(raw_short or "") or None
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"invalid name: exceeds maximum length of {MAX_NAME_CHARS} characters")
    if not description:
        raise ValueError("missing field `description`")
    interface, implicit = _interface(path.parent, policy)
    return Skill(
        name=name,
        description=_cap(description),
        short_description=_cap(short) if short else None,
        path=path,
        real_path=real_path,
        scope=scope,
        root=root,
        interface=interface,
        allow_implicit_invocation=implicit,
    )


# --- walking a root ---------------------------------------------------------------------------


def _scan_root(root: SkillRoot, policy: SandboxPolicy | None, skills: list[Skill], errors: list[SkillError]) -> None:
    base = Path(os.path.realpath(root.path))
    if not base.is_dir():
        return
    follow_links = root.scope != "system"
    visited = {Path(os.path.realpath(base))}
    queue: deque[tuple[Path, int]] = deque([(base, 0)])
    truncated = False
    while queue:
        directory, depth = queue.popleft()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            log.warning("failed to read skills dir", path=str(directory), error=str(exc))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = directory / entry.name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=follow_links)
                is_file = not is_link and entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir and (follow_links or not is_link):
                real = Path(os.path.realpath(path))
                if depth + 1 > MAX_SCAN_DEPTH or real in visited:
                    continue
                if len(visited) >= MAX_DIRS_PER_ROOT:
                    truncated = True
                    continue
                visited.add(real)
                queue.append((path, depth + 1))
            elif is_file and entry.name == SKILL_FILE:
                real_path = Path(os.path.realpath(path))
                try:
                    skills.append(parse_skill(path, real_path, root.scope, base, policy))
                except (OSError, ValueError, FsError) as exc:
                    if root.scope != "system":
                        errors.append(SkillError(path=path, message=str(exc)))
                except (RecursionError, MemoryError) as exc:  # one bad skill never stops discovery
                    if root.scope != "system":
                        reason = "nested too deeply" if isinstance(exc, RecursionError) else "out of memory"
                        errors.append(SkillError(path=path, message=f"the file could not be read: {reason}"))
    if truncated:
        log.warning("skills scan truncated", root=str(base), max_dirs=MAX_DIRS_PER_ROOT)


def load_skills(
    roots: Iterable[SkillRoot], *, policy: SandboxPolicy | None = None, rules: Sequence[SkillRule] = ()
) -> SkillsOutcome:
    """Scan ``roots`` (in order) for skills; ``rules`` mark skills disabled."""
    skills: list[Skill] = []
    errors: list[SkillError] = []
    scanned: list[Path] = []
    for root in roots:
        before = len(skills)
        _scan_root(root, policy, skills, errors)
        if len(skills) > before:
            scanned.append(Path(os.path.realpath(root.path)))
    seen: set[Path] = set()
    unique: list[Skill] = []
    for skill in skills:
        if skill.real_path not in seen:
            seen.add(skill.real_path)
            unique.append(attrs.evolve(skill, enabled=_enabled(skill, rules)))
    unique.sort(key=lambda s: (_SCOPE_RANK[s.scope], s.name, str(s.path)))
    used = {s.root for s in unique}
    for err in errors:
        log.debug(str(err))
    return SkillsOutcome(skills=tuple(unique), errors=tuple(errors), roots=tuple(r for r in scanned if r in used))


def discover_skills(
    config: Config,
    *,
    cwd: Path | None = None,
    extra_roots: Iterable[Path] = (),
    policy: SandboxPolicy | None = None,
) -> SkillsOutcome:
    """The skills of ``config`` for ``cwd``, checked against ``policy`` (default: the config's
    sandbox policy)."""
    if policy is None:
        from codex_core.sandbox import SandboxPolicy

        policy = SandboxPolicy.from_config(config)
    roots = skill_roots(config, cwd=cwd, extra_roots=extra_roots)
    return load_skills(roots, policy=policy, rules=skill_rules(config))
