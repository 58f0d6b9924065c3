"""Real processes in real PTYs and pipes: ``ProcessSessionManager`` / ``ProcessSession``."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from codex_core.exec.sessions import ProcessSessionManager, SessionClosedError
from codex_core.sandbox import SandboxPolicy, linux_sandbox_support

FULL = SandboxPolicy.danger_full_access()
SANDBOX_OK = linux_sandbox_support().available
PY = sys.executable


def _alive(pid: int) -> bool:
    """Running (not a zombie, not gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


async def _dies(pid: int, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:  # noqa: ASYNC110 - polling /proc, no event to wait on
        await asyncio.sleep(0.05)
    return not _alive(pid)


async def test_pty_interactive_round_trip(tmp_path: Path) -> None:
    mgr = ProcessSessionManager()
    script = "import sys; print('ready', sys.stdin.isatty(), flush=True); name = input('name? '); print('hi', name)"
    s, notes = await mgr.start([PY, "-c", script], cwd=tmp_path, env=os.environ, policy=FULL, tty=True)
    assert notes == [] and s.tty
    first = await s.read(0.5)
    assert first.running
    assert b"ready True" in first.output and b"name? " in first.output
    await s.write(b"bob\n")
    second = await s.read(5)
    assert second.exit_code == 0
    assert b"hi bob" in second.output
    assert b"ready" not in second.output  # each read returns only new output
    await mgr.aclose()


async def test_pty_is_controlling_terminal_so_ctrl_c_interrupts(tmp_path: Path) -> None:
    mgr = ProcessSessionManager()
    script = "import time\nprint('go', flush=True)\ntry:\n    time.sleep(30)\nexcept KeyboardInterrupt:\n    print('got SIGINT')"
    s, _ = await mgr.start([PY, "-c", script], cwd=tmp_path, env=os.environ, policy=FULL, tty=True)
    assert b"go" in (await s.read(0.5)).output
    await s.write(b"\x03")
    out = await s.read(5)
    assert out.exit_code == 0 and b"got SIGINT" in out.output
    await mgr.aclose()


async def test_cat_echo_in_pty_and_pipes(tmp_path: Path) -> None:
    mgr = ProcessSessionManager()
    pty_s, _ = await mgr.start(["cat"], cwd=tmp_path, env=os.environ, policy=FULL, tty=True)
    await pty_s.write(b"hello\n")
    out = await pty_s.read(0.3)
    assert out.running
    assert out.output.count(b"hello") == 2  # terminal echo + cat's copy
    pipe_s, _ = await mgr.start(["cat"], cwd=tmp_path, env=os.environ, policy=FULL, tty=False)
    await pipe_s.write(b"hello\n")
    out = await pipe_s.read(0.3)
    assert out.running and out.output == b"hello\n"  # no terminal, no echo
    await pty_s.write(b"\x04")  # EOF at line start ends cat in the terminal
    assert (await pty_s.read(5)).exit_code == 0
    await mgr.aclose()


async def test_pipes_merge_stderr_and_report_exit(tmp_path: Path) -> None:
    mgr = ProcessSessionManager()
    s, _ = await mgr.start(
        ["sh", "-c", "echo out; echo err >&2; exit 7"], cwd=tmp_path, env=os.environ, policy=FULL, tty=False
    )
    t0 = time.monotonic()
    out = await s.read(10)
    assert time.monotonic() - t0 < 3, "read returns as soon as the process exits"
    assert out.exit_code == 7 and out.output == b"out\nerr\n"
    with pytest.raises(SessionClosedError):
        await s.write(b"x")
    await mgr.aclose()


async def test_long_running_sleep_polled_then_killed(tmp_path: Path) -> None:
    mgr = ProcessSessionManager()
    s, _ = await mgr.start(["sleep", "30"], cwd=tmp_path, env=os.environ, policy=FULL, tty=True)
    t0 = time.monotonic()
    out = await s.read(0.3)
    assert out.running and 0.25 < time.monotonic() - t0 < 2
    assert _alive(s.pid)
    mgr.terminate_all()
    assert len(mgr) == 0
    await s.wait_closed(5)
    assert s.exited and s.exit_code == 128 + 9
    assert not _alive(s.pid)


async def test_output_buffer_keeps_head_and_tail(tmp_path: Path) -> None:
    mgr = ProcessSessionManager(buffer_bytes=1000)
    script = "import sys; sys.stdout.write('H' * 600 + 'M' * 5000 + 'T' * 600)"
    s, _ = await mgr.start([PY, "-c", script], cwd=tmp_path, env=os.environ, policy=FULL, tty=False)
    out = await s.read(5)
    assert out.exit_code == 0
    assert out.output.startswith(b"H" * 500) and out.output.endswith(b"T" * 500)
    assert b"bytes of output omitted" in out.output
    assert len(out.output) < 1100
    await mgr.aclose()


async def test_session_limit_prunes_least_recently_used_and_warns(tmp_path: Path) -> None:
    mgr = ProcessSessionManager(max_sessions=3, warn_at=2)
    started = []
    for _ in range(3):
        s, notes = await mgr.start(["sleep", "30"], cwd=tmp_path, env=os.environ, policy=FULL, tty=True)
        started.append((s, notes))
    assert started[0][1] == []
    assert any("Warning: 2 interactive sessions" in n for n in started[1][1])
    a, b, c = (s for s, _ in started)
    await asyncio.sleep(0.01)
    assert mgr.get(a.id) is a  # a is now more recently used than b
    d, notes = await mgr.start(["sleep", "30"], cwd=tmp_path, env=os.environ, policy=FULL, tty=False)
    assert any(f"session {b.id}" in n for n in notes)
    assert {s.id for s in mgr.sessions()} == {a.id, c.id, d.id}
    await b.wait_closed(5)
    assert b.exit_code == 128 + 9
    await mgr.aclose()
    for s in (a, c, d):
        assert s.exited and not _alive(s.pid)


async def test_pruning_prefers_exited_sessions(tmp_path: Path) -> None:
    mgr = ProcessSessionManager(max_sessions=3, protect_recent=1)

    async def start(argv: list[str]):  # type: ignore[no-untyped-def]
        return (await mgr.start(argv, cwd=tmp_path, env=os.environ, policy=FULL, tty=False))[0]

    oldest = await start(["sleep", "30"])
    done = await start(["true"])
    await done.wait_closed(5)
    newest = await start(["sleep", "30"])
    oldest.last_used, done.last_used, newest.last_used = 1.0, 2.0, 3.0
    _, notes = await mgr.start(["sleep", "30"], cwd=tmp_path, env=os.environ, policy=FULL, tty=False)
    assert any(f"session {done.id}" in n for n in notes)  # exited goes first even though not the oldest
    assert mgr.get(oldest.id) is oldest and mgr.get(newest.id) is newest
    await mgr.aclose()


async def test_aclose_kills_every_process_group(tmp_path: Path) -> None:
    mgr = ProcessSessionManager()
    # a shell with a background grandchild: killing the group must take both
    s, _ = await mgr.start(
        ["sh", "-c", "sleep 30 & echo $!; wait"], cwd=tmp_path, env=os.environ, policy=FULL, tty=True
    )
    out = await s.read(0.5)
    grandchild = int(out.output.split()[0])
    assert _alive(grandchild)
    await mgr.aclose()
    assert s.exited and not _alive(s.pid)
    assert await _dies(grandchild)


async def test_missing_binary_raises(tmp_path: Path) -> None:
    mgr = ProcessSessionManager()
    with pytest.raises(FileNotFoundError):
        await mgr.start(["/nonexistent/bin"], cwd=tmp_path, env=os.environ, policy=FULL, tty=True)
    assert len(mgr) == 0


@pytest.mark.skipif(not SANDBOX_OK, reason="Linux sandbox unavailable here")
@pytest.mark.parametrize("tty", [True, False])
async def test_sandbox_blocks_outside_write_in_session(tmp_path: Path, tty: bool) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    outside = Path("/var/tmp") / f"codex-session-escape-{os.getpid()}-{tty}"
    mgr = ProcessSessionManager()
    policy = SandboxPolicy.workspace_write(cwd=ws)
    s, _ = await mgr.start(
        ["sh", "-c", f"echo in > inside.txt; read line; echo x > {outside}; echo rc=$?"],
        cwd=ws,
        env=os.environ,
        policy=policy,
        tty=tty,
    )
    assert (await s.read(0.5)).running
    await s.write(b"go\n")
    out = await s.read(5)
    assert out.exit_code == 0
    assert (ws / "inside.txt").read_text() == "in\n"
    assert not outside.exists()
    assert b"rc=1" in out.output or b"rc=2" in out.output
    await mgr.aclose()


async def test_new_event_loop_kills_sessions_of_the_old_one(tmp_path: Path) -> None:
    mgr = ProcessSessionManager()
    pid_box: list[int] = []

    def first_loop() -> None:
        async def go() -> None:
            s, _ = await mgr.start(["sleep", "30"], cwd=tmp_path, env=os.environ, policy=FULL, tty=False)
            pid_box.append(s.pid)

        asyncio.run(go())

    await asyncio.to_thread(first_loop)
    assert len(mgr) == 1
    assert mgr.get(12345) is None  # any use from this loop resets
    assert len(mgr) == 0
    assert await _dies(pid_box[0])
    await mgr.aclose()  # reaps it
