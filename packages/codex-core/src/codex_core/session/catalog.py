"""Thread names and archiving: what ``thread/name/set``, ``thread/archive`` and ``thread/unarchive`` do.

A name is an ``event_msg`` line ``{"type": "thread_name_updated", "thread_name": ...}`` appended to
the rollout (the last one wins), so it travels with the file. Archiving moves the rollout from
``$CODEX_HOME/sessions/YYYY/MM/DD/`` to ``$CODEX_HOME/archived_sessions/``; unarchiving moves it
back to the date folder its file name records. Both moves are renames within ``$CODEX_HOME``.
"""

from __future__ import annotations

import json
import mmap
import re
from pathlib import Path

from codex_core.errors import SessionError, UsageError

__all__ = [
    "ARCHIVE_DIR",
    "NAME_EVENT",
    "archive_session",
    "name_event",
    "read_thread_name",
    "set_thread_name",
    "unarchive_session",
]

ARCHIVE_DIR = "archived_sessions"
NAME_EVENT = "thread_name_updated"
_MARKER = f'"type": "{NAME_EVENT}"'.encode()
_DATE_RE = re.compile(r"^rollout-(\d{4})-(\d{2})-(\d{2})T")
MAX_NAME_CHARS = 200


def name_event(name: str) -> dict[str, str]:
    """The rollout ``event_msg`` payload recording ``name`` (validated: non-empty, one line, <= 200 chars)."""
    clean = name.strip()
    if not clean:
        raise UsageError("a thread name must not be empty")
    if "\n" in clean or "\r" in clean:
        raise UsageError("a thread name must be a single line")
    if len(clean) > MAX_NAME_CHARS:
        raise UsageError(f"a thread name must be at most {MAX_NAME_CHARS} characters")
    return {"type": NAME_EVENT, "thread_name": clean}


def set_thread_name(path: Path, name: str) -> str:
    """Append a name event to the saved thread at ``path``; returns the stored (trimmed) name."""
    from codex_core.session.rollout import RolloutRecorder

    payload = name_event(name)
    recorder = RolloutRecorder.append_to(path)
    try:
        recorder.record_event(payload)
    finally:
        recorder.close()
    return payload["thread_name"]


def read_thread_name(path: Path) -> str | None:
    """The last name recorded in a rollout, found from the end without parsing the whole file."""
    try:
        with path.open("rb") as fh:
            if fh.seek(0, 2) == 0:
                return None
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                end = len(data)
                while (hit := data.rfind(_MARKER, 0, end)) >= 0:
                    start = data.rfind(b"\n", 0, hit) + 1
                    stop = data.find(b"\n", hit)
                    line = data[start : stop if stop >= 0 else len(data)]
                    end = start  # if this line is not a name event, keep looking further back
                    try:
                        obj = json.loads(line)
                    except (json.JSONDecodeError, RecursionError):  # a deeply nested line is bad input too
                        continue  # a torn line
                    if not isinstance(obj, dict):
                        continue
                    payload = obj.get("payload")
                    if obj.get("type") != "event_msg" or not isinstance(payload, dict):
                        continue  # the marker text inside some other record (e.g. tool output)
                    if payload.get("type") != NAME_EVENT:
                        continue
                    name = payload.get("thread_name")
                    return name if isinstance(name, str) and name else None
    except (OSError, ValueError):
        return None
    return None


def _move(source: Path, target_dir: Path, verb: str) -> Path:
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    if target.exists():
        raise SessionError(f"{target} already exists; not {verb} {source}")
    source.rename(target)
    return target


def archive_session(codex_home: Path, thread_id: str) -> Path:
    """Move the thread's rollout to ``archived_sessions/``; returns the new path."""
    from codex_core.session.rollout import find_rollout

    return _move(find_rollout(codex_home, thread_id), codex_home / ARCHIVE_DIR, "archiving")


def unarchive_session(codex_home: Path, thread_id: str) -> Path:
    """Move an archived rollout back under ``sessions/YYYY/MM/DD/``; returns the new path."""
    from codex_core.session.rollout import find_rollout

    source = find_rollout(codex_home, thread_id, archived=True)
    m = _DATE_RE.match(source.name)
    if m is None:
        raise SessionError(f"{source.name} does not carry a rollout date; cannot place it under sessions/")
    return _move(source, codex_home / "sessions" / m.group(1) / m.group(2) / m.group(3), "unarchiving")
