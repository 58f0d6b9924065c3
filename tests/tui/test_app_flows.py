"""Pilot tests of the main TUI flows against a scripted thread (real event models)."""

from __future__ import annotations

from pathlib import Path

from codex_core.protocol.events import (
    AgentMessageItem,
    ApprovalRequested,
    CommandExecutionItem,
    ItemCompleted,
    ItemDelta,
    ItemStarted,
    TokenCount,
    TurnCompleted,
    TurnStarted,
    Usage,
)
from codex_tui.app import CodexApp
from codex_tui.screens.approval import ApprovalScreen
from codex_tui.widgets import AgentMessageCell, CommandCell, InfoCell, UserCell

from .fakes import AwaitApproval, AwaitInterrupt, FakeCodex, message_turn


def cell_texts(app: CodexApp, kind: type) -> list[str]:
    return [str(c.render()) if not isinstance(c, AgentMessageCell) else c.text for c in app.transcript.query(kind)]


async def wait_idle(pilot, app: CodexApp) -> None:  # type: ignore[no-untyped-def]
    for _ in range(200):
        await pilot.pause()
        if not app.turn_running:
            break
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_submit_streams_agent_message(config) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config, [message_turn("Hello **there**, I am Codex.")])
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"hi", "enter")
        await wait_idle(pilot, app)
        assert codex.threads[0].inputs == [("hi", [])]
        assert any("hi" in t for t in cell_texts(app, UserCell))
        assert cell_texts(app, AgentMessageCell) == ["Hello **there**, I am Codex."]
        assert app.composer.text == ""
        assert not app.status.working


async def test_initial_prompt_and_images_are_sent(config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config)
    img = tmp_path / "a.png"
    app = CodexApp(codex, config, initial_prompt="fix it", initial_images=[img])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_idle(pilot, app)
        assert codex.threads[0].inputs == [("fix it", [img])]
        assert cell_texts(app, AgentMessageCell) == ["echo: fix it"]


def _approval_script() -> list:
    cmd = CommandExecutionItem(id="cmd_1", command="rm -rf build")
    done = CommandExecutionItem(
        id="cmd_1", command="rm -rf build", aggregated_output="removed\n", exit_code=0, status="completed"
    )
    declined = CommandExecutionItem(id="cmd_1", command="rm -rf build", status="declined")
    return [
        TurnStarted(),
        ItemStarted(item=cmd),
        AwaitApproval(
            ApprovalRequested(
                request_id="req_1",
                kind="exec",
                item_id="cmd_1",
                command=["rm", "-rf", "build"],
                cwd="/w",
                reason="clean the build",
            ),
            then={
                "approved": [ItemCompleted(item=done), *message_turn("done", "msg_2")[1:]],
                "approved_for_session": [ItemCompleted(item=done), *message_turn("done", "msg_2")[1:]],
                "denied": [ItemCompleted(item=declined), *message_turn("ok, not removing", "msg_2")[1:]],
                "abort": [ItemCompleted(item=declined)],
            },
        ),
    ]


async def _run_approval(config, key: str):  # type: ignore[no-untyped-def]
    codex = FakeCodex(config, [_approval_script()])
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"clean", "enter")
        for _ in range(50):
            await pilot.pause()
            if isinstance(app.screen, ApprovalScreen):
                break
        assert isinstance(app.screen, ApprovalScreen)
        assert "rm -rf build" in str(app.screen.query_one("#approval-command").render())
        await pilot.press(key)
        await wait_idle(pilot, app)
        assert not isinstance(app.screen, ApprovalScreen)
        cmd = app.transcript.query_one(CommandCell)
        focused_composer = app.focused is app.composer
        return codex.threads[0], focused_composer, cmd, cell_texts(app, AgentMessageCell), cell_texts(app, InfoCell)


async def test_approval_approve_once(config) -> None:  # type: ignore[no-untyped-def]
    thread, _app, cmd, messages, _ = await _run_approval(config, "y")
    assert thread.approvals == [("req_1", "approved")]
    assert cmd.status == "completed" and cmd.exit_code == 0 and cmd.output == "removed\n"
    assert messages == ["done"]


async def test_approval_for_session(config) -> None:  # type: ignore[no-untyped-def]
    thread, *_ = await _run_approval(config, "a")
    assert thread.approvals == [("req_1", "approved_for_session")]


async def test_approval_deny(config) -> None:  # type: ignore[no-untyped-def]
    thread, _app, cmd, messages, _ = await _run_approval(config, "n")
    assert thread.approvals == [("req_1", "denied")]
    assert cmd.status == "declined"
    assert messages == ["ok, not removing"]


async def test_approval_deny_and_tell_model(config) -> None:  # type: ignore[no-untyped-def]
    thread, focused_composer, _cmd, _messages, infos = await _run_approval(config, "escape")
    assert thread.approvals == [("req_1", "abort")]
    assert any("turn aborted" in t for t in infos)
    assert focused_composer


async def test_escape_interrupts_running_turn(config) -> None:  # type: ignore[no-untyped-def]
    script = [
        TurnStarted(),
        ItemStarted(item=AgentMessageItem(id="m", text="")),
        ItemDelta(item_id="m", kind="agent_message", delta="Working on it"),
        AwaitInterrupt(),
    ]
    codex = FakeCodex(config, [script])
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"go", "enter")
        for _ in range(20):
            await pilot.pause()
        assert app.turn_running and app.status.working
        await pilot.press("escape")
        await wait_idle(pilot, app)
        assert codex.threads[0].interrupted.is_set()
        assert not app.turn_running
        assert any("Interrupted" in t for t in cell_texts(app, InfoCell))
        # the composer works again afterwards
        await pilot.press(*"next", "enter")
        await wait_idle(pilot, app)
        assert codex.threads[0].inputs[-1] == ("next", [])


async def test_token_count_updates_status_line(config) -> None:  # type: ignore[no-untyped-def]
    script = [
        TurnStarted(),
        TokenCount(
            total=Usage(input_tokens=1000), last=Usage(input_tokens=1000), total_tokens=50_000, context_window=200_000
        ),
        TurnCompleted(usage=Usage()),
    ]
    codex = FakeCodex(config, [script])
    app = CodexApp(codex, config)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("x", "enter")
        await wait_idle(pilot, app)
        line = str(app.status.render())
        # the session total (fresh input + output); the context left after the last request (50K
        # tokens) beyond Codex's 12K baseline (issue 16, point 9)
        assert "1.0K tokens" in line and "80% context left" in line
        assert config.model in line and config.sandbox_mode in line and config.approval_policy in line


async def test_message_sent_during_turn_is_queued(config) -> None:  # type: ignore[no-untyped-def]
    script = [TurnStarted(), AwaitInterrupt()]
    codex = FakeCodex(config, [script])
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"one", "enter")
        await pilot.pause()
        await pilot.press(*"two", "enter")
        await pilot.pause()
        assert app.queued == ["two"]
        await pilot.press("escape")
        await wait_idle(pilot, app)
        await wait_idle(pilot, app)
        assert [t for t, _ in codex.threads[0].inputs] == ["one", "two"]


async def test_ctrl_c_during_approval_interrupts_and_closes_prompt(config) -> None:  # type: ignore[no-untyped-def]
    request = ApprovalRequested(request_id="req_9", kind="patch", item_id="p", cwd="/w", changes=[])
    script = [TurnStarted(), AwaitApproval(request)]
    codex = FakeCodex(config, [script])
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        thread = codex.threads[0]

        def interrupt() -> None:  # like core: the pending approval dies and the turn ends
            thread.interrupted.set()
            assert thread._approval is not None
            thread._approval.set_result("abort")

        thread.interrupt = interrupt  # type: ignore[method-assign]
        await pilot.press(*"patch it", "enter")
        for _ in range(50):
            await pilot.pause()
            if isinstance(app.screen, ApprovalScreen):
                break
        assert "apply these changes (0 files)" in str(app.screen.query_one("#approval-title").render())
        await pilot.press("ctrl+c")
        await wait_idle(pilot, app)
        assert not isinstance(app.screen, ApprovalScreen)
        assert not app.turn_running
        assert app.is_running
