"""Fuzzy file search for ``@`` mentions in the composer.

Files come from ``git ls-files`` (tracked + untracked, respecting ``.gitignore``) when the
working directory is inside a git repository, else from a bounded directory walk that skips
hidden and common build directories. Matching is a subsequence match scored so that
contiguous runs, matches at word starts and matches in the file name rank first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["FileMatch", "fuzzy_match", "list_repo_files", "search_files"]

MAX_FILES = 50_000


@dataclass(frozen=True, slots=True)
class FileMatch:
    """A candidate path with its score and the matched character indices (for highlighting)."""

    path: str
    score: int
    indices: tuple[int, ...]


def list_repo_files(root: Path, *, limit: int = MAX_FILES) -> list[str]:
    """Relative POSIX paths of the files under ``root`` (git-aware, at most ``limit``), sorted;
    listed by ``codex_core.file_search`` (the app-server's ``fuzzyFileSearch`` uses it too)."""
    from codex_core.file_search import list_files

    return sorted(list_files(root, limit=limit))


def fuzzy_match(query: str, candidate: str) -> FileMatch | None:
    """Score ``candidate`` against ``query`` (case-insensitive subsequence), or ``None``.

    Higher is better; the scoring is the app-server's (``codex_core.file_search.score_match``):
    consecutive characters, matches at the start or after a separator and matches in the final
    path component score higher, longer paths lower. An empty query matches everything,
    shortest first.
    """
    if not query:
        return FileMatch(candidate, -len(candidate), ())
    from codex_core.file_search import score_match

    result = score_match(query, candidate)
    return None if result is None else FileMatch(candidate, result[0], result[1])


def search_files(query: str, files: list[str], *, limit: int = 8) -> list[FileMatch]:
    """The best ``limit`` matches for ``query`` among ``files``, best first."""
    matches = [m for f in files if (m := fuzzy_match(query, f)) is not None]
    matches.sort(key=lambda m: (-m.score, m.path))
    return matches[:limit]
