"""Killing a fork-server command must work from the first moment its pid is known."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from codex_core.sandbox import SandboxPolicy

from .conftest import needs_sandbox

pytestmark = [needs_sandbox, pytest.mark.sandbox]


def _exists(path: Path) -> bool:
    return path.exists()


async def test_a_command_killed_right_after_its_fork_does_not_run(tmp_path: Path) -> None:
    """``kill_group`` straight after the fork-server answers with the pid (before the child's
    ``setsid``): the command must still die and never run."""
    from codex_core.sandbox import default_zygote

    policy = SandboxPolicy.workspace_write(cwd=tmp_path, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    spec = policy.to_linux_spec()
    ran = 0
    for i in range(20):
        marker = tmp_path / f"ran{i}"
        r, w = os.pipe()
        try:
            proc = await default_zygote().spawn(
                ["sh", "-c", f"sleep 0.3; touch {marker}"], cwd=str(tmp_path), env={"PATH": "/usr/bin:/bin"},
                spec=spec, stdin=r, stdout=w, stderr=w,
            )  # fmt: skip
            proc.kill_group()
            await proc.wait()
        finally:
            os.close(r)
            os.close(w)
    await asyncio.sleep(0.5)
    ran = sum(1 for i in range(20) if _exists(tmp_path / f"ran{i}"))
    assert ran == 0
