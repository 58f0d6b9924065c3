"""The scrolling transcript: turns core item events into cells."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.containers import VerticalScroll
from textual.widget import Widget

from codex_tui.messages import CoreEvent
from codex_tui.widgets.cells import (
    CommandCell,
    FileChangeCell,
    InfoCell,
    McpCell,
    ReasoningCell,
    TodoCell,
    WebSearchCell,
)

__all__ = ["Transcript"]


def _make_cell(item: Any, *, by_user: bool = False) -> Widget:
    kind = item.type
    if kind == "command_execution" and by_user:
        return CommandCell(item.id, item.command, by_user=True)
    if kind == "agent_message":
        from codex_tui.widgets.agent_message import AgentMessageCell

        return AgentMessageCell(item.id)
    if kind == "reasoning":
        return ReasoningCell(item.id)
    if kind == "command_execution":
        return CommandCell(item.id, item.command)
    if kind == "file_change":
        return FileChangeCell(item.id)
    if kind == "mcp_tool_call":
        return McpCell(item.id)
    if kind == "web_search":
        return WebSearchCell(item.id)
    if kind == "todo_list":
        return TodoCell(item.id)
    return InfoCell(getattr(item, "message", str(item)), kind="error")


def _delta_cell(kind: str, item_id: str) -> Widget | None:
    """A cell for a delta whose item was not announced with ``item.started``."""
    if kind == "agent_message":
        from codex_tui.widgets.agent_message import AgentMessageCell

        return AgentMessageCell(item_id)
    if kind == "reasoning":
        return ReasoningCell(item_id)
    return None


class Transcript(VerticalScroll):
    """Renders ``item.*`` events as cells, keeping the view pinned to the bottom while streaming."""

    DEFAULT_CSS = """
    Transcript { height: 1fr; scrollbar-size-vertical: 1; padding: 0 0 1 0; }
    """
    can_focus = False
    """A click in the transcript (opening an output, selecting) must not take the focus from the
    composer, or what the user types next is lost; PageUp/PageDown scroll it (``CodexApp``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cells: dict[str, Widget] = {}
        self.user_commands: set[str] = set()
        """Ids of command items the user ran with ``!cmd`` (shown as "You ran")."""
        self.declined: set[str] = set()
        """Ids of items the user declined (a ``DecisionCell`` records it; core's ``declined`` /
        ``failed`` item for them adds nothing)."""

    def on_mount(self) -> None:
        self.anchor()

    async def add_cell(self, cell: Widget) -> None:
        """Append a cell (user message, notice, diff) at the end."""
        await self.mount(cell)

    async def clear(self) -> None:
        """Remove every cell (``/new``, ``/resume``)."""
        self.cells.clear()
        await self.remove_children()

    @on(CoreEvent)
    async def _on_core_event(self, message: CoreEvent) -> None:
        await self.apply(message.event)

    def _hides_reasoning(self) -> bool:
        """``hide_agent_reasoning = true`` in the config: reasoning is not shown at all."""
        config = getattr(self.app, "config", None)
        return bool(getattr(config, "hide_agent_reasoning", False))

    async def apply(self, event: Any) -> None:
        """Apply one ``item.*`` event; other event kinds are ignored here."""
        kind = event.type
        reasoning = (getattr(event, "item", None) is not None and event.item.type == "reasoning") or (
            kind == "item.delta" and event.kind == "reasoning"
        )
        if reasoning and self._hides_reasoning():
            return
        if kind in ("item.started", "item.updated", "item.completed"):
            item = event.item
            cell = self.cells.get(item.id)
            if cell is None and item.id in self.declined and getattr(item, "status", "") in ("declined", "failed"):
                return
            if cell is None:
                cell = _make_cell(item, by_user=item.id in self.user_commands)
                self.cells[item.id] = cell
                await self.mount(cell)
            update = getattr(cell, "update_item", None)
            if update is not None:
                await update(item, kind == "item.completed")
        elif kind == "item.delta":
            cell = self.cells.get(event.item_id)
            if cell is None:
                cell = _delta_cell(event.kind, event.item_id)
                if cell is None:
                    return
                self.cells[event.item_id] = cell
                await self.mount(cell)
            append = getattr(cell, "append_delta", None)
            if append is not None:
                await append(event.delta)
