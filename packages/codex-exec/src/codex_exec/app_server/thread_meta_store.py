"""Thread sections and attachments, kept next to the rollouts.

The reference keeps them in its state database; codex-py keeps them in one JSON document,
``$CODEX_HOME/app_server/thread_metadata.json``, read and rewritten (atomically: a temporary
file renamed over it) under an exclusive ``flock`` of a lock file beside it, so app-servers
running at the same time do not lose each other's changes. The document is::

    {"sections": [{"id", "name", "appearance"}],
     "members": {"<section id>": [{"threadId", "enteredAt"}]},   # in section order
     "attachments": {"<thread id>": [{"id", "attachmentType", "identityKey", "payload", "createdAt"}]}}

A file that cannot be parsed is an error naming it (never silently replaced).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codex_exec.app_server.jsonrpc import INTERNAL_ERROR, RpcError

__all__ = ["ThreadMetadataStore"]

_FILE = "thread_metadata.json"


def _empty() -> dict[str, Any]:
    return {"sections": [], "members": {}, "attachments": {}}


class ThreadMetadataStore:
    """The sections and attachments document of one ``CODEX_HOME``."""

    def __init__(self, codex_home: Path) -> None:
        self.dir = codex_home / "app_server"
        self.path = self.dir / _FILE
        self._cache: tuple[int, dict[str, Any]] | None = None
        """(mtime_ns, document) of the last read, for ``read``."""

    def _load(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty()
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise RpcError(INTERNAL_ERROR, f"{self.path}: not valid JSON ({exc}); fix or remove the file") from None
        if not isinstance(data, dict):
            raise RpcError(INTERNAL_ERROR, f"{self.path}: expected a JSON object; fix or remove the file")
        for key, value in _empty().items():
            data.setdefault(key, value)
        return data

    def read(self) -> dict[str, Any]:
        """The document as stored now (cached while the file is unchanged)."""
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return _empty()
        if self._cache is None or self._cache[0] != mtime:
            self._cache = (mtime, self._load())
        return self._cache[1]

    @contextlib.contextmanager
    def edit(self) -> Iterator[dict[str, Any]]:
        """Read, let the caller change, and write back the document, holding the lock; nothing
        is written when the block raises."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / (_FILE + ".lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._load()
            yield data
            fd, tmp = tempfile.mkstemp(prefix=".thread_metadata.", dir=self.dir)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(data, out, ensure_ascii=False, indent=1)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        self._cache = None

    # --- queries --------------------------------------------------------------------------

    @staticmethod
    def section_of(data: dict[str, Any], thread_id: str) -> tuple[dict[str, Any], int] | None:
        """The section holding ``thread_id`` and when the thread entered it."""
        sections = {s["id"]: s for s in data["sections"]}
        for section_id, members in data["members"].items():
            for member in members:
                if member["threadId"] == thread_id and section_id in sections:
                    return sections[section_id], int(member["enteredAt"])
        return None

    @staticmethod
    def remove_member(data: dict[str, Any], thread_id: str) -> str | None:
        """Take ``thread_id`` out of its section; the section's id, if it was in one."""
        for section_id, members in data["members"].items():
            kept = [m for m in members if m["threadId"] != thread_id]
            if len(kept) != len(members):
                data["members"][section_id] = kept
                return str(section_id)
        return None
