"""Coloured unified diffs for the transcript, and the working-tree diff behind ``/diff``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text

__all__ = ["git_working_tree_diff", "render_diff", "run_git"]

_STYLES = (
    ("+++", "bold"),
    ("---", "bold"),
    ("@@", "cyan"),
    ("+", "green"),
    ("-", "red"),
    ("diff ", "bold"),
    ("index ", "dim"),
    ("new file", "dim"),
    ("deleted file", "dim"),
)


def render_diff(diff: str) -> Text:
    """A rich ``Text`` with added lines green, removed lines red and hunk headers cyan."""
    text = Text()
    for line in diff.splitlines():
        style = ""
        for prefix, candidate in _STYLES:
            if line.startswith(prefix):
                style = candidate
                break
        text.append(line + "\n", style=style)
    text.rstrip()
    return text


async def run_git(cwd: Path, *args: str) -> tuple[int, str]:
    """``(exit code, stdout or stderr)`` of host ``git args`` in ``cwd``."""
    from codex_core.git import host_git

    proc = await asyncio.create_subprocess_exec(
        *host_git(*args),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    code = proc.returncode if proc.returncode is not None else 1
    return code, (out if code == 0 else err).decode("utf-8", "replace")


async def git_working_tree_diff(cwd: Path) -> str | None:
    """``git diff`` against ``HEAD`` plus untracked files as additions; ``None`` outside a repo."""
    try:
        code, _ = await run_git(cwd, "rev-parse", "--is-inside-work-tree")
    except OSError:
        return None
    if code != 0:
        return None
    code, has_head = await run_git(cwd, "rev-parse", "--verify", "-q", "HEAD")
    base = ["HEAD"] if code == 0 and has_head.strip() else []
    _, tracked = await run_git(cwd, "diff", "--no-color", "--no-ext-diff", "--no-textconv", *base)
    _, untracked_list = await run_git(cwd, "ls-files", "--others", "--exclude-standard", "-z")
    parts = [tracked] if tracked.strip() else []
    for name in (n for n in untracked_list.split("\0") if n):
        # `git diff --no-index` exits 1 when files differ, which is the expected case here.
        _, added = await _git_no_index(cwd, name)
        if added.strip():
            parts.append(added)
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


async def _git_no_index(cwd: Path, name: str) -> tuple[int, str]:
    from codex_core.git import host_git

    proc = await asyncio.create_subprocess_exec(
        *host_git("diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-index", "--", "/dev/null", name),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode("utf-8", "replace")
