"""The project root: where project config (``.codex/config.toml``) and AGENTS.md lookups start.

Codex walks up from the working directory to the first directory holding one of the
``project_root_markers`` (default ``[".git"]``). Project layers and AGENTS.md files are read in
every directory from that root down to the working directory. ``project_root_markers = []``
turns the walk off: only the working directory itself is looked at.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from codex_core.git import is_git_marker

__all__ = ["DEFAULT_PROJECT_ROOT_MARKERS", "find_project_root"]

DEFAULT_PROJECT_ROOT_MARKERS: Final = (".git",)


def _has_marker(directory: Path, marker: str) -> bool:
    candidate = directory / marker
    if marker == ".git":
        return is_git_marker(candidate)  # a real repository (directory or gitdir file), as git sees it
    return os.path.lexists(candidate)


def find_project_root(cwd: Path, markers: Sequence[str] = DEFAULT_PROJECT_ROOT_MARKERS) -> Path | None:
    """The nearest directory at or above ``cwd`` holding one of ``markers``; ``None`` when there
    is none (or no markers), meaning "the working directory alone"."""
    names = [m for m in markers if m and not os.path.isabs(m) and m not in (".", "..")]
    if not names:
        return None
    for directory in (cwd, *cwd.parents):
        if any(_has_marker(directory, m) for m in names):
            return directory
    return None
