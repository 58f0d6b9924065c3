"""Fixtures: `codex app-server` as a real subprocess on real pipes, against the scripted SSE server."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.provider import write_provider_config
from tests.support.sse_server import ScriptedResponsesServer

CODEX = str(Path(sys.executable).parent / "codex")
TIMEOUT = 20.0


class AppServerClient:
    """Drives one `codex app-server` process: send lines, collect every message it prints."""

    def __init__(self, env: dict[str, str], cwd: Path, args: tuple[str, ...] = ()) -> None:
        self.proc = subprocess.Popen(
            [CODEX, "app-server", *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: list[dict[str, Any]] = []
        self.raw_lines: list[bytes] = []
        self._new: queue.Queue[None] = queue.Queue()
        self._lock = threading.Lock()
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self.raw_lines.append(line)
                self.messages.append(json.loads(line))
            self._new.put(None)
        self._new.put(None)

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(json.dumps(message).encode() + b"\n")

    def request(self, method: str, params: Any = None) -> int:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self._next_id

    def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = TIMEOUT) -> dict[str, Any]:
        """The first message (seen so far or arriving) matching ``pred``."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            with self._lock:
                snapshot = self.messages[seen:]
            for m in snapshot:
                if pred(m):
                    return m
            seen += len(snapshot)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; messages so far: {json.dumps(self.messages, indent=1)[-4000:]}")
            try:
                self._new.get(timeout=remaining)
            except queue.Empty:
                pass

    def response(self, request_id: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        return self.wait_for(lambda m: m.get("id") == request_id and "method" not in m, timeout)

    def call(self, method: str, params: Any = None) -> Any:
        """Request and return the result (fails the test on an error response)."""
        reply = self.response(self.request(method, params))
        assert "result" in reply, reply
        return reply["result"]

    def notification(self, method: str, pred: Callable[[dict[str, Any]], bool] = lambda p: True) -> dict[str, Any]:
        msg = self.wait_for(lambda m: m.get("method") == method and "id" not in m and pred(m.get("params") or {}))
        params: dict[str, Any] = msg["params"]
        return params

    def server_request(self, method: str) -> dict[str, Any]:
        return self.wait_for(lambda m: m.get("method") == method and "id" in m)

    def methods(self) -> list[str]:
        with self._lock:
            return [m["method"] for m in self.messages if "method" in m and "id" not in m]

    def initialize(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("initialize", {"clientInfo": {"name": "pytest_client", "version": "1.0"}})
        self.send({"method": "initialized"})
        return result

    def close(self) -> tuple[int, str]:
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        assert self.proc.stderr is not None
        return code, self.proc.stderr.read().decode(errors="replace")


@pytest.fixture
def server() -> Iterator[ScriptedResponsesServer]:
    with ScriptedResponsesServer() as srv:
        yield srv


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.fixture
def app_env(codex_home: Path, server: ScriptedResponsesServer) -> dict[str, str]:
    # these tests script the classic `shell` tool, which is offered only with unified exec off
    header = "features.unified_exec = false\n"
    write_provider_config(codex_home, server.base_url, retries=1, stream_idle_timeout_ms=20000, header=header)
    env = dict(os.environ)
    env["TEST_API_KEY"] = "sk-test"
    env["CODEX_RETRY_BASE_MS"] = "10"
    return env


@pytest.fixture
def client(app_env: dict[str, str], workspace: Path) -> Iterator[AppServerClient]:
    c = AppServerClient(app_env, workspace)
    yield c
    if c.proc.poll() is None:
        c.close()
