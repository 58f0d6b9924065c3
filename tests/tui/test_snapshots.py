"""SVG snapshots of the main views (fixed size, fixed cwd/model, scripted events, no clock).

Update after an intended visual change with ``uv run pytest tests/tui/test_snapshots.py --snapshot-update``
and review the SVGs in ``tests/tui/__snapshots__/``.
"""

from __future__ import annotations

from typing import Any

from codex_core.protocol.events import (
    AgentMessageItem,
    ApprovalRequested,
    CommandExecutionItem,
    FileChange,
    FileChangeItem,
    ItemCompleted,
    ItemDelta,
    ItemStarted,
    McpToolCallItem,
    McpToolCallResult,
    ReasoningItem,
    TodoEntry,
    TodoListItem,
    TokenCount,
    TurnCompleted,
    TurnStarted,
    Usage,
    WebSearchItem,
)
from codex_tui.app import CodexApp

from .fakes import AwaitApproval, FakeCodex

SIZE = (100, 34)
ANSWER = """I fixed the failing test.

- `parse()` now strips **trailing whitespace**
- added a regression test

```python
assert parse("a ") == "a"
```"""


def full_turn() -> list[Any]:
    cmd_done = CommandExecutionItem(
        id="c1", command="pytest -q", aggregated_output="3 passed\n1 failed\n", exit_code=1, status="failed"
    )
    cmd2 = CommandExecutionItem(
        id="c2", command="git status --short", aggregated_output=" M src/parse.py\n", exit_code=0, status="completed"
    )
    return [
        TurnStarted(),
        ItemStarted(item=ReasoningItem(id="r1", text="")),
        ItemDelta(item_id="r1", kind="reasoning", delta="**Looking at the failure**\n\nThe parser keeps spaces."),
        ItemCompleted(item=ReasoningItem(id="r1", text="**Looking at the failure**\n\nThe parser keeps spaces.")),
        ItemStarted(
            item=TodoListItem(
                id="t1",
                items=[TodoEntry(text="Reproduce", completed=True), TodoEntry(text="Fix parse()", completed=False)],
            )
        ),
        ItemStarted(item=CommandExecutionItem(id="c1", command="pytest -q")),
        ItemDelta(item_id="c1", kind="command_output", delta="3 passed\n"),
        ItemCompleted(item=cmd_done),
        ItemCompleted(item=cmd2),
        ItemCompleted(
            item=FileChangeItem(
                id="f1",
                changes=[
                    FileChange(path="src/parse.py", kind="update"),
                    FileChange(path="tests/test_parse.py", kind="add"),
                ],
            )
        ),
        ItemCompleted(
            item=McpToolCallItem(
                id="m1",
                server="docs",
                tool="search",
                arguments={"q": "strip"},
                result=McpToolCallResult(content=[{"type": "text", "text": "ok"}]),
                status="completed",
            )
        ),
        ItemCompleted(item=WebSearchItem(id="w1", query="python str.strip")),
        ItemStarted(item=AgentMessageItem(id="a1", text="")),
        ItemDelta(item_id="a1", kind="agent_message", delta=ANSWER[:20]),
        ItemDelta(item_id="a1", kind="agent_message", delta=ANSWER[20:]),
        ItemCompleted(item=AgentMessageItem(id="a1", text=ANSWER)),
        TokenCount(
            total=Usage(input_tokens=12000, output_tokens=800), last=Usage(), total_tokens=12800, context_window=200_000
        ),
        TurnCompleted(usage=Usage(input_tokens=12000, output_tokens=800)),
    ]


def make_app(config: Any, turns: list[list[Any]] | None = None) -> CodexApp:
    app = CodexApp(FakeCodex(config, turns or []), config)
    app.composer.cursor_blink = False
    return app


async def settle(pilot: Any) -> None:
    app = pilot.app
    for _ in range(100):
        await pilot.pause(0.01)
        if not app.turn_running:
            break
    await app.workers.wait_for_complete()
    await pilot.pause(0.2)


def test_snapshot_start_screen(snap_compare, fixed_config) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(fixed_config), terminal_size=SIZE)


def test_snapshot_full_turn(snap_compare, fixed_config) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fixed_config, [full_turn()])
    assert snap_compare(app, press=[*"fix the test", "enter"], terminal_size=(100, 48), run_before=settle)


def test_snapshot_approval_modal(snap_compare, fixed_config) -> None:  # type: ignore[no-untyped-def]
    request = ApprovalRequested(
        request_id="r",
        kind="exec",
        item_id="c",
        command=["rm", "-rf", "build"],
        cwd="/home/dev/project",
        reason="clean build outputs",
    )
    script = [
        TurnStarted(),
        ItemStarted(item=CommandExecutionItem(id="c", command="rm -rf build")),
        AwaitApproval(request),
    ]
    app = make_app(fixed_config, [script])

    async def wait_modal(pilot: Any) -> None:
        for _ in range(100):
            await pilot.pause(0.01)
            if pilot.app.screen is not pilot.app.screen_stack[0]:
                break
        await pilot.pause(0.2)

    assert snap_compare(app, press=[*"clean up", "enter"], terminal_size=SIZE, run_before=wait_modal)


def test_snapshot_slash_popup(snap_compare, fixed_config) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(fixed_config), press=["/"], terminal_size=SIZE)


def test_snapshot_model_picker(snap_compare, fixed_config) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(fixed_config), press=[*"/model", "enter"], terminal_size=SIZE)
