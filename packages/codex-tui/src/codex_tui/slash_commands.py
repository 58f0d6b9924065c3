"""The slash commands the composer offers, in popup order."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "APPROVAL_PRESETS",
    "INIT_PROMPT",
    "SHELL_COMMAND",
    "SLASH_COMMANDS",
    "ApprovalPreset",
    "SlashCommand",
    "is_command",
    "match_commands",
    "parse_slash",
]


@dataclass(frozen=True, slots=True)
class SlashCommand:
    name: str
    description: str
    available_during_turn: bool = False


SLASH_COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand("model", "choose what model and reasoning effort to use"),
    SlashCommand("permissions", "choose what Codex is allowed to do (alias /approvals)"),
    SlashCommand("review", "review my current changes and find issues"),
    SlashCommand("rename", "rename the current thread (/rename NAME)"),
    SlashCommand("new", "start a new chat (alias /clear)"),
    SlashCommand("resume", "resume a saved chat"),
    SlashCommand("fork", "fork the current chat into a new one"),
    SlashCommand("init", "create an AGENTS.md file with instructions for Codex"),
    SlashCommand("compact", "summarize the conversation to free context"),
    SlashCommand("diff", "show git diff, including untracked files", available_during_turn=True),
    SlashCommand("mention", "mention a file", available_during_turn=True),
    SlashCommand("status", "show current session configuration and token usage", available_during_turn=True),
    SlashCommand("mcp", "list configured MCP servers and their tools", available_during_turn=True),
    SlashCommand("copy", "copy the last response to the clipboard", available_during_turn=True),
    SlashCommand("logout", "log out of Codex (remove stored credentials) and exit"),
    SlashCommand("quit", "exit Codex (alias /exit)", available_during_turn=True),
)

SHELL_COMMAND = "!"
"""The pseudo command name ``parse_slash`` gives ``!cmd`` (a local shell command)."""

_ALIASES = {"exit": "quit", "approvals": "permissions", "approval": "permissions", "clear": "new"}


def match_commands(prefix: str) -> list[SlashCommand]:
    """Commands whose name (or an alias) starts with ``prefix`` (without the slash)."""
    prefix = prefix.lower()
    aliased = {target for alias, target in _ALIASES.items() if alias.startswith(prefix)}
    return [c for c in SLASH_COMMANDS if c.name.startswith(prefix) or (prefix and c.name in aliased)]


def is_command(name: str) -> bool:
    """Whether ``name`` (as returned by ``parse_slash``) is a slash command we implement."""
    return any(c.name == name for c in SLASH_COMMANDS)


def parse_slash(text: str) -> tuple[str, str] | None:
    """Split composer input that is a command rather than a message for the model.

    ``"/model gpt-5"`` -> ``("model", "gpt-5")`` (aliases resolved); an unknown ``"/foo x"`` ->
    ``("foo", "x")`` (the caller says it is not recognised, see ``is_command``); ``"!ls -l"`` ->
    ``("!", "ls -l")`` (``SHELL_COMMAND``). ``None`` for a message: text not starting with ``/``
    or ``!``, a path such as ``/usr/bin/env is missing`` (a slash in the first word) and a lone
    ``/`` or ``!``, which go to the model as Codex sends them.
    """
    if text.startswith(SHELL_COMMAND):
        command = text[1:].strip()
        return (SHELL_COMMAND, command) if command else None
    if not text.startswith("/"):
        return None
    parts = text[1:].split(maxsplit=1)
    if not parts or text[1:2].isspace() or "/" in parts[0]:
        return None
    name, arg = parts[0], (parts[1] if len(parts) > 1 else "")
    lowered = name.lower()
    canonical = _ALIASES.get(lowered, lowered)
    return (canonical if is_command(canonical) else name), arg.strip()


@dataclass(frozen=True, slots=True)
class ApprovalPreset:
    id: str
    label: str
    description: str
    approval_policy: str
    sandbox_mode: str


APPROVAL_PRESETS: tuple[ApprovalPreset, ...] = (
    ApprovalPreset(
        "read-only",
        "Read Only",
        "Codex can read files; asks before editing or running commands.",
        "on-request",
        "read-only",
    ),
    ApprovalPreset(
        "auto",
        "Auto",
        "Codex can read, edit and run commands in the workspace; asks to go further.",
        "on-request",
        "workspace-write",
    ),
    ApprovalPreset(
        "full-access",
        "Full Access",
        "Codex can edit anything and use the network without asking.",
        "never",
        "danger-full-access",
    ),
)

INIT_PROMPT = """Generate a file named AGENTS.md that serves as a contributor guide for this repository.
Look at the repository first (layout, build and test commands, code style, commit conventions), then
write AGENTS.md in the repository root with these sections, each short and specific to this project:
Project Structure & Module Organization; Build, Test, and Development Commands; Coding Style & Naming
Conventions; Testing Guidelines; Commit & Pull Request Guidelines. Keep it concise (200-400 words),
use Markdown headings, and give concrete commands and paths rather than generic advice."""
