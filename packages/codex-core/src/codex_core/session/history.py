"""``$CODEX_HOME/history.jsonl``: append-only prompt history across sessions."""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

from codex_core.config.models import HistoryToml

__all__ = ["append_history", "read_history"]


def append_history(codex_home: Path, settings: HistoryToml, *, session_id: str, text: str) -> None:
    """Append one prompt (mode 0600, advisory lock); trim oldest lines past ``max_bytes``."""
    if settings.persistence == "none":
        return
    path = codex_home / "history.jsonl"
    codex_home.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"session_id": session_id, "ts": int(time.time()), "text": text}, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line.encode("utf-8"))
        if settings.max_bytes is not None and os.fstat(fd).st_size > settings.max_bytes:
            data = Path(path).read_bytes()
            lines = data.splitlines(keepends=True)
            total = len(data)
            while lines and total > settings.max_bytes:
                total -= len(lines.pop(0))
            from codex_core.fsutil import write_atomic

            write_atomic(path, b"".join(lines), mode=0o600, durable=False)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def read_history(codex_home: Path) -> list[str]:
    path = codex_home / "history.jsonl"
    out: list[str] = []
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for raw in fh:
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, RecursionError):  # a deeply nested line is bad input too
                    continue
                if isinstance(obj, dict) and isinstance(obj.get("text"), str):
                    out.append(obj["text"])
    except OSError:
        return []
    return out
