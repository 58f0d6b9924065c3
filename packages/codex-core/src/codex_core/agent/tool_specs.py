"""JSON specs of the built-in tools offered to the model (spec section 3).

The parameter schemas (names, types, enums, ``required``, ``additionalProperties``) are those
Codex 0.169 sends, properties in its (alphabetical) order, so a model sees the same interface;
the descriptions are codex-py's own wording (docs/decisions.md, "Model request vs reference 0.169").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "exec_command_tool",
    "request_user_input_tool",
    "shell_tool",
    "update_plan_tool",
    "view_image_tool",
    "web_search_tool",
    "write_stdin_tool",
]

_APPROVAL_PROPS: dict[str, Any] = {
    "sandbox_permissions": {
        "type": "string",
        "description": (
            'Sandbox permissions for the command. Set to "require_escalated" to request running '
            'without sandbox restrictions; defaults to "use_default".'
        ),
        "enum": ["use_default", "require_escalated"],
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


def _object(properties: dict[str, Any], required: Sequence[str]) -> dict[str, Any]:
    """A closed JSON-schema object, properties sorted by name as Codex serialises them."""
    return {
        "type": "object",
        "properties": dict(sorted(properties.items())),
        "required": list(required),
        "additionalProperties": False,
    }


def _function(name: str, description: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "name": name, "description": description, "strict": False, "parameters": parameters}


def exec_command_tool() -> dict[str, Any]:
    """``exec_command`` of unified exec: start a command, answer with output or a session id."""
    return _function(
        "exec_command",
        "Runs a command in a PTY or with pipes and returns its output, or a session ID to keep "
        "interacting with it through write_stdin.",
        _object(
            {
                "cmd": {"type": "string", "description": "Shell command to run."},
                "workdir": {"type": "string", "description": "Working directory; defaults to the turn's cwd."},
                "shell": {"type": "string", "description": "Shell binary to launch; defaults to the user's shell."},
                "tty": {
                    "type": "boolean",
                    "description": "Allocate a PTY (for interactive programs); plain pipes when false or omitted.",
                },
                "login": {
                    "type": "boolean",
                    "description": "Run the shell as a login shell (-l); defaults to true.",
                },
                "yield_time_ms": {
                    "type": "number",
                    "description": "How long to wait for output before returning; default 10000, range 250-30000.",
                },
                "max_output_tokens": {
                    "type": "number",
                    "description": "Token budget for the returned output; default 10000.",
                },
                **_APPROVAL_PROPS,
            },
            ["cmd"],
        ),
    )


def write_stdin_tool() -> dict[str, Any]:
    """``write_stdin`` of unified exec: type into (or poll) a running session."""
    return _function(
        "write_stdin",
        "Writes characters to a running exec_command session and returns its recent output.",
        _object(
            {
                "session_id": {"type": "number", "description": "ID of the running exec_command session."},
                "chars": {
                    "type": "string",
                    "description": "Characters to write to stdin; empty (the default) polls for output.",
                },
                "yield_time_ms": {
                    "type": "number",
                    "description": "How long to wait for output before returning (250-30000 ms).",
                },
                "max_output_tokens": {
                    "type": "number",
                    "description": "Token budget for the returned output; default 10000.",
                },
            },
            ["session_id"],
        ),
    )


def shell_tool() -> dict[str, Any]:
    """The classic ``shell`` tool (argv array), offered only when unified exec is disabled."""
    return _function(
        "shell",
        "Runs a shell command and returns its output. The arguments to `shell` will be passed to "
        'execvp(). Most terminal commands should be prefixed with ["bash", "-lc"]. Always set '
        "the `workdir` param when using the shell function. Do not use `cd` unless absolutely necessary.",
        _object(
            {
                "command": {"type": "array", "items": {"type": "string"}, "description": "The command to execute"},
                "workdir": {"type": "string", "description": "The working directory to execute the command in"},
                "timeout_ms": {"type": "number", "description": "The timeout for the command in milliseconds"},
                **_APPROVAL_PROPS,
            },
            ["command"],
        ),
    )


def update_plan_tool() -> dict[str, Any]:
    return _function(
        "update_plan",
        "Updates the task plan. Provide an optional explanation and a list of plan items, each with a "
        "step and status. At most one step can be in_progress at a time.",
        _object(
            {
                "explanation": {"type": "string"},
                "plan": {
                    "type": "array",
                    "description": "The list of steps",
                    "items": _object(
                        {
                            "step": {"type": "string"},
                            "status": {"type": "string", "description": "One of: pending, in_progress, completed"},
                        },
                        ["step", "status"],
                    ),
                },
            },
            ["plan"],
        ),
    )


def request_user_input_tool() -> dict[str, Any]:
    """``request_user_input``: up to three multiple-choice questions (answered only in Plan mode)."""
    option = _object(
        {
            "label": {"type": "string", "description": "Short label shown to the user (1-5 words)."},
            "description": {"type": "string", "description": "One sentence on what choosing this option implies."},
        },
        ["label", "description"],
    )
    question = _object(
        {
            "id": {"type": "string", "description": "Stable snake_case identifier used to map the answer."},
            "header": {"type": "string", "description": "Short header shown in the UI (at most 12 characters)."},
            "question": {"type": "string", "description": "The question, in one sentence."},
            "options": {
                "type": "array",
                "description": (
                    "Two or three mutually exclusive choices, the recommended one first with "
                    '"(Recommended)" after its label. The client adds a free-form "Other" choice itself.'
                ),
                "items": option,
            },
        },
        ["id", "header", "question", "options"],
    )
    return _function(
        "request_user_input",
        "Asks the user one to three short questions and waits for the answers. Only available in Plan mode.",
        _object(
            {
                "questions": {
                    "type": "array",
                    "description": "The questions to ask; prefer one, never more than three.",
                    "items": question,
                }
            },
            ["questions"],
        ),
    )


def view_image_tool() -> dict[str, Any]:
    return _function(
        "view_image",
        "Attach a local image (by filesystem path) to the conversation context for this turn.",
        _object({"path": {"type": "string", "description": "Local filesystem path to an image file."}}, ["path"]),
    )


def web_search_tool(*, live: bool, content_types: Sequence[str] | None = None) -> dict[str, Any]:
    """The hosted ``web_search`` tool: cached results unless ``live``; ``content_types`` for
    models that can also receive image results (``["text", "image"]``)."""
    spec: dict[str, Any] = {"type": "web_search", "external_web_access": live}
    if content_types:
        spec["search_content_types"] = list(content_types)
    return spec
