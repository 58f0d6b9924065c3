"""The ``codex`` multitool: global options, lazy subcommands, and the TUI when none is given.

Subcommands are imported only when invoked (or when help lists them) so that ``codex --version``
imports nothing but click. The TUI comes from the optional ``codex-py-tui`` distribution
(``multitool/tui.py``); every other subcommand is headless.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from codex_exec._version import VERSION
from codex_exec.cli_options import CliOptions, collect_options, config_options, first_positional
from codex_exec.multitool.command_table import ALIASES, COMMANDS, HIDDEN, TUI_COMMANDS


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
            from codex_exec.multitool.entry import release_startup_input, resume_gc

            release_startup_input()  # the terminal as the subcommand expects it (prompts, stdin)
            resume_gc()
        return
    prompt = ctx.meta.get("codex.prompt")
    from codex_exec.multitool.tui import load_tui

    launch = load_tui()
    sys.exit(launch.run_tui(opts, prompt=prompt, images=list(images), alt_screen=not no_alt_screen))


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
