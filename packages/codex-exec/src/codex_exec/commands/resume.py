"""``codex resume [SESSION_ID] [--last] [--all]``: open the TUI on a saved session."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from codex_exec.cli_options import collect_options, config_options, fail

__all__ = ["resume", "session_tui_options", "split_last"]

F = TypeVar("F", bound=Callable[..., Any])


def session_tui_options(fn: F) -> F:
    """The options ``codex resume`` and ``codex fork`` share: which session, config, first message."""
    for decorator in reversed(
        (
            click.argument("session_id", required=False),
            click.option("--last", is_flag=True, help="Take the most recent session instead of naming one."),
            click.option("--all", "all_dirs", is_flag=True, help="Consider sessions from every directory."),
            config_options(search=True),
            click.option("-i", "--image", "images", multiple=True, help="Image(s) to attach to the first new message."),
            click.option("--no-alt-screen", is_flag=True, help="Run the TUI inline, without the alternate screen."),
            click.argument("prompt", required=False),
        )
    ):
        fn = decorator(fn)
    return fn


def split_last(session_id: str | None, prompt: str | None, *, last: bool) -> tuple[str | None, str | None]:
    """With ``--last`` the only positional is the first message (``codex resume --last "go on"``):
    returns ``(session_id, prompt)``."""
    if last and session_id is not None:
        if prompt is not None:
            fail("SESSION_ID and --last cannot be used together")
        return None, session_id
    return session_id, prompt


@click.command(
    "resume",
    help="Resume a previous interactive session. Without SESSION_ID a picker lists the sessions "
    "started in this directory (all directories with --all); --last picks the newest one.",
)
@session_tui_options
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
    session_id, prompt = split_last(session_id, prompt, last=last)
    from codex_exec.multitool.tui import load_tui

    launch = load_tui()
    request = launch.ResumeRequest(session_id=session_id, last=last, all_dirs=all_dirs)
    sys.exit(launch.run_tui(opts, prompt=prompt, images=list(images), alt_screen=not no_alt_screen, resume=request))
