"""Regression tests from the sandbox review: oversized commands and fork-server shutdown."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from codex_core.exec import run_command
from codex_core.exec.spawn import Launcher
from codex_core.sandbox import SandboxPolicy, linux_sandbox_support
from codex_core.sandbox.zygote_client import ZygoteClient

SUPPORT = linux_sandbox_support()
pytestmark = pytest.mark.skipif(not SUPPORT.available, reason=f"Linux sandbox unavailable: {SUPPORT.problem}")


def _wait_until(cond: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.05)
    return cond()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


async def test_oversized_command_does_not_kill_other_commands(tmp_path: Path) -> None:
    policy = SandboxPolicy.workspace_write(cwd=tmp_path, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    env = {"PATH": os.environ["PATH"]}
    bg = asyncio.create_task(
        run_command(["sh", "-c", "sleep 1; echo bg-finished"], cwd=tmp_path, policy=policy, env=env)
    )
    await asyncio.sleep(0.3)
    many = ["x" * 100] * 3000  # ~300 KB: more than one fork-server control message holds
    big = await run_command(["sh", "-c", 'echo "$#"', "sh", *many], cwd=tmp_path, policy=policy, env=env)
    assert big.exit_code == 0 and big.stdout.strip() == "3000", big.aggregated_output[:300]
    r = await bg
    assert r.exit_code == 0 and r.stdout.strip() == "bg-finished", r.aggregated_output


async def test_zygote_close_kills_running_commands(tmp_path: Path) -> None:
    client = ZygoteClient()
    policy = SandboxPolicy.workspace_write(cwd=tmp_path, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    spec = policy.to_linux_spec()
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        proc = await client.spawn(
            ["sleep", "4343"], cwd=str(tmp_path), env={"PATH": os.environ["PATH"]}, spec=spec,
            stdin=devnull, stdout=devnull, stderr=devnull,
        )  # fmt: skip
    finally:
        os.close(devnull)
    await asyncio.sleep(0.2)
    assert _alive(proc.pid)
    client.close()
    assert await asyncio.to_thread(_wait_until, lambda: not _alive(proc.pid))
    proc.close()


def _processes_with(marker: str) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if marker.encode() in f.read() and _alive(int(entry)):
                        out.append(int(entry))
            except OSError:
                pass
    return out


@pytest.mark.parametrize("launcher", ["zygote", "helper"])
async def test_detached_background_process_dies_with_the_command(tmp_path: Path, launcher: Launcher) -> None:
    policy = SandboxPolicy.workspace_write(cwd=tmp_path, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    env = {"PATH": os.environ["PATH"]}
    marker = f"{4000 + os.getpid() % 1000}.{len(launcher)}"
    script = f"setsid sleep {marker} </dev/null >/dev/null 2>&1 & sleep 30"
    r = await run_command(["sh", "-c", script], cwd=tmp_path, policy=policy, env=env, timeout_ms=700, launcher=launcher)
    assert r.timed_out and r.exit_code == 124
    assert await asyncio.to_thread(_wait_until, lambda: _processes_with(f"sleep {marker}") == [])
    # Also when the command simply exits, and /proc shows only the sandbox's own processes.
    script = f"setsid sleep {marker}1 </dev/null >/dev/null 2>&1 & ls /proc | grep -c '^[0-9]'"
    r = await run_command(["sh", "-c", script], cwd=tmp_path, policy=policy, env=env, launcher=launcher)
    assert r.exit_code == 0 and int(r.stdout.strip()) <= 5, r.aggregated_output
    await asyncio.sleep(0.1)
    assert _processes_with(f"sleep {marker}1") == []


async def test_lost_fork_server_gives_a_126_result(tmp_path: Path) -> None:
    from codex_core.sandbox.zygote_client import default_zygote

    policy = SandboxPolicy.workspace_write(cwd=tmp_path, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    task = asyncio.create_task(
        run_command(["sleep", "30"], cwd=tmp_path, policy=policy, env={"PATH": os.environ["PATH"]})
    )
    await asyncio.sleep(0.3)
    default_zygote().close()
    r = await asyncio.wait_for(task, 5)
    assert r.exit_code == 126 and "fork-server" in r.aggregated_output
