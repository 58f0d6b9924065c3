"""``codex fork [SESSION_ID] [--last] [--all] [PROMPT]``: open the TUI on a copy of a saved session.

The fork is made before the screen opens (a new session id and rollout file holding the source's
history; the source is untouched), then the TUI resumes it, so whatever happens in the TUI
happens to the fork. SESSION_ID is a UUID, a session name or a unique id prefix; ``--last`` takes
the newest session started in this directory (any directory with ``--all``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from codex_exec.cli_options import collect_options, fail, load_config_or_exit
from codex_exec.commands.resume import session_tui_options, split_last

if TYPE_CHECKING:
    from pathlib import Path

    from codex_core.config import Config

__all__ = ["fork"]


@click.command(
    "fork",
    help="Fork a previous interactive session: give SESSION_ID (id or name) or use --last to fork the most "
    "recent one. The TUI opens on the new session; the original is untouched.",
)
@session_tui_options
@click.pass_context
def fork(
    ctx: click.Context,
    /,
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
    if session_id is None and not last:
        fail("codex fork: give a SESSION_ID (id or name) or --last (`codex resume` opens the session picker)")
    from codex_exec.multitool.tui import load_tui

    launch = load_tui()  # before the fork is made: without the TUI nothing would open it
    config = load_config_or_exit(opts)
    source = _source(config, session_id, all_dirs=all_dirs)
    new_id = fork_saved_session(config, source)
    request = launch.ResumeRequest(session_id=new_id)
    sys.exit(launch.run_tui(opts, prompt=prompt, images=list(images), alt_screen=not no_alt_screen, resume=request))


def _source(config: Config, session_id: str | None, *, all_dirs: bool) -> Path:
    from codex_core.errors import CodexError
    from codex_core.session import list_sessions
    from codex_exec.sessions import resolve_session

    if session_id is not None:
        try:
            return resolve_session(config.codex_home, session_id)
        except CodexError as exc:
            fail(str(exc))
            raise AssertionError("unreachable") from exc
    sessions = list_sessions(config.codex_home, cwd=None if all_dirs else config.cwd)
    if not sessions:
        fail("no saved session found" + ("" if all_dirs else f" for {config.cwd} (use --all to search everywhere)"))
    return sessions[0].path


def fork_saved_session(config: Config, source: Path) -> str:
    """Copy the saved session at ``source`` into a new saved session; returns the new id."""
    import asyncio

    from codex_core import Codex
    from codex_core.errors import CodexError

    async def make() -> str:
        codex = Codex(config, source="cli")
        try:
            return codex.fork_thread(source).id
        finally:
            await codex.aclose()

    try:
        return asyncio.run(make())
    except CodexError as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from exc
