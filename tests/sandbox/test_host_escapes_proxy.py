"""Escapes through the network proxy's HTTP parsing (issue 14): requests pipelined behind a checked
one, and request heads that the proxy and a lenient upstream would read differently.

The proxy used to check the first request on a connection and then relay the rest of the client's
bytes raw, so ``GET http://allowed/`` followed on the same connection by a ``POST`` reached the
upstream in ``limited`` mode (and, chained through a parent proxy, a second request could name any
host). Head lines ending in a bare LF were forwarded verbatim, so ``X: a\\nHost: evil`` gave a
lenient origin a second ``Host``. Everything here runs the real proxy against real servers on
loopback, with raw sockets, and once from a command under the real sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from codex_core.exec import run_command
from codex_core.network import EffectiveNetwork, start_network_proxy
from codex_core.sandbox import ProxyNetwork, SandboxPolicy

from .conftest import needs_sandbox

pytestmark = pytest.mark.timeout(60)

HOSTS = {"allowed.test": ["127.0.0.1"], "denied.test": ["127.0.0.1"]}
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


@contextlib.asynccontextmanager
async def recording_server() -> AsyncIterator[tuple[int, list[bytes]]]:
    """A real TCP server that records every byte a connection sends until its end-of-file, then
    answers 200 and closes: whatever the proxy forwarded is in the list, pipelined bytes too."""
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            received.append(await reader.read())
            writer.write(OK)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield int(server.sockets[0].getsockname()[1]), received


async def exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` on one connection, half-close, and read until the proxy closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    writer.write_eof()
    try:
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()


def _responses(data: bytes) -> int:
    return data.count(b"HTTP/1.1 ")


# -- pipelining ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("form", ["absolute", "origin"])
async def test_limited_mode_request_pipelined_behind_a_get_never_reaches_the_upstream(method: str, form: str) -> None:
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, mode="limited", allow_local_binding=True)
    async with recording_server() as (port, received), start_network_proxy(net, hosts=HOSTS) as proxy:
        url = f"http://allowed.test:{port}"
        second = f"{url}/write" if form == "absolute" else "/write"
        data = (
            f"GET {url}/read HTTP/1.1\r\nHost: allowed.test:{port}\r\n\r\n"
            f"{method} {second} HTTP/1.1\r\nHost: allowed.test:{port}\r\nContent-Length: 5\r\n\r\nhello"
        ).encode()
        reply = await exchange(proxy.http_port, data)
    assert reply.startswith(b"HTTP/1.1 200 OK") and _responses(reply) == 1, reply
    (forwarded,) = received
    assert forwarded.startswith(b"GET /read HTTP/1.1\r\n"), forwarded
    assert method.encode() not in forwarded and b"/write" not in forwarded and b"hello" not in forwarded


async def test_pipelined_request_for_another_host_never_reaches_the_parent_proxy() -> None:
    """Full mode, chained through the parent's proxy: the raw second request would have named a
    host the policy never saw, and the parent would have fetched it."""
    net = EffectiveNetwork.from_maps({"allowed.test": "allow", "denied.test": "deny"}, allow_local_binding=True)
    async with recording_server() as (parent_port, received):
        env = {"HTTP_PROXY": f"http://127.0.0.1:{parent_port}"}
        async with start_network_proxy(net, hosts=HOSTS, upstream_env=env) as proxy:
            data = (
                b"GET http://allowed.test/ok HTTP/1.1\r\nHost: allowed.test\r\n\r\n"
                b"GET http://denied.test/secret HTTP/1.1\r\nHost: denied.test\r\n\r\n"
            )
            reply = await exchange(proxy.http_port, data)
    assert reply.startswith(b"HTTP/1.1 200 OK") and _responses(reply) == 1
    (forwarded,) = received
    assert forwarded.startswith(b"GET http://allowed.test/ok HTTP/1.1\r\n")
    assert b"denied.test" not in forwarded and b"/secret" not in forwarded


async def test_bytes_past_the_content_length_are_not_forwarded() -> None:
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, allow_local_binding=True)
    async with recording_server() as (port, received), start_network_proxy(net, hosts=HOSTS) as proxy:
        data = (
            f"POST http://allowed.test:{port}/up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            f"DELETE http://allowed.test:{port}/all HTTP/1.1\r\nHost: x\r\n\r\n"
        ).encode()
        reply = await exchange(proxy.http_port, data)
    assert reply.startswith(b"HTTP/1.1 200 OK")
    (forwarded,) = received
    assert forwarded.endswith(b"\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"), forwarded
    assert b"DELETE" not in forwarded


async def test_chunked_body_is_framed_and_what_follows_it_dropped() -> None:
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, allow_local_binding=True)
    async with recording_server() as (port, received), start_network_proxy(net, hosts=HOSTS) as proxy:
        data = (
            f"POST http://allowed.test:{port}/up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5;ext=1\r\nhello\r\n00A\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
            f"DELETE http://allowed.test:{port}/all HTTP/1.1\r\nHost: x\r\n\r\n"
        ).encode()
        reply = await exchange(proxy.http_port, data)
    assert reply.startswith(b"HTTP/1.1 200 OK")
    (forwarded,) = received
    head, _, body = forwarded.partition(b"\r\n\r\n")
    assert b"\r\nTransfer-Encoding: chunked\r\n" in head + b"\r\n"
    # chunk sizes are written again in canonical form; extensions dropped, trailers kept
    assert body == b"5\r\nhello\r\na\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"


async def test_malformed_chunked_body_gets_400_and_is_cut_where_it_breaks() -> None:
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, allow_local_binding=True)
    async with recording_server() as (port, received), start_network_proxy(net, hosts=HOSTS) as proxy:
        data = (
            f"POST http://allowed.test:{port}/up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhelloDELETE /all HTTP/1.1\r\n\r\n"
        ).encode()
        reply = await exchange(proxy.http_port, data)
        for _ in range(100):  # the upstream side is closed by the proxy; let the origin record it
            if received:
                break
            await asyncio.sleep(0.02)
    assert reply.startswith(b"HTTP/1.1 400 Bad Request") and b"malformed chunked body" in reply, reply
    (forwarded,) = received
    head, _, body = forwarded.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /up HTTP/1.1\r\n")
    assert b"5\r\nhello".startswith(body)  # at most the well-formed part, never what follows it


# -- heads a lenient reader sees differently ----------------------------------------------------------

MALFORMED = {
    "bare LF smuggles a Host": (b"X: a\nHost: evil.test\r\n", b"bare LF"),
    "bare LF smuggles a method's body": (b"X: a\nContent-Length: 10\r\n", b"bare LF"),
    "bare CR": (b"X: a\rHost: evil.test\r\n", b"bare CR"),
    "obsolete line folding": (b"X: a\r\n Host: evil.test\r\n", b"obsolete line folding"),
    "folding with a tab": (b"X: a\r\n\tfolded\r\n", b"obsolete line folding"),
    "whitespace before the colon": (b"Host : evil.test\r\n", b"malformed header line"),
    "duplicate Host": (b"Host: allowed.test\r\nHost: evil.test\r\n", b"more than one Host header"),
    "Content-Length and Transfer-Encoding": (
        b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
        b"conflicting Content-Length and Transfer-Encoding",
    ),
    "two different Content-Lengths": (b"Content-Length: 0\r\nContent-Length: 9\r\n", b"conflicting Content-Length"),
    "a Content-Length list": (b"Content-Length: 0, 9\r\n", b"conflicting Content-Length"),
    "a signed Content-Length": (b"Content-Length: +4\r\n", b"invalid Content-Length"),
    "chunked not last": (b"Transfer-Encoding: chunked, gzip\r\n", b"unsupported Transfer-Encoding"),
    "chunked twice": (
        b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        b"unsupported Transfer-Encoding",
    ),
    "a near miss of chunked": (b"Transfer-Encoding: xchunked\r\n", b"unsupported Transfer-Encoding"),
    "a NUL in a value": (b"X: a\x00b\r\n", b"malformed header line"),
    "an escape in a value": (b"X: a\x1bb\r\n", b"malformed header line"),
    "an invalid Host value": (b"Host: evil.test allowed.test\r\n", b"invalid Host header"),
    "two X-Unix-Socket headers": (b"X-Unix-Socket: /a\r\nX-Unix-Socket: /b\r\n", b"more than one X-Unix-Socket"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_ambiguous_request_heads_get_400_and_reach_nothing(case: str) -> None:
    lines, message = MALFORMED[case]
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, allow_local_binding=True)
    async with recording_server() as (port, received), start_network_proxy(net, hosts=HOSTS) as proxy:
        data = f"GET http://allowed.test:{port}/ HTTP/1.1\r\n".encode() + lines + b"\r\n"
        reply = await exchange(proxy.http_port, data)
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n"), reply
    assert b"\r\nconnection: close\r\n" in reply and message in reply, reply
    assert received == []  # nothing was forwarded


@pytest.mark.parametrize(
    "request_line",
    [
        b"GET  http://allowed.test/ HTTP/1.1",
        b"GET http://allowed.test/ HTTP/1.1 ",
        b"GET http://allowed.test/ HTTP/2.0",
    ],
)
async def test_malformed_request_lines_get_400(request_line: bytes) -> None:
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, allow_local_binding=True)
    async with start_network_proxy(net, hosts=HOSTS) as proxy:
        reply = await exchange(proxy.http_port, request_line + b"\r\nHost: allowed.test\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"malformed request line" in reply


async def test_lf_only_client_gets_400_at_once() -> None:
    """A head with only LF line ends never has a CRLF CRLF; it is refused on its first bare LF
    instead of hanging until the handshake timeout."""
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, allow_local_binding=True)
    async with start_network_proxy(net, hosts=HOSTS) as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.http_port)
        writer.write(b"GET http://allowed.test/ HTTP/1.1\nHost: allowed.test\n\n")  # no half-close
        reply = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"bare LF" in reply


async def test_oversized_head_gets_431() -> None:
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, allow_local_binding=True)
    async with start_network_proxy(net, hosts=HOSTS) as proxy:
        filler = b"".join(b"X-%d: %s\r\n" % (i, b"v" * 1000) for i in range(80))
        reply = await exchange(proxy.http_port, b"GET http://allowed.test/ HTTP/1.1\r\n" + filler + b"\r\n")
    assert reply.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")


# -- from inside the sandbox ---------------------------------------------------------------------------

_SANDBOXED_CLIENT = r"""
import socket, sys
port, origin = int(sys.argv[1]), int(sys.argv[2])
def send(data):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    out = b""
    while chunk := s.recv(65536):
        out += chunk
    return out.split(b"\r\n", 1)[0].decode()
u = f"http://allowed.test:{origin}"
print(send(f"GET {u}/read HTTP/1.1\r\nHost: a\r\n\r\nPOST {u}/write HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx".encode()))
print(send(f"GET {u}/read HTTP/1.1\r\nX: a\nHost: evil.test\r\n\r\n".encode()))
print(send(f"DELETE {u}/write HTTP/1.1\r\nHost: a\r\n\r\n".encode()))
"""


@needs_sandbox
@pytest.mark.sandbox
async def test_sandboxed_command_cannot_pipeline_past_limited_mode(tmp_path: Path) -> None:
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, mode="limited", allow_local_binding=True)
    async with recording_server() as (port, received), start_network_proxy(net, hosts=HOSTS, uds_dir=tmp_path) as proxy:
        assert proxy.uds_path is not None
        mode = ProxyNetwork(uds_path=proxy.uds_path, http_port=proxy.http_port, socks_port=proxy.socks_port)
        policy = SandboxPolicy.workspace_write(
            cwd=tmp_path, exclude_slash_tmp=True, exclude_tmpdir_env_var=True, network=mode
        )
        r = await run_command(
            [sys.executable, "-c", _SANDBOXED_CLIENT, str(proxy.http_port), str(port)],
            cwd=tmp_path, policy=policy, env=dict(os.environ), timeout_ms=30_000,
        )  # fmt: skip
    assert r.exit_code == 0, r.aggregated_output
    assert r.stdout.splitlines() == ["HTTP/1.1 200 OK", "HTTP/1.1 400 Bad Request", "HTTP/1.1 403 Forbidden"]
    (forwarded,) = received
    assert forwarded.startswith(b"GET /read HTTP/1.1\r\n") and b"POST" not in forwarded
