"""Offset cursors of the app-server's list methods: a cursor is the decimal position of the
first element of the next page, as this server handed it out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from codex_exec.app_server.jsonrpc import INVALID_PARAMS, RpcError

__all__ = ["cursor_offset", "page"]

T = TypeVar("T")


def cursor_offset(cursor: str | None, size: int) -> int:
    """The position ``cursor`` names in a list of ``size`` elements (``0`` for none); ``-32602``
    naming the cursor when it is not a decimal position in ``0..size``."""
    if cursor is None or cursor == "":
        return 0
    if not cursor.isascii() or not cursor.isdigit():
        raise RpcError(INVALID_PARAMS, f"Invalid params: unknown cursor {cursor!r}")
    value = int(cursor)
    if value > size:
        raise RpcError(INVALID_PARAMS, f"Invalid params: cursor {cursor!r} is out of range (0..{size})")
    return value


def page(items: Sequence[T], cursor: str | None, limit: int | None) -> tuple[list[T], str | None]:
    """One page of ``items`` from ``cursor``, at most ``limit`` long, and the next page's cursor
    (``None`` at the end)."""
    start = cursor_offset(cursor, len(items))
    end = len(items) if limit is None else min(len(items), start + limit)
    return list(items[start:end]), (str(end) if end < len(items) else None)
