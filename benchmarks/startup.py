"""Start-up budget: median wall time and peak RSS of `codex --version` and `codex --help`.

Budget (issue 2): `codex --version` under 60 ms and 30 MB RSS. Run: `uv run python benchmarks/startup.py`.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

CODEX = str(Path(sys.executable).parent / "codex")
RUNS = int(os.environ.get("RUNS", "30"))


def measure(args: list[str]) -> tuple[float, float]:
    times: list[float] = []
    rss: list[float] = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        pid = os.posix_spawn(
            CODEX, [CODEX, *args], os.environ, file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
        )
        _, status, usage = os.wait4(pid, 0)
        times.append(time.perf_counter() - t0)
        rss.append(usage.ru_maxrss / 1024)
        assert os.waitstatus_to_exitcode(status) == 0
    return statistics.median(times) * 1000, max(rss)


def main() -> None:
    subprocess.run([CODEX, "--version"], check=True, capture_output=True)  # warm the page cache
    base_t, base_rss = measure_python()
    print(f"python -c pass          median {base_t:6.1f} ms   peak RSS {base_rss:5.1f} MB   (baseline)")
    for args in (["--version"], ["--help"]):
        t, rss = measure(args)
        print(f"codex {' '.join(args):<17} median {t:6.1f} ms   peak RSS {rss:5.1f} MB")
    _ = resource


def measure_python() -> tuple[float, float]:
    times, rss = [], []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        pid = os.posix_spawn(sys.executable, [sys.executable, "-c", "pass"], os.environ)
        _, _, usage = os.wait4(pid, 0)
        times.append(time.perf_counter() - t0)
        rss.append(usage.ru_maxrss / 1024)
    return statistics.median(times) * 1000, max(rss)


if __name__ == "__main__":
    main()
