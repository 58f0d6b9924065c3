"""JSON specs of the built-in tools offered to the model (spec section 3)."""

from __future__ import annotations

from typing import Any

__all__ = ["shell_tool", "update_plan_tool", "view_image_tool", "web_search_tool"]

_APPROVAL_PROPS: dict[str, Any] = {
    "sandbox_permissions": {
        "type": "string",
        "description": (
            'Sandbox permissions for the command. Set to "require_escalated" to request running '
            'without sandbox restrictions; defaults to "use_default".'
        ),
    },
    "justification": {
        "type": "string",
        "description": (
            'Only set if sandbox_permissions is "require_escalated". One sentence asking the user '
            "whether they want to allow the command to run outside the sandbox."
        ),
    },
    "prefix_rule": {
        "type": "array",
        "items": {"type": "string"},
        "description": (
            "Only with require_escalated: a command prefix (argv) the user could approve once for "
            "similar future commands."
        ),
    },
}


def shell_tool() -> dict[str, Any]:
    return {
        "type": "function",
        "name": "shell",
        "description": (
            "Runs a shell command and returns its output. The arguments to `shell` will be passed to "
            'execvp(). Most terminal commands should be prefixed with ["bash", "-lc"]. Always set '
            "the `workdir` param when using the shell function. Do not use `cd` unless absolutely necessary."
        ),
        "strict": False,
        "parameters": {
            "type": "object",
            "properties": {
                "command": {"type": "array", "items": {"type": "string"}, "description": "The command to execute"},
                "workdir": {"type": "string", "description": "The working directory to execute the command in"},
                "timeout_ms": {"type": "number", "description": "The timeout for the command in milliseconds"},
                **_APPROVAL_PROPS,
            },
            "required": ["command"],
            "additionalProperties": False,
        },
    }


def update_plan_tool() -> dict[str, Any]:
    return {
        "type": "function",
        "name": "update_plan",
        "description": (
            "Updates the task plan. Provide an optional explanation and a list of plan items, each with a "
            "step and status. At most one step can be in_progress at a time."
        ),
        "strict": False,
        "parameters": {
            "type": "object",
            "properties": {
                "explanation": {"type": "string"},
                "plan": {
                    "type": "array",
                    "description": "The list of steps",
                    "items": {
                        "type": "object",
                        "properties": {
                            "step": {"type": "string"},
                            "status": {"type": "string", "description": "One of: pending, in_progress, completed"},
                        },
                        "required": ["step", "status"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": ["plan"],
            "additionalProperties": False,
        },
    }


def view_image_tool() -> dict[str, Any]:
    return {
        "type": "function",
        "name": "view_image",
        "description": "Attach a local image (by filesystem path) to the conversation context for this turn.",
        "strict": False,
        "parameters": {
            "type": "object",
            "properties": {"path": {"type": "string", "description": "Local filesystem path to an image file"}},
            "required": ["path"],
            "additionalProperties": False,
        },
    }


def web_search_tool(*, live: bool) -> dict[str, Any]:
    return {"type": "web_search", "external_web_access": live}
