"""A generic keyboard picker modal (used by /model, /approvals and /resume)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

__all__ = ["PickerItem", "PickerScreen"]


@dataclass(frozen=True, slots=True)
class PickerItem:
    value: str
    label: str
    description: str = ""
    current: bool = False


class PickerScreen(ModalScreen[str | None]):
    """Returns the chosen item's ``value``, or ``None`` on Esc."""

    DEFAULT_CSS = """
    PickerScreen { align: center bottom; }
    PickerScreen > Vertical { width: 100%; height: auto; max-height: 80%; border: round $primary;
                              background: $surface; padding: 0 1; }
    PickerScreen #picker-title { text-style: bold; }
    PickerScreen OptionList, PickerScreen OptionList:focus { height: auto; max-height: 20; border: none;
                                                         padding: 0; background: $surface; }
    """
    BINDINGS = [Binding("escape", "cancel", "cancel", show=False)]  # noqa: RUF012 - Textual API

    def __init__(self, title: str, items: list[PickerItem], *, empty_text: str = "Nothing to choose.") -> None:
        super().__init__()
        self.title_text = title
        self.items = items
        self.empty_text = empty_text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, id="picker-title")
            if not self.items:
                yield Static(Text(self.empty_text, style="dim"), id="picker-empty")
            options = []
            width = max((len(i.label) + (10 if i.current else 0) for i in self.items), default=0)
            for item in self.items:
                label = Text(item.label, style="bold" if item.current else "")
                if item.current:
                    label.append(" (current)", style="dim")
                if item.description:
                    label.append(" " * (width - len(label.plain)) + "  " + item.description, style="dim")
                options.append(Option(label, id=item.value))
            yield OptionList(*options, id="picker-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        for i, item in enumerate(self.items):
            if item.current:
                options.highlighted = i

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
