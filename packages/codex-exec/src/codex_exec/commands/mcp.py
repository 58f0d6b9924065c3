"""``codex mcp``: manage ``[mcp_servers]`` in ``$CODEX_HOME/config.toml`` (spec 1.5).

A thin click layer over :mod:`codex_core.mcp.config_edit`; heavy imports happen inside the
commands so ``codex --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["mcp"]

T = TypeVar("T")


def _config_path() -> Path:
    from codex_core.config import find_codex_home

    return find_codex_home() / "config.toml"


def _run(fn: Callable[[], T]) -> T:
    """Run ``fn``; a ``CodexError`` becomes ``Error: <message>`` on stderr and exit status 1."""
    from codex_core.errors import CodexError

    try:
        return fn()
    except CodexError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)


@click.group(name="mcp", help="Manage external MCP servers for Codex ([mcp_servers] in $CODEX_HOME/config.toml).")
def mcp() -> None:
    pass


@mcp.command(
    name="add",
    help="Add a global MCP server: `codex mcp add NAME [--env K=V]... -- COMMAND [ARGS]...` "
    "or `codex mcp add NAME --url URL [--bearer-token-env-var VAR]`.",
)
@click.argument("name")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "--env",
    "env",
    multiple=True,
    metavar="KEY=VALUE",
    help="Environment variable for a stdio server (repeatable).",
)
@click.option("--url", default=None, help="URL of a streamable HTTP MCP server.")
@click.option(
    "--bearer-token-env-var",
    default=None,
    metavar="VAR",
    help="Environment variable whose value is sent as a bearer token (only with --url).",
)
def add(
    name: str,
    command: tuple[str, ...],
    env: tuple[str, ...],
    url: str | None,
    bearer_token_env_var: str | None,
) -> None:
    from codex_core.mcp import config_edit

    def go() -> None:
        config_edit.validate_server_name(name)
        path = _config_path()
        if url is not None:
            if command:
                raise _usage("use either --url or a command after `--`, not both")
            if env:
                raise _usage("--env is only valid for stdio servers (a command after `--`)")
            config_edit.add_http_server(path, name, url, bearer_token_env_var)
        else:
            if bearer_token_env_var is not None:
                raise _usage("--bearer-token-env-var is only valid together with --url")
            if not command:
                raise _usage("exactly one of --url or a command is required: codex mcp add NAME -- COMMAND [ARGS]...")
            config_edit.add_stdio_server(path, name, command, config_edit.parse_env_pairs(env))

    _run(go)
    click.echo(f"Added global MCP server '{name}'.")


def _usage(message: str) -> Exception:
    from codex_core.errors import UsageError

    return UsageError(message)


@mcp.command(name="list", help="List configured MCP servers.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_servers(as_json: bool) -> None:
    from codex_core.mcp import config_edit

    servers = _run(lambda: config_edit.load_mcp_servers(_config_path()))
    if as_json:
        rows: list[Any] = [config_edit.server_to_json(n, c) for n, c in sorted(servers.items())]
        click.echo(config_edit.dumps_json(rows))
    else:
        click.echo(config_edit.format_server_table(servers))


@mcp.command(name="get", help="Show one configured MCP server.")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
def get(name: str, as_json: bool) -> None:
    from codex_core.mcp import config_edit

    servers = _run(lambda: config_edit.load_mcp_servers(_config_path()))
    cfg = servers.get(name)
    if cfg is None:
        click.echo(f"Error: No MCP server named '{name}' found.", err=True)
        sys.exit(1)
    if as_json:
        click.echo(config_edit.dumps_json(config_edit.server_to_json(name, cfg)))
    else:
        click.echo(config_edit.format_server_details(name, cfg))


@mcp.command(name="remove", help="Remove a configured MCP server.")
@click.argument("name")
def remove(name: str) -> None:
    from codex_core.mcp import config_edit

    removed = _run(lambda: config_edit.remove_server(_config_path(), name))
    if removed:
        click.echo(f"Removed global MCP server '{name}'.")
    else:
        click.echo(f"No MCP server named '{name}' found.")
