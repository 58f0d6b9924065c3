"""Tool router: which tools are offered, and dispatch of a model's tool call to its handler."""

from __future__ import annotations

import json
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

__all__ = ["build_tool_specs", "dispatch_tool_call", "to_tool_call"]

log = get_logger("codex.tools")
_MCP_LATE_WAIT_S = 30.0


def build_tool_specs(state: ThreadState) -> list[dict[str, Any]]:
    from codex_core.apply_patch import apply_patch_tool_specs

    config = state.config
    specs: list[dict[str, Any]] = []
    if config.feature("unified_exec"):
        from codex_core.agent import unified_exec

        specs += [unified_exec.exec_command_tool(), unified_exec.write_stdin_tool()]
    elif config.feature("shell_tool"):
        specs.append(tool_specs.shell_tool())
    specs.append(apply_patch_tool_specs()["freeform" if config.feature("apply_patch_freeform") else "function"])
    specs.append(tool_specs.update_plan_tool())
    if config.feature("view_image_tool"):
        specs.append(tool_specs.view_image_tool())
    if config.web_search == "live" or config.feature("web_search_request"):
        specs.append(tool_specs.web_search_tool(live=True))
    if state.mcp is not None:
        specs.extend(state.mcp.tool_specs())
    return specs


def to_tool_call(item: ResponseItem | OtherItem) -> ToolCall | None:
    if isinstance(item, FunctionCall):
        return ToolCall(call_id=item.call_id, name=item.name, kind="function", arguments=item.arguments)
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
    state: ThreadState, rt: TurnRuntime, call: ToolCall
) -> FunctionCallOutput | CustomToolCallOutput:
    from codex_core.agent.patch_handler import handle_apply_patch
    from codex_core.agent.shell_handler import handle_shell

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
        if state.mcp is not None:
            target = state.mcp.resolve(call.name)
            if target is None and call.name.startswith("mcp__"):
                # the model may call a tool of a server that is still starting
                await state.mcp.wait_ready(_MCP_LATE_WAIT_S)
                target = state.mcp.resolve(call.name)
            if target is not None:
                return await _handle_mcp(call, rt, target[0], target[1])
            if state.mcp.is_resource_tool(call.name):
                args = call.parse_arguments() if call.arguments.strip() else None
                outcome = await state.mcp.call_resource_tool(call.name, args)
                out = outcome.output
                return tool_output(call, out if isinstance(out, str) else list(out), success=outcome.success)
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
