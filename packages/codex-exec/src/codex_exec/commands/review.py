"""``codex review``: a non-interactive code review (the same run as ``codex exec review``)."""

from __future__ import annotations

import sys
from typing import Any

import click

from codex_exec.cli import review_target_options
from codex_exec.cli_options import collect_options, config_options

__all__ = ["review"]

_ONLY_CONFIG = ("approval", "sandbox", "cwd", "add_dir", "oss", "profile", "full_auto", "model", "bypass")


@click.command(
    "review",
    help="Run a code review non-interactively: the uncommitted changes (--uncommitted), the changes against a "
    "base branch (--base), a commit (--commit), or what PROMPT asks (`-` reads it from stdin). "
    "`codex exec review` takes the output options (--json, -o).",
)
@click.argument("prompt", required=False)
@config_options(**dict.fromkeys(_ONLY_CONFIG, False))
@review_target_options
@click.pass_context
def review(
    ctx: click.Context,
    /,
    prompt: str | None,
    uncommitted: bool,
    base: str | None,
    commit: str | None,
    title: str | None,
    **kwargs: Any,
) -> None:
    opts = collect_options(ctx, kwargs)
    from codex_exec.cli import review_target
    from codex_exec.run_options import ExecRun
    from codex_exec.runner import run_exec

    target = review_target(prompt, uncommitted=uncommitted, base=base, commit=commit, title=title)
    sys.exit(run_exec(opts, ExecRun(), prompt=None, review=target))
