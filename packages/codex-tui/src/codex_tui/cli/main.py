"""The ``codex`` multitool: global options, lazy subcommands, and the TUI when none is given.

Subcommands are imported only when invoked (or when help lists them) so that ``codex --version``
imports nothing but click.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from codex_exec.cli_options import CliOptions, collect_options, config_options, first_positional
from codex_tui._version import VERSION

# name -> (module:attr, short help). Help text lives here so `codex --help` need not import.
COMMANDS: dict[str, tuple[str, str]] = {
    "exec": ("codex_exec.cli:exec_command", "Run Codex non-interactively [aliases: e]."),
    "review": ("codex_tui.commands.review:review", "Run a code review non-interactively."),
    "login": ("codex_tui.commands.login:login", "Store an API key for Codex."),
    "logout": ("codex_tui.commands.login:logout", "Remove stored authentication credentials."),
    "mcp": ("codex_tui.commands.mcp:mcp", "Manage external MCP servers for Codex."),
    "mcp-server": ("codex_exec.mcp_server:mcp_server_command", "Run Codex as an MCP server (stdio)."),
    "app-server": ("codex_exec.app_server:app_server_command", "Run the app server (JSON-RPC over stdio)."),
    "completion": ("codex_tui.commands.completion:completion", "Generate shell completion scripts."),
    "doctor": ("codex_tui.commands.doctor:doctor", "Diagnose config, auth, sandbox, proxy and MCP servers."),
    "sandbox": ("codex_tui.commands.sandbox:sandbox", "Run commands within a Codex-provided sandbox."),
    "debug": ("codex_tui.commands.debug:debug", "Debugging tools."),
    "execpolicy": ("codex_tui.commands.execpolicy:execpolicy", "Check commands against exec policy rules."),
    "apply": (
        "codex_tui.commands.apply:apply",
        "Apply the latest diff produced by Codex to the working tree [aliases: a].",
    ),
    "resume": ("codex_tui.commands.resume:resume", "Resume a previous interactive session."),
    "fork": ("codex_tui.commands.fork:fork", "Fork a previous interactive session."),
    "archive": ("codex_tui.commands.sessions:archive", "Archive a saved session by id or session name."),
    "unarchive": ("codex_tui.commands.sessions:unarchive", "Unarchive a saved session by id or session name."),
    "delete": ("codex_tui.commands.sessions:delete", "Permanently delete a saved session by id or session name."),
    "features": ("codex_tui.commands.features:features", "Inspect feature flags."),
    "help": ("codex_tui.cli.main:help_command", "Print this message or the help of the given subcommand."),
}
ALIASES = {"e": "exec", "a": "apply"}
HIDDEN: set[str] = set()
"""Every subcommand is listed by ``codex --help``."""
TUI_COMMANDS = frozenset({"resume", "fork"})
"""Subcommands that open the TUI: they keep the keys typed during start-up (``startup_input``)."""


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use.

    A first positional argument that is not a command name is taken as the TUI's prompt
    (``codex "fix the tests"``).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        name = ALIASES.get(cmd_name, cmd_name)
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, _, attr = target[0].partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                return _unavailable(name)
            raise
        cmd = getattr(module, attr)
        assert isinstance(cmd, click.Command)
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(n, h) for n, (_, h) in COMMANDS.items() if n not in HIDDEN]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("codex", "[OPTIONS] [PROMPT]")
        formatter.write_usage("codex", "[OPTIONS] COMMAND [ARGS]...")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        idx = first_positional(self, args)
        if idx is not None and args[idx] not in COMMANDS and args[idx] not in ALIASES:
            ctx.meta["codex.prompt"] = args[idx]
            args = args[:idx] + args[idx + 1 :]
        return super().parse_args(ctx, args)


def _unavailable(name: str) -> click.Command:
    @click.command(name=name, context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def cmd(args: tuple[str, ...]) -> None:
        click.echo(f"Error: `codex {name}` is not available in this build.", err=True)
        sys.exit(1)

    return cmd


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Codex CLI (Python). With no subcommand, opens the interactive TUI; a PROMPT argument starts it "
    "with a first message.",
)
@click.version_option(VERSION, "-V", "--version", prog_name="codex-cli", message="%(prog)s %(version)s")
@config_options(search=True)
@click.option("-i", "--image", "images", multiple=True, help="Image(s) to attach to the initial prompt.")
@click.option("--no-alt-screen", is_flag=True, help="Run the TUI inline, without the alternate screen.")
@click.pass_context
def cli(ctx: click.Context, images: tuple[str, ...], no_alt_screen: bool, **kwargs: Any) -> None:
    opts = collect_options(ctx, kwargs)
    ctx.obj = opts
    if ctx.invoked_subcommand is not None:
        if ctx.invoked_subcommand not in TUI_COMMANDS:
            from codex_tui import startup_input
            from codex_tui.cli.entry import resume_gc

            startup_input.release()  # the terminal as the subcommand expects it (prompts, stdin)
            resume_gc()
        return
    prompt = ctx.meta.get("codex.prompt")
    from codex_tui.launch import run_tui

    sys.exit(run_tui(opts, prompt=prompt, images=list(images), alt_screen=not no_alt_screen))


@click.command("help", help="Print the help of codex or of the given subcommand (`codex help exec resume`).")
@click.argument("names", nargs=-1)
@click.pass_context
def help_command(ctx: click.Context, names: tuple[str, ...]) -> None:
    root = ctx.find_root()
    command: click.Command = root.command
    sub_ctx = root
    for name in names:
        if not isinstance(command, click.Group):
            raise click.UsageError(f"`{command.name}` has no subcommand {name!r}")
        found = command.get_command(sub_ctx, name)
        if found is None:
            raise click.UsageError(f"no such command: {name!r}")
        command = found
        sub_ctx = click.Context(command, info_name=name, parent=sub_ctx)
    click.echo(sub_ctx.get_help())


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="codex")


__all__ = ["COMMANDS", "CliOptions", "cli", "main"]
