"""The slash commands the composer offers, in popup order."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "APPROVAL_PRESETS",
    "INIT_PROMPT",
    "KNOWN_MODELS",
    "SLASH_COMMANDS",
    "ApprovalPreset",
    "SlashCommand",
    "match_commands",
    "parse_slash",
]


@dataclass(frozen=True, slots=True)
class SlashCommand:
    name: str
    description: str
    available_during_turn: bool = False


SLASH_COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand("model", "choose the model (or /model NAME)"),
    SlashCommand("approvals", "choose what Codex may do without asking"),
    SlashCommand("status", "show session configuration and token usage", available_during_turn=True),
    SlashCommand("diff", "show git diff, including untracked files", available_during_turn=True),
    SlashCommand("new", "start a new conversation"),
    SlashCommand("resume", "resume a saved conversation"),
    SlashCommand("compact", "summarize the conversation to free context"),
    SlashCommand("init", "create an AGENTS.md file with instructions for Codex"),
    SlashCommand("mention", "mention a file", available_during_turn=True),
    SlashCommand("quit", "exit Codex", available_during_turn=True),
)

_ALIASES = {"exit": "quit", "approval": "approvals"}


def match_commands(prefix: str) -> list[SlashCommand]:
    """Commands whose name starts with ``prefix`` (without the slash)."""
    return [c for c in SLASH_COMMANDS if c.name.startswith(prefix.lower())]


def parse_slash(text: str) -> tuple[str, str] | None:
    """``"/model gpt-5"`` -> ``("model", "gpt-5")``; ``None`` if not a known command."""
    if not text.startswith("/"):
        return None
    name, _, arg = text[1:].strip().partition(" ")
    name = _ALIASES.get(name.lower(), name.lower())
    if not any(c.name == name for c in SLASH_COMMANDS):
        return None
    return name, arg.strip()


KNOWN_MODELS: tuple[str, ...] = ("gpt-5.1-codex", "gpt-5.1-codex-mini", "gpt-5.1", "gpt-5-codex", "gpt-5")
"""Models offered by the ``/model`` picker (any other name works via ``/model NAME``)."""


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
