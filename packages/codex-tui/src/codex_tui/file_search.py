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
_SEPARATORS = "/_-. "


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

    Higher is better. Bonuses: consecutive characters, a match right after a separator or at
    the start, and matches inside the final path component; shorter paths win ties.
    """
    if not query:
        return FileMatch(candidate, -len(candidate), ())
    q = query.lower()
    c = candidate.lower()
    basename_start = c.rfind("/") + 1
    # Greedy from the right end of the basename is good enough and O(n): try a match that
    # prefers the basename first, fall back to a left-to-right scan.
    indices = _match_indices(q, c, start=basename_start) or _match_indices(q, c, start=0)
    if indices is None:
        return None
    score = 0
    prev = -2
    for i in indices:
        score += 1
        if i == prev + 1:
            score += 5
        if i == 0 or c[i - 1] in _SEPARATORS:
            score += 8
        if i >= basename_start:
            score += 3
        prev = i
    score -= len(candidate) // 8
    return FileMatch(candidate, score, tuple(indices))


def _match_indices(q: str, c: str, *, start: int) -> list[int] | None:
    indices: list[int] = []
    pos = start
    for ch in q:
        found = c.find(ch, pos)
        if found < 0:
            return None
        indices.append(found)
        pos = found + 1
    return indices


def search_files(query: str, files: list[str], *, limit: int = 8) -> list[FileMatch]:
    """The best ``limit`` matches for ``query`` among ``files``, best first."""
    matches = [m for f in files if (m := fuzzy_match(query, f)) is not None]
    matches.sort(key=lambda m: (-m.score, m.path))
    return matches[:limit]
