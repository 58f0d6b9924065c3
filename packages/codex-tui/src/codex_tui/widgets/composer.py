"""The multi-line composer.

Enter sends; Shift+Enter or Ctrl+J inserts a newline; Up/Down walk the prompt history when the
cursor is on the first/last line; a paste longer than ``LARGE_PASTE_CHARS`` is shown as a
placeholder and expanded on send; ``/`` at the start lists slash commands and ``@`` completes a
file path (fuzzy) — both through the ``CompletionPopup``. Ctrl+D on an empty composer quits
(elsewhere it deletes the character under the cursor).

While Codex is still loading its config the composer already takes input; what is sent in that
time is held (``hold_submits``) and posted in order by ``release_submits``.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import TextArea

from codex_tui.file_search import list_repo_files, search_files
from codex_tui.slash_commands import match_commands
from codex_tui.widgets.popup import Completion, CompletionPopup

__all__ = ["LARGE_PASTE_CHARS", "PLACEHOLDER", "Composer"]

LARGE_PASTE_CHARS = 1000
PLACEHOLDER = "Ask Codex to do anything"
_PASTE_RE = re.compile(r"\[Pasted Content (\d+) chars(?: #(\d+))?\]")


class Composer(TextArea):
    """The input box. Posts ``Composer.Submitted`` with the expanded text."""

    DEFAULT_CSS = """
    Composer { height: auto; min-height: 3; max-height: 12; border: round $primary 60%; padding: 0 1; }
    Composer:focus { border: round $primary; }
    """

    class Submitted(Message):
        """The user pressed Enter on a non-empty composer."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, popup: CompletionPopup, cwd: Path, **kwargs: object) -> None:
        super().__init__(
            placeholder=PLACEHOLDER,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            highlight_cursor_line=False,
            **kwargs,  # type: ignore[arg-type]
        )
        self.popup = popup
        self.cwd = cwd
        self.prompt_history: list[str] = []
        self._history_pos: int | None = None
        self._draft = ""
        self._pastes: dict[str, str] = {}
        self._files: list[str] | None = None
        self._files_task: asyncio.Task[list[str]] | None = None
        self.hold_submits = False
        """Keep messages sent with Enter until ``release_submits`` (the app is not ready for them)."""
        self.held: list[str] = []

    # --- keys -----------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        key = event.key
        handled = True
        if key in ("shift+enter", "ctrl+j"):
            self.insert("\n")
        elif key == "enter":
            if not await self._accept_completion(submit=True):
                self._submit()
        elif key == "tab" and self.popup.is_open:
            await self._accept_completion(submit=False)
        elif key == "escape" and self.popup.is_open:
            self.popup.hide()
        elif key == "ctrl+d" and not self.text:
            await self.run_action("app.quit_if_empty")
        elif key in ("up", "down") and self.popup.is_open:
            self.popup.move(-1 if key == "up" else 1)
        elif key == "up" and self.cursor_location[0] == 0 and self._history_step(-1):
            pass
        elif key == "down" and self.cursor_location[0] == self.document.line_count - 1 and self._history_step(1):
            pass
        else:
            handled = False
        if handled:
            event.stop()
            event.prevent_default()

    async def _on_paste(self, event: events.Paste) -> None:
        if len(event.text) <= LARGE_PASTE_CHARS:
            return  # TextArea inserts it
        event.stop()
        event.prevent_default()
        label = f"[Pasted Content {len(event.text)} chars]"
        n = 2
        while label in self._pastes:
            label = f"[Pasted Content {len(event.text)} chars #{n}]"
            n += 1
        self._pastes[label] = event.text
        self.insert(label)

    # --- submit & history -----------------------------------------------------------------

    def expanded_text(self) -> str:
        """The composer text with paste placeholders replaced by what was pasted."""
        return _PASTE_RE.sub(lambda m: self._pastes.get(m.group(0), m.group(0)), self.text)

    def _submit(self) -> None:
        raw = self.text
        if not raw.strip():
            return
        text = self.expanded_text()
        self.remember(raw)
        self._pastes.clear()
        self.clear()
        self.popup.hide()
        if self.hold_submits:
            self.held.append(text.strip("\n"))
            return
        self.post_message(self.Submitted(text.strip("\n")))

    def release_submits(self) -> None:
        """Stop holding and post the held messages, oldest first."""
        self.hold_submits = False
        held, self.held = self.held, []
        for text in held:
            self.post_message(self.Submitted(text))

    def remember(self, entry: str) -> None:
        """Add ``entry`` to the Up/Down history (consecutive duplicates collapse)."""
        if not self.prompt_history or self.prompt_history[-1] != entry:
            self.prompt_history.append(entry)
        self._history_pos = None

    def _history_step(self, step: int) -> bool:
        if not self.prompt_history:
            return False
        if self._history_pos is None:
            if step > 0:
                return False
            self._draft = self.text
            pos = len(self.prompt_history) - 1
        else:
            pos = self._history_pos + step
        if pos < 0:
            return True
        if pos >= len(self.prompt_history):
            self._history_pos = None
            self._set_text(self._draft)
            return True
        self._history_pos = pos
        self._set_text(self.prompt_history[pos])
        return True

    def _set_text(self, text: str) -> None:
        self.text = text
        last = self.document.line_count - 1
        self.move_cursor((last, len(self.document.get_line(last))))

    # --- completion -----------------------------------------------------------------------

    def _current_token(self) -> tuple[int, str]:
        """``(start column, token)`` for the whitespace-delimited word ending at the cursor."""
        row, col = self.cursor_location
        line = self.document.get_line(row)[:col]
        start = max(line.rfind(" "), line.rfind("\t")) + 1
        return start, line[start:]

    async def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        await self.refresh_completions()

    async def refresh_completions(self) -> None:
        """Recompute the popup for the text at the cursor."""
        text = self.text
        if text.startswith("/") and "\n" not in text and " " not in text:
            matches = match_commands(text[1:])
            self.popup.show(
                [
                    Completion(
                        "/" + c.name, Text.assemble((f"/{c.name:<12}", "bold"), "  ", (c.description, "dim")), "command"
                    )
                    for c in matches
                ]
            )
            return
        _, token = self._current_token()
        if token.startswith("@"):
            files = await self._repo_files()
            results = search_files(token[1:], files)
            self.popup.show([Completion(m.path, _highlight(m.path, m.indices), "file") for m in results])
            return
        self.popup.hide()

    async def _repo_files(self) -> list[str]:
        if self._files is None:
            if self._files_task is None:
                self._files_task = asyncio.ensure_future(asyncio.to_thread(list_repo_files, self.cwd))
            self._files = await self._files_task
        return self._files

    async def _accept_completion(self, *, submit: bool) -> bool:
        choice = self.popup.selected()
        if choice is None:
            return False
        self.popup.hide()
        if choice.kind == "command":
            if submit:
                self.text = choice.value
                self._submit()
            else:
                self._set_text(choice.value + " ")
            return True
        row, col = self.cursor_location
        start, _ = self._current_token()
        value = choice.value if " " not in choice.value else f'"{choice.value}"'
        self.replace(value + " ", (row, start), (row, col))
        return True

    def start_mention(self) -> None:
        """Insert ``@`` at the cursor and open the file popup (``/mention``)."""
        self.focus()
        prefix = "" if not self.text or self.text.endswith((" ", "\n")) else " "
        self.insert(prefix + "@")


def _highlight(path: str, indices: tuple[int, ...]) -> Text:
    text = Text(path)
    for i in indices:
        text.stylize("bold cyan", i, i + 1)
    return text
