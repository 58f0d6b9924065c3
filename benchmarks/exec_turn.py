"""One-turn `codex exec` wall time and peak RSS, and per-tool-call overhead.

Against the local scripted SSE server (tests/support/sse_server.py). Budget (issue 3): one turn
under 200 ms and 100 MB; under 25 ms per `true` tool call (danger-full-access).
Run: `uv run python benchmarks/exec_turn.py`. With ``CODEX_REFERENCE_BIN`` set to the reference
Codex CLI binary, its one-turn figure is printed next to ours from the same server in the same run
(only in a network namespace with nothing but loopback: `unshare -n sh -c 'ip link set lo up; ...'`;
the script refuses otherwise, so the reference never reaches the internet).
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

from tests.compat.record_reference import refuse_if_online
from tests.support.provider import provider_cli_args
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call

CODEX = str(Path(sys.executable).parent / "codex")
RUNS = int(os.environ.get("RUNS", "7"))
CALLS = 20


CPU_MS: list[float] = []
"""User+system CPU time of each one-turn run: steadier than wall time on a shared machine."""


def run_exec(
    home: Path, repo: Path, server: ScriptedResponsesServer, *extra: str, binary: str = CODEX
) -> tuple[float, float]:
    env = dict(os.environ, CODEX_HOME=str(home), TEST_API_KEY="k")
    args = [
        binary,
        "exec",
        "--json",
        "--ephemeral",
        *provider_cli_args(server.base_url),
        *("-c", 'model_providers.test.name="Test"'),  # the reference requires a name
        # the reference otherwise flushes telemetry to chatgpt.com at exit (5 s offline)
        *("-c", "analytics.enabled=false"),
        *extra,
        "go",
    ]
    t0 = time.perf_counter()
    pid = os.posix_spawn(
        binary,
        args,
        env,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, str(home / "stderr.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        ],
    )
    os.chdir(repo)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - t0
    CPU_MS.append((usage.ru_utime + usage.ru_stime) * 1000)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{binary} exec failed:\n" + (home / "stderr.txt").read_text(errors="replace")[-2000:])
    return elapsed * 1000, usage.ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp, ScriptedResponsesServer() as server:
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
        reference = os.environ.get("CODEX_REFERENCE_BIN")
        if reference:
            refuse_if_online()
            ref_home = Path(tmp) / "ref-home"
            ref_home.mkdir()
            CPU_MS.clear()
            ref_one, ref_rss = [], []
            for i in range(2 * RUNS):  # interleaved with ours again, so both see the same load
                server.enqueue(turn_message("hi"))
                if i % 2:
                    run_exec(home, repo, server)
                    continue
                t, r = run_exec(ref_home, repo, server, binary=reference)
                ref_one.append(t)
                ref_rss.append(r)
            ref_cpu = statistics.median(CPU_MS[0::2])
            print(
                f"reference codex exec     median {statistics.median(ref_one):7.1f} ms   peak RSS {max(ref_rss):6.1f} MB   CPU {ref_cpu:.1f} ms"
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
