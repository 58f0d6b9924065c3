"""The status line under the composer: model, cwd, sandbox, approvals and token usage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

__all__ = [
    "SHORTCUTS",
    "ShortcutsOverlay",
    "StatusLine",
    "blended_total",
    "context_left_percent",
    "format_tokens",
]


def format_tokens(n: int) -> str:
    """``1234`` -> ``"1.2K"``; ``2_500_000`` -> ``"2.5M"``."""
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1000:.1f}K"
    return f"{n / 1_000_000:.1f}M"


CONTEXT_BASELINE_TOKENS = 12_000
"""Tokens Codex counts as always in use (instructions, tools): "% context left" is of the rest."""


def context_left_percent(used: int, window: int) -> int:
    """Codex's "% context left": of the window beyond the baseline, the share the last request
    (``used`` tokens) did not fill."""
    if window <= CONTEXT_BASELINE_TOKENS:
        return 0
    effective = window - CONTEXT_BASELINE_TOKENS
    remaining = max(0, effective - max(0, used - CONTEXT_BASELINE_TOKENS))
    return max(0, min(100, round(100 * remaining / effective)))


def blended_total(usage: Any) -> int:
    """Tokens used over the session as Codex counts them: fresh (non-cached) input plus output."""
    fresh = int(usage.input_tokens) - int(usage.cached_input_tokens)
    return max(0, fresh) + int(usage.output_tokens)


def _short_path(path: Path, home: Path | None) -> str:
    if home is not None:
        try:
            return "~/" + path.relative_to(home).as_posix() if path != home else "~"
        except ValueError:
            pass
    return str(path)


class StatusLine(Static):
    """One line: ``model · sandbox · approvals · tokens · context left · cwd`` (cwd last: it is the
    part cut off on narrow terminals); token fields are updated from ``token.count`` events."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    model: reactive[str] = reactive("")
    cwd: reactive[str] = reactive("")
    sandbox: reactive[str] = reactive("")
    approval: reactive[str] = reactive("")
    tokens_used: reactive[int | None] = reactive(None)
    """Tokens used over the session (``blended_total`` of the ``token.count`` total)."""
    context_used: reactive[int | None] = reactive(None)
    """Tokens the last request held: what "% context left" is computed from."""
    context_window: reactive[int | None] = reactive(None)
    total_usage: Any = None
    """The last ``token.count`` total (``Usage``), for ``/status``."""
    working: reactive[bool] = reactive(False)

    def set_location(self, cwd: Path, home: Path | None = None) -> None:
        self.cwd = _short_path(cwd, home)

    def render(self) -> Text:
        sep = (" · ", "dim")
        text = Text.assemble(
            (self.model, "bold"),
            sep,
            self.sandbox,
            sep,
            ("approvals ", "dim"),
            self.approval,
            no_wrap=True,
            overflow="ellipsis",
        )
        if self.tokens_used is not None:
            text.append_text(Text.assemble(sep, f"{format_tokens(self.tokens_used)} tokens"))
            if self.context_window:
                left = context_left_percent(self.context_used or 0, self.context_window)
                text.append_text(Text.assemble(sep, f"{left}% context left"))
        if self.working:
            text.append_text(Text.assemble(sep, ("working · esc to interrupt", "yellow")))
        text.append_text(Text.assemble(sep, (self.cwd, "dim")))
        return text


SHORTCUTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Compose",
        (
            ("/", "commands"),
            ("@", "mention files"),
            ("!", "shell command"),
            ("^j / shift+enter", "new line"),
            ("↑ / ↓", "prompt history"),
        ),
    ),
    (
        "Session",
        (
            ("enter", "send (queued while working)"),
            ("esc", "interrupt"),
            ("^o", "expand / fold last output"),
            ("^c", "interrupt, clear, quit"),
            ("^d", "quit (empty composer)"),
        ),
    ),
    (
        "Approvals",
        (
            ("y", "yes, once"),
            ("a", "yes, this session"),
            ("n", "no, continue without it"),
            ("esc", "no, and stop the turn"),
        ),
    ),
)
"""What ``?`` shows: (column title, ((keys, what they do), ...))."""


class ShortcutsOverlay(Static):
    """The keyboard shortcuts, shown under the composer by ``?`` on an empty composer (``?`` or
    Esc closes it, typing hides it). It never takes focus: the composer keeps every key."""

    DEFAULT_CSS = """
    ShortcutsOverlay { height: auto; padding: 0 1; color: $text-muted; }
    """
    can_focus = False

    def __init__(self) -> None:
        self.table = self._table()
        super().__init__(self.table, id="shortcuts")

    @staticmethod
    def _table() -> Table:
        table = Table.grid(padding=(0, 1))
        for i, _ in enumerate(SHORTCUTS):
            table.add_column(style="bold", no_wrap=True, min_width=5)
            table.add_column(no_wrap=True, max_width=32 if i < len(SHORTCUTS) - 1 else None)
        rows = max(len(entries) for _, entries in SHORTCUTS)
        table.add_row(*[cell for title, _ in SHORTCUTS for cell in (Text(title, style="bold"), Text(""))])
        for i in range(rows):
            cells: list[Text] = []
            for _, entries in SHORTCUTS:
                key, what = entries[i] if i < len(entries) else ("", "")
                cells += [Text(key), Text(what + "   ")]
            table.add_row(*cells)
        table.add_row(Text("? / esc close", style="dim"))
        return table
