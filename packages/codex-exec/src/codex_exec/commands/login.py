"""``codex login`` / ``codex logout``: API-key credentials in ``$CODEX_HOME/auth.json`` (0600)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["login", "logout"]


def _home() -> Path:
    from codex_core.config import find_codex_home
    from codex_core.errors import CodexError

    try:
        return find_codex_home()
    except CodexError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


@click.group(
    name="login", invoke_without_command=True, help="Store an API key for Codex (read from stdin with --with-api-key)."
)
@click.option("--with-api-key", is_flag=True, help="Read the API key from stdin.")
@click.option("--api-key", "api_key", default=None, metavar="KEY", help="Store KEY as the OpenAI API key.")
@click.pass_context
def login(ctx: click.Context, with_api_key: bool, api_key: str | None) -> None:
    if ctx.invoked_subcommand is not None:
        return
    if with_api_key:
        click.echo("Reading API key from stdin...", err=True)
        api_key = sys.stdin.read().strip()
        if not api_key:
            click.echo("No API key provided via stdin.", err=True)
            sys.exit(1)
    elif api_key is not None and not api_key.strip():
        click.echo("Error: the API key given with --api-key is empty.", err=True)
        sys.exit(1)
    if not api_key:
        click.echo(
            "Error: this build supports API-key login only. Use `codex login --with-api-key < key.txt`, "
            "`printenv OPENAI_API_KEY | codex login --with-api-key`, or `codex login --api-key KEY`.",
            err=True,
        )
        sys.exit(1)
    from codex_core.auth import save_api_key
    from codex_core.errors import UsageError

    home = _home()
    try:
        save_api_key(home, api_key.strip())
    except UsageError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"Error: cannot write {home / 'auth.json'}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo("API key saved. Authentication is checked when you send a request.", err=True)


@login.command(name="status", help="Show login status (exit 0 when logged in).")
def status() -> None:
    from codex_core.auth import stored_api_key
    from codex_core.errors import AuthError

    try:
        key = stored_api_key(_home())
    except AuthError as exc:
        click.echo(f"Not logged in ({exc})")
        sys.exit(1)
    if key:
        masked = key[:5] + "***" + key[-4:] if len(key) > 12 else "***"
        click.echo(f"Logged in using an API key - {masked}")
        return
    click.echo("Not logged in")
    sys.exit(1)


@click.command(name="logout", help="Remove stored authentication credentials.")
def logout() -> None:
    from codex_core.auth import remove_auth

    if not remove_auth(_home()):
        click.echo("Not logged in")
        return
    click.echo("Successfully logged out")
