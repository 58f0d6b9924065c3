"""TUI speed benchmarks.

1. Start-up: wall time from spawning the real ``codex`` entry point in a pseudo-terminal until
   the composer is on screen and focused (its placeholder text is drawn). Median of N runs.
2. Streaming: 10,000 ``item.delta`` events through the real ``CodexApp`` (headless), while keys
   are typed into the composer; reports the render time and checks that every key arrived.

    uv run python benchmarks/tui_startup.py [--runs 7] [--deltas 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
READY_TEXT = b"to do anything"
PYCACHE = (
    Path(tempfile.gettempdir()) / "codex-tui-bench-pycache"
)  # the tail of the composer placeholder "Ask Codex to do anything"


def _codex_bin() -> str:
    candidate = ROOT / ".venv" / "bin" / "codex"
    return str(candidate) if candidate.exists() else (shutil.which("codex") or "codex")


MINIMAL_APP = """
from textual.app import App
from textual.widgets import TextArea
class Bare(App):
    def compose(self):
        yield TextArea(placeholder="Ask Codex to do anything")
Bare().run()
"""


def startup_once(codex_home: Path, cwd: Path, timeout: float = 20.0, argv: list[str] | None = None) -> float:
    """Seconds from spawn to the composer being drawn (the process is then terminated)."""
    env = {
        **os.environ,
        "CODEX_HOME": str(codex_home),
        "TERM": "xterm-256color",
        "COLUMNS": "100",
        "LINES": "30",
        "TEST_KEY": "bench-key",
        # A normal install has compiled .pyc files; this checkout's environment sets
        # PYTHONDONTWRITEBYTECODE, so cache bytecode in a private directory instead of measuring
        # source compilation on every run (the shared venv is left untouched).
        "PYTHONPYCACHEPREFIX": str(PYCACHE),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv or [_codex_bin()], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                seen += chunk
                if READY_TEXT in seen:
                    return time.perf_counter() - start
            if proc.poll() is not None:
                break
        raise RuntimeError(f"composer never appeared; output tail: {seen[-600:]!r}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        os.close(master)


def bench_startup(runs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "config.toml").write_text(
            'model_provider = "test"\nmodel = "gpt-test"\n\n[model_providers.test]\nname = "test"\n'
            'base_url = "http://127.0.0.1:9/v1"\nenv_key = "TEST_KEY"\nwire_api = "responses"\n'
        )
        cwd = Path(tmp) / "work"
        cwd.mkdir()
        startup_once(home, cwd)  # warm the OS file cache and .pyc files
        return [startup_once(home, cwd) for _ in range(runs)]


# --- streaming ------------------------------------------------------------------------------


class _StreamingThread:
    """Yields one agent message as ``n`` deltas (real event models), no pauses in between."""

    def __init__(self, config: Any, n: int) -> None:
        self.config = config
        self.id = "bench"
        self.n = n

    async def run_streamed(self, text: str, *, images: Sequence[Path] = ()) -> AsyncIterator[Any]:
        from codex_core.protocol.events import (
            AgentMessageItem,
            ItemCompleted,
            ItemDelta,
            ItemStarted,
            TurnCompleted,
            TurnStarted,
            Usage,
        )

        yield TurnStarted()
        yield ItemStarted(item=AgentMessageItem(id="m", text=""))
        parts = []
        for i in range(self.n):
            part = f"word{i} " if i % 40 else f"\n\nParagraph {i // 40}: "
            parts.append(part)
            yield ItemDelta(item_id="m", kind="agent_message", delta=part)
            await asyncio.sleep(0)  # worst case: the stream yields to the loop after every delta
        yield ItemCompleted(item=AgentMessageItem(id="m", text="".join(parts)))
        yield TurnCompleted(usage=Usage())

    async def respond_approval(self, request_id: str, decision: str) -> None: ...
    def interrupt(self) -> None: ...
    def override(self, **kwargs: Any) -> None: ...
    async def compact(self) -> None: ...


class _Codex:
    def __init__(self, thread: _StreamingThread) -> None:
        self.thread = thread

    def start_thread(self) -> _StreamingThread:
        return self.thread

    def resume_thread(self, thread_id: str) -> _StreamingThread:
        return self.thread


async def bench_streaming(n: int) -> dict[str, float]:
    """Stream ``n`` deltas while typing into the composer; every key must arrive."""
    from textual import events

    from codex_core.config import ConfigOverrides, load_config
    from codex_tui.app import CodexApp
    from codex_tui.widgets import AgentMessageCell

    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(ConfigOverrides(), codex_home=Path(tmp), cwd=Path(tmp))
        app = CodexApp(_Codex(_StreamingThread(config, n)), config)  # type: ignore[arg-type]
        typed = "the quick brown fox jumps over the lazy dog"
        latencies: list[float] = []

        async def type_while_streaming() -> None:
            # Keys go through the app's message queue exactly like terminal input does.
            for i, ch in enumerate(typed):
                t = time.perf_counter()
                app.post_message(events.Key("space" if ch == " " else ch, ch))
                while len(app.composer.text) <= i:  # noqa: ASYNC110 - polling UI state from outside the app, on purpose
                    await asyncio.sleep(0.0005)
                latencies.append(time.perf_counter() - t)
                await asyncio.sleep(0.005)

        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("g", "o")
            start = time.perf_counter()
            app.post_message(events.Key("enter", "\r"))
            while not app.turn_running:  # noqa: ASYNC110 - polling UI state from outside the app, on purpose
                await asyncio.sleep(0.001)
            typer = asyncio.create_task(type_while_streaming())
            while app.turn_running:  # noqa: ASYNC110 - polling UI state from outside the app, on purpose
                await asyncio.sleep(0.005)
            cell = app.transcript.query_one(AgentMessageCell)
            while cell._stream is not None:  # noqa: ASYNC110 - polling UI state from outside the app, on purpose
                await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - start
            await typer
            composer_text = app.composer.text
            rendered_chars = len(cell.text)
        if composer_text != typed:
            raise AssertionError(f"input dropped while streaming: {composer_text!r} != {typed!r}")
        return {
            "deltas": n,
            "total_s": elapsed,
            "deltas_per_s": n / elapsed,
            "chars": rendered_chars,
            "key_p50_ms": statistics.median(latencies) * 1000,
            "key_max_ms": max(latencies) * 1000,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--deltas", type=int, default=10_000)
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--skip-streaming", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_startup:
        times = bench_startup(args.runs)
        print(
            f"startup to interactive composer: median {statistics.median(times) * 1000:.0f} ms "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={len(times)}; target < 400 ms)"
        )
        floor = [
            startup_once(Path(tempfile.gettempdir()), ROOT, argv=[sys.executable, "-c", MINIMAL_APP])
            for _ in range(args.runs)
        ]
        print(f"  baseline, bare Textual app with one TextArea: median {statistics.median(floor) * 1000:.0f} ms")
    if not args.skip_streaming:
        r = asyncio.run(bench_streaming(args.deltas))
        print(
            f"streaming {r['deltas']:.0f} deltas ({r['chars']:.0f} chars rendered): {r['total_s']:.2f} s "
            f"({r['deltas_per_s']:.0f} deltas/s); every key typed meanwhile arrived; "
            f"key latency p50 {r['key_p50_ms']:.1f} ms, max {r['key_max_ms']:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
