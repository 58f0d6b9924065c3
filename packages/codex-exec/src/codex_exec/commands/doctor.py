"""``codex doctor``: run ``codex_core.doctor`` and print what is wrong and how to fix it.

Exit code 0 when nothing failed (warnings allowed), 1 otherwise. ``--json`` prints the report as
one JSON object (secrets are never in it).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from codex_exec.cli_options import collect_options, config_options

if TYPE_CHECKING:
    from codex_core.doctor import Check, DoctorReport

__all__ = ["doctor"]

_GLYPHS = {"ok": "✓", "warn": "⚠", "fail": "✗", "skip": "○"}
_ASCII = {"ok": "OK", "warn": "WARN", "fail": "FAIL", "skip": "SKIP"}
_COLORS = {"ok": "green", "warn": "yellow", "fail": "red", "skip": "bright_black"}
_ONLY_CONFIG = ("approval", "sandbox", "add_dir", "oss", "full_auto", "bypass", "model")


@click.command(
    "doctor",
    help="Diagnose the local Codex setup: config (loaded as the CLI loads it), credentials, sandbox support, "
    "proxy settings and MCP servers (each started and asked for its tools). Prints what is wrong and how to "
    "fix it; exits 1 when a check fails.",
)
@config_options(**dict.fromkeys(_ONLY_CONFIG, False))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--summary", is_flag=True, help="One line per check, without details.")
@click.option("--network-only", is_flag=True, help="Only the config, credential and network checks.")
@click.option("--all", "show_all", is_flag=True, hidden=True, help="Accepted for compatibility (lists are never cut).")
@click.option("--no-color", is_flag=True, help="No ANSI colour.")
@click.option("--ascii", "ascii_only", is_flag=True, help="ASCII status labels.")
@click.pass_context
def doctor(
    ctx: click.Context,
    /,
    as_json: bool,
    summary: bool,
    network_only: bool,
    show_all: bool,
    no_color: bool,
    ascii_only: bool,
    **kwargs: Any,
) -> None:
    from codex_core.doctor import run_doctor
    from codex_exec.cli_options import load_cli_config

    opts = collect_options(ctx, kwargs)
    report = run_doctor(load=lambda: load_cli_config(opts), network_only=network_only)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        color = not no_color and sys.stdout.isatty()
        _print_report(report, summary=summary, color=color, ascii_only=ascii_only)
    sys.exit(1 if report.failed else 0)


def _label(check: Check, *, color: bool, ascii_only: bool) -> str:
    mark = _ASCII[check.status] if ascii_only else _GLYPHS[check.status]
    text = f"{mark:<4}" if ascii_only else mark
    return click.style(text, fg=_COLORS[check.status]) if color else text


def _print_report(report: DoctorReport, *, summary: bool, color: bool, ascii_only: bool) -> None:
    from codex_exec._version import VERSION

    rule = "-" * 60 if ascii_only else "─" * 60
    click.echo(f"Codex Doctor (codex-py {VERSION}) · {sys.platform}")
    group = None
    width = max(len(c.name) for c in report.checks)
    for check in report.checks:
        if check.group != group:
            group = check.group
            click.echo(f"\n{group}")
        click.echo(f"  {_label(check, color=color, ascii_only=ascii_only)} {check.name:<{width}}  {check.summary}")
        if check.fix and check.status in ("warn", "fail"):
            click.echo(f"      fix: {check.fix}")
        if not summary:
            for key, value in check.details:
                click.echo(f"      {key:<22} {value}")
    counts = report.counts()
    click.echo(f"\n{rule}")
    verdict = "failed" if report.failed else "passed"
    click.echo(
        f"{counts['ok']} ok · {counts['warn']} warn · {counts['fail']} fail · {counts['skip']} skipped: {verdict}"
    )
