"""Pilot tests driving the TUI over the real ``codex_core.Codex`` with ``ScriptedModel``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from codex_core import Codex
from codex_core.testing import ScriptedModel, message, reasoning, shell_call
from codex_tui.app import CodexApp
from codex_tui.screens.approval import ApprovalScreen
from codex_tui.screens.picker import PickerScreen
from codex_tui.widgets import AgentMessageCell, CommandCell, InfoCell, ReasoningCell, UserCell

from .test_app_flows import cell_texts, wait_idle


async def wait_for_screen(pilot, app: CodexApp, kind: type) -> None:  # type: ignore[no-untyped-def]
    for _ in range(300):
        await pilot.pause(0.01)
        if isinstance(app.screen, kind):
            return
    raise AssertionError(f"{kind.__name__} never opened; screen is {app.screen!r}")


async def test_message_and_reasoning_from_core(config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[reasoning("**Planning** the greeting"), message("Hello from *core*.")]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"hello", "enter")
        await wait_idle(pilot, app)
        assert cell_texts(app, AgentMessageCell) == ["Hello from *core*."]
        thinking = app.transcript.query_one(ReasoningCell)
        assert thinking.collapsed and thinking.title == "Thinking · Planning the greeting"
        assert app.status.tokens_used is not None and app.status.tokens_used > 0
    model.assert_complete()


SHELL_TOOL = "features.unified_exec=false"
"""`shell_call` drives the classic `shell` tool, which is offered only with unified exec off."""


async def test_command_approval_then_run(make_config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    config = make_config(SHELL_TOOL, approval_policy="untrusted", sandbox_mode="danger-full-access")
    model = ScriptedModel([[shell_call(["touch", "made.txt"])], [message("Created it.")]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"make a file", "enter")
        await wait_for_screen(pilot, app, ApprovalScreen)
        assert "touch made.txt" in str(app.screen.query_one("#approval-command").render())
        await pilot.press("y")
        await wait_idle(pilot, app)
        cmd = app.transcript.query_one(CommandCell)
        assert cmd.status == "completed" and cmd.exit_code == 0
        assert "✓ Ran touch made.txt" in str(cmd._header.render())
        assert cell_texts(app, AgentMessageCell) == ["Created it."]
    assert (workdir / "made.txt").exists()


async def test_command_denied_is_not_run(make_config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    config = make_config(SHELL_TOOL, approval_policy="untrusted", sandbox_mode="danger-full-access")
    model = ScriptedModel([[shell_call(["touch", "nope.txt"])], [message("Understood.")]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"make a file", "enter")
        await wait_for_screen(pilot, app, ApprovalScreen)
        await pilot.press("n")
        await wait_idle(pilot, app)
        assert cell_texts(app, AgentMessageCell) == ["Understood."]
    assert not (workdir / "nope.txt").exists()


async def test_escape_interrupts_a_running_command(make_config) -> None:  # type: ignore[no-untyped-def]
    config = make_config(SHELL_TOOL, approval_policy="never", sandbox_mode="danger-full-access")
    model = ScriptedModel([[shell_call(["sleep", "30"])]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"wait", "enter")
        for _ in range(300):
            await pilot.pause(0.01)
            if app.transcript.query(CommandCell):
                break
        assert app.turn_running
        await pilot.press("escape")
        await wait_idle(pilot, app)
        assert not app.turn_running
        assert any("Interrupted" in t for t in cell_texts(app, InfoCell))


async def test_notify_program_runs_after_turn(make_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "notified.json"
    script = "import pathlib,sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"
    config = make_config(f"notify={json.dumps([sys.executable, '-c', script, str(out)])}")
    model = ScriptedModel([[message("All done.")]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"go", "enter")
        await wait_idle(pilot, app)
        for _ in range(200):
            if out.exists() and out.read_text():
                break
            await pilot.pause(0.02)
    payload = json.loads(out.read_text())
    assert payload["type"] == "agent-turn-complete"
    assert payload["last-assistant-message"] == "All done."


async def test_new_then_resume_replays_history(config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[message("First answer.")]])
    codex = Codex(config, model_client=model)
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"remember me", "enter")
        await wait_idle(pilot, app)
        first_id = app.thread.id  # type: ignore[union-attr]
        await pilot.press(*"/new", "enter")
        await pilot.pause()
        assert app.thread.id != first_id  # type: ignore[union-attr]
        assert not app.transcript.query(UserCell)
        await pilot.press(*"/resume", "enter")
        await wait_for_screen(pilot, app, PickerScreen)
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause()
            if app.transcript.query(UserCell):
                break
        assert app.thread.id == first_id  # type: ignore[union-attr]
        assert any("remember me" in t for t in cell_texts(app, UserCell))
        assert cell_texts(app, AgentMessageCell) == ["First answer."]


async def test_compact_runs_on_core(config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[message("Answer.")], [message("Summary of the work.")]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"hi", "enter")
        await wait_idle(pilot, app)
        await pilot.press(*"/compact", "enter")
        await wait_idle(pilot, app)
        assert any("Conversation compacted." in t for t in cell_texts(app, InfoCell))
    model.assert_complete()


async def test_model_and_approvals_pickers_override_thread(config) -> None:  # type: ignore[no-untyped-def]
    app = CodexApp(Codex(config, model_client=ScriptedModel([])), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/model gpt-5", "enter")
        await pilot.pause()
        assert app.thread.config.model == "gpt-5"  # type: ignore[union-attr]
        assert app.status.model == "gpt-5"
        await pilot.press(*"/approvals", "enter")
        await wait_for_screen(pilot, app, PickerScreen)
        await pilot.press("down", "down", "up", "enter")  # Read Only -> Full Access -> Auto
        await pilot.pause()
        cfg = app.thread.config  # type: ignore[union-attr]
        assert (cfg.approval_policy, cfg.sandbox_mode) == ("on-request", "workspace-write")
        assert "workspace-write · approvals on-request" in str(app.status.render())
