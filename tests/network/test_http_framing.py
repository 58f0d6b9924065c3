"""The proxy's strict one-request-per-connection framing still carries real clients' traffic: large
uploads (Content-Length and chunked, past the bulk-relay threshold), large plain-HTTP downloads,
curl reusing a connection, ``Expect: 100-continue``; and chunked framing is the same however the
bytes are split. The escape regressions are in tests/sandbox/test_host_escapes_proxy.py."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_core.network import EffectiveNetwork, start_network_proxy
from codex_core.network.http1 import ChunkedBody, FramingError

from .conftest import curl

pytestmark = pytest.mark.timeout(60)

BIG = 3 * 1024 * 1024  # well past BULK_AFTER (256 KiB)


class _Echo(BaseHTTPRequestHandler):
    """Answers a POST with the length and SHA-256 of the body it read (Content-Length or chunked),
    and ``GET /big`` with BIG bytes."""

    protocol_version = "HTTP/1.1"

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b""):
                pass
            return b"".join(parts)
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self._body()
        self._send(f"{len(body)} {hashlib.sha256(body).hexdigest()}".encode())

    def do_GET(self) -> None:
        self._send(bytes(range(256)) * (BIG // 256) if self.path == "/big" else f"got {self.path}".encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def echo_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def payload(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data = hashlib.sha256(b"seed").digest() * (BIG // 32)
    path = tmp_path_factory.mktemp("upload") / "payload.bin"
    path.write_bytes(data)
    return path, f"{len(data)} {hashlib.sha256(data).hexdigest()}"


NET = EffectiveNetwork.from_maps({"localhost": "allow"})


@pytest.mark.parametrize(
    "extra",
    [[], ["-H", "Transfer-Encoding: chunked"], ["-H", "Expect: 100-continue"]],
    ids=["content-length", "chunked", "expect-100"],
)
async def test_large_uploads_arrive_intact(echo_port: int, payload: tuple[Path, str], extra: list[str]) -> None:
    path, expected = payload
    async with start_network_proxy(NET) as proxy:
        r = await curl(
            "-x", f"http://127.0.0.1:{proxy.http_port}", *extra, "--data-binary", f"@{path}",
            f"http://localhost:{echo_port}/up",
        )  # fmt: skip
    # curl asks for 100-continue itself for a body this large; the origin's interim answer passes through
    assert "HTTP/1.1 200 OK" in r.stdout and r.stdout.endswith(expected), r


async def test_large_plain_http_download_arrives_intact(echo_port: int, tmp_path: Path) -> None:
    out = tmp_path / "big.bin"
    async with start_network_proxy(NET) as proxy:
        r = await curl("-x", f"http://127.0.0.1:{proxy.http_port}", "-o", str(out), f"http://localhost:{echo_port}/big")
    assert r.returncode == 0, r
    head, _, body = out.read_bytes().partition(b"\r\n\r\n")  # the curl helper passes -i
    assert head.startswith(b"HTTP/1.1 200 OK") and body == bytes(range(256)) * (BIG // 256)


async def test_curl_reusing_a_connection_gets_every_answer(echo_port: int) -> None:
    """One request per proxy connection: curl sees the close and reconnects for the next URL."""
    async with start_network_proxy(NET) as proxy:
        urls = [f"http://localhost:{echo_port}/{i}" for i in range(3)]
        r = await curl("-x", f"http://127.0.0.1:{proxy.http_port}", *urls)
    assert r.returncode == 0, r
    assert all(f"got /{i}" in r.stdout for i in range(3)) and r.stdout.count("HTTP/1.1 200 OK") == 3


CHUNKED = (
    b"5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Sum: 1\r\n\r\nGET /next HTTP/1.1\r\n\r\n"
)
FRAMED = b"5\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Sum: 1\r\n\r\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(CHUNKED)), max_size=12))
def test_chunked_framing_does_not_depend_on_how_the_bytes_are_split(cuts: list[int]) -> None:
    framer, out, start = ChunkedBody(), b"", 0
    for end in [*sorted(cuts), len(CHUNKED)]:
        out += framer.feed(CHUNKED[start:end])
        start = end
        if framer.done:
            break
    assert framer.done and out == FRAMED


@pytest.mark.parametrize(
    "body",
    [b"5\r\nhelloX", b"5\nhello\r\n", b"-5\r\n", b"1234567890abcdef0\r\n", b"5 x\r\n", b"0\r\nbad trailer\r\n\r\n"],
)
def test_malformed_chunked_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(FramingError):
        ChunkedBody().feed(body)
