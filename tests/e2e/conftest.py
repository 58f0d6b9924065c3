"""End-to-end fixtures: a real local SSE model server and `codex` run as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.provider import write_provider_config
from tests.support.sse_server import ScriptedResponsesServer

CODEX = str(Path(sys.executable).parent / "codex")


@pytest.fixture
def server() -> Iterator[ScriptedResponsesServer]:
    with ScriptedResponsesServer() as srv:
        yield srv


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    subprocess.run(["git", "init", "-q", str(r)], check=True)
    return r


@pytest.fixture
def cli_env(codex_home: Path, server: ScriptedResponsesServer) -> dict[str, str]:
    write_provider_config(codex_home, server.base_url, retries=2, stream_idle_timeout_ms=2000, header="# test config\n")
    env = dict(os.environ)
    env["TEST_API_KEY"] = "sk-test"
    env["CODEX_RETRY_BASE_MS"] = "10"
    return env


def run_codex(
    args: list[str], env: dict[str, str], cwd: Path, input: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CODEX, *args], env=env, cwd=cwd, input=input, capture_output=True, text=True, timeout=timeout
    )
