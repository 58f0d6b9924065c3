"""Start-up and exit of the TUI (issue 16, points 1, 2 and 7), with Pilot and a real pty.

1. Keys typed while Codex starts reach the composer in order, Enter stays Enter.
2. The composer is up before the config and the SDK are loaded; ``codex "prompt"`` shows the
   prompt at once and sends it as soon as the thread exists; history is read afterwards.
7. Ctrl+D on an empty composer quits; the exit summary is the reference's.
"""

from __future__ import annotations

import gc
import os
import pty
import subprocess
import sys
import termios
import threading
from pathlib import Path
from typing import Any

import pytest
from textual import events

from codex_core import Codex
from codex_core.client.types import TokenUsage
from codex_core.testing import ScriptedModel, message
from codex_tui import startup_input
from codex_tui.app import CodexApp, StartupError
from codex_tui.exit_summary import ExitSummary, format_token_usage
from codex_tui.widgets import AgentMessageCell, InfoCell, UserCell

from .fakes import FakeCodex
from .test_app_flows import cell_texts, wait_idle


async def wait_until(pilot: Any, condition: Any, what: str) -> None:
    for _ in range(300):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"timed out waiting for {what}")


# --- 1. keys typed during start-up ---------------------------------------------------------


class _KeysBeforeMount(CodexApp):
    """Keys that the terminal delivers before ``CodexApp.on_mount`` has run (as a fast typist's
    do). Textual calls every class's ``on_mount`` in MRO order, this one first."""

    keys: tuple[tuple[str, str], ...] = ()

    def on_mount(self) -> None:
        for key, char in self.keys:
            self.post_message(events.Key(key, char))


async def test_keys_arriving_before_the_composer_has_focus_are_replayed_in_order(config) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config)
    app = _KeysBeforeMount(codex, config)
    app.keys = (*((c, c) for c in "hello"), ("enter", "\r"), *((c, c) for c in "world"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.composer.text == "world", "the composer to hold 'world'")
        await wait_idle(pilot, app)
        assert codex.threads[0].inputs == [("hello", [])]
        assert app.composer.text == "world"


async def test_bytes_typed_before_the_app_started_are_replayed_first(config) -> None:  # type: ignore[no-untyped-def]
    """What ``startup_input`` kept (Enter as CR, a backspace, an arrow key) is parsed like the
    driver's input and goes into the composer before anything typed later."""
    codex = FakeCodex(config)
    app = CodexApp(codex, config, typed_input=b"hellp\x7fo\rwo\x1b[Dr")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("end", "l", "d")
        await wait_idle(pilot, app)
        assert codex.threads[0].inputs == [("hello", [])]
        assert app.composer.text == "wrold"


# --- 2. start-up order ---------------------------------------------------------------------


class _Gate:
    """A start-up step that blocks (in the app's loading thread) until the test opens it."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.opened = threading.Event()
        self.called = threading.Event()

    def __call__(self) -> Any:
        self.called.set()
        assert self.opened.wait(10), "the test never opened the gate"
        if isinstance(self.value, BaseException):
            raise self.value
        return self.value


async def test_composer_works_before_config_and_sdk_are_loaded(config) -> None:  # type: ignore[no-untyped-def]
    """The config is read after the first paint; what is typed and sent meanwhile (a slash
    command included) waits and runs, in order, once it is loaded."""
    codex = FakeCodex(config)
    loader = _Gate(config)
    app = CodexApp(None, None, config_loader=loader, codex_factory=lambda: codex, cwd=config.cwd)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, loader.called.is_set, "the config to be loading")
        assert app.focused is app.composer and not app.config_loaded and not app.status.visible
        await pilot.press(*"/status", "enter", *"first", "enter", *"draft")
        await pilot.pause()
        assert app.composer.text == "draft" and app.composer.held == ["/status", "first"]
        assert not codex.threads
        loader.opened.set()
        await wait_until(pilot, lambda: bool(codex.threads and codex.threads[0].inputs), "the first message")
        await wait_idle(pilot, app)
        assert app.status.visible and app.status.model == config.model
        assert codex.threads[0].inputs == [("first", [])]
        assert any("Status" in str(c.render()) for c in app.transcript.query(InfoCell))
        assert app.composer.text == "draft"


async def test_initial_prompt_is_shown_at_once_and_sent_once_the_thread_exists(config) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config)
    make = _Gate(codex)
    app = CodexApp(None, config, codex_factory=make, initial_prompt="fix the tests")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, make.called.is_set, "the SDK to be loading")
        assert cell_texts(app, UserCell) == ["› fix the tests"]
        make.opened.set()
        await wait_until(pilot, lambda: bool(codex.threads and codex.threads[0].inputs), "the prompt to be sent")
        await wait_idle(pilot, app)
        assert codex.threads[0].inputs == [("fix the tests", [])]
        assert cell_texts(app, UserCell) == ["› fix the tests"]  # shown once
        assert cell_texts(app, AgentMessageCell) == ["echo: fix the tests"]


async def test_history_is_read_after_the_first_message_is_sent(config) -> None:  # type: ignore[no-untyped-def]
    config.codex_home.mkdir(parents=True, exist_ok=True)
    (config.codex_home / "history.jsonl").write_text('{"session_id": "s0", "ts": 1, "text": "an old prompt"}\n')
    codex = FakeCodex(config)
    app = CodexApp(codex, config, initial_prompt="now")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_idle(pilot, app)
        await wait_until(pilot, lambda: "an old prompt" in app.composer.prompt_history, "history")
        assert codex.threads[0].inputs == [("now", [])]
        await pilot.press("up")
        assert app.composer.text == "an old prompt"


async def test_a_failing_start_up_step_ends_the_app_with_its_message(config) -> None:  # type: ignore[no-untyped-def]
    loader = _Gate(StartupError("config.toml:1: bad value for key `model`"))
    loader.opened.set()
    app = CodexApp(None, None, config_loader=loader, codex_factory=lambda: FakeCodex(config), cwd=config.cwd)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.return_code is not None, "the app to exit")
    assert app.return_code == 1
    assert app.startup_error == "config.toml:1: bad value for key `model`"


async def test_garbage_collection_paused_by_the_entry_point_resumes_when_ready(config) -> None:  # type: ignore[no-untyped-def]
    from codex_exec.multitool import entry

    gc.disable()
    entry._gc_paused = True
    try:
        app = CodexApp(FakeCodex(config), config)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: app.ready, "ready")
            assert gc.isenabled() and not entry._gc_paused
    finally:
        entry._gc_paused = False
        gc.unfreeze()
        gc.enable()


def test_bytecode_is_cached_outside_the_sources_when_writing_is_disabled(tmp_path: Path) -> None:
    """With PYTHONDONTWRITEBYTECODE the entry point still caches compiled modules, in
    ``$XDG_CACHE_HOME/codex-py/pycache`` and never next to the sources."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "probe_module.py").write_text("VALUE = 42\n")
    cache = tmp_path / "cache"
    code = "from codex_exec.multitool.entry import enable_bytecode_cache as e; assert e(); import probe_module"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(src)}
    env.pop("PYTHONPYCACHEPREFIX", None)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert list(cache.glob(f"codex-py/pycache{src}/probe_module.*.pyc"))
    assert not (src / "__pycache__").exists()


# --- startup_input on a real pseudo-terminal -----------------------------------------------


@pytest.fixture
def pty_pair():  # type: ignore[no-untyped-def]
    master, slave = pty.openpty()
    yield master, slave
    os.close(master)
    os.close(slave)


def test_capture_keeps_cooked_input_with_enter_as_cr_and_restores_the_terminal(pty_pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    master, slave = pty_pair
    monkeypatch.setattr(startup_input, "_captured", None)
    monkeypatch.setattr(os, "tcgetpgrp", lambda fd: os.getpgrp())  # a pty is no one's controlling terminal
    before = termios.tcgetattr(slave)
    assert before[0] & termios.ICRNL and before[3] & termios.ICANON
    os.write(master, b"hi\r")  # typed while the terminal is cooked: arrives as "hi\n"
    captured = startup_input.capture(slave, slave)
    assert captured is not None
    try:
        assert captured.take_typed() == b"hi\r" and captured.take_typed() == b""
        raw = termios.tcgetattr(slave)
        assert not raw[3] & (termios.ICANON | termios.ECHO | termios.ISIG) and not raw[0] & termios.ICRNL
        os.write(master, b"x\r")  # typed after the switch: queued as is, for Textual to read
        assert os.read(slave, 16) == b"x\r"
    finally:
        captured.restore()
    assert termios.tcgetattr(slave) == before


def test_capture_does_nothing_without_a_terminal(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(startup_input, "_captured", None)
    with open(tmp_path / "f", "w+") as fh:
        assert startup_input.capture(fh.fileno(), fh.fileno()) is None


# --- 7. Ctrl+D and the exit summary --------------------------------------------------------


async def test_ctrl_d_quits_on_an_empty_composer_and_deletes_otherwise(config) -> None:  # type: ignore[no-untyped-def]
    app = CodexApp(FakeCodex(config), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a", "b", "left", "ctrl+d")
        await pilot.pause()
        assert app.composer.text == "a" and app.return_code is None
        await pilot.press("backspace", "ctrl+d")
        await wait_until(pilot, lambda: app.return_code is not None, "the app to exit")
    assert app.return_code == 0


def test_token_usage_line_is_the_reference_one() -> None:
    # Codex 0.169 after two turns of input 1,234 (1,000 cached) and output 56 (20 reasoning)
    assert (
        format_token_usage(2468, 2000, 112, 40)
        == "Token usage: total=580 input=468 (+ 2,000 cached) output=112 (reasoning 40)"
    )
    assert format_token_usage(1234, 0, 56, 0) == "Token usage: total=1,290 input=1,234 output=56"


def test_exit_summary_lines() -> None:
    summary = ExitSummary("0199-abc", resumable=True, input_tokens=1234, output_tokens=56)
    assert summary.lines() == [
        "Token usage: total=1,290 input=1,234 output=56",
        "To continue this session, run:",
        "  codex resume 0199-abc",
    ]
    assert summary.lines(color=True)[-1] == "  \x1b[36mcodex resume 0199-abc\x1b[39m"
    assert ExitSummary("0199-abc", resumable=False).lines() == ["Session ID: 0199-abc"]
    assert ExitSummary(None, resumable=False).lines() == []


async def test_exit_summary_after_a_turn_with_the_real_core(config) -> None:  # type: ignore[no-untyped-def]
    usage = TokenUsage(input_tokens=1234, cached_input_tokens=1000, output_tokens=56, reasoning_output_tokens=20)
    model = ScriptedModel([[message("Hello.")]], usage=usage)
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.exit_summary().lines() == [f"Session ID: {app.thread.id}"]  # type: ignore[union-attr]
        await pilot.press(*"hi", "enter")
        await wait_idle(pilot, app)
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: app.return_code is not None, "the app to exit")
    thread = app.thread
    assert thread is not None and thread.rollout_path is not None and thread.rollout_path.exists()  # type: ignore[attr-defined]
    assert app.exit_summary().lines() == [
        "Token usage: total=290 input=234 (+ 1,000 cached) output=56 (reasoning 20)",
        "To continue this session, run:",
        f"  codex resume {thread.id}",
    ]
