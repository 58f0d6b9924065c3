"""``codex exec --json``: thread events as the JSONL lines Codex 0.169 prints.

The mapping is stateful in one way: Codex announces every file change with ``item.started``
(status ``in_progress``) before its ``item.completed``; the core reports a patch once it is
applied (or refused), so a ``file_change`` completed without a start gets its ``item.started``
line first. Live-only fields (per-file diffs) are dropped.
"""

from __future__ import annotations

import json
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
    """Turns thread events into ``--json`` lines; one instance per ``codex exec`` run."""

    def __init__(self) -> None:
        self._started: set[str] = set()

    def lines(self, event: Any) -> list[str]:
        """The JSONL lines (without newlines) for ``event``; none for events exec does not print."""
        if event.type not in EXEC_JSON_TYPES:
            return []
        data: dict[str, Any] = event.model_dump(mode="json")
        item = data.get("item")
        if not isinstance(item, dict):
            return [_line(data)]
        _strip_live_fields(item)
        item_id = str(item.get("id"))
        out: list[str] = []
        if data["type"] == "item.started":
            self._started.add(item_id)
        elif data["type"] == "item.completed" and item.get("type") == "file_change" and item_id not in self._started:
            out.append(_line({"type": "item.started", "item": {**item, "status": "in_progress"}}))
        out.append(_line(data))
        return out
