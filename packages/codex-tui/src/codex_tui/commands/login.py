"""``codex login`` / ``codex logout``: API-key credentials in ``$CODEX_HOME/auth.json`` (0600)."""

from __future__ import annotations

import json
import os
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


def _write_auth(home: Path, data: dict[str, object]) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "auth.json"
    tmp = home / ".auth.json.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


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
        api_key = sys.stdin.read().strip()
    if not api_key:
        click.echo(
            "Error: this build supports API-key login only. Use `codex login --with-api-key < key.txt`, "
            "`printenv OPENAI_API_KEY | codex login --with-api-key`, or `codex login --api-key KEY`.",
            err=True,
        )
        sys.exit(1)
    if any(c.isspace() for c in api_key):
        click.echo("Error: the API key must not contain whitespace", err=True)
        sys.exit(1)
    path = _write_auth(_home(), {"OPENAI_API_KEY": api_key})
    click.echo(f"Successfully logged in (API key stored in {path})")


@login.command(name="status", help="Show login status (exit 0 when logged in).")
def status() -> None:
    path = _home() / "auth.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        data = {}
    key = data.get("OPENAI_API_KEY") if isinstance(data, dict) else None
    if isinstance(key, str) and key:
        masked = key[:5] + "***" + key[-4:] if len(key) > 12 else "***"
        click.echo(f"Logged in using an API key - {masked}")
        return
    click.echo("Not logged in")
    sys.exit(1)


@click.command(name="logout", help="Remove stored authentication credentials.")
def logout() -> None:
    path = _home() / "auth.json"
    try:
        path.unlink()
    except FileNotFoundError:
        click.echo("Not logged in")
        return
    click.echo("Successfully logged out")
