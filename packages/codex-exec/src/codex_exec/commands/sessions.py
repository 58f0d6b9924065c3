"""``codex archive|unarchive|delete SESSION``: manage saved sessions from the shell.

SESSION is a session UUID or a session name (a UUID wins when the text parses as one). Archiving
moves the rollout to ``$CODEX_HOME/archived_sessions/`` (``unarchive`` moves it back); ``delete``
removes the rollout file for good, after a ``[y/N]`` question on a terminal, or at once with
``--force`` (which, as in the reference, requires the UUID: a name could match the wrong session).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from codex_exec.cli_options import fail

__all__ = ["archive", "delete", "unarchive"]

_SESSION_HELP = "Session id (UUID) or session name. UUIDs take precedence if it parses."


def _codex_home() -> Path:
    from codex_core.config import find_codex_home

    return find_codex_home()


def _session_id(path: Path) -> str:
    from codex_core.session import session_info

    info = session_info(path)
    return info.id if info is not None else path.stem


@click.command("archive", help="Archive a saved session by id or session name.")
@click.argument("session", metavar="SESSION")
def archive(session: str) -> None:
    from codex_core.errors import CodexError
    from codex_core.session import archive_session
    from codex_exec.sessions import resolve_session

    home = _codex_home()
    try:
        path = resolve_session(home, session)
        thread_id = _session_id(path)
        archive_session(home, thread_id)
    except CodexError as exc:
        fail(str(exc))
        return
    click.echo(f"Archived session {thread_id}.")


@click.command("unarchive", help="Unarchive a saved session by id or session name.")
@click.argument("session", metavar="SESSION")
def unarchive(session: str) -> None:
    from codex_core.errors import CodexError
    from codex_core.session import unarchive_session
    from codex_exec.sessions import resolve_session

    home = _codex_home()
    try:
        path = resolve_session(home, session, archived=True)
        thread_id = _session_id(path)
        unarchive_session(home, thread_id)
    except CodexError as exc:
        fail(str(exc))
        return
    click.echo(f"Unarchived session {thread_id}.")


@click.command("delete", help="Permanently delete a saved session by id or session name.")
@click.argument("session", metavar="SESSION")
@click.option("--force", "--yes", "force", is_flag=True, help="Delete without prompting. SESSION must be a UUID.")
def delete(session: str, force: bool) -> None:
    from codex_core.errors import CodexError
    from codex_exec.sessions import is_uuid, resolve_session

    if force and not is_uuid(session):
        fail("--force requires a session UUID; names must be confirmed interactively")
    home = _codex_home()
    try:
        try:
            path = resolve_session(home, session)
        except CodexError:
            path = resolve_session(home, session, archived=True)
    except CodexError:
        fail(f"No session found matching '{session}'.")
        return
    thread_id = _session_id(path)
    if not force:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            fail(
                "cannot confirm session deletion without an interactive terminal; rerun with --force and a session UUID"
            )
        click.echo(f"Permanently delete session {thread_id}?")
        click.echo("This cannot be undone.")
        answer = click.prompt("Continue? [y/N]", default="", show_default=False, prompt_suffix=" ")
        if answer.strip().lower() not in ("y", "yes"):
            click.echo("Delete cancelled.")
            return
    try:
        path.unlink()
    except FileNotFoundError:
        fail(f"No session found matching '{session}'.")
    except OSError as exc:
        fail(f"cannot delete {path}: {exc.strerror}")
    click.echo(f"Deleted session {thread_id}.")
