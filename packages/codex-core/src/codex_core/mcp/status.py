"""What ``/mcp`` shows: each configured MCP server, how it is reached, its state and its tools.

Read-only and offline: servers are not started for it. A thread connects to its servers at its
first turn; before that the state is ``not started`` and no tools are known.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from codex_core.config.models import McpServerToml
    from codex_core.mcp.manager import McpConnectionManager
    from codex_core.sdk import Thread

__all__ = ["McpServerStatus", "mcp_server_status", "thread_mcp_status"]


@attrs.frozen
class McpServerStatus:
    name: str
    transport: str
    """``stdio: COMMAND ARGS`` or ``http: URL``."""
    state: str
    """``disabled``, ``not started``, ``starting``, ``ready``, ``failed`` or ``closed``."""
    tools: tuple[str, ...] = ()
    """The server's enabled tools (their own names), when it is ready."""


def _transport(cfg: McpServerToml) -> str:
    if cfg.url:
        return f"http: {cfg.url}"
    return "stdio: " + shlex.join([cfg.command or "?", *cfg.args])


def mcp_server_status(
    servers: Mapping[str, McpServerToml], manager: McpConnectionManager | None
) -> list[McpServerStatus]:
    """One entry per configured server, in configuration order."""
    from codex_core.mcp.manager import _tool_enabled

    out: list[McpServerStatus] = []
    for name, cfg in servers.items():
        if not cfg.enabled:
            out.append(McpServerStatus(name, _transport(cfg), "disabled"))
            continue
        state = manager.server_state(name) if manager is not None else None
        tools: tuple[str, ...] = ()
        conn = manager._connections.get(name) if manager is not None else None
        if conn is not None and state == "ready":
            names = (str(t.get("name", "")) for t in conn.tools)
            tools = tuple(n for n in names if n and _tool_enabled(cfg, n))
        out.append(McpServerStatus(name, _transport(cfg), state or "not started", tools))
    return out


def thread_mcp_status(thread: Thread) -> list[McpServerStatus]:
    """``mcp_server_status`` for ``thread``'s config and connections."""
    return mcp_server_status(thread.config.mcp_servers, thread._state.mcp)
