"""Codex as an MCP server over stdio: ``codex mcp-server`` (spec 9.2).

Tools ``codex`` (new thread, one turn) and ``codex-reply`` (one more turn on a thread). While a
turn runs, every thread event is sent as a ``codex/event`` notification
(``{_meta: {requestId}, id, msg}``); approval requests become ``elicitation/create`` requests
when the client declared the elicitation capability (otherwise they are denied). A
``notifications/cancelled`` for the ``tools/call`` interrupts the turn.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncGenerator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, ConfigDict

from codex_core.config import ConfigOverrides, load_config
from codex_core.errors import CodexError, UsageError
from codex_core.mcp.server_tools import (
    CODEX_REPLY_TOOL,
    CODEX_TOOL,
    parse_codex_args,
    parse_reply_args,
    tool_definitions,
)

if TYPE_CHECKING:
    from codex_core.agent.state import ApprovalDecision
    from codex_core.client.types import ModelClient
    from codex_core.protocol.events import ApprovalRequested, ThreadEvent
    from codex_core.sdk import Codex, Thread

__all__ = ["SERVER_NAME", "CodexMcpServer"]

SERVER_NAME = "codex-mcp-server"
SERVER_VERSION = "0.1.0"
EVENT_METHOD = "codex/event"
DECISIONS = ("approved", "approved_for_session", "denied", "abort")


class _RawMessage(BaseModel):
    """A JSON-RPC request/notification body the SDK's typed unions do not cover."""

    method: str
    params: dict[str, Any]


class _ElicitAnswer(BaseModel):
    """An ``elicitation/create`` result: standard (``action``/``content``) or reference (``decision``)."""

    model_config = ConfigDict(extra="allow")
    action: str | None = None
    content: dict[str, Any] | None = None
    decision: str | None = None


class CodexMcpServer:
    """Serves the ``codex`` / ``codex-reply`` tools. One instance per server process."""

    def __init__(
        self,
        base_overrides: ConfigOverrides | None = None,
        *,
        model_client: ModelClient | None = None,
        codex_home: Path | None = None,
        cwd: Path | None = None,
    ) -> None:
        self._base = base_overrides or ConfigOverrides()
        self._model_client = model_client
        self._codex_home = codex_home
        self._cwd = cwd or Path.cwd()
        self._threads: dict[str, tuple[Codex, Thread]] = {}
        self._lowlevel: Any = None

    # --- MCP wiring -----------------------------------------------------------------------

    def lowlevel_server(self) -> Any:
        """The SDK ``mcp.server.lowlevel.Server`` serving the two tools."""
        if self._lowlevel is None:
            from mcp.server.lowlevel import Server

            self._lowlevel = Server(
                SERVER_NAME,
                version=SERVER_VERSION,
                title="Codex",
                on_list_tools=self._on_list_tools,
                on_call_tool=self._on_call_tool,
            )
        return self._lowlevel

    async def serve_stdio(self) -> None:
        """Serve MCP over this process's stdin/stdout until the client disconnects."""
        from mcp.server.stdio import stdio_server

        server = self.lowlevel_server()
        try:
            async with stdio_server() as (read_stream, write_stream):
                await server.run(read_stream, write_stream, server.create_initialization_options())
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close every thread (their MCP servers, rollout files)."""
        threads, self._threads = list(self._threads.values()), {}
        for codex, _ in threads:
            with contextlib.suppress(Exception):
                await codex.aclose()

    async def _on_list_tools(self, ctx: Any, params: Any) -> Any:
        from mcp import types

        return types.ListToolsResult(tools=[types.Tool.model_validate(t) for t in tool_definitions()])

    async def _on_call_tool(self, ctx: Any, params: Any) -> Any:
        from mcp import types

        args: dict[str, Any] = dict(params.arguments or {})
        try:
            if params.name == CODEX_TOOL:
                thread_id, text = await self._run_codex(ctx, args)
            elif params.name == CODEX_REPLY_TOOL:
                thread_id, text = await self._run_reply(ctx, args)
            else:
                raise UsageError(f"unknown tool `{params.name}`; this server offers `codex` and `codex-reply`")
        except CodexError as exc:
            return _error_result(exc.message)
        except Exception as exc:  # a bug must still answer the client, not kill the connection
            return _error_result(f"internal error: {type(exc).__name__}: {exc}")
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)],
            structured_content={"threadId": thread_id, "content": text},
        )

    # --- tools ----------------------------------------------------------------------------

    async def _run_codex(self, ctx: Any, args: Mapping[str, Any]) -> tuple[str, str]:
        from codex_core.sdk import Codex

        parsed = parse_codex_args(args, self._base, self._cwd)
        config = load_config(parsed.overrides, codex_home=self._codex_home)
        codex = Codex(config=config, model_client=self._model_client, originator="codex_mcp_server", source="mcp")
        thread = codex.start_thread()
        self._threads[thread.id] = (codex, thread)
        return thread.id, await self._run_turn(ctx, thread, parsed.prompt)

    async def _run_reply(self, ctx: Any, args: Mapping[str, Any]) -> tuple[str, str]:
        parsed = parse_reply_args(args)
        entry = self._threads.get(parsed.thread_id)
        if entry is None:
            entry = self._resume(parsed.thread_id)
        return entry[1].id, await self._run_turn(ctx, entry[1], parsed.prompt)

    def _resume(self, thread_id: str) -> tuple[Codex, Thread]:
        from codex_core.sdk import Codex

        config = load_config(self._base, codex_home=self._codex_home)
        codex = Codex(config=config, model_client=self._model_client, originator="codex_mcp_server", source="mcp")
        try:
            thread = codex.resume_thread(thread_id)
        except CodexError as exc:
            raise UsageError(f"unknown thread `{thread_id}`: {exc.message}") from None
        self._threads[thread.id] = (codex, thread)
        return codex, thread

    async def _run_turn(self, ctx: Any, thread: Thread, prompt: str) -> str:
        submission_id = uuid.uuid4().hex
        final = ""
        failure: str | None = None
        stream = cast("AsyncGenerator[ThreadEvent, None]", thread.run_streamed(prompt))
        async with contextlib.aclosing(stream) as events:
            async for event in events:
                await self._forward(ctx, submission_id, event)
                if event.type == "approval.requested":
                    decision = await self._ask_approval(ctx, submission_id, event)
                    await thread.respond_approval(event.request_id, cast("ApprovalDecision", decision))
                elif event.type == "item.completed" and event.item.type == "agent_message":
                    final = event.item.text
                elif event.type == "turn.failed":
                    failure = event.error.message
        if failure is not None:
            raise CodexError(failure)
        return final

    async def _forward(self, ctx: Any, submission_id: str, event: Any) -> None:
        params = {
            "_meta": {"requestId": ctx.request_id},
            "id": submission_id,
            "msg": event.model_dump(mode="json"),
        }
        with contextlib.suppress(Exception):  # a client that stopped reading must not break the turn
            await ctx.session.send_notification(
                cast(Any, _RawMessage(method=EVENT_METHOD, params=params)), related_request_id=ctx.request_id
            )

    async def _ask_approval(self, ctx: Any, submission_id: str, event: ApprovalRequested) -> str:
        from mcp import types

        wanted = types.ClientCapabilities(elicitation=types.ElicitationCapability())
        if not ctx.session.check_client_capability(wanted):
            return "denied"
        if event.kind == "exec":
            command = " ".join(event.command or [])
            message = f"Allow Codex to run `{command}` in `{event.cwd}`?"
        else:
            message = "Allow Codex to apply proposed code changes?"
        if event.reason:
            message = f"{message}\n{event.reason}"
        params: dict[str, Any] = {
            "mode": "form",
            "message": message,
            "requestedSchema": {
                "type": "object",
                "properties": {
                    "decision": {"type": "string", "enum": list(DECISIONS), "description": "Your decision."}
                },
                "required": ["decision"],
            },
            "codex_elicitation": "exec-approval" if event.kind == "exec" else "patch-approval",
            "codex_mcp_tool_call_id": ctx.request_id,
            "codex_event_id": submission_id,
            "codex_call_id": event.item_id,
            "codex_cwd": event.cwd,
        }
        if event.command is not None:
            params["codex_command"] = event.command
        if event.reason:
            params["codex_reason"] = event.reason
        if event.changes is not None:
            params["codex_changes"] = [c.model_dump(mode="json") for c in event.changes]
        try:
            answer = await ctx.session.send_request(
                cast(Any, _RawMessage(method="elicitation/create", params=params)),
                _ElicitAnswer,
                metadata=_related(ctx.request_id),
            )
        except Exception:
            return "denied"
        return _decision(answer)


def _related(request_id: Any) -> Any:
    from mcp.shared.message import ServerMessageMetadata

    return ServerMessageMetadata(related_request_id=request_id)


def _decision(answer: _ElicitAnswer) -> str:
    if answer.decision in DECISIONS:
        return answer.decision
    if answer.action == "accept":
        chosen = (answer.content or {}).get("decision")
        return chosen if chosen in DECISIONS else "approved"
    if answer.action == "cancel":
        return "abort"
    return "denied"


def _error_result(message: str) -> Any:
    from mcp import types

    return types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)
