"""``codex completion [bash|zsh|fish]``: print a shell completion script (click's own)."""

from __future__ import annotations

import sys

import click

__all__ = ["completion"]


@click.command(name="completion", help="Generate a shell completion script (bash, zsh or fish).")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]), default="bash")
def completion(shell: str) -> None:
    from click.shell_completion import get_completion_class

    from codex_exec.multitool.main import cli

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - choices guard this
        click.echo(f"Error: unsupported shell {shell}", err=True)
        sys.exit(1)
    comp = cls(cli, {}, "codex", "_CODEX_COMPLETE")
    click.echo(comp.source())
