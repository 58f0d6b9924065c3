"""Bringing a resumed thread up to date: token usage and context messages."""

from __future__ import annotations

from typing import Any

import attrs

from codex_core.agent.state import ThreadState
from codex_core.protocol.items import Message

__all__ = ["refresh_context_after_resume", "restore_usage"]


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
