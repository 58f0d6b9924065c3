"""One-turn `codex exec` wall time and peak RSS, and per-tool-call overhead.

Against the local scripted SSE server (tests/support/sse_server.py). Budget (issue 3): one turn
under 200 ms and 100 MB; under 25 ms per `true` tool call (danger-full-access).
Run: `uv run python benchmarks/exec_turn.py`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.provider import provider_cli_args
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call

CODEX = str(Path(sys.executable).parent / "codex")
RUNS = int(os.environ.get("RUNS", "7"))
CALLS = 20


CPU_MS: list[float] = []
"""User+system CPU time of each one-turn run: steadier than wall time on a shared machine."""


def run_exec(home: Path, repo: Path, server: ScriptedResponsesServer, *extra: str) -> tuple[float, float]:
    env = dict(os.environ, CODEX_HOME=str(home), TEST_API_KEY="k")
    args = [
        CODEX,
        "exec",
        "--json",
        "--ephemeral",
        *provider_cli_args(server.base_url),
        *extra,
        "go",
    ]
    t0 = time.perf_counter()
    pid = os.posix_spawn(
        CODEX,
        args,
        env,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ],
    )
    os.chdir(repo)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - t0
    CPU_MS.append((usage.ru_utime + usage.ru_stime) * 1000)
    assert os.waitstatus_to_exitcode(status) == 0, "codex exec failed"
    return elapsed * 1000, usage.ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, ScriptedResponsesServer() as server:
        home = Path(tmp) / "home"
        home.mkdir()
        repo = Path(tmp) / "repo"
        repo.mkdir()
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        os.chdir(repo)
        one: list[float] = []
        rss: list[float] = []
        for _ in range(RUNS):
            server.enqueue(turn_message("hi"))
            t, r = run_exec(home, repo, server)
            one.append(t)
            rss.append(r)
        cpu = statistics.median(CPU_MS)
        print(
            f"one-turn codex exec      median {statistics.median(one):7.1f} ms   peak RSS {max(rss):6.1f} MB   CPU {cpu:.1f} ms"
        )
        for flag, label in (
            ("--dangerously-bypass-approvals-and-sandbox", "danger-full-access"),
            ("--full-auto", "workspace-write sandbox"),
        ):
            per_call = [tool_call_overhead(home, repo, server, flag) for _ in range(3)]
            print(
                f"per tool call (`true`)   median {statistics.median(per_call):7.1f} ms   ({CALLS} sequential calls, {label})"
            )


def tool_call_overhead(home: Path, repo: Path, server: ScriptedResponsesServer, flag: str) -> float:
    """(turn with CALLS `true` tool calls - turn without tools) / CALLS, in ms."""
    for i in range(CALLS):
        server.enqueue(turn_tool_call("shell", {"command": ["true"]}, call_id=f"c{i}"))
    server.enqueue(turn_message("done"))
    t_tools, _ = run_exec(home, repo, server, flag)
    server.enqueue(turn_message("hi"))
    t_base, _ = run_exec(home, repo, server, flag)
    return (t_tools - t_base) / CALLS


if __name__ == "__main__":
    main()
