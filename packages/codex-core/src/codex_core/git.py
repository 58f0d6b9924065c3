"""Finding the git repository a directory belongs to, the way git does.

A ``.git`` entry counts only when it is a ``gitdir:`` file or a directory that looks like a git
directory (has ``HEAD``). The sandbox leaves empty read-only ``.git`` placeholder directories in
writable roots (so a sandboxed command cannot create one); git ignores those and so do we.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["find_git_root", "is_git_marker"]


def is_git_marker(dot_git: Path) -> bool:
    try:
        if dot_git.is_file():
            return dot_git.read_text(encoding="utf-8", errors="replace").startswith("gitdir:")
        return (dot_git / "HEAD").exists()
    except OSError:
        return False


def find_git_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding a real ``.git``."""
    for d in (start, *start.parents):
        if is_git_marker(d / ".git"):
            return d
    return None
