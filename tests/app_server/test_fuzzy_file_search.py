"""`fuzzyFileSearch` over stdio (git-aware listing, the reference's result shape) and the speed of
`codex_core.file_search` on a 50,000-file tree."""

from __future__ import annotations

import random
import statistics
import subprocess
import time
from pathlib import Path

from codex_core.file_search import FileIndex, score_match
from tests.app_server.conftest import AppServerClient


def test_fuzzy_file_search_respects_gitignore_and_reports_files_and_directories(
    client: AppServerClient, workspace: Path
) -> None:
    (workspace / "src" / "app_server").mkdir(parents=True)
    (workspace / "src" / "app_server" / "server.py").write_text("x")
    (workspace / "src" / "serve.txt").write_text("x")
    (workspace / "build_out").mkdir()
    (workspace / "build_out" / "server_gen.py").write_text("x")
    (workspace / ".gitignore").write_text("build_out/\n")
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True)
    client.initialize()
    files = client.call("fuzzyFileSearch", {"query": "server", "roots": [str(workspace)], "cancellationToken": None})[
        "files"
    ]
    paths = [f["path"] for f in files]
    assert "src/app_server/server.py" in paths and "src/app_server" in paths
    assert not any(p.startswith("build_out") for p in paths)
    first = next(f for f in files if f["path"] == "src/app_server/server.py")
    assert first == {
        "root": str(workspace),
        "path": "src/app_server/server.py",
        "match_type": "file",
        "file_name": "server.py",
        "score": first["score"],
        "indices": [15, 16, 17, 18, 19, 20],
    }
    directory = next(f for f in files if f["path"] == "src/app_server")
    assert directory["match_type"] == "directory" and directory["file_name"] == "app_server"
    assert [f["score"] for f in files] == sorted((f["score"] for f in files), reverse=True)
    assert client.call("fuzzyFileSearch", {"query": "", "roots": [str(workspace)]}) == {"files": []}
    assert client.call("fuzzyFileSearch", {"query": "server", "roots": ["relative/root"]}) == {"files": []}


def _tree(n: int) -> list[str]:
    rng = random.Random(7)
    words = ["src", "lib", "test", "core", "utils", "app", "server", "client", "models", "views", "api", "docs",
             "config", "handlers", "widgets", "components", "internal", "pkg", "cmd", "main", "index", "helpers"]  # fmt: skip
    out: set[str] = set()
    while len(out) < n:
        parts = [rng.choice(words) + str(rng.randint(0, 40)) for _ in range(rng.randint(1, 5))]
        name = f"{rng.choice(words)}_{rng.choice(words)}{rng.choice(['.py', '.ts', '.rs', '.md', '.json'])}"
        out.add("/".join([*parts, name]))
    return sorted(out)


def test_search_of_50k_files_is_fast_and_ranks_like_the_scorer() -> None:
    index = FileIndex(_tree(50_000))
    queries = ["a", "srv", "mainpy", "config", "hlpwdg", "app_server", "zzq", "s", "models/views", "idx.ts"]
    timings = []
    for query in queries:
        best = float("inf")
        for _ in range(3):  # best of three: other processes share this machine
            started = time.perf_counter()
            results = index.search(query, limit=50)
            best = min(best, time.perf_counter() - started)
        timings.append(best)
        scores = sorted((s[0] for p in index.paths if (s := score_match(query, p)) is not None), reverse=True)
        if len(scores) <= 2000:  # sparse: every match is scored, the top is exact
            assert [r.score for r in results] == scores[:50], query
        else:  # dense: a close approximation of the best
            assert results[0].score >= 0.8 * scores[0], (query, results[0], scores[:5])
    # 50 ms is the target on an idle machine; the assertion leaves room for a loaded CI box
    assert statistics.median(timings) < 0.05 * 3, [round(t * 1000, 1) for t in timings]
    assert max(timings) < 0.15 * 3, [round(t * 1000, 1) for t in timings]
