"""Transcript cells: one widget per user message, item or notice.

Item cells implement ``update_item(item, final)`` (called for ``item.started`` /
``item.updated`` / ``item.completed``) and, where the item streams, ``append_delta(text)``.
Streaming text is buffered and flushed at most every ``FLUSH_INTERVAL`` seconds so that a
burst of deltas costs one re-render, not thousands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Collapsible, Static

from codex_tui.diff_render import render_changes, render_diff, render_file_diff

__all__ = [
    "CommandCell",
    "DecisionCell",
    "DiffCell",
    "FileChangeCell",
    "InfoCell",
    "McpCell",
    "ReasoningCell",
    "TodoCell",
    "UserCell",
    "WebSearchCell",
]

FLUSH_INTERVAL = 1 / 15
OUTPUT_PREVIEW_LINES = 200
"""Command output kept on screen (the tail); the model still sees what core gives it."""


class UserCell(Static):
    """A message the user sent."""

    DEFAULT_CSS = """
    UserCell { margin: 1 0 0 0; padding: 0 1; background: $boost; color: $text; }
    """

    def __init__(self, text: str, *, images: int = 0) -> None:
        body = Text("› ", style="bold cyan")
        body.append(text)
        if images:
            body.append(f"\n  [{images} image{'s' if images != 1 else ''} attached]", style="dim")
        super().__init__(body)


class InfoCell(Static):
    """A notice: info, warning or error (``turn.failed``, ``error``, ``warning`` events, commands)."""

    DEFAULT_CSS = """
    InfoCell { margin: 1 0 0 0; padding: 0 1; }
    InfoCell.-warning { color: $warning; }
    InfoCell.-error { color: $error; }
    InfoCell.-info { color: $text-muted; }
    """

    def __init__(self, text: str | Text, *, kind: Literal["info", "warning", "error"] = "info") -> None:
        prefix = {"info": "• ", "warning": "⚠ ", "error": "■ "}[kind]
        body = Text(prefix) + (text if isinstance(text, Text) else Text(text))
        super().__init__(body, classes=f"-{kind}")
        self.kind = kind


class ReasoningCell(Collapsible):
    """A reasoning summary, collapsed by default; the title is the summary's first line."""

    DEFAULT_CSS = """
    ReasoningCell { margin: 1 0 0 0; border: none; padding: 0; background: transparent; color: $text-muted; }
    ReasoningCell > Contents { padding: 0 0 0 3; }
    """

    def __init__(self, item_id: str) -> None:
        self._body = Static("", markup=False)
        super().__init__(self._body, title="Thinking", collapsed=True)
        self.item_id = item_id
        self.text = ""
        self._dirty = False

    def on_mount(self) -> None:
        _keep_focus_in_composer(self)
        self.call_after_refresh(self._show_title)  # a title set before the title widget ran is shown now

    def _show_title(self) -> None:
        self._title.label = self.title
        self._title.refresh()

    async def append_delta(self, delta: str) -> None:
        self.text += delta
        self._schedule()

    async def update_item(self, item: Any, final: bool) -> None:
        text = getattr(item, "text", "") or ""
        if text:
            self.text = text
        self._flush()

    def _schedule(self) -> None:
        if not self._dirty:
            self._dirty = True
            self.set_timer(FLUSH_INTERVAL, self._flush)

    def _flush(self) -> None:
        self._dirty = False
        from codex_tui.markdown_text import markdown_to_text

        self.title = "Thinking · " + _reasoning_title(self.text) if self.text.strip() else "Thinking"
        if self.is_mounted:
            self._show_title()
        self._body.update(markdown_to_text(self.text))


def _keep_focus_in_composer(fold: Collapsible) -> None:
    """A click opens or closes ``fold`` without taking the focus (its title would otherwise keep
    it, and what the user types next would be lost)."""
    from textual.widgets._collapsible import CollapsibleTitle

    for title in fold.query(CollapsibleTitle):
        title.can_focus = False


def _reasoning_title(text: str) -> str:
    """The summary's first line as plain text (its Markdown rendered away)."""
    from codex_tui.markdown_text import markdown_to_text

    first = markdown_to_text(text.strip().splitlines()[0]).plain.strip()
    return first if len(first) <= 70 else first[:69] + "…"


class CommandCell(Vertical):
    """A command execution: status line with exit code, then its output as Codex shows it: the
    first lines inline (``└ ...``), the rest behind ``… +N lines``; ``expanded`` (Ctrl+O on the
    last output, or a click) shows all of it. Nothing here takes focus: the composer keeps it."""

    DEFAULT_CSS = """
    CommandCell { height: auto; margin: 1 0 0 0; padding: 0 1; }
    CommandCell .output { color: $text-muted; }
    """
    can_focus = False

    def __init__(self, item_id: str, command: str, *, by_user: bool = False) -> None:
        super().__init__()
        self.item_id = item_id
        self.command = command
        self.by_user = by_user
        """A ``!cmd`` the user ran ("You ran"), not the model."""
        self.output = ""
        self.exit_code: int | None = None
        self.status = "in_progress"
        self.expanded = False
        self._header = Static(self._header_text())
        self._output = Static("", classes="output", markup=False)
        self._output.display = False
        self._dirty = False

    def compose(self) -> ComposeResult:
        yield self._header
        yield self._output

    def _header_text(self) -> Text:
        ran = "You ran " if self.by_user else "Ran "
        marks = {
            "in_progress": ("• Running ", "yellow"),
            "completed": ("✓ " + ran, "green"),
            "failed": ("✗ " + ran, "red"),
            "declined": ("✗ Declined ", "red"),
        }
        label, style = marks.get(self.status, ("• ", ""))
        text = Text(label, style=f"bold {style}")
        text.append(self.command, style="bold")
        if self.exit_code is not None:
            text.append(f"  exit {self.exit_code}", style=style)
        return text

    @property
    def has_output(self) -> bool:
        return bool(self.output.strip())

    @property
    def folded_lines(self) -> int:
        """Output lines hidden while folded (0 when everything fits inline)."""
        n = len(self.output.rstrip("\n").splitlines())
        return max(0, n - INLINE_HEAD - INLINE_TAIL) if n > INLINE_HEAD + INLINE_TAIL + 1 else 0

    async def append_delta(self, delta: str) -> None:
        self.output += delta
        if not self._dirty:
            self._dirty = True
            self.set_timer(FLUSH_INTERVAL, self._flush)

    async def update_item(self, item: Any, final: bool) -> None:
        self.command = item.command
        self.status = item.status
        self.exit_code = item.exit_code
        if item.aggregated_output:
            self.output = item.aggregated_output
        self._flush()

    def toggle(self) -> None:
        """Show all of the output, or fold it back to its first lines."""
        self.expanded = not self.expanded
        self._flush()

    def on_click(self) -> None:
        self.toggle()

    def _flush(self) -> None:
        self._dirty = False
        self._header.update(self._header_text())
        lines = self.output.rstrip("\n").splitlines()
        if not lines:
            self._output.display = False
            return
        self._output.display = True
        self._output.update(output_preview(lines, expanded=self.expanded))


INLINE_HEAD = 3
INLINE_TAIL = 2
"""Output lines shown inline: the first ``INLINE_HEAD`` and the last ``INLINE_TAIL``."""


def output_preview(lines: list[str], *, expanded: bool) -> Text:
    """``└ first lines``, ``… +N lines (ctrl+o to expand)``, last lines; everything (the last
    ``OUTPUT_PREVIEW_LINES``) when ``expanded``."""
    hidden: int
    if expanded:
        shown = lines[-OUTPUT_PREVIEW_LINES:]
        hidden = len(lines) - len(shown)
        head, tail = ([], shown) if hidden else (shown, [])
    elif len(lines) > INLINE_HEAD + INLINE_TAIL + 1:
        head, tail = lines[:INLINE_HEAD], lines[-INLINE_TAIL:]
        hidden = len(lines) - INLINE_HEAD - INLINE_TAIL
    else:
        head, tail, hidden = lines, [], 0
    text = Text()
    rows: list[Text] = [Text(line) for line in head]
    if hidden:
        note = f"… +{hidden} lines" + ("" if expanded else " (ctrl+o to expand)")
        rows.append(Text(note, style="italic dim"))
    rows += [Text(line) for line in tail]
    if expanded and len(lines) > INLINE_HEAD + INLINE_TAIL + 1:
        rows.append(Text("(ctrl+o to fold)", style="italic dim"))
    for i, row in enumerate(rows):
        text.append("└ " if i == 0 else "  ", style="dim")
        text.append_text(row)
        text.append("\n")
    text.rstrip()
    return text


class FileChangeCell(Static):
    """Files added, deleted or updated by a patch: ``Edited N files (+A −R)``, then per file
    ``└ path (+a −r)`` and its numbered, coloured, highlighted lines (``diff_render``); paths are
    shown relative to the session directory."""

    DEFAULT_CSS = """
    FileChangeCell { height: auto; margin: 1 0 0 0; padding: 0 1; }
    """

    def __init__(self, item_id: str) -> None:
        super().__init__("")
        self.item_id = item_id
        self.status = "in_progress"
        self.paths: list[str] = []

    async def update_item(self, item: Any, final: bool) -> None:
        from codex_tui.diff_render import change_counts, counts_text, display_path, file_diffs_for_changes

        files = file_diffs_for_changes(list(item.changes))
        cwd = _session_cwd(self)
        self.status = item.status
        self.paths = [display_path(f.path, cwd) for f in files]
        verb = {"completed": "Edited", "in_progress": "Editing", "failed": "Failed to edit"}[item.status]
        style = {"completed": "green", "in_progress": "yellow", "failed": "red"}[item.status]
        mark = {"completed": "✓", "in_progress": "•", "failed": "✗"}[item.status]
        text = Text(f"{mark} ", style=f"bold {style}")
        text.append(verb + " ", style="bold")
        text.append(self.paths[0] if len(files) == 1 else f"{len(files)} files")
        if any(f.counted for f in files):
            text.append(" ")
            text.append_text(counts_text(*change_counts(files)))
        if len(files) == 1 and files[0].lines:
            text.append("\n")
            text.append_text(render_file_diff(files[0]))
        elif files:
            text.append("\n")
            text.append_text(render_changes(files, cwd, marker="  └ "))
        self.update(text)


def _session_cwd(widget: Widget) -> Path | None:
    """The session directory (paths are shown relative to it), if the app has one."""
    try:
        config = getattr(widget.app, "active_config", None)
    except Exception:  # not attached to a running app
        return None
    cwd = getattr(config, "cwd", None)
    return Path(cwd) if cwd is not None else None


class McpCell(Vertical):
    """An MCP tool call with its arguments and folded result."""

    DEFAULT_CSS = """
    McpCell { height: auto; margin: 1 0 0 0; padding: 0 1; }
    McpCell > Collapsible { border: none; padding: 0; margin: 0; background: transparent; }
    """

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self._header = Static("")
        self._result = Static("", markup=False)
        self._fold = Collapsible(self._result, title="result", collapsed=True)

    def compose(self) -> ComposeResult:
        yield self._header
        yield self._fold

    def on_mount(self) -> None:
        _keep_focus_in_composer(self._fold)

    async def update_item(self, item: Any, final: bool) -> None:
        style = {"in_progress": "yellow", "completed": "green", "failed": "red"}[item.status]
        mark = {"in_progress": "•", "completed": "✓", "failed": "✗"}[item.status]
        head = Text(f"{mark} Called ", style=f"bold {style}")
        head.append(f"{item.server}.{item.tool}", style="bold")
        if item.arguments is not None:
            args = json.dumps(item.arguments, separators=(",", ":"))
            head.append(f"({args if len(args) <= 80 else args[:79] + '…'})", style="dim")
        self._header.update(head)
        if item.error is not None:
            self._fold.title = "error"
            self._result.update(item.error.message)
        elif item.result is not None:
            parts = [c.get("text", json.dumps(c)) for c in item.result.content]
            self._result.update("\n".join(str(p) for p in parts))
        self._fold.display = item.error is not None or item.result is not None


class WebSearchCell(Static):
    """A web search the model ran."""

    DEFAULT_CSS = "WebSearchCell { margin: 1 0 0 0; padding: 0 1; }"

    def __init__(self, item_id: str) -> None:
        super().__init__("")
        self.item_id = item_id

    async def update_item(self, item: Any, final: bool) -> None:
        self.update(Text.assemble(("🌐 Searched ", "bold"), item.query))


class TodoCell(Static):
    """The model's plan / to-do list; updated in place."""

    DEFAULT_CSS = "TodoCell { margin: 1 0 0 0; padding: 0 1; }"

    def __init__(self, item_id: str) -> None:
        super().__init__("")
        self.item_id = item_id

    async def update_item(self, item: Any, final: bool) -> None:
        done = sum(1 for e in item.items if e.completed)
        text = Text(f"☰ Plan  {done}/{len(item.items)} done\n", style="bold")
        for entry in item.items:
            if entry.completed:
                text.append("  ☑ ", style="green")
                text.append(entry.text + "\n", style="dim strike")
            else:
                text.append("  ☐ ")
                text.append(entry.text + "\n")
        text.rstrip()
        self.update(text)


class DiffCell(Static):
    """The working-tree diff shown by ``/diff``."""

    DEFAULT_CSS = "DiffCell { margin: 1 0 0 0; padding: 0 1; }"

    def __init__(self, diff: str, cwd: Path | None = None) -> None:
        super().__init__(render_diff(diff, cwd) if diff.strip() else Text("No changes.", style="dim"))


def _command_text(argv: list[str] | None) -> str:
    """The command as the user reads it: the script of ``bash -lc SCRIPT``, else the joined argv,
    first line only and at most 80 characters."""
    import shlex

    argv = list(argv or [])
    shells = ("bash", "sh", "zsh", "/bin/bash", "/bin/sh", "/bin/zsh", "/usr/bin/bash", "/usr/bin/zsh")
    if len(argv) == 3 and argv[0] in shells and argv[1] in ("-lc", "-c"):
        text = argv[2]
    else:
        text = shlex.join(argv)
    lines = text.strip().splitlines() or [""]
    first = lines[0]
    if len(lines) > 1 or len(first) > 80:
        first = first[:79] + "…"
    return first


class DecisionCell(Static):
    """What the user answered to an approval prompt (``✔ You approved …`` / ``✗ You declined …``),
    so the transcript keeps a record of what was allowed and what was refused."""

    DEFAULT_CSS = """
    DecisionCell { margin: 1 0 0 0; padding: 0 1; }
    """

    def __init__(self, request: Any, decision: str, cwd: Path | None = None) -> None:
        from codex_tui.diff_render import display_path

        self.decision = decision
        if request.kind == "exec":
            subject = Text.assemble(("run ", ""), (_command_text(request.command), "bold"))
        else:
            paths = [display_path(c.path, cwd) for c in request.changes or []]
            shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
            subject = Text.assemble(("the edits to ", ""), (shown or "files", "bold"))
        if decision in ("approved", "approved_for_session"):
            text = Text.assemble(("✔ ", "bold green"), "You approved Codex to ", subject)
            text.append(" every time this session" if decision == "approved_for_session" else " this time", style="dim")
        else:
            text = Text.assemble(("✗ ", "bold red"), "You declined to " if request.kind == "exec" else "You declined ")
            text.append_text(subject)
            if decision == "abort":
                text.append(" and stopped the turn", style="dim")
            else:
                text.append(" (Codex continues without it)", style="dim")
        super().__init__(text)
