"""Skills over the app-server: ``skills/list``, ``skills/config/write``, ``skills/extraRoots/set``.

``skills/list`` reports, for each requested working directory, the skills Codex would find there
(``codex_core.skills``), disabled ones included (``enabled: false``), and the ``SKILL.md`` files
that could not be loaded. ``skills/config/write`` adds or removes a ``[[skills.config]]`` entry in
the user's ``config.toml`` (comments kept, written atomically, the result checked as a whole):
disabling appends ``{path|name, enabled = false}``, enabling removes the entries for that
selector, as 0.169 does. ``skills/extraRoots/set`` replaces this connection's extra user-scope
roots, which ``skills/list`` scans too.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_exec.app_server import wire_skills as w
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, INVALID_REQUEST, RpcError
from codex_exec.app_server.loaded import resolve_path
from codex_exec.app_server.wire_base import Empty, Wire

if TYPE_CHECKING:
    from codex_core.skills import Skill
    from codex_exec.app_server.threads import ThreadManager

__all__ = ["SkillMethods"]

_WRITE_ATTEMPTS = 5
"""Tries of a ``skills/config/write`` whose file keeps changing under it (another writer)."""


def _wire_skill(skill: Skill) -> w.SkillMetadata:
    interface = None
    if skill.interface is not None:
        i = skill.interface
        interface = w.SkillInterface(
            display_name=i.display_name,
            short_description=i.short_description,
            brand_color=i.brand_color,
            default_prompt=i.default_prompt,
        )
    return w.SkillMetadata(
        name=skill.name,
        description=skill.description,
        short_description=skill.short_description,
        interface=interface,
        path=str(skill.path),
        scope=skill.scope,
        enabled=skill.enabled,
    )


def _absolute(raw: str, what: str) -> Path:
    if not raw or not os.path.isabs(raw):
        raise RpcError(INVALID_PARAMS, f"Invalid params: {what} must be an absolute path, got {raw!r}")
    return Path(os.path.normpath(raw))


class SkillMethods:
    """The skills methods of one connection."""

    def __init__(self, threads: ThreadManager) -> None:
        self.threads = threads
        self.extra_roots: list[Path] = []

    def handlers(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "skills/list": self.list_skills,
            "skills/config/write": self.write_config,
            "skills/extraRoots/set": self.set_extra_roots,
        }

    async def list_skills(self, p: w.SkillsListParams) -> Wire:
        from codex_core.skills import discover_skills

        cfg = self.threads.base_config
        cwds = [resolve_path(c) for c in p.cwds] if p.cwds else [cfg.cwd]
        data = []
        for cwd in cwds:
            outcome = await asyncio.to_thread(discover_skills, cfg, cwd=cwd, extra_roots=self.extra_roots)
            data.append(
                w.SkillsListEntry(
                    cwd=str(cwd),
                    skills=[_wire_skill(s) for s in outcome.skills],
                    errors=[w.SkillErrorInfo(path=str(e.path), message=e.message) for e in outcome.errors],
                )
            )
        return w.SkillsListResponse(data=data)

    async def write_config(self, p: w.SkillsConfigWriteParams) -> Wire:
        from codex_core.config import load_config
        from codex_core.config.edit import ConfigEdit, ConfigWriteError, file_version, write_config_values
        from codex_core.config.toml_io import read_toml_file
        from codex_core.skills import discover_skills

        name = p.name.strip() if p.name is not None else None
        if (p.path is None) == (not name):
            raise RpcError(INVALID_PARAMS, "skills/config/write requires exactly one of path or name")
        path = _absolute(p.path, "`path`") if p.path is not None else None
        cfg = self.threads.base_config
        file = cfg.codex_home / "config.toml"

        def same(entry: Any) -> bool:
            if not isinstance(entry, dict):
                return False
            if path is not None:
                return entry.get("path") is not None and Path(os.path.normpath(str(entry["path"]))) == path
            return entry.get("path") is None and str(entry.get("name", "")).strip() == name

        loaded: list[Any] = []

        def check() -> None:
            loaded.append(load_config(self.threads.base, codex_home=cfg.codex_home))

        def write() -> None:
            """Edit the array as read, guarded by the version read before it: when somebody else
            wrote in between, read again and redo the edit (theirs is kept)."""
            for attempt in range(_WRITE_ATTEMPTS):
                version = file_version(file)  # before the read: a change after it is a conflict
                loaded_file = read_toml_file(file)
                current = ((loaded_file[0] if loaded_file else {}).get("skills") or {}).get("config") or []
                if not isinstance(current, list):
                    raise RpcError(INVALID_REQUEST, f"{file}: `skills.config` must be an array of tables")
                entries = [dict(e) for e in current if not same(e)]
                if not p.enabled:
                    entries.append(
                        {"path": str(path), "enabled": False} if path is not None else {"name": name, "enabled": False}
                    )
                edit = ConfigEdit("skills.config", entries or None)
                try:
                    write_config_values(file, [edit], expected_version=version, check=check)
                    return
                except ConfigWriteError as exc:
                    if exc.write_code != "configVersionConflict" or attempt == _WRITE_ATTEMPTS - 1:
                        raise

        try:
            await asyncio.to_thread(write)
        except ConfigWriteError as exc:
            raise RpcError(INVALID_REQUEST, str(exc), {"configWriteErrorCode": exc.write_code}) from None
        self.threads.base_config = loaded[-1]
        outcome = await asyncio.to_thread(discover_skills, loaded[-1], extra_roots=self.extra_roots)
        matching = [
            s
            for s in outcome.skills
            if (path is not None and path in (s.path, s.real_path)) or (path is None and s.name == name)
        ]
        effective = any(s.enabled for s in matching) if matching else p.enabled
        return w.SkillsConfigWriteResponse(effective_enabled=effective)

    async def set_extra_roots(self, p: w.SkillsExtraRootsSetParams) -> Wire:
        self.extra_roots = [_absolute(r, "every extra root") for r in p.extra_roots]
        return Empty()
