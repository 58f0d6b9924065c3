"""The completion popup shown above the composer for ``/commands`` and ``@file`` mentions."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

__all__ = ["Completion", "CompletionPopup"]


@dataclass(frozen=True, slots=True)
class Completion:
    """One entry: ``value`` replaces the token being completed; ``label`` is what is shown."""

    value: str
    label: Text
    kind: str
    """``"command"`` or ``"file"``."""


class CompletionPopup(OptionList):
    """A non-focusable list driven from the composer's keys (Up/Down/Tab/Enter/Esc)."""

    DEFAULT_CSS = """
    CompletionPopup { height: auto; max-height: 10; border: none; padding: 0 1; display: none;
                      background: $panel; }
    CompletionPopup.-visible { display: block; }
    """
    can_focus = False

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.completions: list[Completion] = []

    @property
    def is_open(self) -> bool:
        return self.has_class("-visible")

    def show(self, completions: list[Completion]) -> None:
        """Replace the entries and show the popup (hide it when there are none)."""
        self.completions = completions
        self.clear_options()
        if not completions:
            self.hide()
            return
        self.add_options([Option(c.label) for c in completions])
        self.highlighted = 0
        self.add_class("-visible")

    def hide(self) -> None:
        self.completions = []
        self.remove_class("-visible")

    def move(self, delta: int) -> None:
        if not self.completions:
            return
        current = self.highlighted or 0
        self.highlighted = (current + delta) % len(self.completions)

    def selected(self) -> Completion | None:
        if not self.visible or not self.completions:
            return None
        return self.completions[self.highlighted or 0]
