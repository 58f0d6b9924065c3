"""The approval prompt: a keyboard-first modal answering ``approval.requested``."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from codex_tui.core_api import ApprovalDecision
from codex_tui.diff_render import change_counts, counts_text, file_diffs_for_changes, render_changes

__all__ = ["APPROVAL_CHOICES", "ApprovalScreen"]

APPROVAL_CHOICES: tuple[tuple[ApprovalDecision, str, str], ...] = (
    ("approved", "y", "Yes, proceed"),
    ("approved_for_session", "a", "Yes, and don't ask again this session"),
    ("denied", "n", "No, continue without it"),
    ("abort", "esc", "No, and tell Codex what to do differently"),
)


class ApprovalScreen(ModalScreen[ApprovalDecision]):
    """Shows the command or file changes and returns the user's decision.

    Keys: ``y`` approve once, ``a`` approve for the session, ``n`` deny, ``Esc`` deny and stop the
    turn so the user can tell the model what to do instead; Up/Down + Enter also work. A patch is
    shown as its diff (``diff_render``), PageUp/PageDown scroll it.
    """

    DEFAULT_CSS = """
    ApprovalScreen { align: center bottom; }
    ApprovalScreen > Vertical { width: 100%; height: auto; max-height: 80%; border: round $warning;
                                background: $surface; padding: 0 1; }
    ApprovalScreen #approval-title { text-style: bold; color: $warning; }
    ApprovalScreen #approval-diff { height: auto; max-height: 60vh; scrollbar-size-vertical: 1; }
    ApprovalScreen OptionList, ApprovalScreen OptionList:focus { height: auto; border: none; padding: 0;
                                                           background: $surface; }
    """
    BINDINGS = [  # noqa: RUF012 - Textual API
        Binding("y", "decide('approved')", "approve", show=False),
        Binding("a", "decide('approved_for_session')", "approve for session", show=False),
        Binding("n", "decide('denied')", "deny", show=False),
        Binding("escape", "decide('abort')", "deny and tell the model", show=False),
        Binding("pageup", "scroll_diff(-1)", "scroll the diff up", show=False),
        Binding("pagedown", "scroll_diff(1)", "scroll the diff down", show=False),
    ]

    def __init__(self, request: Any) -> None:
        super().__init__()
        self.request = request

    def compose(self) -> ComposeResult:
        req = self.request
        with Vertical():
            if req.kind == "exec":
                yield Static("Allow Codex to run this command?", id="approval-title")
                command = shlex.join(req.command or [])
                yield Static(Text.assemble(("$ ", "dim"), (command, "bold")), id="approval-command")
            else:
                files = file_diffs_for_changes(req.changes or [])
                added, removed = change_counts(files)
                n = len(files)
                title = Text(f"Allow Codex to apply these changes ({n} file{'s' if n != 1 else ''})? ")
                if any(f.counted for f in files):
                    title.append_text(counts_text(added, removed))
                yield Static(title, id="approval-title")
                with VerticalScroll(id="approval-diff"):
                    yield Static(render_changes(files, Path(req.cwd)), id="approval-changes")
            yield Static(Text.assemble(("in ", "dim"), str(req.cwd)), id="approval-cwd")
            if req.reason:
                yield Static(Text.assemble(("reason: ", "dim"), req.reason), id="approval-reason")
            yield OptionList(
                *[
                    Option(Text.assemble((f"[{key}] ", "bold"), label), id=decision)
                    for decision, key, label in APPROVAL_CHOICES
                ],
                id="approval-options",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_decide(event.option.id or "denied")

    def action_scroll_diff(self, direction: int) -> None:
        """PageUp / PageDown scroll a long diff while the choices keep the focus."""
        for view in self.query("#approval-diff").results(VerticalScroll):
            if direction < 0:
                view.scroll_page_up()
            else:
                view.scroll_page_down()

    def action_decide(self, decision: str) -> None:
        self.dismiss(decision)  # type: ignore[arg-type]
