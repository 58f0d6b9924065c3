"""Slash commands that need no model, and OSC 9 notifications."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import attrs
import pytest

from codex_core.protocol.events import ApprovalRequested, TurnStarted
from codex_tui import notifications
from codex_tui.app import CodexApp
from codex_tui.screens.approval import ApprovalScreen
from codex_tui.screens.picker import PickerScreen
from codex_tui.widgets import AgentMessageCell, DiffCell, InfoCell, UserCell

from .fakes import AwaitApproval, FakeCodex, Gate, message_turn
from .test_app_flows import cell_texts, wait_idle


async def test_status_shows_session_and_settings(config) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config)
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/status", "enter")
        await pilot.pause()
        text = cell_texts(app, InfoCell)[-1]
        assert "Session    thread-1" in text
        assert config.model in text and config.approval_policy in text and config.sandbox_mode in text


async def test_diff_shows_tracked_and_untracked_changes(make_config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.email=a@b", "-c", "user.name=t", *args], cwd=workdir, check=True, capture_output=True
        )

    git("init", "-q")
    (workdir / "a.txt").write_text("one\n")
    git("add", "a.txt")
    git("commit", "-qm", "init")
    (workdir / "a.txt").write_text("two\n")
    (workdir / "new.txt").write_text("fresh\n")
    config = make_config()
    app = CodexApp(FakeCodex(config), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/diff", "enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if app.transcript.query(DiffCell):
                break
        diff = str(app.transcript.query_one(DiffCell).render())
    assert "-one" in diff and "+two" in diff and "+fresh" in diff


async def test_diff_outside_git_repo_warns(config) -> None:  # type: ignore[no-untyped-def]
    app = CodexApp(FakeCodex(config), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/diff", "enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if any("not inside a git repository" in t for t in cell_texts(app, InfoCell)):
                break
        assert any("not inside a git repository" in t for t in cell_texts(app, InfoCell))


async def test_init_sends_prompt_unless_agents_md_exists(config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config)
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/init", "enter")
        await wait_idle(pilot, app)
        assert "AGENTS.md" in codex.threads[0].inputs[0][0]
        assert any("/init" in t for t in cell_texts(app, UserCell))
        (workdir / "AGENTS.md").write_text("# rules\n")
        await pilot.press(*"/init", "enter")
        await wait_idle(pilot, app)
        assert len(codex.threads[0].inputs) == 1
        assert any("already exists" in t for t in cell_texts(app, InfoCell))


async def test_session_commands_refused_during_turn(config) -> None:  # type: ignore[no-untyped-def]
    from .fakes import AwaitInterrupt

    codex = FakeCodex(config, [[TurnStarted(), AwaitInterrupt()]])
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"go", "enter")
        await pilot.pause()
        await pilot.press(*"/new", "enter")
        await pilot.pause()
        assert len(codex.threads) == 1
        assert any("disabled while a task is in progress" in t for t in cell_texts(app, InfoCell))
        await pilot.press("escape")
        await wait_idle(pilot, app)


async def test_resume_picker_lists_sessions_and_resumes(config) -> None:  # type: ignore[no-untyped-def]
    @attrs.frozen
    class Info:
        id: str
        updated_at: str
        cwd: str
        preview: str

    seen: list[object] = []

    def lister(home: Path, cwd: Path | None) -> list[Info]:
        seen.append(cwd)
        return [Info("aaaa-1111", "2026-01-02", str(cwd), "fix the parser"), Info("bbbb-2222", "x", "", "")]

    codex = FakeCodex(config)
    app = CodexApp(codex, config, list_sessions=lister)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/resume", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert [i.value for i in app.screen.items] == ["aaaa-1111"]  # empty sessions are not offered
        await pilot.press("enter")
        await pilot.pause()
        assert app.thread is not None and app.thread.id == "aaaa-1111"
    assert seen == [config.cwd]


def test_osc9_escape_and_terminal_detection() -> None:
    assert notifications.osc9("done\x07 now") == "\x1b]9;done now\x07"
    assert notifications.supports_osc9({"TERM_PROGRAM": "iTerm.app"})
    assert notifications.supports_osc9({"TERM": "xterm-kitty"})
    assert not notifications.supports_osc9({"TERM": "xterm-256color"})
    assert not notifications.supports_osc9({"TERM_PROGRAM": "WezTerm", "TMUX": "/tmp/t"})
    assert notifications.notification_enabled(True, notifications.TURN_COMPLETE)
    assert not notifications.notification_enabled(False, notifications.TURN_COMPLETE)
    assert notifications.notification_enabled(["approval-requested"], notifications.APPROVAL_REQUESTED)
    assert not notifications.notification_enabled(["approval-requested"], notifications.TURN_COMPLETE)


@pytest.mark.parametrize("focused", [False, True])
async def test_desktop_notifications_when_unfocused(make_config, monkeypatch, focused: bool) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TERM_PROGRAM", "WezTerm")
    monkeypatch.delenv("TMUX", raising=False)
    config = make_config("tui.notifications=true")
    request = ApprovalRequested(request_id="r1", kind="exec", item_id="c", command=["make"], cwd="/w")
    gate = asyncio.Event()
    script = [TurnStarted(), Gate(gate), AwaitApproval(request, then={"approved": message_turn("Built it.")[1:]})]
    app = CodexApp(FakeCodex(config, [script]), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"build", "enter")
        app.app_focus = focused  # the terminal reports focus in/out; a key press refocuses
        gate.set()
        for _ in range(50):
            await pilot.pause()
            if isinstance(app.screen, ApprovalScreen):
                break
        assert isinstance(app.screen, ApprovalScreen)
        app.screen.action_decide("approved")
        await wait_idle(pilot, app)
        sent = list(app.notifications_sent)
    if focused:
        assert sent == []
    else:
        assert sent == ["Approval requested: make", "Agent turn complete: Built it."]


async def test_no_desktop_notifications_when_disabled(make_config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TERM_PROGRAM", "WezTerm")
    config = make_config()  # [tui] notifications defaults to false
    gate = asyncio.Event()
    app = CodexApp(FakeCodex(config, [[TurnStarted(), Gate(gate), *message_turn("Done.")[1:]]]), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"hi", "enter")
        app.app_focus = False
        gate.set()
        await wait_idle(pilot, app)
        assert cell_texts(app, AgentMessageCell) == ["Done."]
        assert app.notifications_sent == []


@pytest.mark.parametrize("key", ["enter", "escape"])
async def test_startup_resume_picker_with_deferred_sdk(config, key: str) -> None:  # type: ignore[no-untyped-def]
    """``codex resume`` without an id: the SDK is built in the background, then the picker opens;
    Enter resumes the chosen session, Esc starts a new one; either way messages can be sent."""

    @attrs.frozen
    class Info:
        id: str
        updated_at: str
        cwd: str
        preview: str

    codex = FakeCodex(config)
    app = CodexApp(
        None,
        config,
        codex_factory=lambda: codex,
        resume_picker=True,
        list_sessions=lambda home, cwd: [Info("cafe-0001", "2026-01-01", "", "old work")],
    )
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.01)
            if isinstance(app.screen, PickerScreen):
                break
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(key)
        await pilot.pause()
        assert app.ready
        assert app.thread is not None
        assert (app.thread.id == "cafe-0001") == (key == "enter")
        await pilot.press(*"hello", "enter")
        await wait_idle(pilot, app)
        assert app.thread.inputs == [("hello", [])]  # type: ignore[attr-defined]
