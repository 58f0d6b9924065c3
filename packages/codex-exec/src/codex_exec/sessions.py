"""Naming a saved session on the command line: ``codex exec resume|fork``, ``codex fork``,
``codex archive|unarchive|delete``.

A session is given as its UUID or as its name (``thread/name/set``, ``/rename``); a UUID takes
precedence when the text parses as one, as in the reference. A unique id prefix is accepted too
(``codex resume`` always took one).
"""

from __future__ import annotations

import uuid
from pathlib import Path

__all__ = ["is_uuid", "resolve_session"]


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def resolve_session(codex_home: Path, ref: str, *, archived: bool = False) -> Path:
    """The rollout file of the session ``ref`` names; ``SessionError`` when none (or several) match."""
    from codex_core.errors import SessionError
    from codex_core.session import find_rollout, list_sessions

    where = "archived" if archived else "active"
    missing = SessionError(f"No {where} session found matching '{ref}'.")
    if not ref.strip():
        raise missing
    if is_uuid(ref):
        try:
            return find_rollout(codex_home, ref.lower(), archived=archived)
        except SessionError:
            raise missing from None
    named = [s for s in list_sessions(codex_home, archived=archived) if s.name == ref]
    if len({s.id for s in named}) > 1:
        ids = ", ".join(sorted({s.id for s in named}))
        raise SessionError(f"Several {where} sessions are named '{ref}' ({ids}); give the session id.")
    if named:
        return named[0].path
    try:
        return find_rollout(codex_home, ref, archived=archived)
    except SessionError as exc:
        if "ambiguous" in str(exc):
            raise
        raise missing from None
