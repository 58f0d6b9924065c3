"""TUI speed benchmarks.

1. Start-up, in a real terminal (a private tmux server, 120x40), median of N runs each:
   - time to composer: from spawning ``codex`` until the composer's placeholder is on screen.
     Keys typed before that are not lost (they are replayed into the composer), so this is
     when the user can work;
   - time to first request: from spawning ``codex "say hello"`` until the local scripted
     model server receives the model request.
   With ``CODEX_REFERENCE_BIN`` set to a Codex CLI binary, the same figures are measured for it
   (run with ``--no-daemon``, i.e. one process like ours, a scratch ``CODEX_HOME``, update checks
   and analytics off, and every proxy variable pointing at a closed port so that nothing but
   the local model server is reachable) and printed next to ours. A bare Textual app with one
   ``TextArea`` gives the floor of the toolkit.
2. Streaming: 10,000 ``item.delta`` events through the real ``CodexApp`` (headless), while keys
   are typed into the composer; reports the render time and checks that every key arrived.

    uv run python benchmarks/tui_startup.py [--runs 7] [--deltas 10000]
    CODEX_REFERENCE_BIN=/path/to/codex uv run python benchmarks/tui_startup.py --skip-streaming

Budgets (issue 16): composer <= 500 ms, first request <= 700 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.support: the scripted model server

from tests.support.sse_server import ScriptedResponsesServer, turn_message  # noqa: E402

READY_TEXT = "Ask Codex to do anything"
"""The composer's placeholder (ours and the reference's)."""
SIZE = (120, 40)
COMPOSER_BUDGET_S = 0.5
REQUEST_BUDGET_S = 0.7
REFERENCE_ENV = "CODEX_REFERENCE_BIN"


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


@dataclass(frozen=True)
class Target:
    """A program to start: ``argv`` plus the environment and directory it runs with."""

    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path


class TmuxPane:
    """One private tmux server whose single pane runs ``target`` once the clock starts.

    The pane's shell blocks on a FIFO; ``go()`` takes the start time and opens the FIFO, which
    lets the shell ``exec`` the program. Everything the program writes is also piped to a file
    (``pipe-pane``), so the screen is captured only when output actually changed.
    """

    def __init__(self, target: Target, scratch: Path, label: str) -> None:
        self.socket = f"codex-bench-{os.getpid()}-{label}"
        self.fifo = scratch / f"{label}.go"
        self.raw = scratch / f"{label}.raw"
        os.mkfifo(self.fifo)
        self.raw.write_bytes(b"")
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in target.env.items())
        program = " ".join(shlex.quote(a) for a in target.argv)
        shell = (
            f"cd {shlex.quote(str(target.cwd))} && read _ < {shlex.quote(str(self.fifo))}; "
            f"exec env -u COLUMNS -u LINES {exports} {program}"
        )
        self._tmux("-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", str(SIZE[0]), "-y", str(SIZE[1]), shell)
        self._tmux("pipe-pane", "-t", "b", f"cat >> {shlex.quote(str(self.raw))}")
        self.start = 0.0

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False).stdout

    def go(self) -> None:
        self.start = time.perf_counter()
        with open(self.fifo, "w") as fh:
            fh.write("\n")

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "b")

    def cpu_seconds(self) -> float:
        """CPU time (user + system, all threads, 10 ms ticks) the program has used so far: on a
        shared machine it varies far less than wall time."""
        pid = self._tmux("display-message", "-p", "-t", "b", "#{pane_pid}").strip()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_for_text(self, text: str, timeout: float) -> float:
        """Seconds from ``go()`` until ``text`` is on screen (the moment its output arrived)."""
        seen = 0
        deadline = self.start + timeout
        while time.perf_counter() < deadline:
            size = self.raw.stat().st_size
            if size != seen:
                at = time.perf_counter()
                seen = size
                if text in self.screen():
                    return at - self.start
            time.sleep(0.002)
        raise RuntimeError(f"{text!r} never appeared; screen:\n{self.screen()}")

    def close(self) -> None:
        self._tmux("kill-server")
        # tmux leaves the socket file behind (one per run)
        Path(os.environ.get("TMUX_TMPDIR") or "/tmp", f"tmux-{os.getuid()}", self.socket).unlink(missing_ok=True)


class _Server:
    """The scripted model server, recording when each request arrived."""

    def __init__(self) -> None:
        self.server = ScriptedResponsesServer(repeat_last=True)
        self.server.enqueue(turn_message("Hello from the benchmark."))
        self.arrivals: list[float] = []
        record = self.server._record

        def stamped(request: Any) -> None:
            self.arrivals.append(time.perf_counter())
            record(request)

        self.server._record = stamped  # type: ignore[method-assign]

    def __enter__(self) -> _Server:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def wait_for_request(self, after: int, start: float, timeout: float) -> float:
        deadline = start + timeout
        while time.perf_counter() < deadline:
            if len(self.arrivals) > after:
                return self.arrivals[after] - start
            time.sleep(0.002)
        raise RuntimeError("no model request arrived")


def _time_composer(target: Target, scratch: Path, label: str, timeout: float = 30.0) -> tuple[float, float]:
    """(wall seconds, CPU seconds) until the composer is on screen."""
    pane = TmuxPane(target, scratch, label)
    try:
        pane.go()
        wall = pane.wait_for_text(READY_TEXT, timeout)
        return wall, pane.cpu_seconds()
    finally:
        pane.close()


def _time_first_request(
    target: Target, server: _Server, scratch: Path, label: str, timeout: float = 30.0
) -> tuple[float, float]:
    """(wall seconds, CPU seconds) until the model server has the first request."""
    before = len(server.arrivals)
    pane = TmuxPane(target, scratch, label)
    try:
        pane.go()
        wall = server.wait_for_request(before, pane.start, timeout)
        return wall, pane.cpu_seconds()
    finally:
        pane.close()


def _ours(home: Path, work: Path, base_url: str) -> Target:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'model_provider = "test"\nmodel = "gpt-test"\n\n[model_providers.test]\nname = "test"\n'
        f'base_url = "{base_url}"\nenv_key = "TEST_KEY"\nwire_api = "responses"\n'
    )
    env = {"CODEX_HOME": str(home), "TEST_KEY": "bench-key", "TERM": "xterm-256color"}
    return Target("ours", [_codex_bin()], env, work)


def _reference(binary: str, home: Path, work: Path, base_url: str) -> Target:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'model_provider = "test"\nmodel = "gpt-test"\ncheck_for_update_on_startup = false\n\n'
        f"[analytics]\nenabled = false\n\n"
        f'[model_providers.test]\nname = "test"\nbase_url = "{base_url}"\nenv_key = "TEST_KEY"\n'
        f'wire_api = "responses"\n\n[projects."{work}"]\ntrust_level = "trusted"\n'
    )
    closed = "http://127.0.0.1:9"
    env = {
        "CODEX_HOME": str(home),
        "TEST_KEY": "bench-key",
        "TERM": "xterm-256color",
        **dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"), closed),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    return Target("reference", [binary, "--no-daemon"], env, work)


def _bare_textual() -> Target:
    from codex_exec.multitool.entry import bytecode_cache_dir

    # compiled once like codex's own modules (entry.py), not on every start
    env = {"TERM": "xterm-256color", "PYTHONPYCACHEPREFIX": bytecode_cache_dir(), "PYTHONDONTWRITEBYTECODE": ""}
    return Target("bare Textual", [sys.executable, "-c", MINIMAL_APP], env, ROOT)


def _with_prompt(target: Target) -> Target:
    return Target(target.name, [*target.argv, "say hello"], target.env, target.cwd)


@dataclass
class StartupFigures:
    composer: list[float]
    request: list[float]
    composer_cpu: list[float]
    request_cpu: list[float]


def bench_startup(runs: int, reference: str | None = None) -> dict[str, StartupFigures]:
    """Time to composer and to first request for ours (and the reference), ``runs`` each."""
    results: dict[str, StartupFigures] = {}
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp, _Server() as server:
        scratch = Path(tmp)
        work = scratch / "work"
        work.mkdir()
        base_url = server.server.base_url
        targets = [_ours(scratch / "home-ours", work, base_url)]
        if reference:
            targets.append(_reference(reference, scratch / "home-ref", work, base_url))
        n = 0

        def label() -> str:
            nonlocal n
            n += 1
            return f"r{n}"

        for target in targets:
            _time_composer(target, scratch, label())  # warm: OS file cache, compiled bytecode
            figures = StartupFigures([], [], [], [])
            for _ in range(runs):
                wall, cpu = _time_composer(target, scratch, label())
                figures.composer.append(wall)
                figures.composer_cpu.append(cpu)
                wall, cpu = _time_first_request(_with_prompt(target), server, scratch, label())
                figures.request.append(wall)
                figures.request_cpu.append(cpu)
            results[target.name] = figures
        bare = _bare_textual()
        _time_composer(bare, scratch, label())
        floor = [_time_composer(bare, scratch, label()) for _ in range(runs)]
        results[bare.name] = StartupFigures([w for w, _ in floor], [], [c for _, c in floor], [])
    return results


def _fmt(times: list[float]) -> str:
    if not times:
        return "-"
    ms = sorted(t * 1000 for t in times)
    return f"{statistics.median(ms):.0f} ms ({ms[0]:.0f}-{ms[-1]:.0f})"


def report_startup(results: dict[str, StartupFigures], runs: int) -> str:
    names = list(results)
    width = max(24, *(len(_fmt(f.composer)) + 2 for f in results.values()))
    lines = [
        f"start-up in tmux {SIZE[0]}x{SIZE[1]}, median (min-max) of {runs} runs:",
        " " * 24 + "".join(f"{name:<{width}}" for name in names),
        f"{'time to composer':<24}" + "".join(f"{_fmt(results[n].composer):<{width}}" for n in names),
        f"{'time to first request':<24}" + "".join(f"{_fmt(results[n].request):<{width}}" for n in names),
        f"{'  CPU used to composer':<24}" + "".join(f"{_fmt(results[n].composer_cpu):<{width}}" for n in names),
        f"{'  CPU used to request':<24}" + "".join(f"{_fmt(results[n].request_cpu):<{width}}" for n in names),
        f"budget: composer <= {COMPOSER_BUDGET_S * 1000:.0f} ms, first request <= {REQUEST_BUDGET_S * 1000:.0f} ms"
        f" (wall time; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)",
    ]
    return "\n".join(lines)


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
        if shutil.which("tmux") is None:
            print("start-up: skipped, tmux is not installed")
        else:
            results = bench_startup(args.runs, os.environ.get(REFERENCE_ENV) or None)
            print(report_startup(results, args.runs))
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
