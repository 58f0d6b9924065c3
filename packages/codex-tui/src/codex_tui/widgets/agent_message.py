"""The assistant-message cell: streamed Markdown (imported lazily: Markdown parsing is not needed
to show the composer)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownStream

__all__ = ["AgentMessageCell"]


class AgentMessageCell(Markdown):
    """Assistant text, streamed as Markdown."""

    DEFAULT_CSS = """
    AgentMessageCell { margin: 1 0 0 0; padding: 0 1; background: transparent; }
    """

    def __init__(self, item_id: str) -> None:
        from codex_tui.markdown_text import make_parser

        # links are shown as "text (url)", as Codex does
        super().__init__("", parser_factory=make_parser)
        self.item_id = item_id
        self.text = ""
        self._stream: MarkdownStream | None = None

    async def append_delta(self, delta: str) -> None:
        self.text += delta
        if self._stream is None:
            self._stream = Markdown.get_stream(self)
        await self._stream.write(delta)

    async def update_item(self, item: Any, final: bool) -> None:
        full = getattr(item, "text", "") or ""
        if not final:
            return
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        if full != self.text:
            await self.set_text(full)

    async def set_text(self, text: str) -> None:
        """Replace the whole message (final text, or a message replayed from history)."""
        self.text = text
        await self.update(text)
