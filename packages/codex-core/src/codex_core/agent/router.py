"""Tool router: which tools are offered, and dispatch of a model's tool call to its handler."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from codex_core.agent import tool_specs
from codex_core.agent.runtime import ToolCall, TurnRuntime, tool_output
from codex_core.agent.simple_tools import handle_update_plan, handle_view_image
from codex_core.logging import get_logger
from codex_core.protocol.events import (
    ItemCompleted,
    ItemStarted,
    McpToolCallError,
    McpToolCallItem,
    McpToolCallResult,
)
from codex_core.protocol.items import (
    CustomToolCall,
    CustomToolCallOutput,
    FunctionCall,
    FunctionCallOutput,
    LocalShellCall,
    OtherItem,
    ResponseItem,
)

if TYPE_CHECKING:
    from codex_core.agent.state import ThreadState
    from codex_core.config import Config
    from codex_core.dynamic_tools import DynamicTools

__all__ = ["build_tool_specs", "dispatch_tool_call", "offered_tool_names", "to_tool_call"]

log = get_logger(__name__)
_MCP_LATE_WAIT_S = 30.0

REQUEST_USER_INPUT_UNAVAILABLE = "request_user_input is unavailable in Default mode"
"""Codex's answer to ``request_user_input`` outside Plan mode (codex-py has no Plan mode)."""


def _enabled(config: Config, *names: str, default: bool) -> bool:
    """A feature switch under any of its names (0.169's and codex-py's older ones); tool features
    default to what Codex 0.169 does, whatever the feature table's own default."""
    for name in names:
        value = config.features.get(name)
        if value is not None:
            return bool(value)
    return default


def build_tool_specs(state: ThreadState) -> list[dict[str, Any]]:
    """The tools offered to the model, in Codex 0.169's order (spec 3): a shell, the MCP resource
    helpers, ``request_user_input``, ``apply_patch``, ``view_image``, ``web_search``; codex-py adds
    ``update_plan`` after the shell tools and the MCP servers' tools at the end."""
    from codex_core.apply_patch import apply_patch_tool_specs
    from codex_core.client.providers import model_info

    config = state.config
    info = model_info(config.model)
    specs: list[dict[str, Any]] = []
    if _enabled(config, "unified_exec", default=True):
        specs += [tool_specs.exec_command_tool(), tool_specs.write_stdin_tool()]
    elif _enabled(config, "shell_tool", default=True):
        specs.append(tool_specs.shell_tool())
    specs.append(tool_specs.update_plan_tool())
    if state.mcp is not None:
        specs.extend(state.mcp.resource_tool_specs())
    specs.append(tool_specs.request_user_input_tool())
    freeform = _enabled(config, "apply_patch_freeform", default=info.freeform_apply_patch)
    specs.append(apply_patch_tool_specs()["freeform" if freeform else "function"])
    if _enabled(config, "view_image", "view_image_tool", default=True):
        specs.append(tool_specs.view_image_tool())
    live = config.web_search == "live" or _enabled(config, "web_search_request", default=False)
    if live or config.web_search == "cached":
        specs.append(tool_specs.web_search_tool(live=live, content_types=info.web_search_content_types))
    if state.mcp is not None:
        specs.extend(state.mcp.server_tool_specs())
    if state.dynamic_tools is not None:
        specs.extend(state.dynamic_tools.specs())
    return specs


def offered_tool_names(specs: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """Names a model may call given ``specs`` (hosted tools such as ``web_search`` have none;
    a ``namespace`` tool offers the names of its tools)."""
    names: set[str] = set()
    for spec in specs:
        inner = spec.get("tools") if spec.get("type") == "namespace" else None
        names.update(str(t["name"]) for t in inner or [spec] if t.get("name"))
    return frozenset(names)


def to_tool_call(item: ResponseItem | OtherItem) -> ToolCall | None:
    if isinstance(item, FunctionCall):
        return ToolCall(
            call_id=item.call_id, name=item.name, kind="function", arguments=item.arguments, namespace=item.namespace
        )
    if isinstance(item, CustomToolCall):
        return ToolCall(call_id=item.call_id, name=item.name, kind="custom", arguments=item.input)
    if isinstance(item, LocalShellCall):
        return ToolCall(
            call_id=item.call_id or item.id or "local_shell",
            name="local_shell",
            kind="local_shell",
            arguments="",
            local_shell_argv=tuple(item.action.command),
            local_shell_workdir=item.action.working_directory,
            local_shell_timeout_ms=item.action.timeout_ms,
        )
    return None


async def dispatch_tool_call(
    state: ThreadState, rt: TurnRuntime, call: ToolCall, offered: frozenset[str] | None = None
) -> FunctionCallOutput | CustomToolCallOutput:
    """Run ``call`` and return its output for the model.

    ``offered`` is the set of tool names of the request the model answered: a call to any other
    tool is answered ``unsupported call: <name>`` and never run, as Codex does (a model must not
    reach a shell, or an MCP server, it was not given). ``None`` skips the check (direct use).
    """
    started = time.perf_counter()
    outcome = "error"
    try:
        output = await _dispatch(state, rt, call, offered)
        outcome = "failure" if isinstance(output, FunctionCallOutput) and output.success is False else "success"
        return output
    except BaseException as exc:
        outcome = "cancelled" if isinstance(exc, asyncio.CancelledError) else f"error: {type(exc).__name__}"
        raise
    finally:
        duration_ms = (time.perf_counter() - started) * 1000
        log.debug("tool call", name=call.name, call_id=call.call_id, duration_ms=duration_ms, outcome=outcome)


async def _dispatch(
    state: ThreadState, rt: TurnRuntime, call: ToolCall, offered: frozenset[str] | None
) -> FunctionCallOutput | CustomToolCallOutput:
    from codex_core.agent.patch_handler import handle_apply_patch
    from codex_core.agent.shell_handler import handle_shell

    if offered is not None and call.name not in offered:
        log.info("tool call for a tool that was not offered", name=call.name, call_id=call.call_id)
        return tool_output(call, f"unsupported call: {call.name}", success=False)
    try:
        if call.name in ("shell", "container.exec", "local_shell", "shell_command"):
            return await handle_shell(call, rt)
        if call.name in ("exec_command", "write_stdin"):
            from codex_core.agent.unified_exec import UnifiedExec

            if state.unified_exec is None:
                state.unified_exec = UnifiedExec()
            sessions: UnifiedExec = state.unified_exec
            if call.name == "exec_command":
                return await sessions.exec_command(call, rt)
            return await sessions.write_stdin(call, rt)
        if call.name == "apply_patch":
            return await handle_apply_patch(call, rt)
        if call.name == "update_plan":
            return await handle_update_plan(call, rt)
        if call.name == "view_image":
            return await handle_view_image(call, rt)
        if call.name == "request_user_input":
            if state.user_input_handler is None or not state.config.feature("default_mode_request_user_input"):
                return tool_output(call, REQUEST_USER_INPUT_UNAVAILABLE, success=False)
            from codex_core.user_input import request_user_input

            text, ok = await request_user_input(call.call_id, call.arguments, state.user_input_handler)
            return tool_output(call, text, success=ok)
        if state.mcp is not None:
            target = state.mcp.resolve(call.name)
            if target is None and call.name.startswith("mcp__") and offered is None:
                # without an offered set, the model may name a tool of a server still starting
                await state.mcp.wait_ready(_MCP_LATE_WAIT_S)
                target = state.mcp.resolve(call.name)
            if target is not None:
                return await _handle_mcp(call, rt, target[0], target[1])
            if state.mcp.is_resource_tool(call.name):
                args = call.parse_arguments() if call.arguments.strip() else None
                outcome = await state.mcp.call_resource_tool(call.name, args)
                out = outcome.output
                return tool_output(call, out if isinstance(out, str) else list(out), success=outcome.success)
        dynamic_tools: DynamicTools | None = state.dynamic_tools
        dynamic = dynamic_tools.find(call.name, call.namespace) if dynamic_tools is not None else None
        if dynamic_tools is not None and dynamic is not None:
            return await dynamic_tools.call(dynamic, call)
        return tool_output(call, f"unsupported call: {call.name}", success=False)
    except ValueError as exc:  # argument problems are answers for the model, not crashes
        return tool_output(call, str(exc), success=False)


async def _handle_mcp(
    call: ToolCall, rt: TurnRuntime, server: str, tool: str
) -> FunctionCallOutput | CustomToolCallOutput:
    state = rt.state
    item_id = state.next_item_id()
    try:
        args = call.parse_arguments() if call.arguments.strip() else None
    except ValueError as exc:
        return tool_output(call, str(exc), success=False)
    await rt.emit(ItemStarted(item=McpToolCallItem(id=item_id, server=server, tool=tool, arguments=args)))
    outcome = await state.mcp.call_tool(server, tool, args)
    result: McpToolCallResult | None = outcome.result
    error = McpToolCallError(message=outcome.error) if outcome.error else None
    status = "completed" if outcome.success else "failed"
    await rt.emit(
        ItemCompleted(
            item=McpToolCallItem(
                id=item_id, server=server, tool=tool, arguments=args, result=result, error=error, status=status
            )
        )
    )
    for w in state.mcp.drain_warnings():
        from codex_core.protocol.events import Warning

        await rt.emit(Warning(message=w))
    output = outcome.output
    if isinstance(output, str):
        return tool_output(call, output, success=outcome.success)
    return tool_output(call, list(output), success=outcome.success)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
