"""``codex app-server``: Codex's JSON-RPC v2 server over stdio, a thin frontend over ``codex_core``.

Only click is imported here so that ``codex --help`` stays fast; the server (pydantic models,
the SDK) is imported when the command runs. See ``docs/app-server.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from codex_exec.cli_options import collect_options, config_options, fail, load_config_or_exit

__all__ = ["app_server_command"]

_KNOWN_SCHEMES = ("stdio://", "unix://", "ws://", "off")


@click.group(
    name="app-server",
    invoke_without_command=True,
    help="Run the app server: JSON-RPC v2 over stdio (one JSON message per line).",
)
@click.option(
    "--listen",
    default="stdio://",
    show_default=True,
    metavar="URL",
    help="Transport endpoint. Only stdio:// is implemented.",
)
@config_options()
@click.pass_context
def app_server_command(ctx: click.Context, /, listen: str, **kwargs: Any) -> None:
    opts = collect_options(ctx, kwargs)
    if ctx.invoked_subcommand is not None:
        return
    if listen != "stdio://":
        if listen.startswith(_KNOWN_SCHEMES):
            fail(f"--listen {listen}: only stdio:// is supported by this implementation")
        fail(f"--listen {listen}: not a valid listen URL (expected stdio://)")
    from codex_core.logging import configure_logging
    from codex_exec.app_server.server import serve_stdio

    configure_logging("stderr")
    config = load_config_or_exit(opts)
    sys.exit(serve_stdio(opts.to_overrides(), config))


_out_option = click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Output directory (created if missing).",
)
_experimental_option = click.option(
    "--experimental",
    is_flag=True,
    help="Include experimental methods and fields (accepted for compatibility: every implemented one is included).",
)


@app_server_command.command(
    name="generate-json-schema", help="Write JSON Schemas of the implemented protocol messages to DIR."
)
@_out_option
@_experimental_option
def generate_json_schema(out_dir: Path, experimental: bool) -> None:
    from codex_exec.app_server.schema import write_schemas

    try:
        written = write_schemas(out_dir)
    except OSError as exc:
        fail(f"cannot write schemas to {out_dir}: {exc.strerror or exc}")
        return
    click.echo(f"wrote {len(written)} schema files to {out_dir}", err=True)


@app_server_command.command(
    name="generate-ts", help="Write TypeScript type declarations of the implemented protocol messages to DIR."
)
@_out_option
@click.option(
    "-p",
    "--prettier",
    "prettier",
    default=None,
    metavar="PRETTIER_BIN",
    help="Run `PRETTIER_BIN --write DIR` on the generated files.",
)
@_experimental_option
def generate_ts(out_dir: Path, prettier: str | None, experimental: bool) -> None:
    from codex_exec.app_server.typescript import PrettierError, write_typescript

    try:
        written = write_typescript(out_dir, prettier=prettier)
    except OSError as exc:
        fail(f"cannot write TypeScript files to {out_dir}: {exc.strerror or exc}")
        return
    except PrettierError as exc:
        fail(f"prettier failed: {exc}")
        return
    click.echo(f"wrote {len(written)} TypeScript files to {out_dir}", err=True)
