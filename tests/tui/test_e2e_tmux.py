"""End to end: the real ``codex`` entry point in a real terminal (tmux) against the scripted
HTTP model server. Keys are sent with ``tmux send-keys``; assertions read ``capture-pane``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.sse_server import (
    ScriptedResponsesServer,
    Stall,
    ev_completed,
    ev_created,
    ev_function_call,
    turn_message,
)

ROOT = Path(__file__).resolve().parents[2]
CODEX = ROOT / ".venv" / "bin" / "codex"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not CODEX.exists(), reason=".venv/bin/codex is not installed"),
]


class Tmux:
    """One private tmux server (own socket) running one window of the given size."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False)
        return out.stdout

    def start(self, command: list[str], *, env: dict[str, str], cwd: Path, size: tuple[int, int]) -> None:
        exports = " ".join(f"{k}={json.dumps(v)}" for k, v in env.items())
        # COLUMNS/LINES inherited from the test runner would override the real pane size
        args = " ".join(json.dumps(c) for c in command)
        shell_cmd = f"cd {json.dumps(str(cwd))} && env -u COLUMNS -u LINES {exports} {args}"
        subprocess.run(
            [
                "tmux",
                "-L",
                self.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-x",
                str(size[0]),
                "-y",
                str(size[1]),
                shell_cmd,
            ],
            check=True,
        )
        self.run("set-option", "-t", "e2e", "remain-on-exit", "on")

    def send(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "e2e", "-l", text)

    def pane(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def dead(self) -> bool:
        return self.run("display-message", "-p", "-t", "e2e", "#{pane_dead}").strip() == "1"

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.pane()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear on screen:\n{screen}")

    def wait_dead(self, timeout: float = 10.0) -> str:
        """Wait for the program to exit; the pane (kept by remain-on-exit) with what it printed."""
        deadline = time.monotonic() + timeout
        while not self.dead() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.dead(), self.pane()
        return self.run("capture-pane", "-p", "-S", "-100", "-t", "e2e")

    def kill(self) -> None:
        self.run("kill-server")
        # tmux leaves the socket file behind; one per test would pile up in /tmp/tmux-UID
        tmpdir = os.environ.get("TMUX_TMPDIR") or "/tmp"
        Path(tmpdir, f"tmux-{os.getuid()}", self.socket).unlink(missing_ok=True)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    t = Tmux(f"codex-e2e-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    yield t
    t.kill()


def _config(home: Path, base_url: str, extra: str = "") -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'model = "gpt-e2e"\nmodel_provider = "test"\n{extra}\n'
        f'[model_providers.test]\nname = "test"\nbase_url = "{base_url}"\nenv_key = "TEST_KEY"\n'
    )


def test_codex_tui_in_tmux(tmux: Tmux, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    home = tmp_path / "home"
    with ScriptedResponsesServer() as server:
        server.enqueue(turn_message("Hello from the scripted server."))
        server.enqueue(
            [
                ev_created("r2"),
                *ev_function_call("shell", {"command": ["touch", "e2e.txt"]}, "call_9"),
                ev_completed("r2"),
            ],
            turn_message("Created e2e.txt.", "r3"),
        )
        # `shell` is scripted: it is offered only with unified exec off
        extra = 'approval_policy = "untrusted"\nsandbox_mode = "danger-full-access"\nfeatures.unified_exec = false'
        _config(home, server.base_url, extra)
        env = {"CODEX_HOME": str(home), "TEST_KEY": "k-e2e", "TERM": "xterm-256color", "PYTHONDONTWRITEBYTECODE": "1"}
        tmux.start([str(CODEX)], env=env, cwd=work, size=(100, 30))
        tmux.wait_for("Ask Codex to do anything")
        screen = tmux.wait_for("approvals untrusted")  # the status line fills in once the config is read
        assert "gpt-e2e" in screen
        assert "╰" + "─" * 98 + "╯" in screen  # the composer spans the whole 100-column pane

        tmux.type("say hello")
        tmux.send("Enter")
        screen = tmux.wait_for("Hello from the scripted server.")
        assert "› say hello" in screen

        # a command that needs approval: the modal appears, `y` approves, the command runs
        tmux.type("make a file")
        tmux.send("Enter")
        screen = tmux.wait_for("Allow Codex to run this command?")
        assert "touch e2e.txt" in screen
        tmux.send("y")
        screen = tmux.wait_for("Created e2e.txt.")
        assert "✓ Ran touch e2e.txt" in screen
        assert (work / "e2e.txt").exists()

        tmux.type("/quit")
        tmux.send("Enter")
        deadline = time.monotonic() + 10
        while not tmux.dead() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tmux.dead(), tmux.pane()
        bodies = [r.body for r in server.requests]
    assert len(bodies) == 3
    assert bodies[0]["model"] == "gpt-e2e"
    log = home / "log" / "codex-tui.log"
    assert log.exists()


def test_prompt_argument_interrupt_and_resume_last(tmux: Tmux, tmp_path: Path) -> None:
    """``codex "prompt"`` sends a first message; Esc interrupts a stalled turn; ``codex resume
    --last`` reopens the session with its history."""
    work = tmp_path / "work"
    work.mkdir()
    home = tmp_path / "home"
    with ScriptedResponsesServer() as server:
        server.enqueue(turn_message("First answer."))
        # streams "Thinking aloud" and then hangs until interrupted
        server.enqueue(Stall(turn_message("Thinking aloud and never finishing", "r2"), n=3, max_seconds=30))
        _config(home, server.base_url)
        env = {"CODEX_HOME": str(home), "TEST_KEY": "k", "TERM": "xterm-256color"}
        tmux.start([str(CODEX), "remember the number 7"], env=env, cwd=work, size=(100, 30))
        screen = tmux.wait_for("First answer.")
        assert "› remember the number 7" in screen

        tmux.type("keep going")
        tmux.send("Enter")
        screen = tmux.wait_for("working · esc to interrupt")
        tmux.send("Escape")
        screen = tmux.wait_for("Interrupted. Tell Codex what to do differently.")
        status = next(line for line in screen.splitlines() if "approvals" in line)
        assert "working" not in status
        tmux.send("C-c")
        deadline = time.monotonic() + 10
        while not tmux.dead() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tmux.dead(), tmux.pane()
        tmux.kill()

        resumed = Tmux(tmux.socket + "-r")
        try:
            resumed.start([str(CODEX), "resume", "--last"], env=env, cwd=work, size=(100, 30))
            screen = resumed.wait_for("First answer.")
            assert "Resumed session" in screen and "› remember the number 7" in screen
        finally:
            resumed.kill()


def test_codex_bad_config_prints_one_line_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("model = [unclosed\n")
    proc = subprocess.run(
        [str(CODEX)],
        env={**os.environ, "CODEX_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and "config.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_codex_resume_unknown_session_is_a_clear_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.run(
        [str(CODEX), "resume", "no-such-session"],
        env={**os.environ, "CODEX_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and "no-such-session" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- issue 16: start-up and exit in a real terminal ------------------------------------------


def test_keys_typed_while_codex_starts_are_kept(tmux: Tmux, tmp_path: Path) -> None:
    """Typed right after the process is spawned, long before the UI is up: nothing is lost,
    Enter sends (it is not turned into a newline), and what follows stays in the composer."""
    work = tmp_path / "work"
    work.mkdir()
    home = tmp_path / "home"
    with ScriptedResponsesServer() as server:
        server.enqueue(turn_message("Got your early message."))
        _config(home, server.base_url)
        env = {"CODEX_HOME": str(home), "TEST_KEY": "k", "TERM": "xterm-256color"}
        tmux.start([str(CODEX)], env=env, cwd=work, size=(100, 30))
        tmux.type("hello early")
        tmux.send("Enter")
        tmux.type("and the rest")
        screen = tmux.wait_for("Got your early message.")
        assert "› hello early" in screen
        rows = screen.splitlines()
        composer = rows[rows.index(next(row for row in rows if row.startswith("╭"))) + 1]
        assert "and the rest" in composer
        time.sleep(0.3)
        bodies = [r.body for r in server.requests]
    assert len(bodies) == 1
    assert "hello early" in json.dumps(bodies[0]["input"][-1]) and "and the rest" not in json.dumps(bodies[0])


def test_prompt_argument_is_sent_at_once_and_start_up_is_compiled_once(tmux: Tmux, tmp_path: Path) -> None:
    """``codex "prompt"`` shows and sends the prompt without a key press. With
    PYTHONDONTWRITEBYTECODE set, compiled modules are cached outside the sources, so the next
    start does not compile Textual and codex_core again (what made start-up take 1.7-3.1 s)."""
    work = tmp_path / "work"
    work.mkdir()
    home = tmp_path / "home"
    cache = tmp_path / "cache"
    with ScriptedResponsesServer() as server:
        server.enqueue(turn_message("Answer to the prompt."))
        _config(home, server.base_url)
        env = {
            "CODEX_HOME": str(home),
            "TEST_KEY": "k",
            "TERM": "xterm-256color",
            "PYTHONDONTWRITEBYTECODE": "1",
            "XDG_CACHE_HOME": str(cache),
        }
        cold = time.monotonic()
        tmux.start([str(CODEX), "say hi"], env=env, cwd=work, size=(100, 30))
        tmux.wait_for("Ask Codex to do anything")
        cold = time.monotonic() - cold
        screen = tmux.wait_for("Answer to the prompt.")
        assert "› say hi" in screen
        assert len(server.requests) == 1
        tmux.kill()
    compiled = cache / "codex-py" / "pycache"
    assert list(compiled.rglob("codex_tui/app.*.pyc")) and list(compiled.rglob("textual/app.*.pyc"))

    warm_tmux = Tmux(tmux.socket + "-warm")
    try:
        warm = time.monotonic()
        warm_tmux.start([str(CODEX)], env=env, cwd=work, size=(100, 30))
        warm_tmux.wait_for("Ask Codex to do anything")
        warm = time.monotonic() - warm
    finally:
        warm_tmux.kill()
    assert warm < cold, (warm, cold)


def test_ctrl_d_quits_and_prints_usage_and_resume_command(tmux: Tmux, tmp_path: Path) -> None:
    """As Codex 0.169 prints it after one turn: token usage, then how to resume the session."""
    work = tmp_path / "work"
    work.mkdir()
    home = tmp_path / "home"
    with ScriptedResponsesServer() as server:
        server.enqueue(turn_message("Hello.", input_tokens=1234, output_tokens=56, cached=1000, reasoning=20))
        _config(home, server.base_url)
        env = {"CODEX_HOME": str(home), "TEST_KEY": "k", "TERM": "xterm-256color"}
        tmux.start(["sh", "-c", f'"{CODEX}"; echo "codex exited with $?"'], env=env, cwd=work, size=(100, 30))
        tmux.wait_for("approvals")
        tmux.type("hi")
        tmux.send("Enter")
        tmux.wait_for("Hello.")
        tmux.send("C-d")
        screen = tmux.wait_dead()
    rollouts = list((home / "sessions").rglob("rollout-*.jsonl"))
    assert len(rollouts) == 1
    session_id = json.loads(rollouts[0].read_text().splitlines()[0])["payload"]["id"]
    lines = [ln.rstrip() for ln in screen.splitlines() if ln.strip() and not ln.startswith("Pane is dead")]
    # what codex printed last, then its exit status (tmux's own "Pane is dead" line is drawn late)
    assert lines[-4:] == [
        "Token usage: total=290 input=234 (+ 1,000 cached) output=56 (reasoning 20)",
        "To continue this session, run:",
        f"  codex resume {session_id}",
        "codex exited with 0",
    ]
