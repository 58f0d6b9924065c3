"""One MCP server connection, owned by a supervisor task.

The SDK's ``Client`` is an async context manager whose task groups and cancel scopes must be
entered and exited by the same task, so every server gets a supervisor task
(:meth:`ServerConnection.run`) that connects, lists tools, publishes itself as ready and then
waits for :meth:`ServerConnection.request_stop` before leaving the context (which closes stdin,
then terminates the whole process group of a stdio server). Calls are made from any task.
"""

from __future__ import annotations

import asyncio
import math
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import IO, Any, Literal, cast

import anyio

from codex_core.config.models import McpServerToml
from codex_core.logging import get_logger
from codex_core.mcp.elicitation import ElicitationRequest, ElicitationResponse
from codex_core.mcp.results import McpCallOutcome, error_outcome, outcome_from_result

__all__ = ["CLIENT_NAME", "ServerConnection", "ServerState"]

CLIENT_NAME = "codex-mcp-client"
CLIENT_VERSION = "0.1.0"
log = get_logger(__name__)
_STDERR_TAIL = 2000
_HTTP_TIMEOUT = 30.0
_HTTP_READ_TIMEOUT = 300.0

ServerState = Literal["starting", "ready", "failed", "closed"]
Elicit = Callable[[ElicitationRequest], Awaitable[ElicitationResponse]]
"""Answers a server's ``elicitation/create`` (``codex_core.mcp.elicitation.answer_elicitation``)."""


class ServerConnection:
    """Connection to the MCP server ``name``; run :meth:`run` in its own task."""

    def __init__(
        self,
        name: str,
        config: McpServerToml,
        *,
        cwd: Path,
        on_change: Callable[[ServerConnection], None],
        warn: Callable[[str], None],
        elicit: Elicit | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.state: ServerState = "starting"
        self.error: str | None = None
        self.tools: list[dict[str, Any]] = []
        """Tool descriptors from ``tools/list`` in wire form (``name``, ``inputSchema``, ...)."""
        self._cwd = cwd
        self._on_change = on_change
        self._warn = warn
        self._elicit = elicit
        self._client: Any = None
        self._settled = asyncio.Event()
        self._stop = asyncio.Event()
        self._scope: anyio.CancelScope | None = None
        self._stderr: IO[bytes] | None = None

    # --- lifecycle ----------------------------------------------------------------------

    @property
    def settled(self) -> asyncio.Event:
        """Set once the server is ready or has failed to start."""
        return self._settled

    def request_stop(self) -> None:
        """Ask the supervisor to disconnect (cancels a start-up still in progress)."""
        self._stop.set()
        if self.state == "starting" and self._scope is not None:
            self._scope.cancel()

    async def run(self) -> None:
        """Supervisor: connect, list tools, serve until stopped. Never raises."""
        timeout = self.config.startup_timeout
        started = time.perf_counter()
        transport = "stdio" if self.config.command is not None else "http"
        log.debug("mcp server starting", server=self.name, transport=transport, timeout_s=timeout)
        try:
            with anyio.CancelScope() as scope:
                self._scope = scope
                scope.deadline = anyio.current_time() + timeout
                async with AsyncExitStack() as stack:
                    client = await self._connect(stack)
                    tools = await self._list_tools(client)
                    scope.deadline = math.inf
                    self._client = client
                    self.tools = tools
                    self.state = "ready"
                    self._settled.set()
                    self._on_change(self)
                    duration_ms = (time.perf_counter() - started) * 1000
                    log.info("mcp server ready", server=self.name, duration_ms=duration_ms, tools=len(tools))
                    await self._stop.wait()
            if self.state == "starting":
                if self._stop.is_set():
                    self._fail("start-up was aborted")
                else:
                    self._fail(f"timed out after {timeout:g}s waiting for initialize and tools/list")
        except Exception as exc:  # the server is someone else's program: any failure is a warning
            if self.state == "starting":
                self._fail(f"failed to start: {_describe(exc)}")
            elif self.state == "ready":
                self._fail(f"connection failed: {_describe(exc)}")
        finally:
            if self.state == "ready":
                self.state = "closed"
            self._client = None
            self._settled.set()
            if self._stderr is not None:
                self._stderr.close()

    def _fail(self, message: str) -> None:
        tail = self.stderr_tail()
        if tail:
            message = f"{message}; server stderr: {tail}"
        was_ready = self.state == "ready"
        self.state = "failed"
        self.error = message
        self._settled.set()
        log.info("mcp server failed", server=self.name, error=message, was_ready=was_ready)  # shown as a warning event
        self._warn(f"MCP server `{self.name}` {message}" if not was_ready else f"MCP server `{self.name}`: {message}")
        self._on_change(self)

    def stderr_tail(self) -> str:
        """The last lines the (stdio) server wrote to stderr, for error messages."""
        f = self._stderr
        if f is None or f.closed:
            return ""
        try:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - _STDERR_TAIL))
            text = f.read().decode("utf-8", errors="replace")
        except (OSError, ValueError):
            return ""
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        return " | ".join(lines[-5:])

    # --- connecting ---------------------------------------------------------------------

    async def _connect(self, stack: AsyncExitStack) -> Any:
        from mcp import Client, Implementation

        info = Implementation(name=CLIENT_NAME, version=CLIENT_VERSION)
        cfg = self.config
        transport: Any
        if cfg.command is not None:
            from mcp.client.stdio import stdio_client

            from mcp import StdioServerParameters

            env = {k: os.environ[k] for k in cfg.env_vars or () if k in os.environ}
            env.update(cfg.env or {})
            cwd = self._cwd / cfg.cwd if cfg.cwd is not None else self._cwd
            params = StdioServerParameters(command=cfg.command, args=list(cfg.args), env=env, cwd=cwd)
            self._stderr = tempfile.TemporaryFile()
            transport = stdio_client(params, errlog=cast(Any, self._stderr))
        else:
            import httpx2
            from mcp.client.streamable_http import streamable_http_client

            assert cfg.url is not None
            http = await stack.enter_async_context(
                httpx2.AsyncClient(
                    headers=self._http_headers(),
                    timeout=httpx2.Timeout(_HTTP_TIMEOUT, read=_HTTP_READ_TIMEOUT),
                )
            )
            transport = streamable_http_client(cfg.url, http_client=http)
        client = Client(
            transport, mode="legacy", cache=None, client_info=info, elicitation_callback=self._on_elicitation
        )
        return await stack.enter_async_context(client)

    async def _on_elicitation(self, context: Any, params: Any) -> Any:
        """The SDK's elicitation callback: the server's ``elicitation/create`` as an
        :class:`ElicitationRequest`, answered by ``elicit`` (declined without one)."""
        from mcp.types import ElicitRequestURLParams, ElicitResult

        meta = dict(params.meta) if params.meta else None
        if isinstance(params, ElicitRequestURLParams):
            request = ElicitationRequest(
                server_name=self.name,
                request_id=context.request_id,
                mode="url",
                message=params.message,
                url=params.url,
                elicitation_id=params.elicitation_id,
                meta=meta,
            )
        else:
            request = ElicitationRequest(
                server_name=self.name,
                request_id=context.request_id,
                mode="form",
                message=params.message,
                requested_schema=params.requested_schema,
                meta=meta,
            )
        answer = ElicitationResponse(action="decline") if self._elicit is None else await self._elicit(request)
        content = dict(answer.content) if answer.action == "accept" and answer.content is not None else None
        meta_out = dict(answer.meta) if answer.meta is not None else None
        try:
            return ElicitResult(action=answer.action, content=content, meta=meta_out)
        except ValueError:  # content the protocol cannot carry (nested objects): not an answer
            self._warn(f"MCP server `{self.name}`: the elicitation answer had invalid content; declined")
            return ElicitResult(action="decline")

    def _http_headers(self) -> dict[str, str]:
        cfg = self.config
        headers = dict(cfg.http_headers or {})
        for header, var in (cfg.env_http_headers or {}).items():
            value = os.environ.get(var)
            if value:
                headers[header] = value
        if cfg.bearer_token_env_var:
            token = os.environ.get(cfg.bearer_token_env_var)
            if not token:
                raise RuntimeError(f"environment variable {cfg.bearer_token_env_var} (bearer_token_env_var) is not set")
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def _list_tools(self, client: Any) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(1000):
            page = await client.list_tools(cursor=cursor)
            tools.extend(t.model_dump(by_alias=True, mode="json", exclude_none=True) for t in page.tools)
            cursor = page.next_cursor
            if not cursor:
                break
        return tools

    # --- requests -----------------------------------------------------------------------

    def _unavailable(self) -> str | None:
        if self.state == "ready" and self._client is not None:
            return None
        if self.state == "starting":
            return f"MCP server `{self.name}` is still starting"
        return f"MCP server `{self.name}` is not available: {self.error or 'it was shut down'}"

    async def call_tool(self, tool: str, arguments: dict[str, Any] | None, timeout: float) -> McpCallOutcome:
        """Call ``tool``; every failure is returned as an error outcome, never raised."""
        problem = self._unavailable()
        if problem is not None:
            return error_outcome(problem)
        try:
            with anyio.fail_after(timeout):
                result = await self._client.call_tool(tool, arguments or {})
        except TimeoutError:
            return error_outcome(f"tool call timed out after {timeout:g}s: `{tool}` on MCP server `{self.name}`")
        except Exception as exc:
            return error_outcome(self._request_failed(f"tool call `{tool}`", exc))
        wire = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        return outcome_from_result(wire.get("content") or [], wire.get("structuredContent"), bool(wire.get("isError")))

    async def request(self, what: str, op: Callable[[Any], Any], timeout: float) -> Any:
        """Run ``await op(client)`` bounded by ``timeout``; raise ``McpError`` with a clear message."""
        from codex_core.errors import McpError

        problem = self._unavailable()
        if problem is not None:
            raise McpError(problem)
        try:
            with anyio.fail_after(timeout):
                return await op(self._client)
        except TimeoutError:
            raise McpError(f"{what} on MCP server `{self.name}` timed out after {timeout:g}s") from None
        except Exception as exc:
            raise McpError(self._request_failed(what, exc)) from None

    def _request_failed(self, what: str, exc: BaseException) -> str:
        text = _describe(exc)
        if "connection closed" in text.lower() and self.state == "ready":
            self._fail("the server exited or closed the connection")
            return f"{what} failed: MCP server `{self.name}` is not available: {self.error}"
        return f"{what} failed on MCP server `{self.name}`: {text}"


def _describe(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"command not found: {exc.filename}"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
