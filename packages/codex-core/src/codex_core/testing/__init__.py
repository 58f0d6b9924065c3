"""Public test doubles for code built on codex-core (see ``ScriptedModel``)."""

from __future__ import annotations

from codex_core.testing.scripted_model import (
    ScriptedModel,
    Step,
    custom_tool_call,
    function_call,
    message,
    reasoning,
    shell_call,
)

__all__ = [
    "ScriptedModel",
    "Step",
    "custom_tool_call",
    "function_call",
    "message",
    "reasoning",
    "shell_call",
]
