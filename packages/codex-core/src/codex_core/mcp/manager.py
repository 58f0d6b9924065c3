"""``McpConnectionManager``: every configured MCP server for one thread (spec 9.1, 3.5).

``start`` spawns one supervisor task per enabled server and returns at once; the servers start
in parallel, each bounded by its own ``startup_timeout_sec``. Before the first model request the
turn waits for all of them to settle (:meth:`wait_startup`), as Codex does, so their tools are in
that first request; :meth:`tool_specs` offers the tools of the servers that are ready. Failures
(spawn errors, start-up timeouts, crashes) become warnings (:meth:`drain_warnings`) and error
outcomes for calls, and the thread goes on without them, except for a ``required = true``
server: :meth:`wait_startup` then raises :class:`~codex_core.errors.McpError` naming it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from codex_core.config.models import McpServerToml
from codex_core.mcp.connection import Elicit, ServerConnection
from codex_core.mcp.naming import ToolNameRegistry
from codex_core.mcp.resource_tools import RESOURCE_TOOL_NAMES, call_resource_tool, resource_tool_specs
from codex_core.mcp.results import McpCallOutcome, error_outcome
from codex_core.mcp.schema import sanitize_input_schema

__all__ = ["McpConnectionManager"]

_CLOSE_TIMEOUT = 10.0


class McpConnectionManager:
    """Connections to the ``[mcp_servers]`` of one thread. Create with :meth:`start`."""

    def __init__(self, servers: Mapping[str, McpServerToml], *, cwd: Path) -> None:
        self._servers = {name: cfg for name, cfg in servers.items() if cfg.enabled}
        self._cwd = cwd
        self._connections: dict[str, ServerConnection] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._registry = ToolNameRegistry()
        self._specs: dict[str, list[dict[str, Any]]] = {}
        self._warnings: list[str] = []
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    async def start(
        cls, servers: Mapping[str, McpServerToml], *, cwd: Path, elicit: Elicit | None = None
    ) -> McpConnectionManager:
        """Begin connecting to every enabled server in the background and return immediately.

        ``elicit`` answers the servers' ``elicitation/create`` requests (declined without it).
        """
        self = cls(servers, cwd=cwd)
        self._loop = asyncio.get_running_loop()
        for name, cfg in self._servers.items():
            conn = ServerConnection(
                name, cfg, cwd=cwd, on_change=self._on_change, warn=self._warnings.append, elicit=elicit
            )
            self._connections[name] = conn
            self._tasks.append(asyncio.create_task(conn.run(), name=f"mcp-server:{name}"))
        return self

    # --- state ----------------------------------------------------------------------------

    @property
    def server_names(self) -> list[str]:
        """Names of the enabled servers, in configuration order."""
        return list(self._connections)

    def server_state(self, name: str) -> str | None:
        """``starting`` / ``ready`` / ``failed`` / ``closed``, or ``None`` for an unknown server."""
        conn = self._connections.get(name)
        return conn.state if conn is not None else None

    def _on_change(self, conn: ServerConnection) -> None:
        if conn.state != "ready" or conn.name in self._specs:
            return
        specs: list[dict[str, Any]] = []
        for tool in conn.tools:
            tool_name = str(tool.get("name", ""))
            if not _tool_enabled(conn.config, tool_name):
                continue
            qualified, warning = self._registry.register(conn.name, tool_name)
            if qualified is None:
                if warning:
                    self._warnings.append(warning)
                continue
            specs.append(
                {
                    "type": "function",
                    "name": qualified,
                    "description": str(tool.get("description") or ""),
                    "strict": False,
                    "parameters": sanitize_input_schema(tool.get("inputSchema")),
                }
            )
        self._specs[conn.name] = specs

    def tool_specs(self) -> list[dict[str, Any]]:
        """Responses ``function`` tools: MCP tools of the servers ready now, then the resource helpers."""
        return [*self.server_tool_specs(), *self.resource_tool_specs()]

    def server_tool_specs(self) -> list[dict[str, Any]]:
        """The ``mcp__server__tool`` functions of the servers ready now, in configuration order.

        Tools of a server that later crashes stay listed (calls return a clear error) so the tool
        list does not change under the model mid-thread.
        """
        out: list[dict[str, Any]] = []
        for name in self._connections:
            out.extend(self._specs.get(name, ()))
        return out

    def resource_tool_specs(self) -> list[dict[str, Any]]:
        """``list_mcp_resources``, ``list_mcp_resource_templates``, ``read_mcp_resource`` (when any
        server is configured)."""
        return resource_tool_specs() if self._connections else []

    async def wait_startup(self) -> None:
        """Wait until every server is ready or has failed; each is bounded by its own
        ``startup_timeout_sec`` (they start in parallel, so this takes the longest of them).

        Raises :class:`~codex_core.errors.McpError` when a ``required = true`` server did not start.
        """
        from codex_core.errors import McpError

        pending = [c.settled.wait() for c in self._connections.values() if not c.settled.is_set()]
        if pending:
            await asyncio.gather(*pending)
        failed = [
            f"{name}: {conn.error or conn.state}"
            for name, conn in self._connections.items()
            if _required(conn.config) and conn.state != "ready"
        ]
        if failed:
            raise McpError("required MCP servers failed to initialize: " + "; ".join(failed))

    async def wait_ready(self, timeout: float) -> None:
        """Wait until every server is ready or has failed, at most ``timeout`` seconds."""
        pending = [c.settled.wait() for c in self._connections.values() if not c.settled.is_set()]
        if not pending:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*pending), timeout)

    def resolve(self, tool_name: str) -> tuple[str, str] | None:
        """``(server, tool)`` for a model-facing ``mcp__…`` name, else ``None``."""
        return self._registry.resolve(tool_name)

    def is_resource_tool(self, tool_name: str) -> bool:
        """Whether ``tool_name`` is one of the resource helpers this manager answers."""
        return bool(self._connections) and tool_name in RESOURCE_TOOL_NAMES

    def drain_warnings(self) -> list[str]:
        """Warnings collected since the last call (start-up failures, crashes, duplicate names)."""
        out, self._warnings[:] = list(self._warnings), []
        return out

    # --- calls ----------------------------------------------------------------------------

    async def call_tool(self, server: str, tool: str, arguments: dict[str, Any] | None) -> McpCallOutcome:
        """Call ``tool`` on ``server`` bounded by its ``tool_timeout_sec``; failures become error outcomes."""
        conn = self._connections.get(server)
        if conn is None:
            return error_outcome(f"unknown MCP server `{server}`")
        if (problem := self._wrong_loop()) is not None:
            return error_outcome(problem)
        if not _tool_enabled(conn.config, tool):
            return error_outcome(f"MCP tool `{tool}` of server `{server}` is disabled by configuration")
        return await conn.call_tool(tool, arguments, conn.config.tool_timeout_sec)

    async def call_resource_tool(self, tool_name: str, arguments: dict[str, Any] | None) -> McpCallOutcome:
        """Answer ``list_mcp_resources`` / ``list_mcp_resource_templates`` / ``read_mcp_resource``."""
        if not self.is_resource_tool(tool_name):
            return error_outcome(f"unsupported call: {tool_name}")
        if (problem := self._wrong_loop()) is not None:
            return error_outcome(problem)
        return await call_resource_tool(tool_name, arguments, self._connections)

    async def dispatch(self, tool_name: str, arguments: dict[str, Any] | None) -> McpCallOutcome | None:
        """Run any tool this manager owns (``mcp__…`` or a resource helper); ``None`` if not ours."""
        target = self.resolve(tool_name)
        if target is not None:
            return await self.call_tool(target[0], target[1], arguments)
        if self.is_resource_tool(tool_name):
            return await self.call_resource_tool(tool_name, arguments)
        return None

    def _wrong_loop(self) -> str | None:
        if self._loop is not None and asyncio.get_running_loop() is not self._loop:
            return "MCP connections were started on another event loop; start a new manager for this loop"
        return None

    # --- shutdown -------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Disconnect every server (stdio servers are terminated and reaped). Idempotent."""
        if self._closed:
            return
        self._closed = True
        for conn in self._connections.values():
            conn.request_stop()
        tasks = [t for t in self._tasks if not t.done()]
        if not tasks or self._wrong_loop() is not None:
            return  # a finished loop already cancelled its tasks (their shutdown is shielded)
        _, pending = await asyncio.wait(tasks, timeout=_CLOSE_TIMEOUT)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=_CLOSE_TIMEOUT)

    async def __aenter__(self) -> McpConnectionManager:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _required(cfg: McpServerToml) -> bool:
    """``required = true``: the thread cannot run without this server (read leniently, so a
    config model without the key means "not required")."""
    return getattr(cfg, "required", False) is True


def _tool_enabled(cfg: McpServerToml, tool: str) -> bool:
    if cfg.enabled_tools is not None and tool not in cfg.enabled_tools:
        return False
    return not (cfg.disabled_tools is not None and tool in cfg.disabled_tools)
