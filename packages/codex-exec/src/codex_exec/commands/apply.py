"""``codex apply``: apply the latest diff Codex produced in a session to the working tree (``git apply``)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import click

from codex_exec.cli_options import collect_options, config_options, load_config_or_exit

__all__ = ["apply"]


@click.command(
    name="apply", help="Apply the latest diff from a session's rollout to the working tree with `git apply`."
)
@click.argument("session_id", required=False)
@config_options()
@click.pass_context
def apply(ctx: click.Context, session_id: str | None, **kwargs: Any) -> None:
    from codex_core.errors import CodexError
    from codex_core.git import host_git
    from codex_core.session import find_rollout, latest_diff, list_sessions

    config = load_config_or_exit(collect_options(ctx, kwargs))
    try:
        if session_id:
            path = find_rollout(config.codex_home, session_id)
        else:
            sessions = list_sessions(config.codex_home, cwd=config.cwd)
            if not sessions:
                click.echo(f"Error: no saved session for {config.cwd}", err=True)
                sys.exit(1)
            path = sessions[0].path
        diff = latest_diff(path)
    except CodexError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    if diff is None:
        click.echo(f"Error: session {path.name} produced no diff", err=True)
        sys.exit(1)
    proc = subprocess.run(
        host_git("apply", "--3way", "-"), input=diff, text=True, cwd=config.cwd, capture_output=True, check=False
    )
    if proc.returncode != 0:
        click.echo(f"Error: git apply failed:\n{proc.stderr.strip()}", err=True)
        sys.exit(1)
    click.echo("Successfully applied diff")
