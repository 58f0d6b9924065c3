"""``codex mcp-server``: run Codex as an MCP server over stdio (spec 9.2).

The protocol logic lives in :mod:`codex_core.mcp.server`; this is the click entry point. Global
config options (``-c``, ``-p``, ``-m``, ``-s``, ``-a``...) become the defaults every ``codex``
tool call starts from (per-call arguments override them). stdout carries the protocol, so
diagnostics go to stderr.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from codex_exec.cli_options import collect_options, config_options, fail

__all__ = ["mcp_server_command"]


@click.command(name="mcp-server", help="Run Codex as an MCP server over stdio (tools `codex` and `codex-reply`).")
@config_options()
@click.pass_context
def mcp_server_command(ctx: click.Context, **kwargs: Any) -> None:
    import anyio

    from codex_core.config import load_config
    from codex_core.errors import CodexError
    from codex_core.mcp.server import CodexMcpServer

    opts = collect_options(ctx, kwargs)
    overrides = opts.to_overrides()
    try:
        load_config(overrides)  # fail fast (and readably) on a broken config before serving
    except CodexError as exc:
        fail(str(exc))
    server = CodexMcpServer(overrides)
    try:
        anyio.run(server.serve_stdio)
    except KeyboardInterrupt:
        sys.exit(130)
