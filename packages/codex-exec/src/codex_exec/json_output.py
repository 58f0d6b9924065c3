"""``codex exec --json``: thread events as the JSONL lines Codex 0.169 prints.

As in the reference, the JSONL output numbers its items itself (``item_0``, ``item_1``, ... in
the order they are first printed), so an item the core started but never finished (a message cut
by a dropped stream) takes no number. Warnings are printed as the reference prints them: a stream
reconnect as ``{"type": "error", "message": "Reconnecting... 1/5 (...)"}`` (the turn goes on),
any other warning (and each config warning, right after ``thread.started``) as a completed
``error`` item. Codex announces every file change with ``item.started`` (status
``in_progress``) before its ``item.completed``; the core reports a patch once it is applied (or
refused), so a ``file_change`` completed without a start gets its ``item.started`` line first.
Live-only fields (per-file diffs) are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from codex_core.protocol.events import EXEC_JSON_TYPES

__all__ = ["ExecJsonl"]


def _line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _strip_live_fields(item: dict[str, Any]) -> None:
    if item.get("type") == "file_change":
        for change in item.get("changes", []):
            change.pop("diff", None)


class ExecJsonl:
    """Turns thread events into ``--json`` lines; one instance per ``codex exec`` run.

    ``config_warnings`` (unknown config keys, ...) are printed as error items after the
    ``thread.started`` line."""

    def __init__(self, config_warnings: Sequence[str] = ()) -> None:
        self._started: set[str] = set()
        self._ids: dict[str, str] = {}
        self._config_warnings = list(config_warnings)

    def _item_id(self, core_id: str | None = None) -> str:
        """The printed id of core item ``core_id`` (a fresh one when ``None``)."""
        if core_id is not None and core_id in self._ids:
            return self._ids[core_id]
        printed = f"item_{len(self._ids)}"
        self._ids[core_id if core_id is not None else f"\0{printed}"] = printed
        return printed

    def _error_item(self, message: str) -> str:
        item = {"id": self._item_id(), "type": "error", "message": message}
        return _line({"type": "item.completed", "item": item})

    def lines(self, event: Any) -> list[str]:
        """The JSONL lines (without newlines) for ``event``; none for events exec does not print."""
        if event.type == "warning":
            if event.retry:
                return [_line({"type": "error", "message": event.message})]
            return [self._error_item(event.message)]
        if event.type not in EXEC_JSON_TYPES:
            return []
        data: dict[str, Any] = event.model_dump(mode="json")
        if data["type"] == "thread.started":
            warnings, self._config_warnings = self._config_warnings, []
            return [_line(data), *(self._error_item(w) for w in warnings)]
        item = data.get("item")
        if not isinstance(item, dict):
            return [_line(data)]
        _strip_live_fields(item)
        core_id = str(item.get("id"))
        item["id"] = self._item_id(core_id)
        out: list[str] = []
        if data["type"] == "item.started":
            self._started.add(core_id)
        elif data["type"] == "item.completed" and item.get("type") == "file_change" and core_id not in self._started:
            out.append(_line({"type": "item.started", "item": {**item, "status": "in_progress"}}))
        out.append(_line(data))
        return out
