"""Diffs as Codex shows them, and the working-tree diff behind ``/diff``.

A unified diff (core's ``FileChange.diff``, or ``git diff``) is parsed into files and hunks and
rendered per file as ``path (+N −M)`` with line numbers, removed lines on a red and added lines
on a green background, and the code syntax-highlighted (pygments, through rich's ``Syntax``).
The same rendering is used before approval, after a patch is applied, and by ``/diff``.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rich.style import Style
from rich.text import Span, Text

__all__ = [
    "DiffLine",
    "FileDiff",
    "change_counts",
    "display_path",
    "git_working_tree_diff",
    "parse_unified_diff",
    "render_changes",
    "render_diff",
    "render_file_diff",
    "run_git",
]

ADD_BG = "on color(22)"
DEL_BG = "on color(52)"
"""Codex's backgrounds: dark green (256-colour 22) and dark red (52)."""
SYNTAX_THEME = "ansi_dark"
"""Token colours from the terminal's own palette, so they stay legible on its background."""
MINUS = "\u2212"
_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class DiffLine:
    kind: Literal["add", "del", "ctx", "gap"]
    """``gap`` separates two hunks (shown as ``⋮``)."""
    old: int | None = None
    new: int | None = None
    text: str = ""


@dataclass
class FileDiff:
    """One file of a unified diff."""

    path: str
    """The path shown: the new name (the old one for a deletion)."""
    kind: Literal["add", "delete", "update"] = "update"
    old_path: str | None = None
    """Set when the file was moved or renamed."""
    lines: list[DiffLine] = field(default_factory=list)
    counted: bool = True
    """False for a change known only by name (no diff): no ``(+N −M)`` is shown for it."""

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "add")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "del")


def _strip_prefix(name: str) -> str | None:
    name = name.strip().split("\t", 1)[0]
    if name == "/dev/null":
        return None
    if name.startswith('"') and name.endswith('"'):
        name = name[1:-1]
    return name[2:] if name.startswith(("a/", "b/")) else name


def parse_unified_diff(diff: str) -> list[FileDiff]:
    """The files of a (git-style or plain) unified diff, in order."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    old_no = new_no = 0
    in_hunk = False
    for raw in diff.splitlines():
        if raw.startswith("diff --git "):
            names = raw[len("diff --git ") :].split(" b/", 1)
            path = names[1] if len(names) == 2 else raw.rsplit(" ", 1)[-1]
            current = FileDiff(path=path)
            files.append(current)
            in_hunk = False
            continue
        if not in_hunk and raw.startswith("--- "):
            if current is None or current.lines:
                current = FileDiff(path="")
                files.append(current)
            old = _strip_prefix(raw[4:])
            if old is None:
                current.kind = "add"
            elif not current.path:
                current.path = old
            continue
        if not in_hunk and raw.startswith("+++ ") and current is not None:
            new = _strip_prefix(raw[4:])
            if new is None:
                current.kind = "delete"
            else:
                current.path = new
            continue
        if current is None:
            continue
        if raw.startswith("new file mode"):
            current.kind = "add"
            continue
        if raw.startswith("deleted file mode"):
            current.kind = "delete"
            continue
        if raw.startswith("rename from "):
            current.old_path = raw[len("rename from ") :]
            continue
        if raw.startswith("rename to "):
            current.path = raw[len("rename to ") :]
            continue
        match = _HUNK_RE.match(raw)
        if match:
            if current.lines:
                current.lines.append(DiffLine("gap"))
            old_no, new_no = int(match.group(1)), int(match.group(3))
            in_hunk = True
            continue
        if not in_hunk:
            continue
        if raw.startswith("+"):
            current.lines.append(DiffLine("add", new=new_no, text=raw[1:]))
            new_no += 1
        elif raw.startswith("-"):
            current.lines.append(DiffLine("del", old=old_no, text=raw[1:]))
            old_no += 1
        elif raw.startswith(" ") or raw == "":
            current.lines.append(DiffLine("ctx", old=old_no, new=new_no, text=raw[1:]))
            old_no += 1
            new_no += 1
        # "\ No newline at end of file" and anything else is not shown
    return [f for f in files if f.path]


def display_path(path: str, cwd: Path | None) -> str:
    """``path`` relative to ``cwd`` when it is inside it (as Codex shows it), else unchanged."""
    if cwd is None or not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _highlighter(path: str) -> Any:
    from rich.syntax import Syntax

    lexer = Syntax.guess_lexer(path)
    if lexer == "default":
        return None
    return Syntax("", lexer, theme=SYNTAX_THEME, background_color="default")


def _highlight(lines: list[str], syntax: Any) -> list[Text]:
    """Highlight consecutive lines together (strings and comments spanning lines stay right)."""
    if syntax is None or not lines:
        return [Text(line) for line in lines]
    code = "\n".join(lines)
    highlighted = syntax.highlight(code)
    highlighted.rstrip()
    out = highlighted.split("\n", allow_blank=True)
    if len(out) != len(lines):  # a lexer that changed the line structure: plain text then
        return [Text(line) for line in lines]
    for part in out:
        part.style = ""
        # token colours only: the line's own background (added / removed / none) must show through
        part.spans[:] = [
            Span(span.start, span.end, _fg_only(span.style)) for span in part.spans if not isinstance(span.style, str)
        ]
    return list(out)


def _fg_only(style: Style) -> Style:
    return Style(color=style.color, bold=style.bold, italic=style.italic)


def counts_text(added: int, removed: int) -> Text:
    """``(+N −M)`` in green and red."""
    return Text.assemble("(", (f"+{added}", "green"), " ", (f"{MINUS}{removed}", "red"), ")")


def render_file_diff(fd: FileDiff, *, indent: str = "    ", highlight: bool = True) -> Text:
    """The lines of one file: ``number sign code``, backgrounds on added and removed lines."""
    syntax = _highlighter(fd.path) if highlight else None
    old_side = [line.text for line in fd.lines if line.kind in ("ctx", "del")]
    new_side = [line.text for line in fd.lines if line.kind in ("ctx", "add")]
    old_hl = iter(_highlight(old_side, syntax))
    new_hl = iter(_highlight(new_side, syntax))
    width = max((len(str(n)) for line in fd.lines for n in (line.old, line.new) if n is not None), default=1)
    text = Text()
    for line in fd.lines:
        if line.kind == "gap":
            text.append(f"{indent}{'⋮':>{width}}\n", style="dim")
            continue
        if line.kind == "del":
            code, number, sign, sign_style, bg = next(old_hl), line.old, "-", "red", DEL_BG
        elif line.kind == "add":
            code, number, sign, sign_style, bg = next(new_hl), line.new, "+", "green", ADD_BG
        else:
            next(old_hl)
            code, number, sign, sign_style, bg = next(new_hl), line.new, " ", "", ""
        row = Text(indent, end="")
        row.append(f"{number:>{width}} ", style="dim")
        row.append(sign, style=sign_style)
        row.append_text(code)
        if bg:
            row.stylize(bg, len(indent))
        text.append_text(row)
        text.append("\n")
    text.rstrip()
    return text


def change_counts(files: Iterable[FileDiff]) -> tuple[int, int]:
    """Total ``(added, removed)`` lines."""
    added = removed = 0
    for f in files:
        added += f.added
        removed += f.removed
    return added, removed


def _file_header(fd: FileDiff, cwd: Path | None, marker: str) -> Text:
    head = Text()
    head.append(marker, style="dim")
    if fd.old_path is not None:
        head.append(display_path(fd.old_path, cwd) + " → ")
    head.append(display_path(fd.path, cwd), style="bold")
    if fd.kind == "add":
        head.append(" (new)", style="green")
    elif fd.kind == "delete":
        head.append(" (deleted)", style="red")
    if fd.counted:
        head.append(" ")
        head.append_text(counts_text(fd.added, fd.removed))
    return head


def file_diffs_for_changes(changes: Sequence[Any]) -> list[FileDiff]:
    """``FileDiff`` per ``FileChange`` (``path``, ``kind``, optional ``diff``); a change without a
    diff is a file header without lines."""
    out: list[FileDiff] = []
    for change in changes:
        diff = getattr(change, "diff", None) or ""
        parsed = parse_unified_diff(diff) if diff else []
        fd = FileDiff(path=change.path, kind=change.kind, counted=bool(diff))
        for part in parsed:
            fd.lines.extend(part.lines if not fd.lines else [DiffLine("gap"), *part.lines])
            if part.old_path is not None:
                fd.old_path = part.old_path
        out.append(fd)
    return out


def render_changes(files: Sequence[FileDiff], cwd: Path | None, *, marker: str = "└ ") -> Text:
    """Every file: ``└ path (+N −M)`` then its numbered, coloured lines."""
    text = Text()
    for fd in files:
        text.append_text(_file_header(fd, cwd, marker))
        text.append("\n")
        if fd.lines:
            text.append_text(render_file_diff(fd))
            text.append("\n")
    text.rstrip()
    return text


def render_diff(diff: str, cwd: Path | None = None) -> Text:
    """A whole unified diff (``/diff``) rendered file by file like ``render_changes``."""
    files = parse_unified_diff(diff)
    if not files:
        return Text(diff.rstrip("\n"))
    return render_changes(files, cwd)


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
