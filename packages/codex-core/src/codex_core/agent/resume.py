"""Bringing a resumed or forked thread up to date: token usage, context messages, truncated history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import attrs

from codex_core.agent.state import ThreadState
from codex_core.protocol.items import Message

__all__ = ["display_messages", "keep_user_turns", "refresh_context_after_resume", "restore_usage"]

T = TypeVar("T")


def restore_usage(state: ThreadState, saved: dict[str, Any] | None) -> None:
    from codex_core.client.types import TokenUsage

    info = (saved or {}).get("info")
    if not isinstance(info, dict):
        return
    fields = set(attrs.fields_dict(TokenUsage))

    def usage(raw: object) -> TokenUsage:
        data = raw if isinstance(raw, dict) else {}
        return TokenUsage(**{k: int(v) for k, v in data.items() if k in fields and isinstance(v, int)})

    state.total_usage = usage(info.get("total_token_usage"))
    state.last_usage = usage(info.get("last_token_usage"))


def refresh_context_after_resume(state: ThreadState, last: dict[str, Any] | None) -> None:
    """A session resumed with another cwd or other permissions gets fresh context messages."""
    from codex_core.agent.context import environment_context, permissions_instructions

    cfg = state.config
    last = last or {}
    if (last.get("approval_policy"), last.get("sandbox_policy"), last.get("cwd")) != (
        cfg.approval_policy,
        cfg.sandbox_mode,
        str(cfg.cwd),
    ):
        state.record([Message.developer(permissions_instructions(cfg))])
    if last.get("cwd") != str(cfg.cwd):
        state.record([Message.user(environment_context(cfg.cwd))])


def keep_user_turns(history: Sequence[T], user_turns: int | None) -> list[T]:
    """``history`` cut just before its ``user_turns + 1``-th real user message (all of it when ``None``).

    Context messages (environment, AGENTS.md, compaction summaries) do not count as user turns.
    """
    from codex_core.agent.compaction import is_real_user_message

    if user_turns is None:
        return list(history)
    if user_turns < 0:
        raise ValueError("user_turns must be >= 0")
    seen = 0
    for index, item in enumerate(history):
        if isinstance(item, Message) and item.role == "user" and is_real_user_message(item):
            if seen == user_turns:
                return list(history[:index])
            seen += 1
    return list(history)


def display_messages(history: Sequence[object]) -> list[Message]:
    """The conversation as a user sees it: user prompts and assistant answers, in order
    (initial context, AGENTS.md and compaction summaries are left out)."""
    from codex_core.agent.compaction import is_real_user_message

    return [
        item
        for item in history
        if isinstance(item, Message)
        and ((item.role == "user" and is_real_user_message(item)) or item.role == "assistant")
    ]
