"""The Myers line diff behind apply_patch's git-style diffs (``apply_patch.diff``).

Properties checked on random inputs: the diff applies to the old text and gives the new one,
the hunks are well formed, the number of changed lines is the fewest possible (checked against a
brute-force LCS), and where only one best alignment exists the output is byte for byte what the
previous ``difflib`` implementation printed.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from codex_core.apply_patch.diff import matching_blocks, unified_diff

_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n")
_NO_NEWLINE = "\\ No newline at end of file\n"


# -- helpers ------------------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    """Lines with their terminators (only ``\\n`` counts, unlike ``str.splitlines``)."""
    return re.findall(r"[^\n]*\n|[^\n]+", text)


def apply_unified(old: str, diff: str, context: int = 3) -> str:
    """Apply our diff to ``old``, checking every hunk header, context and removed line."""
    lines = diff.splitlines(keepends=True)
    while lines and not lines[0].startswith("@@"):
        lines.pop(0)
    src = _split(old)
    out: list[str] = []
    pos = 0  # next unconsumed line of src
    i = 0
    while i < len(lines):
        header = _HUNK.fullmatch(lines[i])
        assert header, f"bad hunk header {lines[i]!r}"
        old_start, old_len = int(header[1]), int(header[2] or 1)
        new_len = int(header[4] or 1)
        start = old_start - 1 if old_len else old_start  # ``-N,0`` names the line before
        assert start >= pos, "hunks overlap or are out of order"
        out += src[pos:start]
        pos = start
        i += 1
        body: list[tuple[str, str]] = []
        while i < len(lines) and not lines[i].startswith("@@"):
            tag, text = lines[i][0], lines[i][1:]
            assert tag in " -+", f"bad hunk line {lines[i]!r}"
            i += 1
            if i < len(lines) and lines[i] == _NO_NEWLINE:
                text = text.removesuffix("\n")
                i += 1
            body.append((tag, text))
        assert sum(tag != "+" for tag, _ in body) == old_len
        assert sum(tag != "-" for tag, _ in body) == new_len
        assert any(tag != " " for tag, _ in body), "hunk without a change"
        lead = next(k for k, (tag, _) in enumerate(body) if tag != " ")
        trail = next(k for k, (tag, _) in enumerate(reversed(body)) if tag != " ")
        assert lead <= context and trail <= context
        for tag, text in body:
            if tag != "+":
                assert pos < len(src) and src[pos] == text, f"line {pos + 1} does not match {text!r}"
                pos += 1
            if tag != "-":
                out.append(text)
    return "".join(out + src[pos:])


def changed_lines(diff: str) -> int:
    return sum(1 for line in diff.splitlines() if line[:1] in "-+" and not line.startswith(("---", "+++")))


def lcs_and_alignments(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[int, int]:
    """Length of the longest common subsequence and how many distinct sets of matched line pairs
    reach it (counted by their first pair, so none twice)."""

    @cache
    def length(i: int, j: int) -> int:
        if i == len(a) or j == len(b):
            return 0
        if a[i] == b[j]:
            return 1 + length(i + 1, j + 1)
        return max(length(i + 1, j), length(i, j + 1))

    @cache
    def count(i: int, j: int) -> int:
        best = length(i, j)
        if best == 0:
            return 1
        return sum(
            count(p + 1, q + 1)
            for p in range(i, len(a))
            for q in range(j, len(b))
            if a[p] == b[q] and 1 + length(p + 1, q + 1) == best
        )

    return length(0, 0), count(0, 0)


def difflib_diff(old: str, new: str, context: int = 3) -> str:
    """The previous implementation (``difflib.SequenceMatcher``), for comparison."""
    a, b = _split(old), _split(new)
    out = ["diff --git a/f b/f\n", "--- a/f\n", "+++ b/f\n"]

    def emit(prefix: str, line: str) -> None:
        out.append(prefix + line if line.endswith("\n") else prefix + line + "\n" + _NO_NEWLINE)

    def rng(start: int, length: int) -> str:
        return f"{start + 1}" if length == 1 else f"{start},0" if length == 0 else f"{start + 1},{length}"

    groups = list(difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(context))
    if not groups:
        return ""
    for group in groups:
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{rng(i1, i2 - i1)} +{rng(j1, j2 - j1)} @@\n")
        for tag, x1, x2, y1, y2 in group:
            for line in a[x1:x2]:
                emit(" " if tag == "equal" else "-", line)
            if tag != "equal":
                for line in b[y1:y2]:
                    emit("+", line)
    return "".join(out)


def _text(lines: list[str], newline_at_end: bool) -> str:
    text = "".join(line + "\n" for line in lines)
    return text[:-1] if text and not newline_at_end else text


small_files = st.builds(_text, st.lists(st.sampled_from(["a", "b", "c", "d", "", "}"]), max_size=9), st.booleans())


# -- properties ---------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(old=small_files, new=small_files, context=st.sampled_from([0, 1, 3]))
def test_random_diffs_apply_are_minimal_and_match_difflib_when_unambiguous(old: str, new: str, context: int) -> None:
    diff = unified_diff("f", "f", old, new, context=context)
    if old == new:
        assert diff == ""
        return
    assert apply_unified(old, diff, context) == new
    a, b = tuple(_split(old)), tuple(_split(new))
    lcs, alignments = lcs_and_alignments(a, b)
    assert changed_lines(diff) == len(a) + len(b) - 2 * lcs  # the fewest changed lines
    reference = difflib_diff(old, new, context)
    if alignments == 1 and changed_lines(reference) == changed_lines(diff):
        assert diff == reference


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(0, 60),
    edits=st.lists(st.tuples(st.sampled_from(["replace", "insert", "delete"]), st.integers(0, 59)), max_size=8),
)
def test_edits_of_distinct_lines_give_difflibs_exact_output(size: int, edits: list[tuple[str, int]]) -> None:
    # distinct lines: one best alignment, the common shape of an edit of source code
    old_lines = [f"line {i}" for i in range(size)]
    new_lines = list(old_lines)
    for n, (kind, at) in enumerate(edits):
        at = min(at, len(new_lines))
        if kind == "insert":
            new_lines.insert(at, f"new {n}")
        elif at < len(new_lines):
            if kind == "replace":
                new_lines[at] = f"changed {n}"
            else:
                del new_lines[at]
    old, new = _text(old_lines, True), _text(new_lines, True)
    assert unified_diff("f", "f", old, new) == difflib_diff(old, new)


def test_budget_exhaustion_still_gives_a_valid_diff() -> None:
    old = [f"{i}" for i in range(300)]
    new = old[::-1]
    full = matching_blocks(old, new)
    cheap = matching_blocks(old, new, budget=10)
    assert sum(size for *_, size in cheap) <= sum(size for *_, size in full)
    for i, j, size in cheap:
        assert old[i : i + size] == new[j : j + size]
    assert cheap[-1] == (300, 300, 0)


# -- examples -----------------------------------------------------------------------------------


def test_one_line_change_in_a_large_file_is_one_hunk() -> None:
    old = [f"line {i}" for i in range(20_000)]
    new = list(old)
    new[10_000] = "edited"
    diff = unified_diff("big.txt", "big.txt", _text(old, True), _text(new, True))
    assert diff == (
        "diff --git a/big.txt b/big.txt\n--- a/big.txt\n+++ b/big.txt\n"
        "@@ -9998,7 +9998,7 @@\n line 9997\n line 9998\n line 9999\n-line 10000\n+edited\n"
        " line 10001\n line 10002\n line 10003\n"
    )


def test_files_with_nothing_in_common_are_one_replacement() -> None:
    old = _text([f"old {i}" for i in range(20_000)], True)
    new = _text([f"new {i}" for i in range(20_000)], True)
    diff = unified_diff("f", "f", old, new)
    assert diff.count("@@ -") == 1 and "@@ -1,20000 +1,20000 @@\n" in diff
    assert apply_unified(old, diff) == new


def test_shuffled_large_file_gives_an_applicable_diff() -> None:
    import random

    lines = [f"line {i}" for i in range(5_000)]
    shuffled = list(lines)
    random.Random(1).shuffle(shuffled)
    old, new = _text(lines, True), _text(shuffled, True)
    assert apply_unified(old, unified_diff("f", "f", old, new)) == new


def test_missing_final_newline_is_a_change_of_its_own() -> None:
    assert unified_diff("f", "f", "a\nb", "a\nb\n") == (
        "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
    )
    assert unified_diff("f", "f", "x\ny\n", "x\ny") == difflib_diff("x\ny\n", "x\ny")
    assert unified_diff("f", "f", "same", "same") == ""
