"""The status line under the composer: model, cwd, sandbox, approvals and token usage."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

__all__ = ["StatusLine", "format_tokens"]


def format_tokens(n: int) -> str:
    """``1234`` -> ``"1.2K"``; ``2_500_000`` -> ``"2.5M"``."""
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1000:.1f}K"
    return f"{n / 1_000_000:.1f}M"


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
    context_window: reactive[int | None] = reactive(None)
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
                left = max(0, 100 - round(100 * self.tokens_used / self.context_window))
                text.append_text(Text.assemble(sep, f"{left}% context left"))
        if self.working:
            text.append_text(Text.assemble(sep, ("working · esc to interrupt", "yellow")))
        text.append_text(Text.assemble(sep, (self.cwd, "dim")))
        return text
