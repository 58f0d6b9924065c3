from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from codex_core.exec import ExecResult, run_command
from codex_core.sandbox import SandboxPolicy, linux_sandbox_support

SUPPORT = linux_sandbox_support()
needs_sandbox = pytest.mark.skipif(not SUPPORT.available, reason=f"Linux sandbox unavailable: {SUPPORT.problem}")


class Box:
    """A workspace and an 'outside' directory, with /tmp and $TMPDIR excluded from the roots."""

    def __init__(self, tmp_path: Path) -> None:
        self.ws = tmp_path / "ws"
        self.out = tmp_path / "outside"
        self.ws.mkdir()
        self.out.mkdir()
        self.target = self.out / "target.txt"
        self.target.write_text("original\n")
        self.target.chmod(0o644)
        self.policy = SandboxPolicy.workspace_write(cwd=self.ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)

    async def run(
        self, argv: Sequence[str], *, policy: SandboxPolicy | None = None, timeout_ms: int = 10_000
    ) -> ExecResult:
        return await run_command(
            argv, cwd=self.ws, policy=policy or self.policy, env=dict(os.environ), timeout_ms=timeout_ms
        )

    async def sh(self, script: str, **kw: object) -> ExecResult:
        return await self.run(["sh", "-c", script], **kw)  # type: ignore[arg-type]

    async def py(self, code: str, **kw: object) -> ExecResult:
        return await self.run([sys.executable, "-c", code], **kw)  # type: ignore[arg-type]


@pytest.fixture
def box(tmp_path: Path) -> Box:
    return Box(tmp_path)
