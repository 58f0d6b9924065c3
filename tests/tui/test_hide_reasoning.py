"""``hide_agent_reasoning = true``: the TUI shows no reasoning, as in the reference."""

from __future__ import annotations

from typing import Any

import attrs

from codex_core.protocol.events import (
    AgentMessageItem,
    ItemCompleted,
    ItemDelta,
    ItemStarted,
    ReasoningItem,
    TurnCompleted,
    TurnStarted,
    Usage,
)
from codex_tui.widgets.cells import ReasoningCell

from .test_snapshots import make_app


def _turn() -> list[Any]:
    return [
        TurnStarted(),
        ItemStarted(item=ReasoningItem(id="r1", text="")),
        ItemDelta(item_id="r1", kind="reasoning", delta="**Thinking hard**"),
        ItemCompleted(item=ReasoningItem(id="r1", text="**Thinking hard**")),
        ItemCompleted(item=AgentMessageItem(id="m1", text="Done.")),
        TurnCompleted(usage=Usage(input_tokens=10, output_tokens=5)),
    ]


async def _reasoning_cells(config: Any) -> int:
    app = make_app(config, [_turn()])
    async with app.run_test() as pilot:
        for ch in "go":
            await pilot.press(ch)
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.02)
            if not app.turn_running and "m1" in app.transcript.cells:
                break
        return len(app.query(ReasoningCell))


async def test_reasoning_is_shown_by_default_and_hidden_when_configured(fixed_config: Any) -> None:
    assert await _reasoning_cells(fixed_config) == 1
    assert await _reasoning_cells(attrs.evolve(fixed_config, hide_agent_reasoning=True)) == 0
