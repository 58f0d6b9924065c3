"""Proxied network mode: no direct egress, but the in-namespace forwarder reaches a host UDS."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from codex_core.sandbox import ProxyNetwork, SandboxPolicy

from .conftest import Box, needs_sandbox

pytestmark = [needs_sandbox, pytest.mark.sandbox]


def _uds_http_server(path: Path) -> list[bytes]:
    """A tiny HTTP server on a unix socket that answers every request with its first line."""
    seen: list[bytes] = []
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen()
    srv.settimeout(10)

    def serve() -> None:
        try:
            while True:
                conn, _ = srv.accept()
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                first = data.split(b"\r\n", 1)[0]
                seen.append(first)
                body = b"proxied:" + first
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
                )
                conn.close()
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    return seen


@pytest.fixture
def proxied(box: Box, tmp_path: Path) -> tuple[Box, SandboxPolicy, list[bytes]]:
    uds = tmp_path / "proxy.sock"
    seen = _uds_http_server(uds)
    policy = SandboxPolicy.workspace_write(
        cwd=box.ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True,
        network=ProxyNetwork(uds_path=uds, http_port=18080, socks_port=18081),
    )  # fmt: skip
    return box, policy, seen


async def test_http_through_forwarder_reaches_host_unix_socket(proxied: tuple[Box, SandboxPolicy, list[bytes]]) -> None:
    box, policy, seen = proxied
    code = (
        "import urllib.request, os\n"
        "os.environ['HTTP_PROXY'] = 'http://127.0.0.1:18080'\n"
        "print(urllib.request.urlopen('http://example.com/hello', timeout=5).read().decode())\n"
    )
    r = await box.py(code, policy=policy)
    assert r.exit_code == 0, r.aggregated_output
    assert r.stdout.strip() == "proxied:GET http://example.com/hello HTTP/1.1"
    assert seen == [b"GET http://example.com/hello HTTP/1.1"]
    # The socks port forwards too (to the same socket here).
    r = await box.py(
        "import socket; s=socket.create_connection(('127.0.0.1', 18081), timeout=5);"
        "s.sendall(b'GET /x HTTP/1.1\\r\\n\\r\\n'); print(s.makefile('rb').read().decode().splitlines()[-1])",
        policy=policy,
    )
    assert r.exit_code == 0 and r.stdout.strip() == "proxied:GET /x HTTP/1.1", r.aggregated_output


async def test_no_direct_egress_in_proxy_mode(proxied: tuple[Box, SandboxPolicy, list[bytes]]) -> None:
    box, policy, _ = proxied
    host = socket.socket()
    host.bind(("127.0.0.1", 0))
    host.listen()
    port = host.getsockname()[1]
    try:
        for target in (f"('127.0.0.1', {port})", "('1.1.1.1', 80)", "('127.0.0.1', 22)"):
            r = await box.py(f"import socket; socket.create_connection({target}, timeout=2); print('connected')",
                             policy=policy)  # fmt: skip
            assert r.exit_code != 0 and "connected" not in r.stdout, target
        # No new unix sockets (the host proxy socket is only reachable through the forwarder).
        r = await box.py(f"import socket; s=socket.socket(socket.AF_UNIX); s.connect({str(box.out)!r}); print('ok')",
                         policy=policy)  # fmt: skip
        assert r.exit_code != 0 and "PermissionError" in r.stderr
    finally:
        host.close()


async def test_forwarder_exit_code_is_the_commands(proxied: tuple[Box, SandboxPolicy, list[bytes]]) -> None:
    box, policy, _ = proxied
    r = await box.sh("exit 7", policy=policy)
    assert r.exit_code == 7
    r = await box.sh("kill -TERM $$", policy=policy)
    assert r.exit_code == 128 + 15
