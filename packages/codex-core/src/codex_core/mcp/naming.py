"""Model-facing names of MCP tools: ``mcp__<server>__<tool>`` (spec 3.5).

The raw name is sanitised to ``[A-Za-z0-9_-]`` (the Responses API's function-name alphabet);
past 64 characters it is cut and the SHA-1 hex of the raw name appended, so distinct long
names stay distinct. Duplicates are skipped by :class:`ToolNameRegistry` with a warning.
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "MAX_TOOL_NAME_LENGTH",
    "TOOL_NAME_DELIMITER",
    "ToolNameRegistry",
    "qualify_tool_name",
    "sanitize_tool_name",
]

TOOL_NAME_DELIMITER = "__"
MAX_TOOL_NAME_LENGTH = 64
_BAD_CHARS = re.compile(r"[^A-Za-z0-9_-]")


def sanitize_tool_name(name: str) -> str:
    """Replace every character outside ``[A-Za-z0-9_-]`` by ``_``."""
    return _BAD_CHARS.sub("_", name)


def qualify_tool_name(server: str, tool: str) -> str:
    """The name the model sees for ``tool`` of ``server`` (at most 64 characters)."""
    raw = f"mcp{TOOL_NAME_DELIMITER}{server}{TOOL_NAME_DELIMITER}{tool}"
    name = sanitize_tool_name(raw)
    if len(name) > MAX_TOOL_NAME_LENGTH:
        digest = hashlib.sha1(raw.encode("utf-8")).hexdigest()
        name = name[: MAX_TOOL_NAME_LENGTH - len(digest)] + digest
    return name


class ToolNameRegistry:
    """Maps qualified names to ``(server, tool)``; the first registration of a name wins."""

    def __init__(self) -> None:
        self._by_name: dict[str, tuple[str, str]] = {}

    def register(self, server: str, tool: str) -> tuple[str | None, str | None]:
        """Register a tool. Returns ``(qualified_name, None)`` or ``(None, warning)`` for a duplicate."""
        name = qualify_tool_name(server, tool)
        existing = self._by_name.get(name)
        if existing is not None:
            return None, (
                f"MCP tool `{tool}` of server `{server}` is skipped: its name `{name}` duplicates "
                f"tool `{existing[1]}` of server `{existing[0]}`"
            )
        self._by_name[name] = (server, tool)
        return name, None

    def resolve(self, name: str) -> tuple[str, str] | None:
        """``(server, tool)`` for a qualified name, or ``None``."""
        return self._by_name.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name
