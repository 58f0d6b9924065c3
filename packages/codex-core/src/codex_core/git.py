"""Finding the git repository a directory belongs to, the way git does.

A ``.git`` entry counts only when it is a ``gitdir:`` file or a directory that looks like a git
directory (has ``HEAD``). The sandbox leaves empty read-only ``.git`` placeholder directories in
writable roots (so a sandboxed command cannot create one); git ignores those and so do we.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

__all__ = ["HOST_GIT_CONFIG", "find_git_root", "git_info", "host_git", "is_git_marker"]

HOST_GIT_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "protocol.ext.allow=never",
)
"""Settings for every git command Codex itself runs on the host. A workspace's ``.git/config``
can name programs (``core.fsmonitor``, hooks, pager, external diff and textconv); Codex keeps that
metadata read-only in the sandbox, and in addition never lets its own git calls run them (diffs
also pass ``--no-ext-diff --no-textconv``)."""


def host_git(*args: str) -> list[str]:
    """The argv of ``git <args>`` as Codex runs it on the host (see :data:`HOST_GIT_CONFIG`)."""
    argv = ["git"]
    for setting in HOST_GIT_CONFIG:
        argv += ["-c", setting]
    return [*argv, *args]


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


def git_info(cwd: Path) -> dict[str, Any] | None:
    def run(*args: str) -> str | None:
        try:
            out = subprocess.run(host_git(*args), cwd=cwd, capture_output=True, text=True, timeout=2, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None

    if find_git_root(cwd) is None:
        return None
    info = {
        "commit_hash": run("rev-parse", "HEAD"),
        "branch": run("rev-parse", "--abbrev-ref", "HEAD"),
        "repository_url": run("config", "--get", "remote.origin.url"),
    }
    return {k: v for k, v in info.items() if v}
