"""Fuzzy search over the files and directories of a tree (the app-server's ``fuzzyFileSearch``).

Listing: ``git ls-files --cached --others --exclude-standard`` inside a git work tree (so
``.gitignore`` is respected; run through ``codex_core.git.host_git``, which disables
workspace-configured programs), else a directory walk that skips hidden entries and common
build directories; at most ``MAX_ENTRIES`` files. Directories are the parents of the files.

Matching is a case-insensitive subsequence match, scored like the TUI's ``@`` search:
consecutive characters, characters at word starts and characters in the last path component
score higher, longer paths lower. To stay within a few tens of milliseconds on 50,000 files in
CPython, a :class:`FileIndex` keeps every path, shortest first, lowercased in one newline-joined
string, and a query is one regular expression without backtracking
(``\\n[^a\\n]*a[^b\\n]*b...``: each line is tried once, from its start) run by the C regex engine;
only matching lines reach Python, and up to ``CANDIDATES`` of them are scored exactly, so the
ranking is exact for such queries. When more lines match (a short or common query), the
candidates are the shortest of them plus the shortest whose last component contains the query
(contiguously, then as a subsequence), which is where the best scores usually are: the ranking
is then a close approximation.

Indexes are cached per root for ``FRESH_S`` seconds; an older one still answers at once while a
fresh listing is built in the background.
"""

from __future__ import annotations

import bisect
import heapq
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import attrs

__all__ = ["CANDIDATES", "FRESH_S", "MAX_ENTRIES", "FileIndex", "FileMatch", "index_for", "list_files", "score_match"]

MAX_ENTRIES = 100_000
CANDIDATES = 2000
FRESH_S = 10.0
_MAX_HITS = 5000
_SKIP_DIRS = frozenset({".git", "node_modules", "__pycache__", ".venv", "venv", "target", "dist", "build"})
_SEPARATORS = "/_-. "

MatchType = Literal["file", "directory"]


@attrs.frozen
class FileMatch:
    path: str
    """Relative to the root, ``/``-separated."""
    match_type: MatchType
    score: int
    indices: tuple[int, ...]
    """Matched character positions in ``path`` (for highlighting)."""

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def list_files(root: Path, *, limit: int = MAX_ENTRIES) -> list[str]:
    """Relative POSIX paths of the files under ``root`` (git-aware, at most ``limit``)."""
    from codex_core.git import host_git

    try:
        proc = subprocess.run(
            host_git("ls-files", "--cached", "--others", "--exclude-standard", "-z"),
            cwd=root,
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        proc = None
    if proc is not None and proc.returncode == 0:
        names = dict.fromkeys(n for n in proc.stdout.decode("utf-8", "replace").split("\0") if n)
        return list(names)[:limit]
    return _walk(root, limit)


def _walk(root: Path, limit: int) -> list[str]:
    out: list[str] = []
    stack = [""]
    while stack and len(out) < limit:
        rel = stack.pop()
        try:
            with os.scandir(root / rel if rel else root) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
                continue
            path = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(path)
                elif entry.is_file(follow_symlinks=False):
                    out.append(path)
            except OSError:
                continue
    return out[:limit]


def score_match(query: str, path: str) -> tuple[int, tuple[int, ...]] | None:
    """``(score, indices)`` of ``path`` for ``query`` (case-insensitive subsequence), or ``None``.

    Bonuses per character: 1, +5 right after the previous match, +8 at the start or after a
    separator, +3 inside the last component; minus ``len(path) // 8``. The last component is
    tried first, then the whole path."""
    q, c = query.lower(), path.lower()
    base = c.rfind("/") + 1
    indices = _leftmost(q, c, base) or _leftmost(q, c, 0)
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
        if i >= base:
            score += 3
        prev = i
    return score - len(path) // 8, tuple(indices)


def _leftmost(q: str, c: str, start: int) -> list[int] | None:
    out: list[int] = []
    pos = start
    for ch in q:
        found = c.find(ch, pos)
        if found < 0:
            return None
        out.append(found)
        pos = found + 1
    return out


def _subsequence(query: str, *, in_last_component: bool = False) -> re.Pattern[str]:
    """A line of the corpus holding ``query`` as a subsequence (``in_last_component``: in its
    last component). Possessive quantifiers: the directories are skipped once, up to the last
    ``/``, and the scan for each character never backtracks."""
    stop = "/\\n" if in_last_component else "\\n"
    body = "".join(f"[^{ch}{stop}]*+{ch}" for ch in map(re.escape, query))
    prefix = "\\n(?:[^\\n/]*+/)*+" if in_last_component else "\\n"
    suffix = "[^/\\n]*+(?=\\n)" if in_last_component else ""
    return re.compile(prefix + body + suffix)


class FileIndex:
    """The entries of one tree, shortest first, ready for fast queries."""

    def __init__(self, files: list[str]) -> None:
        dirs: dict[str, None] = {}
        for f in files:
            cut = f.rfind("/")
            while cut > 0:
                parent = f[:cut]
                if parent in dirs:
                    break
                dirs[parent] = None
                cut = parent.rfind("/")
        entries = [(f, False) for f in files] + [(d, True) for d in dirs]
        entries.sort(key=lambda e: (len(e[0]), e[0]))
        self.paths = [e[0] for e in entries]
        self.is_dir = [e[1] for e in entries]
        self.built_at = time.monotonic()
        self._corpus = "\n" + "\n".join(p.lower() for p in self.paths) + "\n"
        self._starts: list[int] = []
        pos = 1
        for p in self.paths:
            self._starts.append(pos)
            pos += len(p) + 1

    def __len__(self) -> int:
        return len(self.paths)

    def _lines(self, pattern: re.Pattern[str], cap: int) -> Iterator[int]:
        """Indexes of the lines ``pattern`` matches (from the ``\\n`` before them), in order."""
        pos, found = 0, 0
        corpus, starts = self._corpus, self._starts
        while found < cap:
            m = pattern.search(corpus, pos)
            if m is None:
                return
            line = bisect.bisect_right(starts, m.start() + 1) - 1
            yield line
            found += 1
            pos = starts[line] + len(self.paths[line])  # the newline ending it starts the next try

    def _in_last_component(self, query: str, cap: int) -> Iterator[int]:
        """Lines whose last component contains ``query`` as is (``str.find``: no regex; at most
        ``_MAX_HITS`` occurrences looked at)."""
        corpus, starts, found, pos = self._corpus, self._starts, 0, 0
        for _ in range(_MAX_HITS):
            if found >= cap:
                return
            hit = corpus.find(query, pos)
            if hit < 0:
                return
            line = bisect.bisect_right(starts, hit) - 1
            end = starts[line] + len(self.paths[line])
            if corpus.rfind("/", hit, end) < 0 and corpus.rfind("/", starts[line], hit + 1) != hit:
                yield line
                found += 1
                pos = end
            else:  # in a directory name: look further in the same line, past the last `/`
                pos = max(hit + 1, corpus.rfind("/", hit, end) + 1)

    def search(self, query: str, *, limit: int = 50) -> list[FileMatch]:
        """The best ``limit`` matches, best first (ties: shorter, then alphabetical)."""
        query = query.strip().lower()
        if not query or "\n" in query:
            return []
        lines = list(self._lines(_subsequence(query), CANDIDATES + 1))
        if len(lines) > CANDIDATES:  # dense: add where the best scores are
            pool: dict[int, None] = {}
            if "/" not in query:  # a last component never holds a `/`
                pool.update(dict.fromkeys(self._in_last_component(query, limit)))
                pool.update(dict.fromkeys(self._lines(_subsequence(query, in_last_component=True), 4 * limit)))
            pool.update(dict.fromkeys(lines[:CANDIDATES]))
            lines = list(pool)
        scored: list[tuple[int, int, int, tuple[int, ...]]] = []
        for line in lines:
            result = score_match(query, self.paths[line])
            if result is not None:
                scored.append((-result[0], line, line, result[1]))
        best = heapq.nsmallest(limit, scored)
        return [
            FileMatch(
                path=self.paths[line],
                match_type="directory" if self.is_dir[line] else "file",
                score=-neg,
                indices=indices,
            )
            for neg, _, line, indices in best
        ]


_CACHE: dict[Path, FileIndex] = {}
_REFRESHING: set[Path] = set()
_LOCK = threading.Lock()


def index_for(root: Path, *, fresh_s: float = FRESH_S) -> FileIndex:
    """The cached index of ``root`` (built now if there is none; refreshed in the background
    once older than ``fresh_s``)."""
    with _LOCK:
        cached = _CACHE.get(root)
    if cached is None:
        built = FileIndex(list_files(root))
        with _LOCK:
            _CACHE[root] = built
        return built
    if time.monotonic() - cached.built_at > fresh_s:
        with _LOCK:
            start = root not in _REFRESHING
            _REFRESHING.add(root)
        if start:
            threading.Thread(target=_refresh, args=(root,), name="file-index", daemon=True).start()
    return cached


def _refresh(root: Path) -> None:
    try:
        built = FileIndex(list_files(root))
        with _LOCK:
            _CACHE[root] = built
    finally:
        with _LOCK:
            _REFRESHING.discard(root)
