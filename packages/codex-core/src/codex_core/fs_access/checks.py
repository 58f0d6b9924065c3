"""What a sandboxed command of a thread could read or write, asked for one path at a time.

The answers come from the ``SandboxPolicy`` alone (``SandboxPolicy.allows_write`` is the one
authority on writes); this module adds the reads (``readable_roots``, ``masked_paths``) and
a reason a person can act on when the answer is no.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from codex_core.fs_access.errors import FsAccessDenied, FsInvalidRequest

if TYPE_CHECKING:
    from codex_core.sandbox import SandboxPolicy

__all__ = ["Located", "locate", "refuse_read", "refuse_write", "within"]

_PROC = Path("/proc")


def within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


@attrs.frozen
class Located:
    """One requested path, in the three forms the checks need."""

    given: Path
    """As the client wrote it (absolute, normalised)."""
    entry: Path
    """The entry itself: its directory resolved, its own name kept (a symlink stays a symlink)."""
    target: Path
    """Fully resolved: where reading or writing through it lands."""


def locate(raw: str | Path) -> Located:
    """Resolve a client path once. Relative paths and ``..`` components are refused: what is
    checked must be the path the kernel would walk."""
    text = str(raw)
    if not text or not os.path.isabs(text):
        raise FsInvalidRequest(f"`{text}` is not an absolute path")
    if "\0" in text:
        raise FsInvalidRequest("paths must not contain NUL bytes")
    if ".." in Path(text).parts:
        raise FsInvalidRequest(f"`{text}`: `..` components are not accepted; send the path without them")
    given = Path(os.path.normpath(text))
    try:
        entry = given if given == Path(given.anchor) else Path(os.path.realpath(given.parent)) / given.name
        target = Path(os.path.realpath(given))
    except OSError as exc:  # a link turned into something else while being read (a racing swap)
        raise FsAccessDenied(f"`{given}` changed while it was being resolved ({exc.strerror}); refused") from None
    return Located(given=given, entry=entry, target=target)


def _masked_by(policy: SandboxPolicy, where: Located) -> Path | None:
    for candidate in (where.given, where.entry, where.target):
        for masked in policy.masked_paths:
            if within(candidate, masked):
                return masked
    return None


def refuse_read(policy: SandboxPolicy, where: Located, verb: str = "read") -> None:
    """``FsAccessDenied`` unless a sandboxed command could read ``where``: not in or under an
    access-``none`` path (as given, where it sits, or where it leads) and, when the policy
    restricts reads, resolving inside a readable root."""
    if not policy.is_unrestricted and any(within(p, _PROC) for p in (where.given, where.target)):
        # a sandboxed command sees its own namespace's /proc, never the host's (this process's
        # environment, credentials and memory are in /proc/self)
        raise FsAccessDenied(f"cannot {verb} `{where.given}`: the host's /proc is not visible inside the sandbox")
    masked = _masked_by(policy, where)
    if masked is not None:
        raise FsAccessDenied(
            f"cannot {verb} `{where.given}`: it is in `{masked}`, which the sandbox policy hides (access `none`)"
        )
    roots = policy.readable_roots
    if roots is not None and not any(within(where.target, root) for root in roots):
        leads = "" if where.target == where.given else f" (it resolves to `{where.target}`)"
        raise FsAccessDenied(f"cannot {verb} `{where.given}`: it is outside the sandbox's readable roots{leads}")


def _write_reason(policy: SandboxPolicy, path: Path) -> str:
    """Why ``allows_write`` said no (best effort; the decision itself is ``allows_write``'s)."""
    from codex_core.sandbox.metadata_index import PROTECTED_NAMES

    if policy.kind == "read-only" or not policy.writable_roots:
        return "the sandbox policy is read-only"
    roots = [r for r in policy.writable_roots if within(path, r)]
    if not roots:
        listed = ", ".join(f"`{r}`" for r in policy.writable_roots)
        return f"it is outside the sandbox's writable roots ({listed})"
    root = max(roots, key=lambda r: len(r.parts))
    protected = [p for p in path.relative_to(root).parts if p in PROTECTED_NAMES]
    if protected:
        return f"`{protected[0]}` is VCS/Codex metadata, which stays read-only in the sandbox"
    for masked in policy.masked_paths:
        if within(path, masked):
            return f"it is in `{masked}`, which the sandbox policy hides (access `none`)"
    for read_only in policy.read_only_paths:
        if within(path, read_only):
            return f"it is in `{read_only}`, which the permission profile makes read-only"
    return "it is part of Codex's own state, which stays read-only in the sandbox"


def refuse_write(policy: SandboxPolicy, where: Located, path: Path | None = None, verb: str = "write") -> None:
    """``FsAccessDenied`` unless a sandboxed command could create, replace or remove ``path``
    (default: ``where.target``), and ``where`` is not hidden by the policy."""
    refuse_read(policy, where, verb)
    path = where.target if path is None else path
    if not policy.allows_write(path):
        shown = where.given if path in (where.target, where.entry) else path
        leads = f" (it resolves to `{path}`)" if shown == where.given and path != where.given else ""
        raise FsAccessDenied(f"cannot {verb} `{shown}`{leads}: {_write_reason(policy, path)}")
