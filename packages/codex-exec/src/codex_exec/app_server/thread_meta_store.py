"""Thread sections and attachments, kept next to the rollouts.

The reference keeps them in its state database; codex-py keeps them in one JSON document,
``$CODEX_HOME/app_server/thread_metadata.json``, read and rewritten (atomically and durably,
:func:`codex_core.fsutil.write_atomic`) under an exclusive ``flock`` of a lock file beside it, so
app-servers running at the same time do not lose each other's changes. The document is::

    {"sections": [{"id", "name", "appearance"}],
     "members": {"<section id>": [{"threadId", "enteredAt"}]},   # in section order
     "attachments": {"<thread id>": [{"id", "attachmentType", "identityKey", "payload", "createdAt"}]}}

A damaged file (not JSON, or not of that shape) is never silently replaced: reading it is an
error naming it, and the next write first renames it to ``thread_metadata.json.corrupt-<n>``
(logging a warning that says so) and starts a new document.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codex_core.fsutil import write_atomic
from codex_core.logging import get_logger
from codex_exec.app_server.jsonrpc import INTERNAL_ERROR, RpcError

__all__ = ["ThreadMetadataError", "ThreadMetadataStore"]

_FILE = "thread_metadata.json"

log = get_logger(__name__)


class ThreadMetadataError(RpcError):
    """``thread_metadata.json`` cannot be used (unreadable, not JSON, or not of the documented shape)."""

    def __init__(self, message: str) -> None:
        super().__init__(INTERNAL_ERROR, message)


def _empty() -> dict[str, Any]:
    return {"sections": [], "members": {}, "attachments": {}}


def _shape_error(data: Any) -> str | None:
    """What is wrong with the document's shape (``None``: nothing), so queries never meet a
    missing key or a wrong type."""
    if not isinstance(data, dict):
        return "expected a JSON object"
    sections, members, attachments = data["sections"], data["members"], data["attachments"]
    if not isinstance(sections, list) or not all(
        isinstance(s, dict) and isinstance(s.get("id"), str) for s in sections
    ):
        return "`sections` must be an array of objects with a string `id`"
    if not isinstance(members, dict) or not all(isinstance(ms, list) for ms in members.values()):
        return "`members` must map section ids to arrays"
    for section_id, ms in members.items():
        for m in ms:
            if (
                not isinstance(m, dict)
                or not isinstance(m.get("threadId"), str)
                or not isinstance(m.get("enteredAt"), int)
            ):
                return f"`members.{section_id}` entries need a string `threadId` and an integer `enteredAt`"
    if not isinstance(attachments, dict) or not all(isinstance(es, list) for es in attachments.values()):
        return "`attachments` must map thread ids to arrays"
    keys = ("id", "attachmentType", "identityKey")
    for thread_id, es in attachments.items():
        for e in es:
            if not isinstance(e, dict) or not all(isinstance(e.get(k), str) for k in keys):
                return f"`attachments.{thread_id}` entries need string `id`, `attachmentType` and `identityKey`"
    return None


class ThreadMetadataStore:
    """The sections and attachments document of one ``CODEX_HOME``. Its methods block (file
    I/O, ``flock``): async callers run them in a worker thread."""

    def __init__(self, codex_home: Path) -> None:
        self.dir = codex_home / "app_server"
        self.path = self.dir / _FILE
        self._cache: tuple[tuple[int, int, int], dict[str, Any]] | None = None
        """((inode, mtime_ns, size), document) of the last read, for ``read``."""

    def _load(self) -> dict[str, Any]:
        """The stored document; ``ThreadMetadataError`` naming the file when it is damaged."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty()
        except (OSError, UnicodeDecodeError) as exc:
            raise ThreadMetadataError(f"{self.path}: cannot read ({exc})") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ThreadMetadataError(f"{self.path}: not valid JSON ({exc}); fix or remove the file") from None
        if isinstance(data, dict):
            for key, value in _empty().items():
                data.setdefault(key, value)
        problem = _shape_error(data)
        if problem is not None:
            raise ThreadMetadataError(f"{self.path}: {problem}; fix or remove the file")
        return dict(data)

    def read(self) -> dict[str, Any]:
        """The document as stored now (cached while the file is unchanged)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return _empty()
        except OSError as exc:
            raise ThreadMetadataError(f"{self.path}: cannot read ({exc})") from None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._load())
        return self._cache[1]

    def _set_aside(self, problem: ThreadMetadataError) -> None:
        """Rename a damaged file to the first free ``.corrupt-<n>`` name (never overwritten)."""
        n = 1
        while (aside := self.path.with_name(f"{_FILE}.corrupt-{n}")).exists():
            n += 1
        os.rename(self.path, aside)
        log.warning(
            f"{problem.message}; kept it as {aside} and started a new {_FILE}",
            path=str(self.path),
            kept_as=str(aside),
        )

    @contextlib.contextmanager
    def edit(self) -> Iterator[dict[str, Any]]:
        """Read, let the caller change, and write back the document, holding the lock; nothing
        is written when the block raises. A damaged file is set aside first (see the module)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / (_FILE + ".lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = self._load()
            except ThreadMetadataError as exc:
                self._set_aside(exc)
                data = _empty()
            yield data
            text = json.dumps(data, ensure_ascii=False, indent=1)
            write_atomic(self.path, text.encode("utf-8"), mode=0o600)
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
