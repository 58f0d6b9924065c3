"""Dynamic tools: functions a frontend registers on a thread (the app-server's ``thread/start``
``dynamicTools``). The model sees them next to the built-in tools; when it calls one, the
thread's :data:`DynamicToolHandler` runs it (the app-server asks its client with
``item/tool/call``) and the result's content items (text, images) go back to the model as the
call's output.

A tool may belong to a namespace: it is then offered inside a Responses API ``namespace`` tool
(``{"type": "namespace", "name", "description", "tools": [...]}``) and the model's call names
the namespace. ``defer_loading`` tools are registered but not offered to the model, as in Codex.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from codex_core.errors import UsageError
from codex_core.protocol.items import InputImage, InputText

if TYPE_CHECKING:
    from codex_core.agent.runtime import ToolCall
    from codex_core.protocol.items import CustomToolCallOutput, FunctionCallOutput
    from codex_core.sdk import Thread

__all__ = [
    "DynamicTool",
    "DynamicToolCall",
    "DynamicToolHandler",
    "DynamicToolResult",
    "DynamicTools",
    "check_dynamic_tools",
    "set_dynamic_tools",
]

_IDENTIFIER = re.compile(r"[A-Za-z0-9_-]+")
_NAME_MAX = 128
_NAMESPACE_MAX = 64
_RESERVED_NAMES = frozenset(
    {
        "apply_patch",
        "container.exec",
        "exec_command",
        "list_mcp_resource_templates",
        "list_mcp_resources",
        "local_shell",
        "read_mcp_resource",
        "request_user_input",
        "shell",
        "shell_command",
        "update_plan",
        "view_image",
        "web_search",
        "write_stdin",
    }
)
"""Codex's own tools: no dynamic tool may take their names (calls are routed by name)."""
_RESERVED_NAMESPACES = frozenset(
    {
        "api_tool",
        "browser",
        "computer",
        "container",
        "file_search",
        "functions",
        "image_gen",
        "multi_tool_use",
        "python",
        "python_user_visible",
        "submodel_delegator",
        "terminal",
        "tool_search",
        "web",
    }
)
"""Namespaces the Responses API uses itself (as Codex reserves them)."""


@attrs.frozen(kw_only=True)
class DynamicTool:
    """One client-provided function: its JSON Schema ``input_schema`` describes the arguments."""

    name: str
    description: str
    input_schema: Mapping[str, Any]
    namespace: str | None = None
    namespace_description: str | None = None
    """How the namespace is described to the model (default ``Tools in the <namespace> namespace.``)."""
    defer_loading: bool = False

    def spec(self) -> dict[str, Any]:
        """The Responses API ``function`` tool."""
        return {
            "type": "function",
            "name": self.name,
            "description": self.description,
            "strict": False,
            "parameters": dict(self.input_schema),
        }


@attrs.frozen(kw_only=True)
class DynamicToolCall:
    """The model's call of a dynamic tool, for the handler."""

    call_id: str
    tool: str
    namespace: str | None
    arguments: Any
    """The parsed JSON arguments (``None`` when the model sent none)."""


@attrs.frozen
class DynamicToolResult:
    """What the tool returned: content items for the model, and whether it succeeded."""

    content: tuple[InputText | InputImage, ...]
    success: bool


DynamicToolHandler = Callable[[DynamicToolCall], Awaitable[DynamicToolResult]]
"""Runs a dynamic tool; raising means the call failed (the model is told so)."""


def _check_identifier(value: str, what: str, max_len: int) -> None:
    if not _IDENTIFIER.fullmatch(value):
        raise UsageError(f"{what} {value!r} must be non-empty and use only letters, digits, '_' and '-'")
    if len(value) > max_len:
        raise UsageError(f"{what} {value!r} is longer than {max_len} characters")


def _check_schema(tool: DynamicTool, where: str) -> None:
    schema = tool.input_schema
    if not isinstance(schema, Mapping):
        raise UsageError(f"{where}: `inputSchema` of {tool.name!r} must be a JSON Schema object")
    kind = schema.get("type", "object")
    if kind != "object" or not isinstance(schema.get("properties", {}), Mapping):
        raise UsageError(f"{where}: `inputSchema` of {tool.name!r} must be a JSON Schema of type object")


def check_dynamic_tools(tools: Sequence[DynamicTool]) -> None:
    """``UsageError`` naming the first tool whose name or namespace is invalid, reserved or
    duplicated, or whose input schema is not an object schema."""
    seen: set[tuple[str | None, str]] = set()
    for n, tool in enumerate(tools):
        where = f"dynamicTools[{n}]"
        _check_identifier(tool.name, f"{where}: tool name", _NAME_MAX)
        if tool.namespace is not None:
            _check_identifier(tool.namespace, f"{where}: namespace", _NAMESPACE_MAX)
            if tool.namespace in _RESERVED_NAMESPACES:
                raise UsageError(f"{where}: namespace {tool.namespace!r} is reserved")
        if tool.name in _RESERVED_NAMES:
            raise UsageError(f"{where}: {tool.name!r} is the name of a built-in tool")
        if tool.name == "mcp" or tool.name.startswith("mcp__") or tool.namespace == "mcp":
            raise UsageError(f"{where}: names starting with `mcp` are reserved for MCP tools")
        if (tool.namespace, tool.name) in seen:
            raise UsageError(f"{where}: duplicate dynamic tool {_display(tool.namespace, tool.name)!r}")
        seen.add((tool.namespace, tool.name))
        _check_schema(tool, where)


@attrs.frozen
class DynamicTools:
    """The dynamic tools of a thread and the handler that runs them."""

    tools: tuple[DynamicTool, ...]
    handler: DynamicToolHandler

    def __attrs_post_init__(self) -> None:
        check_dynamic_tools(self.tools)

    def specs(self) -> list[dict[str, Any]]:
        """The tools offered to the model (deferred ones left out), namespaced ones grouped."""
        out: list[dict[str, Any]] = []
        namespaces: dict[str, dict[str, Any]] = {}
        for tool in self.tools:
            if tool.defer_loading:
                continue
            if tool.namespace is None:
                out.append(tool.spec())
                continue
            group = namespaces.get(tool.namespace)
            if group is None:
                group = {
                    "type": "namespace",
                    "name": tool.namespace,
                    "description": tool.namespace_description or f"Tools in the {tool.namespace} namespace.",
                    "tools": [],
                }
                namespaces[tool.namespace] = group
                out.append(group)
            group["tools"].append(tool.spec())
        return out

    def find(self, name: str, namespace: str | None) -> DynamicTool | None:
        """The tool the model called (by its name and the namespace it named)."""
        for tool in self.tools:
            if tool.name == name and tool.namespace == namespace:
                return tool
        return None

    async def call(self, tool: DynamicTool, call: ToolCall) -> FunctionCallOutput | CustomToolCallOutput:
        """Run ``tool`` for the model's ``call`` through the handler; its output for the model."""
        from codex_core.agent.runtime import tool_output
        from codex_core.logging import get_logger

        try:
            arguments = json.loads(call.arguments) if call.arguments.strip() else None
        except ValueError as exc:
            return tool_output(call, f"failed to parse function arguments: {exc}", success=False)
        request = DynamicToolCall(call_id=call.call_id, tool=tool.name, namespace=tool.namespace, arguments=arguments)
        try:
            result = await self.handler(request)
        except Exception as exc:  # the frontend's failure is the tool's failure, for the model
            get_logger("codex.tools").warning("dynamic tool handler failed", tool=tool.name, error=str(exc))
            return tool_output(call, f"dynamic tool {tool.name} failed: {exc}", success=False)
        return tool_output(call, list(result.content) or "", success=result.success)


def _display(namespace: str | None, name: str) -> str:
    return f"{namespace}.{name}" if namespace else name


def set_dynamic_tools(thread: Thread, tools: Sequence[DynamicTool], handler: DynamicToolHandler) -> None:
    """Offer ``tools`` to ``thread``'s model from its next request on, run by ``handler``.
    ``UsageError`` naming the tool when a name is invalid, reserved or duplicated, or a schema is
    not an object schema."""
    thread._state.dynamic_tools = DynamicTools(tuple(tools), handler) if tools else None
