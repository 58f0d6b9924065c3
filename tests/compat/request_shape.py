"""Normalising a model request (and ``codex exec --json`` lines) for comparison with Codex 0.169.

A recorded request carries values that differ on every run (thread, turn and installation ids,
paths, dates, ports). :func:`normalise_request` replaces each by a named placeholder, the same way
for the reference's request and for ours, so what is left is the request's structure: body keys
and values, headers, input items, tool definitions. Used by ``record_reference.py`` (to store
the fixture) and by ``test_first_request.py`` (to compare).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "DROPPED_HEADERS",
    "environment_tags",
    "message_tags",
    "normalise_events",
    "normalise_request",
    "strip_descriptions",
]

DROPPED_HEADERS = frozenset({"host", "content-length", "accept-encoding", "connection"})
"""Transport headers that say nothing about the request (set by the HTTP client)."""

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = re.compile(r"<current_date>\d{4}-\d{2}-\d{2}</current_date>")
_VERSION = re.compile(r"(?<=/)\d+\.\d+\.\d+|(?<=; )\d+\.\d+\.\d+(?=\))")
_TAG = re.compile(r"^<([a-z_ ]+)>|^# (AGENTS\.md) instructions")


def _replace_all(value: Any, replacements: Mapping[str, str]) -> Any:
    """``value`` with every occurrence of each key replaced (in strings, recursively; JSON text
    embedded in strings, such as ``x-codex-turn-metadata``, is rewritten as well)."""
    if isinstance(value, str):
        for old in sorted(replacements, key=len, reverse=True):  # a turn id may contain the thread id
            if old:
                value = value.replace(old, replacements[old])
        return value
    if isinstance(value, list):
        return [_replace_all(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: _replace_all(v, replacements) for k, v in value.items()}
    return value


def _turn_metadata(text: str) -> dict[str, Any]:
    data = json.loads(text)
    if "turn_started_at_unix_ms" in data:
        data["turn_started_at_unix_ms"] = 0
    return dict(data)


def normalise_request(
    headers: Mapping[str, str], body: Mapping[str, Any], *, cwd: str, codex_home: str
) -> dict[str, Any]:
    """``{"headers": ..., "body": ...}`` with volatile values replaced by placeholders.

    Thread id, turn id and installation id come from the request itself (``thread-id`` header,
    ``client_metadata``); any other UUID becomes ``<uuid>``.
    """
    meta = body.get("client_metadata") or {}
    replacements = {
        codex_home: "<codex_home>",
        cwd: "<cwd>",
        str(headers.get("thread-id", "")): "<thread_id>",
        str(meta.get("turn_id", "")): "<turn_id>",
        str(meta.get("x-codex-installation-id", "")): "<installation_id>",
    }
    kept_headers = {k.lower(): v for k, v in headers.items() if k.lower() not in DROPPED_HEADERS}
    out: dict[str, Any] = _replace_all({"headers": kept_headers, "body": dict(body)}, replacements)
    out = json.loads(_UUID.sub("<uuid>", json.dumps(out)))
    out["headers"]["user-agent"] = _VERSION.sub("<version>", out["headers"].get("user-agent", ""))
    for holder in (out["headers"], out["body"].get("client_metadata") or {}):
        if "x-codex-turn-metadata" in holder:
            holder["x-codex-turn-metadata"] = _turn_metadata(holder["x-codex-turn-metadata"])
    for item in out["body"].get("input", []):
        for part in item.get("content") or []:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                part["text"] = _DATE.sub("<current_date><date></current_date>", part["text"])
    return out


def message_tags(item: Mapping[str, Any]) -> list[str]:
    """What each text part of a message is, by its opening tag (``permissions instructions``,
    ``environment_context``, ``AGENTS.md``, ...), or ``text`` for untagged text."""
    tags: list[str] = []
    for part in item.get("content") or []:
        match = _TAG.match(str(part.get("text", "")))
        tags.append((match.group(1) or match.group(2)) if match else "text")
    return tags


def environment_tags(text: str) -> list[str]:
    """The child element names of an ``<environment_context>`` block, in order."""
    return re.findall(r"^  <([a-z_]+)>", text, flags=re.MULTILINE)


def strip_descriptions(value: Any) -> Any:
    """A tool definition without its prose (``description`` strings), keeping the schema."""
    if isinstance(value, list):
        return [strip_descriptions(v) for v in value]
    if isinstance(value, dict):
        return {k: strip_descriptions(v) for k, v in value.items() if not (k == "description" and isinstance(v, str))}
    return value


def normalise_events(lines: list[str], *, cwd: str) -> list[dict[str, Any]]:
    """``codex exec --json`` lines with the thread id, item ids' numbering kept, paths and the
    machine-specific command output replaced."""
    events = [json.loads(line) for line in lines if line.strip()]
    out: list[dict[str, Any]] = []
    for event in events:
        event = _replace_all(event, {cwd: "<cwd>"})
        if event.get("type") == "thread.started":
            event["thread_id"] = "<thread_id>"
        item = event.get("item")
        if isinstance(item, dict) and item.get("type") == "command_execution":
            item["aggregated_output"] = "<output>" if item.get("aggregated_output") else ""
        out.append(event)
    return out
