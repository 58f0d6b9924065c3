"""MCP: the client side (connect to ``[mcp_servers]`` and expose their tools to the model),
editing ``[mcp_servers]`` in ``config.toml`` (``codex mcp``), and Codex as an MCP server.

The agent loop uses :class:`McpConnectionManager`; nothing here imports the ``mcp`` SDK until
a connection is actually made.
"""

from codex_core.mcp.manager import McpConnectionManager
from codex_core.mcp.naming import qualify_tool_name, sanitize_tool_name
from codex_core.mcp.results import McpCallOutcome
from codex_core.mcp.schema import sanitize_input_schema

__all__ = [
    "McpCallOutcome",
    "McpConnectionManager",
    "qualify_tool_name",
    "sanitize_input_schema",
    "sanitize_tool_name",
]
