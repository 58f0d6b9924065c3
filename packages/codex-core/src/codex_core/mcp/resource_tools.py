"""The MCP resource helper tools offered to the model when MCP servers are configured (spec 3.4).

``list_mcp_resources{server?, cursor?}``, ``list_mcp_resource_templates{server?, cursor?}`` and
``read_mcp_resource{server, uri}``. Each answers with the JSON text of the MCP result (plus the
server name); problems (unknown server, a cursor without a server, a failing server) are
returned to the model as an error string so it can correct itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from codex_core.errors import McpError
from codex_core.mcp.connection import ServerConnection
from codex_core.mcp.results import McpCallOutcome, error_outcome

__all__ = ["RESOURCE_TOOL_NAMES", "call_resource_tool", "resource_tool_specs"]

LIST_RESOURCES = "list_mcp_resources"
LIST_TEMPLATES = "list_mcp_resource_templates"
READ_RESOURCE = "read_mcp_resource"
RESOURCE_TOOL_NAMES = frozenset({LIST_RESOURCES, LIST_TEMPLATES, READ_RESOURCE})
_REQUEST_TIMEOUT = 30.0


def _list_params(what: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "server": {
                "type": "string",
                "description": f"Optional MCP server name. When omitted, lists {what} from every configured server.",
            },
            "cursor": {
                "type": "string",
                "description": f"Opaque cursor returned by a previous {what} call for the same server.",
            },
        },
        "additionalProperties": False,
    }


def resource_tool_specs() -> list[dict[str, Any]]:
    """Responses ``function`` tool JSON for the three helpers."""
    return [
        {
            "type": "function",
            "name": LIST_RESOURCES,
            "description": "Lists resources provided by MCP servers. Resources allow servers to share data "
            "that provides context to language models, such as files, database schemas, or "
            "application-specific information. Prefer resources over web search when possible.",
            "strict": False,
            "parameters": _list_params("resources"),
        },
        {
            "type": "function",
            "name": LIST_TEMPLATES,
            "description": "Lists resource templates provided by MCP servers. "
            "Parameterized resource templates allow servers to share data that takes parameters "
            "and provides context to language models.",
            "strict": False,
            "parameters": _list_params("resource templates"),
        },
        {
            "type": "function",
            "name": READ_RESOURCE,
            "description": "Read a specific resource from an MCP server given the server name and resource URI.",
            "strict": False,
            "parameters": {
                "type": "object",
                "properties": {
                    "server": {
                        "type": "string",
                        "description": "MCP server name exactly as configured. Must match the 'server' field "
                        "returned by list_mcp_resources.",
                    },
                    "uri": {
                        "type": "string",
                        "description": "Resource URI to read. Must be one of the URIs returned by list_mcp_resources.",
                    },
                },
                "required": ["server", "uri"],
                "additionalProperties": False,
            },
        },
    ]


async def call_resource_tool(
    name: str, arguments: Mapping[str, Any] | None, connections: Mapping[str, ServerConnection]
) -> McpCallOutcome:
    """Run one helper tool against ``connections``; never raises."""
    args = dict(arguments or {})
    server = args.get("server")
    if server is not None and not isinstance(server, str):
        return error_outcome(f"{name}: `server` must be a string")
    if server is not None and server not in connections:
        known = ", ".join(sorted(connections)) or "none"
        return error_outcome(f"{name}: unknown MCP server `{server}` (configured: {known})")
    try:
        if name == READ_RESOURCE:
            uri = args.get("uri")
            if not isinstance(server, str) or not isinstance(uri, str) or not uri:
                return error_outcome("read_mcp_resource requires string arguments `server` and `uri`")
            result = await connections[server].request(
                f"resources/read {uri}", lambda c: c.read_resource(uri), _REQUEST_TIMEOUT
            )
            payload: dict[str, Any] = {"server": server, "uri": uri, **_wire(result)}
            return McpCallOutcome(output=_json(payload), success=True)
        if name not in (LIST_RESOURCES, LIST_TEMPLATES):
            return error_outcome(f"unsupported call: {name}")
        key = "resources" if name == LIST_RESOURCES else "resourceTemplates"
        cursor = args.get("cursor")
        if cursor is not None and server is None:
            return error_outcome(f"{name}: `cursor` can only be used together with `server`")
        targets = [server] if server is not None else [n for n, c in connections.items() if c.state == "ready"]
        entries: list[dict[str, Any]] = []
        next_cursor: str | None = None
        for target in targets:
            page = await connections[target].request(f"{name}", lambda c: _list(c, name, cursor), _REQUEST_TIMEOUT)
            wire = _wire(page)
            entries.extend({"server": target, **e} for e in wire.get(key, []))
            next_cursor = wire.get("nextCursor") if server is not None else None
        payload = {key: entries}
        if server is not None:
            payload["server"] = server
        if next_cursor:
            payload["nextCursor"] = next_cursor
        return McpCallOutcome(output=_json(payload), success=True)
    except McpError as exc:
        return error_outcome(exc.message)


async def _list(client: Any, name: str, cursor: str | None) -> Any:
    if name == LIST_RESOURCES:
        return await client.list_resources(cursor=cursor)
    return await client.list_resource_templates(cursor=cursor)


def _wire(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    for noise in ("resultType", "ttlMs", "cacheScope", "_meta"):
        data.pop(noise, None)
    return data


def _json(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
