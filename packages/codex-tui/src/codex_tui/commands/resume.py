"""``codex resume [SESSION_ID] [--last] [--all]``: open the TUI on a saved session."""

from __future__ import annotations

import sys
from typing import Any

import click

from codex_exec.cli_options import collect_options, config_options, fail

__all__ = ["resume"]


@click.command(
    "resume",
    help="Resume a previous interactive session. Without SESSION_ID a picker lists the sessions "
    "started in this directory (all directories with --all); --last picks the newest one.",
)
@click.argument("session_id", required=False)
@click.option("--last", is_flag=True, help="Resume the most recent session without showing the picker.")
@click.option("--all", "all_dirs", is_flag=True, help="Show sessions from every directory, not just this one.")
@config_options(search=True)
@click.option("-i", "--image", "images", multiple=True, help="Image(s) to attach to the first new message.")
@click.option("--no-alt-screen", is_flag=True, help="Run the TUI inline, without the alternate screen.")
@click.argument("prompt", required=False)
@click.pass_context
def resume(
    ctx: click.Context,
    session_id: str | None,
    last: bool,
    all_dirs: bool,
    images: tuple[str, ...],
    no_alt_screen: bool,
    prompt: str | None,
    **kwargs: Any,
) -> None:
    opts = collect_options(ctx, kwargs)
    if last and session_id is not None:
        # with --last the only positional is the first message: `codex resume --last "go on"`
        if prompt is not None:
            fail("SESSION_ID and --last cannot be used together")
        prompt, session_id = session_id, None
    from codex_tui.launch import ResumeRequest, run_tui

    request = ResumeRequest(session_id=session_id, last=last, all_dirs=all_dirs)
    sys.exit(run_tui(opts, prompt=prompt, images=list(images), alt_screen=not no_alt_screen, resume=request))
