"""Widgets of the Codex TUI: transcript cells, composer, completion popup and status line.

Attributes are imported on first access so that start-up only pays for what the first frame
shows.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "AgentMessageCell",
    "CommandCell",
    "CompletionPopup",
    "Composer",
    "DiffCell",
    "FileChangeCell",
    "InfoCell",
    "McpCell",
    "ReasoningCell",
    "StatusLine",
    "TodoCell",
    "Transcript",
    "UserCell",
    "WebSearchCell",
]

_MODULES = {
    "AgentMessageCell": "agent_message",
    "CompletionPopup": "popup",
    "Composer": "composer",
    "StatusLine": "status",
    "Transcript": "transcript",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_MODULES.get(name, 'cells')}")
    return getattr(module, name)
