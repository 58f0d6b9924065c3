"""``codex debug``: legacy spellings of the sandbox commands (``codex debug landlock -- CMD``)."""

from __future__ import annotations

import click

from codex_exec.commands.sandbox import sandbox_command

__all__ = ["debug"]


@click.group("debug", help="Debugging tools.")
def debug() -> None:
    pass


debug.add_command(sandbox_command("linux", help_text="Legacy alias of `codex sandbox linux`."), "landlock")
debug.add_command(sandbox_command("macos", help_text="Legacy alias of `codex sandbox macos`."), "seatbelt")
