"""Cost of applying a patch inside the sandbox (issue 14: patches are confined like commands).

Prints the median wall time of one small ``apply_patch`` applied by a sandboxed child under a
workspace-write policy: through the per-session fork server (the default: the child runs the
builtin in-process after confinement) and, for comparison, in-process without any sandbox.

    uv run python benchmarks/apply_patch_sandboxed.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from codex_core.apply_patch import apply_patch
from codex_core.apply_patch.sandboxed import apply_patch_sandboxed
from codex_core.sandbox import SandboxPolicy, linux_sandbox_support

RUNS = 30


def _patch(i: int) -> str:
    return f"*** Begin Patch\n*** Add File: f{i}.txt\n+hello {i}\n*** End Patch\n"


async def _sandboxed(ws: Path) -> list[float]:
    policy = SandboxPolicy.workspace_write(cwd=ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    await apply_patch_sandboxed(_patch(-1), cwd=ws, policy=policy)  # fork server start + builtin preload
    times = []
    for i in range(RUNS):
        start = time.perf_counter()
        await apply_patch_sandboxed(_patch(i), cwd=ws, policy=policy)
        times.append(time.perf_counter() - start)
    return times


def _in_process(ws: Path) -> list[float]:
    times = []
    for i in range(RUNS):
        start = time.perf_counter()
        apply_patch(_patch(1000 + i), cwd=ws)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    support = linux_sandbox_support()
    if not support.available:
        print(f"sandbox unavailable: {support.problem}")
        return
    with tempfile.TemporaryDirectory(prefix="codex-bench-", dir="/var/tmp") as tmp:
        ws = Path(tmp)
        sandboxed = asyncio.run(_sandboxed(ws))
        plain = _in_process(ws)
    print(f"sandboxed apply_patch (fork-server child): median {statistics.median(sandboxed) * 1000:.1f} ms over {RUNS}")
    print(f"in-process apply_patch (no sandbox):       median {statistics.median(plain) * 1000:.1f} ms over {RUNS}")


if __name__ == "__main__":
    main()
