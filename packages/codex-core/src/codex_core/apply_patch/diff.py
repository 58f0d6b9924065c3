"""Git-style unified diffs for apply_patch results (pure, no I/O).

The output is accepted by ``git apply``: ``diff --git`` headers, ``new file mode`` /
``deleted file mode`` / ``rename from``/``rename to`` lines and ``\\ No newline at end of
file`` markers where needed.
"""

from __future__ import annotations

import difflib

__all__ = ["unified_diff"]

_NO_NEWLINE = "\\ No newline at end of file\n"


def _range(start: int, length: int) -> str:
    if length == 1:
        return f"{start + 1}"
    if length == 0:
        return f"{start},0"
    return f"{start + 1},{length}"


def _emit(prefix: str, line: str, out: list[str]) -> None:
    if line.endswith("\n"):
        out.append(prefix + line)
    else:
        out.append(prefix + line + "\n")
        out.append(_NO_NEWLINE)


def _hunks(old: str, new: str, context: int) -> list[str]:
    old_lines = _lf_lines(old)
    new_lines = _lf_lines(new)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        old_start, old_end = first[1], last[2]
        new_start, new_end = first[3], last[4]
        out.append(f"@@ -{_range(old_start, old_end - old_start)} +{_range(new_start, new_end - new_start)} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in old_lines[i1:i2]:
                    _emit(" ", line, out)
                continue
            for line in old_lines[i1:i2]:
                _emit("-", line, out)
            for line in new_lines[j1:j2]:
                _emit("+", line, out)
    return out


def _lf_lines(text: str) -> list[str]:
    if not text:
        return []
    pieces = text.split("\n")
    lines = [piece + "\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
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
