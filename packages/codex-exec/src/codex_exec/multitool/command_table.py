"""The ``codex`` subcommands by name: where each lives and its one-line help.

Only the standard library is imported here: the console script reads this table before click is
loaded, to tell whether the interactive TUI is about to open (``entry.tui_may_run``).
"""

from __future__ import annotations

__all__ = ["ALIASES", "COMMANDS", "HIDDEN", "TUI_COMMANDS"]

# name -> (module:attr, short help). Help text lives here so `codex --help` need not import.
COMMANDS: dict[str, tuple[str, str]] = {
    "exec": ("codex_exec.cli:exec_command", "Run Codex non-interactively [aliases: e]."),
    "review": ("codex_exec.commands.review:review", "Run a code review non-interactively."),
    "login": ("codex_exec.commands.login:login", "Store an API key for Codex."),
    "logout": ("codex_exec.commands.login:logout", "Remove stored authentication credentials."),
    "mcp": ("codex_exec.commands.mcp:mcp", "Manage external MCP servers for Codex."),
    "mcp-server": ("codex_exec.mcp_server:mcp_server_command", "Run Codex as an MCP server (stdio)."),
    "app-server": ("codex_exec.app_server:app_server_command", "Run the app server (JSON-RPC over stdio)."),
    "completion": ("codex_exec.commands.completion:completion", "Generate shell completion scripts."),
    "doctor": ("codex_exec.commands.doctor:doctor", "Diagnose config, auth, sandbox, proxy and MCP servers."),
    "sandbox": ("codex_exec.commands.sandbox:sandbox", "Run commands within a Codex-provided sandbox."),
    "debug": ("codex_exec.commands.debug:debug", "Debugging tools."),
    "execpolicy": ("codex_exec.commands.execpolicy:execpolicy", "Check commands against exec policy rules."),
    "apply": (
        "codex_exec.commands.apply:apply",
        "Apply the latest diff produced by Codex to the working tree [aliases: a].",
    ),
    "resume": ("codex_exec.commands.resume:resume", "Resume a previous interactive session."),
    "fork": ("codex_exec.commands.fork:fork", "Fork a previous interactive session."),
    "archive": ("codex_exec.commands.sessions:archive", "Archive a saved session by id or session name."),
    "unarchive": ("codex_exec.commands.sessions:unarchive", "Unarchive a saved session by id or session name."),
    "delete": ("codex_exec.commands.sessions:delete", "Permanently delete a saved session by id or session name."),
    "features": ("codex_exec.commands.features:features", "Inspect feature flags."),
    "help": ("codex_exec.multitool.main:help_command", "Print this message or the help of the given subcommand."),
}
ALIASES = {"e": "exec", "a": "apply"}
HIDDEN: set[str] = set()
"""Every subcommand is listed by ``codex --help``."""
TUI_COMMANDS = frozenset({"resume", "fork"})
"""Subcommands that open the TUI: they keep the keys typed during start-up (``codex_tui.startup_input``)."""
