"""Git-style unified diffs for apply_patch results (pure, no I/O).

The output is accepted by ``git apply``: ``diff --git`` headers, ``new file mode`` /
``deleted file mode`` / ``rename from``/``rename to`` lines and ``\\ No newline at end of
file`` markers where needed.

Lines are matched with Myers' O((N+M)D) algorithm in linear space (the "middle snake"
bisection), not ``difflib.SequenceMatcher``: that one is quadratic in the file length, and a
one-line edit of a 20,000-line file took close to a minute. Three steps keep the common case
cheap: the common prefix and suffix are trimmed with slice comparisons (C speed), lines that
occur on one side only are set aside before the search (they can never match), and long equal
runs found during the search are skipped the same way. The search has a work budget; past it,
the part still unmatched becomes one plain replacement, so wholly rewritten or shuffled files
cannot blow up. The hunks are grouped exactly like ``difflib``'s ``get_grouped_opcodes``, so on
edits with one best alignment the output is the same as before.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from math import isqrt

__all__ = ["matching_blocks", "unified_diff"]

_NO_NEWLINE = "\\ No newline at end of file\n"

SEARCH_BUDGET = 100_000
"""Diagonals the Myers search may visit per diff (about 0.1 s of Python); past it the remaining
unmatched regions become plain replacements."""

Block = tuple[int, int, int]
"""``(i, j, size)``: ``old[i:i+size] == new[j:j+size]``."""
Opcode = tuple[str, int, int, int, int]


def _range(start: int, length: int) -> str:
    if length == 1:
        return f"{start + 1}"
    if length == 0:
        return f"{start},0"
    return f"{start + 1},{length}"


def _emit(prefix: str, lines: list[str], out: list[str]) -> None:
    """Append ``lines`` with ``prefix`` as one chunk (a join, not a string per line)."""
    if not lines:
        return
    last = lines[-1]
    if last.endswith("\n"):  # the file's last line, which lacks its newline (see ``_lines``)
        lines = [*lines[:-1], last[:-1]]
        out.append(prefix + ("\n" + prefix).join(lines) + "\n" + _NO_NEWLINE)
    else:
        out.append(prefix + ("\n" + prefix).join(lines) + "\n")


# -- matching -----------------------------------------------------------------------------------


def _common_prefix(a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int) -> int:
    """Length of the equal run at the start of ``a[alo:ahi]`` and ``b[blo:bhi]``.

    Gallops with slice comparisons, so a long run costs C time, not a Python loop per line.
    """
    limit = min(ahi - alo, bhi - blo)
    if limit <= 0 or a[alo] != b[blo]:
        return 0
    equal, step = 1, 1
    while True:
        probe = min(equal + step, limit)
        if a[alo + equal : alo + probe] != b[blo + equal : blo + probe]:
            break
        equal = probe
        if equal == limit:
            return equal
        step *= 2
    # a[..equal) matches, a[equal..probe) holds a mismatch
    while probe - equal > 1:
        mid = (equal + probe) // 2
        if a[alo + equal : alo + mid] == b[blo + equal : blo + mid]:
            equal = mid
        else:
            probe = mid
    return equal


def _common_suffix(a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int) -> int:
    """Length of the equal run at the end of ``a[alo:ahi]`` and ``b[blo:bhi]`` (galloping too)."""
    limit = min(ahi - alo, bhi - blo)
    if limit <= 0 or a[ahi - 1] != b[bhi - 1]:
        return 0
    equal, step = 1, 1
    while True:
        probe = min(equal + step, limit)
        if a[ahi - probe : ahi - equal] != b[bhi - probe : bhi - equal]:
            break
        equal = probe
        if equal == limit:
            return equal
        step *= 2
    while probe - equal > 1:
        mid = (equal + probe) // 2
        if a[ahi - mid : ahi - equal] == b[bhi - mid : bhi - equal]:
            equal = mid
        else:
            probe = mid
    return equal


class _Search:
    """Myers' linear-space search over one pair of sequences, with a shared work budget."""

    def __init__(self, a: Sequence[str], b: Sequence[str], budget: int) -> None:
        self.a = a
        self.b = b
        self.budget = budget

    def blocks(self) -> list[Block]:
        """Matched runs of an edit script, minimal unless the budget ran out (sorted)."""
        a, b = self.a, self.b
        out: list[Block] = []
        stack = [(0, len(a), 0, len(b))]
        while stack:
            alo, ahi, blo, bhi = stack.pop()
            k = _common_prefix(a, alo, ahi, b, blo, bhi)
            if k:
                out.append((alo, blo, k))
                alo += k
                blo += k
            k = _common_suffix(a, alo, ahi, b, blo, bhi)
            if k:
                out.append((ahi - k, bhi - k, k))
                ahi -= k
                bhi -= k
            if alo == ahi or blo == bhi:
                continue
            split = self._middle_snake(alo, ahi, blo, bhi)
            if split is None:
                continue  # nothing in common, or over budget: a plain replacement
            x, y = split
            stack.append((x, ahi, y, bhi))
            stack.append((alo, x, blo, y))
        out.sort()
        return out

    def _middle_snake(self, alo: int, ahi: int, blo: int, bhi: int) -> tuple[int, int] | None:
        """A point on a shortest edit path of the box, strictly inside it; ``None`` when the box
        has no common line or the budget is spent.

        Forward and reverse searches run in turn (``v1``/``v2`` hold the furthest x reached on
        each diagonal); the first overlap gives the split. The box has no common prefix/suffix.
        """
        a, b = self.a, self.b
        n, m = ahi - alo, bhi - blo
        # the budget bounds how far d can go (the rounds up to d cost about d * d), and with it
        # the diagonals to keep: the arrays need not span the whole box
        max_d = min((n + m + 1) // 2, isqrt(max(self.budget, 0)) + 1)
        offset = max_d + 1
        size = 2 * max_d + 3
        v1 = [-1] * size
        v2 = [-1] * size
        v1[offset + 1] = 0
        v2[offset + 1] = 0
        delta = n - m
        front = delta % 2 != 0
        k1start = k1end = k2start = k2end = 0
        for d in range(max_d):
            self.budget -= 2 * d + 2
            if self.budget < 0:
                return None
            for k1 in range(-d + k1start, d + 1 - k1end, 2):
                k1o = offset + k1
                if k1 == -d or (k1 != d and v1[k1o - 1] < v1[k1o + 1]):
                    x1 = v1[k1o + 1]
                else:
                    x1 = v1[k1o - 1] + 1
                y1 = x1 - k1
                if x1 < n and y1 < m and a[alo + x1] == b[blo + y1]:
                    x1 += _common_prefix(a, alo + x1, ahi, b, blo + y1, bhi)
                    y1 = x1 - k1
                v1[k1o] = x1
                if x1 > n:
                    k1end += 2  # ran off the right edge
                elif y1 > m:
                    k1start += 2  # ran off the bottom edge
                elif front:
                    k2o = offset + delta - k1
                    if 0 <= k2o < size and v2[k2o] != -1 and x1 >= n - v2[k2o]:
                        return self._checked(alo + x1, blo + y1, alo, ahi, blo, bhi)
            for k2 in range(-d + k2start, d + 1 - k2end, 2):
                k2o = offset + k2
                if k2 == -d or (k2 != d and v2[k2o - 1] < v2[k2o + 1]):
                    x2 = v2[k2o + 1]
                else:
                    x2 = v2[k2o - 1] + 1
                y2 = x2 - k2
                if x2 < n and y2 < m and a[ahi - 1 - x2] == b[bhi - 1 - y2]:
                    x2 += _common_suffix(a, alo, ahi - x2, b, blo, bhi - y2)
                    y2 = x2 - k2
                v2[k2o] = x2
                if x2 > n:
                    k2end += 2
                elif y2 > m:
                    k2start += 2
                elif not front:
                    k1o = offset + delta - k2
                    if 0 <= k1o < size and v1[k1o] != -1:
                        x1 = v1[k1o]
                        y1 = x1 - (k1o - offset)
                        if x1 >= n - x2:
                            return self._checked(alo + x1, blo + y1, alo, ahi, blo, bhi)
        return None

    @staticmethod
    def _checked(x: int, y: int, alo: int, ahi: int, blo: int, bhi: int) -> tuple[int, int] | None:
        """The split, unless it would not shrink the box (then: treat it as a replacement)."""
        if (x, y) in ((alo, blo), (ahi, bhi)):
            return None
        return x, y


class _Reduced:
    """One side of the middle region without its lines that never occur on the other side.

    Such lines cannot be matched, so leaving them out keeps the edit script minimal while the
    search gets shorter sequences: a line replaced by new text disappears from both sides, and
    files with nothing in common need no search at all.
    """

    def __init__(self, lines: list[str], other: set[str]) -> None:
        dropped = [i for i, line in enumerate(lines) if line not in other]
        kept: list[str] = []
        start = 0
        for i in dropped:
            kept += lines[start:i]
            start = i + 1
        kept += lines[start:]
        self.lines = kept
        self.gaps = [i - rank for rank, i in enumerate(dropped)]
        """For each dropped line, the reduced index of the first kept line after it."""

    def original(self, r: int) -> int:
        """The index in the middle region of reduced line ``r``."""
        return r + bisect_right(self.gaps, r)

    def cuts(self, r: int, size: int) -> set[int]:
        """Offsets ``t`` in the run ``[r, r + size)`` that follow a dropped line (a break)."""
        return {g - r for g in self.gaps[bisect_right(self.gaps, r) : bisect_left(self.gaps, r + size)]}


def _middle_blocks(old: list[str], new: list[str], budget: int) -> list[Block]:
    """Matched runs between two sequences with no common first or last line."""
    a, b = _Reduced(old, set(new)), _Reduced(new, set(old))
    if not a.lines or not b.lines:
        return []
    out: list[Block] = []
    for i, j, size in _Search(a.lines, b.lines, budget).blocks():
        start = 0
        for cut in sorted(a.cuts(i, size) | b.cuts(j, size) | {size}):
            out.append((a.original(i + start), b.original(j + start), cut - start))
            start = cut
    return out


def matching_blocks(old: Sequence[str], new: Sequence[str], *, budget: int = SEARCH_BUDGET) -> list[Block]:
    """Matched runs ``(i, j, size)`` turning ``old`` into ``new`` with the fewest changed lines
    (unless ``budget`` runs out), sorted, adjacent runs merged, ending with ``(len(old),
    len(new), 0)`` like ``difflib.SequenceMatcher.get_matching_blocks``."""
    n, m = len(old), len(new)
    head = _common_prefix(old, 0, n, new, 0, m)
    tail = _common_suffix(old, head, n, new, head, m)
    blocks: list[Block] = []
    if head:
        blocks.append((0, 0, head))
    if head < n - tail and head < m - tail:
        middle = _middle_blocks(list(old[head : n - tail]), list(new[head : m - tail]), budget)
        blocks += [(head + i, head + j, size) for i, j, size in middle]
    if tail:
        blocks.append((n - tail, m - tail, tail))
    merged: list[Block] = []
    for i, j, size in blocks:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            pi, pj, psize = merged[-1]
            merged[-1] = (pi, pj, psize + size)
        else:
            merged.append((i, j, size))
    merged.append((n, m, 0))
    return merged


# -- hunks --------------------------------------------------------------------------------------


def _opcodes(blocks: list[Block]) -> list[Opcode]:
    """``difflib``-style opcodes (``equal``/``replace``/``delete``/``insert``) from matched runs."""
    codes: list[Opcode] = []
    i = j = 0
    for ai, bj, size in blocks:
        tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert" if j < bj else ""
        if tag:
            codes.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            codes.append(("equal", ai, i, bj, j))
    return codes


def _grouped(codes: list[Opcode], context: int) -> list[list[Opcode]]:
    """Opcodes cut into hunks with ``context`` equal lines around each change (as ``difflib``'s
    ``get_grouped_opcodes``: changes at most ``2 * context`` lines apart share a hunk)."""
    if not codes:
        codes = [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups


def _hunks(old: str, new: str, context: int) -> list[str]:
    old_lines = _lines(old)
    new_lines = _lines(new)
    out: list[str] = []
    for group in _grouped(_opcodes(matching_blocks(old_lines, new_lines)), context):
        first, last = group[0], group[-1]
        old_start, old_end = first[1], last[2]
        new_start, new_end = first[3], last[4]
        out.append(f"@@ -{_range(old_start, old_end - old_start)} +{_range(new_start, new_end - new_start)} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                _emit(" ", old_lines[i1:i2], out)
                continue
            _emit("-", old_lines[i1:i2], out)
            _emit("+", new_lines[j1:j2], out)
    return out


def _lines(text: str) -> list[str]:
    """The lines of ``text``, each without its ``\\n`` (no per-line string to build).

    A last line lacking the newline is the one line kept *with* a ``\\n`` appended: no other
    line can contain one, so it never matches a complete line of the same text, and ``_emit``
    knows to add the "No newline at end of file" marker after it.
    """
    if not text:
        return []
    lines = text.split("\n")
    last = lines.pop()
    if last:
        lines.append(last + "\n")
    return lines


def unified_diff(
    old_path: str | None,
    new_path: str | None,
    old: str,
    new: str,
    *,
    context: int = 3,
    old_mode: str = "100644",
    new_mode: str = "100644",
) -> str:
    """Return a git-style diff turning ``old`` (at ``old_path``) into ``new`` (at ``new_path``).

    ``old_path=None`` means the file is created, ``new_path=None`` that it is deleted; paths
    are written with ``a/`` and ``b/`` prefixes. Returns ``""`` when nothing changes.
    """
    if old_path is None and new_path is None:
        raise ValueError("unified_diff needs at least one path")
    a_name = old_path if old_path is not None else new_path
    b_name = new_path if new_path is not None else old_path
    header = [f"diff --git a/{a_name} b/{b_name}\n"]
    if old_path is None:
        header.append(f"new file mode {new_mode}\n")
    elif new_path is None:
        header.append(f"deleted file mode {old_mode}\n")
    elif old_path != new_path:
        if old == new:
            header.append("similarity index 100%\n")
        header.append(f"rename from {old_path}\n")
        header.append(f"rename to {new_path}\n")
    body = _hunks(old, new, context)
    if not body:
        # Unchanged in place: no diff. Renames and empty adds/deletes: headers only.
        return "" if old_path == new_path else "".join(header)
    header.append(f"--- {'a/' + old_path if old_path is not None else '/dev/null'}\n")
    header.append(f"+++ {'b/' + new_path if new_path is not None else '/dev/null'}\n")
    return "".join(header + body)
