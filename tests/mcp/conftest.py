"""Shared helpers for the MCP tests: the fixture server as stdio config or as a loopback HTTP server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codex_core.config.models import McpServerToml

FIXTURE_SERVER = Path(__file__).with_name("fixture_server.py")


def stdio_config(**kw: Any) -> McpServerToml:
    """``[mcp_servers.x]`` running the fixture server over stdio."""
    kw.setdefault("startup_timeout_sec", 20.0)
    return McpServerToml(command=sys.executable, args=[str(FIXTURE_SERVER)], **kw)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def http_server_url() -> Iterator[str]:
    """The fixture server over streamable HTTP on 127.0.0.1 (one process per test module)."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(FIXTURE_SERVER), "http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("fixture HTTP MCP server did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
