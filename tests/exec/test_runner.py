"""Real-process tests of ``run_command`` (unsandboxed and through both sandbox launchers)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from codex_core.exec import TIMEOUT_EXIT_CODE, Launcher, run_command
from codex_core.sandbox import SandboxPolicy, linux_sandbox_support

FULL = SandboxPolicy.danger_full_access()
SANDBOX_OK = linux_sandbox_support().available


def _live_group_members(pgid: int) -> list[int]:
    """Processes of group ``pgid`` that are not zombies (pid 1 here may reap lazily)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(entry))
    return out


def _policies(tmp_path: Path) -> list[tuple[SandboxPolicy, Launcher]]:
    out: list[tuple[SandboxPolicy, Launcher]] = [(FULL, "zygote")]
    if SANDBOX_OK:
        ww = SandboxPolicy.workspace_write(cwd=tmp_path)
        out += [(ww, "zygote"), (ww, "helper")]
    return out


async def test_exit_codes_and_streams(tmp_path: Path) -> None:
    for policy, launcher in _policies(tmp_path):
        r = await run_command(
            ["sh", "-c", "echo out; echo err >&2; exit 3"],
            cwd=tmp_path,
            policy=policy,
            env=os.environ,
            launcher=launcher,
        )
        assert (r.exit_code, r.stdout, r.stderr) == (3, "out\n", "err\n"), (policy.kind, launcher)
        assert not r.timed_out and r.sandbox_denied is None


async def test_signal_exit_code(tmp_path: Path) -> None:
    for policy, launcher in _policies(tmp_path):
        r = await run_command(
            ["sh", "-c", "kill -KILL $$"], cwd=tmp_path, policy=policy, env=os.environ, launcher=launcher
        )
        assert r.exit_code == 128 + 9


async def test_not_found_and_env(tmp_path: Path) -> None:
    for policy, launcher in _policies(tmp_path):
        r = await run_command(
            ["definitely-not-a-command-xyz"], cwd=tmp_path, policy=policy, env=os.environ, launcher=launcher
        )
        assert r.exit_code == 127 and "not found" in r.aggregated_output
        r = await run_command(
            ["sh", "-c", 'echo "$FOO:$CODEX_SANDBOX_NETWORK_DISABLED"'],
            cwd=tmp_path,
            policy=policy,
            env={"FOO": "bar", "PATH": os.environ["PATH"]},
            launcher=launcher,
        )
        assert r.stdout == ("bar:\n" if policy.is_unrestricted else "bar:1\n")


async def test_interleaving_in_production_order(tmp_path: Path) -> None:
    script = "for i in 1 2 3; do echo o$i; sleep 0.02; echo e$i >&2; sleep 0.02; done"
    chunks: list[tuple[str, bytes]] = []
    for policy, launcher in _policies(tmp_path):
        chunks.clear()
        r = await run_command(
            ["sh", "-c", script],
            cwd=tmp_path,
            policy=policy,
            env=os.environ,
            on_output=lambda s, b: chunks.append((s, b)),
            launcher=launcher,
        )
        assert r.aggregated_output == "o1\ne1\no2\ne2\no3\ne3\n"
        assert [s for s, _ in chunks] == ["stdout", "stderr"] * 3


async def test_timeout_kills_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "survived"
    for policy, launcher in _policies(tmp_path):
        script = f"(sleep 1; touch {marker}) & sleep 30"
        t0 = time.monotonic()
        r = await run_command(
            ["sh", "-c", script], cwd=tmp_path, policy=policy, env=os.environ, timeout_ms=300, launcher=launcher
        )
        assert r.timed_out and r.exit_code == TIMEOUT_EXIT_CODE and r.timeout_ms == 300
        assert time.monotonic() - t0 < 3
    await asyncio.sleep(1.3)
    assert not marker.exists()  # the background grandchild died with the group


async def test_cancellation_kills_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    for policy, launcher in _policies(tmp_path):
        task = asyncio.ensure_future(
            run_command(
                ["sh", "-c", f"echo $$ > {pidfile}; sleep 30 & wait"],
                cwd=tmp_path,
                policy=policy,
                env=os.environ,
                timeout_ms=None,
                launcher=launcher,
            )
        )
        for _ in range(200):
            await asyncio.sleep(0.01)
            if pidfile.exists() and pidfile.read_text().strip():
                break
        pid = int(pidfile.read_text())
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.2)
        assert _live_group_members(pid) == [], (policy.kind, launcher)
        pidfile.unlink()


async def test_large_output_is_bounded_head_and_tail(tmp_path: Path) -> None:
    code = "import sys\nfor i in range(300000): sys.stdout.write(f'line {i}\\n')\n"
    seen = 0

    def count(_: str, b: bytes) -> None:
        nonlocal seen
        seen += len(b)

    r = await run_command([sys.executable, "-c", code], cwd=tmp_path, policy=FULL, env=os.environ,
                          on_output=count, max_capture_bytes=64 * 1024)  # fmt: skip
    assert r.exit_code == 0
    total = sum(len(f"line {i}\n") for i in range(300000))
    assert seen == total
    assert r.stdout.startswith("line 0\nline 1\n") and r.stdout.endswith("line 299999\n")
    assert "bytes of output omitted" in r.stdout and len(r.stdout) < 70 * 1024


async def test_concurrent_commands_through_zygote(tmp_path: Path) -> None:
    if not SANDBOX_OK:
        pytest.skip("no sandbox")
    ww = SandboxPolicy.workspace_write(cwd=tmp_path)
    results = await asyncio.gather(
        *(run_command(["sh", "-c", f"sleep 0.1; echo {i}"], cwd=tmp_path, policy=ww, env=os.environ) for i in range(8))
    )
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(8)]


async def test_background_child_holding_pipes_does_not_hang(tmp_path: Path) -> None:
    for policy, launcher in _policies(tmp_path):
        t0 = time.monotonic()
        r = await run_command(["sh", "-c", "sleep 3 & echo started"], cwd=tmp_path, policy=policy, env=os.environ,
                              launcher=launcher)  # fmt: skip
        assert r.exit_code == 0 and r.stdout == "started\n"
        assert time.monotonic() - t0 < 2
