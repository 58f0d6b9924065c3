"""Added latency of sandboxing: run `true` N times unsandboxed and sandboxed, print the medians.

    uv run python benchmarks/sandbox_spawn.py [-n 50]

Budget: sandboxed (fork-server path) minus unsandboxed < 15 ms (Rust Codex adds ~31 ms).
Exit status 1 when the budget is exceeded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from codex_core.exec import run_command
from codex_core.sandbox import ProxyNetwork, SandboxPolicy, default_zygote, linux_sandbox_support

BUDGET_MS = 15.0


async def _measure(n: int, policy: SandboxPolicy, cwd: Path, launcher: str) -> float:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = await run_command(["true"], cwd=cwd, policy=policy, env=os.environ, launcher=launcher)  # type: ignore[arg-type]
        samples.append((time.perf_counter() - t0) * 1000)
        if r.exit_code != 0:
            raise SystemExit(f"`true` failed under {policy.describe()} ({launcher}): {r.aggregated_output}")
    return statistics.median(samples)


async def main(n: int) -> int:
    support = linux_sandbox_support()
    if not support.available:
        print(f"sandbox unavailable: {support.problem}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        default_zygote().start()
        await _measure(3, SandboxPolicy.workspace_write(cwd=ws), ws, "zygote")  # warm-up
        base = await _measure(n, SandboxPolicy.danger_full_access(), ws, "zygote")
        rows = [("unsandboxed (baseline)", base)]
        for label, policy in (
            ("workspace-write, no network", SandboxPolicy.workspace_write(cwd=ws)),
            ("read-only, no network", SandboxPolicy.read_only()),
            ("workspace-write, network on", SandboxPolicy.workspace_write(cwd=ws, network="full")),
            ("workspace-write, proxy mode",
             SandboxPolicy.workspace_write(cwd=ws, network=ProxyNetwork(uds_path=ws / "p.sock", http_port=3128))),
        ):  # fmt: skip
            rows.append((f"zygote: {label}", await _measure(n, policy, ws, "zygote")))
        rows.append(("helper (python -m codex_core.sandbox): workspace-write",
                     await _measure(max(n // 2, 5), SandboxPolicy.workspace_write(cwd=ws), ws, "helper")))  # fmt: skip
    print(f"median of {n} runs of `true` (Landlock ABI {support.landlock_abi}, python {sys.version.split()[0]})")
    for label, ms in rows:
        extra = "" if label.startswith("unsandboxed") else f"  (+{ms - base:.1f} ms)"
        print(f"  {label:<58} {ms:6.1f} ms{extra}")
    added = rows[1][1] - base
    verdict = "PASS" if added < BUDGET_MS else "FAIL"
    print(f"added latency (zygote, workspace-write): {added:.1f} ms; budget {BUDGET_MS:.0f} ms: {verdict}")
    default_zygote().close()
    return 0 if added < BUDGET_MS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=50)
    sys.exit(asyncio.run(main(parser.parse_args().n)))
