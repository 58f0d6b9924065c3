"""Time of the git-style diff apply_patch computes for every change (``apply_patch.diff``).

Budget (issue 14): at most 30 ms for 50 one-line hunks spread over a 20,000-line file, and no
blow-up on files with nothing (or little) in common: well under a second. Prints the best and the
median of RUNS runs per case; the difflib line is the previous implementation
(``SequenceMatcher(autojunk=False)``) on a smaller file, for scale (it grows with the square of
the file length: one changed line in a 20,000-line file took 17-57 s).
Run: `uv run python benchmarks/apply_patch_diff.py`.
"""

from __future__ import annotations

import difflib
import os
import random
import statistics
import time
from collections.abc import Callable

from codex_core.apply_patch.diff import unified_diff

RUNS = int(os.environ.get("RUNS", "9"))
LINES = 20_000


def _file(n: int, rng: random.Random) -> list[str]:
    """Source-like text: unique lines between many repeated ones (blank lines, ``return``s), the
    shape that made ``difflib`` slow."""
    lines: list[str] = []
    i = 0
    while len(lines) < n:
        lines += [
            f"def handler_{i}(request):\n",
            "    if request is None:\n",
            "        return None\n",
            f"    value = compute(request, {rng.randrange(10**6)})\n",
            "    return value\n",
            "\n",
            "\n",
        ]
        i += 1
    return lines[:n]


def _one_line_hunks(old: list[str], count: int, rng: random.Random) -> list[str]:
    new = list(old)
    stride = len(old) // count
    for k in range(count):
        i = k * stride + rng.randrange(stride)
        new[i] = f"    # edited line {k}\n"
    return new


def _inserted_duplicates(old: list[str], count: int, rng: random.Random) -> list[str]:
    """Changes whose lines already occur elsewhere (blank lines, copies): no shortcut applies."""
    new = list(old)
    for k in range(count):
        i = rng.randrange(len(new))
        if k % 2:
            new.insert(i, "\n")
        else:
            del new[i]
    return new


def _time(fn: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def _old_diff(old: str, new: str) -> list[str]:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [str(group) for group in matcher.get_grouped_opcodes(3)]


def main() -> None:
    rng = random.Random(14)
    old = _file(LINES, rng)
    shuffled = list(old)
    rng.shuffle(shuffled)
    cases = {
        "50 one-line hunks, 20k lines": _one_line_hunks(old, 50, rng),
        "1,000 one-line hunks, 20k lines": _one_line_hunks(old, 1000, rng),
        "50 blank-line inserts/deletes, 20k lines": _inserted_duplicates(old, 50, rng),
        "20k lines replaced by 20k other lines": [f"other {i}\n" for i in range(LINES)],
        "20k lines shuffled (search budget runs out)": shuffled,
        "20k lines reversed (search budget runs out)": old[::-1],
        "20k random lines of a 2-letter alphabet": [rng.choice("ab") + "\n" for _ in range(LINES)],
    }
    old_text = "".join(old)
    print(f"unified_diff, best / median of {RUNS} runs:")
    for name, new in cases.items():
        new_text = "".join(new)
        if name.startswith("20k random"):
            base = "".join(rng.choice("ab") + "\n" for _ in range(LINES))
            best, median = _time(lambda: unified_diff("f", "f", base, new_text))  # noqa: B023
        else:
            best, median = _time(lambda: unified_diff("f", "f", old_text, new_text))  # noqa: B023
        print(f"  {name:<46} {best:8.1f} ms {median:8.1f} ms")
    small = 5_000
    small_old = "".join(old[:small])
    small_new = "".join(_one_line_hunks(old[:small], 1, rng))
    start = time.perf_counter()
    _old_diff(small_old, small_new)
    elapsed = time.perf_counter() - start
    print(f"difflib (previous implementation), one changed line in {small:,} lines: {elapsed * 1000:.0f} ms")


if __name__ == "__main__":
    main()
