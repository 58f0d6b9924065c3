"""Cutting a saved thread back to its first turns (the app-server's ``thread/revert``).

A rollout file opens every turn with a ``turn_context`` line (forks cut at the same place, see
``RolloutRecorder.copy_from``). :func:`truncate_rollout` keeps everything before the
``turns + 1``-th of them -- the conversation, its compactions and token counts up to there --
and drops the rest, except the thread's name (``thread_name_updated`` events are metadata, not
conversation). Only the conversation history changes: files the dropped turns edited stay as
they are. The file is replaced atomically, with its permission bits.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from codex_core.errors import SessionError

__all__ = ["truncate_rollout"]


def _kind(raw: str) -> tuple[str | None, object]:
    try:
        obj = json.loads(raw)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(obj, dict):
        return None, None
    payload = obj.get("payload")
    return obj.get("type"), payload.get("type") if isinstance(payload, dict) else None


def truncate_rollout(path: Path, *, turns: int) -> int:
    """Keep the first ``turns`` turns of the rollout at ``path``; returns how many lines were
    dropped. ``SessionError`` when the file cannot be read or written."""
    from codex_core.fsutil import write_atomic

    if turns < 0:
        raise ValueError("turns must not be negative")
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError as exc:
        raise SessionError(f"cannot read session file {path}: {exc.strerror}") from None
    kept: list[str] = []
    dropped = 0
    seen = 0
    cut = False
    for line in text.splitlines(keepends=True):
        kind, event = _kind(line) if line.strip() else (None, None)
        if not cut and kind == "turn_context":
            if seen >= turns:
                cut = True
            else:
                seen += 1
        if not cut or (kind == "event_msg" and event == "thread_name_updated"):
            kept.append(line if line.endswith("\n") else line + "\n")
        else:
            dropped += 1
    try:
        write_atomic(path, "".join(kept).encode("utf-8", "surrogateescape"), mode=mode)
    except OSError as exc:
        raise SessionError(f"cannot rewrite session file {path}: {exc.strerror}") from None
    return dropped
