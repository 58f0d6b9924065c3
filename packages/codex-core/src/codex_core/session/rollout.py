"""Rollout files: the JSONL record of a thread, written line by line, read back for resume.

``$CODEX_HOME/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl``; each line is
``{"timestamp": ..., "type": <kind>, "payload": {...}}`` with kinds ``session_meta``,
``response_item``, ``turn_context``, ``event_msg`` and ``compacted``. Every line is flushed as
soon as it is written, so a killed process loses at most the line in flight; a torn last line
is skipped on read and never glued to the next one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from codex_core.errors import SessionError
from codex_core.protocol.items import OtherItem, ResponseItem, item_from_api

__all__ = [
    "ResumedSession",
    "RolloutRecorder",
    "RolloutTurn",
    "SessionInfo",
    "find_rollout",
    "latest_diff",
    "list_sessions",
    "read_rollout",
    "read_saved",
    "rollout_turns",
    "session_info",
]

_UUID_RE = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class RolloutRecorder:
    """Append-only writer of one rollout file."""

    def __init__(self, path: Path, fh: IO[str]) -> None:
        self.path = path
        self._fh = fh

    @classmethod
    def create(
        cls,
        codex_home: Path,
        *,
        thread_id: str,
        cwd: Path,
        originator: str,
        cli_version: str,
        source: str,
        model_provider: str,
        instructions: str | None,
        git: dict[str, Any] | None = None,
        forked_from: str | None = None,
    ) -> RolloutRecorder:
        now = dt.datetime.now()
        folder = codex_home / "sessions" / f"{now:%Y}" / f"{now:%m}" / f"{now:%d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"rollout-{now:%Y-%m-%dT%H-%M-%S}-{thread_id}.jsonl"
        fh = path.open("a", encoding="utf-8")
        rec = cls(path, fh)
        meta: dict[str, Any] = {
            "id": thread_id,
            "timestamp": _now(),
            "cwd": str(cwd),
            "originator": originator,
            "cli_version": cli_version,
            "instructions": instructions,
            "source": source,
            "model_provider": model_provider,
        }
        if git:
            meta["git"] = git
        if forked_from:
            meta["forked_from_id"] = forked_from
        rec.write("session_meta", meta)
        return rec

    @classmethod
    def append_to(cls, path: Path) -> RolloutRecorder:
        """Reopen an existing rollout for appending (resume), repairing a torn last line."""
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            needs_newline = False
            if fh.tell() > 0:
                fh.seek(-1, os.SEEK_END)
                needs_newline = fh.read(1) != b"\n"
        out = path.open("a", encoding="utf-8")
        if needs_newline:
            out.write("\n")
            out.flush()
        return cls(path, out)

    def write(self, kind: str, payload: dict[str, Any]) -> None:
        line = json.dumps({"timestamp": _now(), "type": kind, "payload": payload}, ensure_ascii=False)
        self._fh.write(line + "\n")
        self._fh.flush()

    def record_items(self, items: Sequence[ResponseItem | OtherItem]) -> None:
        for item in items:
            self.write("response_item", item.model_dump(mode="json", exclude_none=True))

    def record_event(self, payload: dict[str, Any]) -> None:
        self.write("event_msg", payload)

    def record_turn_context(self, payload: dict[str, Any]) -> None:
        self.write("turn_context", payload)

    def record_compacted(self, message: str, replacement_history: Sequence[ResponseItem]) -> None:
        self.write(
            "compacted",
            {
                "message": message,
                "replacement_history": [i.model_dump(mode="json", exclude_none=True) for i in replacement_history],
            },
        )

    def copy_from(self, source: Path, *, turns: int | None = None) -> None:
        """Append ``source``'s lines after its ``session_meta`` (all of them, or those before its
        ``turns + 1``-th turn), keeping their timestamps: a fork keeps the turn structure."""
        seen = 0
        for obj in _lines(source):
            kind = obj.get("type")
            if kind == "session_meta":
                continue
            if kind == "turn_context":
                if turns is not None and seen >= turns:
                    break
                seen += 1
            self._fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


@attrs.frozen
class ResumedSession:
    thread_id: str
    path: Path
    meta: dict[str, Any]
    history: list[ResponseItem | OtherItem]
    last_usage: dict[str, Any] | None
    last_turn_context: dict[str, Any] | None
    turns: int = 0
    """How many turns the session has run (``turn_context`` lines)."""
    name: str | None = None
    """The thread's name (last ``thread_name_updated`` event), if it was given one."""


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        for raw in fh:
            raw = raw.strip()
            if not raw:
                continue
            try:
                obj = json.loads(raw)
            except (json.JSONDecodeError, RecursionError):  # a deeply nested line is bad input too
                continue  # torn line from a killed writer
            if isinstance(obj, dict):
                yield obj


def read_rollout(path: Path, *, turns: int | None = None) -> ResumedSession:
    """Rebuild the thread history exactly from a rollout file.

    ``turns`` stops just before the rollout's ``turns + 1``-th turn (its ``turn_context`` line):
    the state a fork through turn ``turns`` starts from, with the compactions that happened
    before the cut and none after it.
    """
    meta: dict[str, Any] | None = None
    name: str | None = None
    history: list[ResponseItem | OtherItem] = []
    usage: dict[str, Any] | None = None
    turn_ctx: dict[str, Any] | None = None
    seen_turns = 0
    try:
        for obj in _lines(path):
            kind, payload = obj.get("type"), obj.get("payload")
            if not isinstance(payload, dict):
                continue
            if kind == "session_meta" and meta is None:
                meta = payload
            elif kind == "response_item":
                try:
                    history.append(item_from_api(payload))
                except ValueError:
                    continue
            elif kind == "compacted":
                repl = payload.get("replacement_history")
                if isinstance(repl, list):
                    history = [item_from_api(i) for i in repl if isinstance(i, dict)]
            elif kind == "turn_context":
                if turns is not None and seen_turns >= turns:
                    break
                turn_ctx = payload
                seen_turns += 1
            elif kind == "event_msg" and payload.get("type") == "token_count":
                usage = payload
            elif kind == "event_msg" and payload.get("type") == "thread_name_updated":
                name = payload.get("thread_name") if isinstance(payload.get("thread_name"), str) else name
    except OSError as exc:
        raise SessionError(f"cannot read session file {path}: {exc.strerror}") from None
    if meta is None or "id" not in meta:
        raise SessionError(f"{path} is not a Codex session file (no session_meta line)")
    return ResumedSession(str(meta["id"]), path, meta, history, usage, turn_ctx, seen_turns, name)


@attrs.frozen
class SessionInfo:
    id: str
    path: Path
    updated_at: dt.datetime
    cwd: str | None
    preview: str
    created_at: dt.datetime | None = None
    model_provider: str | None = None
    name: str | None = None
    cli_version: str | None = None


def _all_rollouts(codex_home: Path, *, archived: bool = False) -> list[Path]:
    from codex_core.session.catalog import ARCHIVE_DIR

    root = codex_home / (ARCHIVE_DIR if archived else "sessions")
    if not root.is_dir():
        return []
    pattern = "rollout-*.jsonl" if archived else "*/*/*/rollout-*.jsonl"
    return sorted(root.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)


def session_info(path: Path) -> SessionInfo | None:
    """What ``list_sessions`` shows for one rollout file (``None`` if it is not one)."""
    m = _UUID_RE.search(path.name)
    if not m:
        return None
    cwd: str | None = None
    preview = ""
    created: dt.datetime | None = None
    provider: str | None = None
    version: str | None = None
    try:
        for obj in _lines(path):
            payload = obj.get("payload") or {}
            if obj.get("type") == "session_meta":
                cwd = payload.get("cwd")
                provider = payload.get("model_provider")
                version = payload.get("cli_version")
                created = _parse_ts(payload.get("timestamp"))
            elif obj.get("type") == "event_msg" and payload.get("type") == "user_message":
                preview = str(payload.get("message", ""))[:200]
                break
    except OSError:
        return None
    from codex_core.session.catalog import read_thread_name

    mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return SessionInfo(m.group(1), path, mtime, cwd, preview, created, provider, read_thread_name(path), version)


def _parse_ts(raw: object) -> dt.datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def list_sessions(codex_home: Path, *, cwd: Path | None = None, archived: bool = False) -> list[SessionInfo]:
    """Saved sessions, newest first; filtered to ``cwd`` when given; ``archived`` lists the archive."""
    out: list[SessionInfo] = []
    for p in _all_rollouts(codex_home, archived=archived):
        info = session_info(p)
        if info is None:
            continue
        if cwd is not None and info.cwd != str(cwd):
            continue
        out.append(info)
    return out


def find_rollout(codex_home: Path, thread_id: str, *, archived: bool = False) -> Path:
    """The rollout file of ``thread_id`` (a full UUID or a unique prefix); ``archived`` searches the archive."""
    matches = [
        p
        for p in _all_rollouts(codex_home, archived=archived)
        if (m := _UUID_RE.search(p.name)) and m.group(1).startswith(thread_id)
    ]
    if not matches:
        where = codex_home / ("archived_sessions" if archived else "sessions")
        raise SessionError(f"no saved session with id {thread_id} under {where}")
    if len({_UUID_RE.search(p.name).group(1) for p in matches}) > 1:  # type: ignore[union-attr]
        raise SessionError(f"session id prefix {thread_id} is ambiguous")
    return matches[0]


@attrs.frozen
class RolloutTurn:
    """One turn as a rollout records it: the user's inputs (the prompt, then any steered input)
    and the assistant's messages, in order."""

    user: tuple[str, ...]
    assistant: tuple[str, ...]


def rollout_turns(path: Path) -> list[RolloutTurn]:
    """The turns of a saved thread, one per ``turn_context`` line (compactions do not hide any)."""
    turns: list[tuple[list[str], list[str]]] = []
    try:
        for obj in _lines(path):
            kind, payload = obj.get("type"), obj.get("payload")
            if not isinstance(payload, dict):
                continue
            if kind == "turn_context":
                turns.append(([], []))
            elif not turns:
                continue
            elif kind == "event_msg" and payload.get("type") == "user_message":
                turns[-1][0].append(str(payload.get("message", "")))
            elif kind == "response_item" and payload.get("type") == "message" and payload.get("role") == "assistant":
                text = "".join(
                    str(part.get("text", ""))
                    for part in payload.get("content") or []
                    if isinstance(part, dict) and part.get("type") == "output_text"
                )
                turns[-1][1].append(text)
    except OSError as exc:
        raise SessionError(f"cannot read session file {path}: {exc.strerror}") from None
    return [RolloutTurn(tuple(u), tuple(a)) for u, a in turns]


def read_saved(codex_home: Path, thread_id: str | Path, *, turns: int | None = None) -> ResumedSession:
    """``read_rollout`` of a saved thread given by id, unique id prefix or rollout path."""
    path = (
        Path(thread_id)
        if isinstance(thread_id, Path) or str(thread_id).endswith(".jsonl")
        else find_rollout(codex_home, str(thread_id))
    )
    return read_rollout(path, turns=turns)


def latest_diff(path: Path) -> str | None:
    """The diff of the last successful patch recorded in a rollout (for ``codex apply``)."""
    diff: str | None = None
    for obj in _lines(path):
        payload = obj.get("payload") or {}
        if obj.get("type") == "event_msg" and payload.get("type") == "patch_apply_end" and payload.get("success"):
            d = payload.get("diff")
            if isinstance(d, str) and d:
                diff = d
    return diff
