"""Composer behaviour: newline keys, history, large paste, slash and @file completion."""

from __future__ import annotations

import subprocess
from pathlib import Path

from textual import events

from codex_tui.app import CodexApp
from codex_tui.file_search import fuzzy_match, list_repo_files, search_files
from codex_tui.widgets.composer import LARGE_PASTE_CHARS

from .fakes import FakeCodex
from .test_app_flows import wait_idle


async def test_shift_enter_and_ctrl_j_insert_newlines(config) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config)
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a", "shift+enter", "b", "ctrl+j", "c")
        assert app.composer.text == "a\nb\nc"
        await pilot.press("enter")
        await wait_idle(pilot, app)
        assert codex.threads[0].inputs == [("a\nb\nc", [])]


async def test_up_down_walk_history_and_restore_draft(config) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config)
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        for word in ("first", "second"):
            await pilot.press(*word, "enter")
            await wait_idle(pilot, app)
        await pilot.press(*"dra", "up")
        assert app.composer.text == "second"
        await pilot.press("up")
        assert app.composer.text == "first"
        await pilot.press("up")  # stays at the oldest
        assert app.composer.text == "first"
        await pilot.press("down", "down")
        assert app.composer.text == "dra"


async def test_large_paste_is_collapsed_and_expanded_on_send(config) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config)
    app = CodexApp(codex, config)
    big = "x" * (LARGE_PASTE_CHARS + 500)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"see: ")
        app.post_message(events.Paste(big))
        await pilot.pause()
        assert app.composer.text == f"see: [Pasted Content {len(big)} chars]"
        app.post_message(events.Paste("small"))
        await pilot.pause()
        assert app.composer.text.endswith("small")
        await pilot.press("enter")
        await wait_idle(pilot, app)
        assert codex.threads[0].inputs[0][0] == f"see: {big}small"


async def test_slash_popup_filters_and_enter_runs_command(config) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config)
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("/", "s")
        await pilot.pause()
        assert app.popup.is_open
        assert [c.value for c in app.popup.completions] == ["/status"]
        await pilot.press("escape")
        assert not app.popup.is_open
        await pilot.press("backspace", "backspace", "/", "q", "u")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_value == 0


async def test_at_mention_fuzzy_completes_repo_file(config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    (workdir / "src" / "pkg").mkdir(parents=True)
    (workdir / "src" / "pkg" / "agent_loop.py").write_text("")
    (workdir / "README.md").write_text("")
    (workdir / "node_modules").mkdir()
    (workdir / "node_modules" / "agentx.js").write_text("")
    codex = FakeCodex(config)
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"look at @agl")
        for _ in range(10):
            await pilot.pause()
        assert app.popup.is_open
        assert app.popup.completions[0].value == "src/pkg/agent_loop.py"
        await pilot.press("tab")
        assert app.composer.text == "look at src/pkg/agent_loop.py "
        assert not app.popup.is_open


async def test_mention_command_opens_file_popup(config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    (workdir / "main.py").write_text("")
    codex = FakeCodex(config)
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/mention", "enter")
        for _ in range(10):
            await pilot.pause()
        assert app.composer.text == "@"
        assert [c.value for c in app.popup.completions] == ["main.py"]


def test_fuzzy_match_prefers_basename_and_word_starts() -> None:
    files = ["docs/agents/loop.md", "src/agent_loop.py", "tests/test_agent_loop.py", "a/g/e/n/t.txt"]
    ranked = [m.path for m in search_files("agentloop", files)]
    assert ranked[0] == "src/agent_loop.py"
    assert fuzzy_match("zz", "src/agent.py") is None
    match = fuzzy_match("al", "src/agent_loop.py")
    assert match is not None and len(match.indices) == 2


def test_list_repo_files_respects_gitignore(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("ignored/\n")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "x.py").write_text("")
    (tmp_path / "kept.py").write_text("")
    assert list_repo_files(tmp_path) == [".gitignore", "kept.py"]


async def test_history_includes_earlier_sessions(config) -> None:  # type: ignore[no-untyped-def]
    from codex_core.session import append_history

    for text in ("old one", "old two"):
        append_history(config.codex_home, config.history, session_id="s0", text=text)
    app = CodexApp(FakeCodex(config), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("up")
        assert app.composer.text == "old two"
        await pilot.press("up")
        assert app.composer.text == "old one"
