"""Byte-exact relaying through CONNECT tunnels (bulk relay and the protocol fallback)."""

from __future__ import annotations

import asyncio
import hashlib
import os

import pytest

from codex_core.network import EffectiveNetwork, start_network_proxy

pytestmark = pytest.mark.timeout(60)


async def _echo_server() -> tuple[asyncio.AbstractServer, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
        writer.write_eof()  # half-close: the client sees EOF only after everything was echoed
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def _tunnel_echo(proxy_port: int, port: int, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
    writer.write(f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")

    async def send() -> None:
        for i in range(0, len(payload), 1 << 20):
            writer.write(payload[i : i + (1 << 20)])
            await writer.drain()
        writer.write_eof()

    sender = asyncio.create_task(send())
    received = await reader.read(-1)
    await sender
    writer.close()
    return received


@pytest.mark.parametrize("use_bulk", [True, False])
async def test_large_bidirectional_transfer_is_byte_exact(monkeypatch: pytest.MonkeyPatch, use_bulk: bool) -> None:
    from codex_core.network import bulk

    started: list[object] = []
    original_start = bulk.BulkRelay.start

    def spy(self: bulk.BulkRelay) -> None:
        started.append(self)
        original_start(self)

    monkeypatch.setattr(bulk.BulkRelay, "start", spy)
    if not use_bulk:
        monkeypatch.setattr(bulk, "bulk_available", lambda loop: False)
    payload = os.urandom(24 * 1024 * 1024 + 123)
    server, port = await _echo_server()
    async with server, start_network_proxy(EffectiveNetwork.from_maps({"127.0.0.1": "allow"})) as proxy:
        results = await asyncio.gather(*(_tunnel_echo(proxy.http_port, port, payload) for _ in range(3)))
    assert len(started) == (3 if use_bulk else 0)
    for received in results:
        assert len(received) == len(payload)
        assert hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()


async def test_closing_the_proxy_ends_open_tunnels() -> None:
    server, port = await _echo_server()
    async with server:
        async with start_network_proxy(EffectiveNetwork.from_maps({"127.0.0.1": "allow"})) as proxy:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.http_port)
            writer.write(f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\n\r\n".encode())
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"ping")
            assert await reader.readexactly(4) == b"ping"
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()


async def test_upstream_refusal_gives_502_and_garbage_gives_400() -> None:
    async with start_network_proxy(EffectiveNetwork.from_maps({"127.0.0.1": "allow"})) as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.http_port)
        writer.write(b"CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n")
        assert (await reader.read()).startswith(b"HTTP/1.1 502 Bad Gateway")
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.http_port)
        writer.write(b"GET /relative HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await reader.read()).startswith(b"HTTP/1.1 400 Bad Request")
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.http_port)
        writer.write(b"CONNECT 127.0.0.1:99999 HTTP/1.1\r\n\r\n")
        assert (await reader.read()).startswith(b"HTTP/1.1 400 Bad Request")
        writer.close()


async def test_silent_clients_are_dropped_after_the_handshake_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("codex_core.network.proxy.HANDSHAKE_TIMEOUT", 0.2)
    async with start_network_proxy(EffectiveNetwork.from_maps({})) as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.http_port)
        writer.write(b"GET http://x/ HTTP/1.1\r\n")  # never finishes its head
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.socks_port)
        writer.write(b"\x05\x01")  # greeting without its methods
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()


async def test_bulk_relay_holds_back_when_the_receiver_is_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """A receiver that stops reading fills the socket buffers: the relay keeps the unsent
    remainder, stops reading its source, and delivers everything exactly once it drains."""
    from codex_core.network import bulk

    held: list[int] = []
    original = bulk._Direction._want

    def spy(self: bulk._Direction, read: bool, write: bool) -> None:
        if self.pending:
            held.append(len(self.pending))
        original(self, read, write)

    monkeypatch.setattr(bulk._Direction, "_want", spy)
    got = bytearray()
    done = asyncio.Event()

    async def slow_sink(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.5)  # let the tunnel back up
        while data := await reader.read(1 << 16):
            got.extend(data)
        writer.close()
        done.set()

    server = await asyncio.start_server(slow_sink, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    payload = os.urandom(40 * 1024 * 1024)
    async with server, start_network_proxy(EffectiveNetwork.from_maps({"127.0.0.1": "allow"})) as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.http_port)
        writer.write(f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\n\r\n".encode())
        await reader.readuntil(b"\r\n\r\n")
        for i in range(0, len(payload), 1 << 20):
            writer.write(payload[i : i + (1 << 20)])
            await writer.drain()
        writer.write_eof()
        await asyncio.wait_for(done.wait(), 30)
        writer.close()
    assert held, "the receiver never pushed back"
    assert hashlib.sha256(got).digest() == hashlib.sha256(payload).digest()


async def test_end_of_file_on_the_last_read_of_a_callback_is_passed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one read per readiness callback, every end-of-file arrives on a callback's last read:
    it must still be propagated (it used to leave the tunnel hanging)."""
    from codex_core.network import bulk

    monkeypatch.setattr(bulk, "_ROUNDS", 1)
    payload = os.urandom(3 * 1024 * 1024 + 7)
    server, port = await _echo_server()
    async with server, start_network_proxy(EffectiveNetwork.from_maps({"127.0.0.1": "allow"})) as proxy:
        received = await asyncio.wait_for(_tunnel_echo(proxy.http_port, port, payload), 20)
    assert hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()


async def test_a_failed_write_side_does_not_drop_what_the_other_side_still_delivers() -> None:
    """The upstream sends a response and goes away; the client's late bytes to it fail (EPIPE). The
    response already read, and the rest still buffered, must reach the client in full."""
    import socket

    from codex_core.network.bulk import BulkRelay

    loop = asyncio.get_running_loop()
    client_near, client_far = socket.socketpair()
    upstream_near, upstream_far = socket.socketpair()
    for s in (client_near, client_far, upstream_near, upstream_far):
        s.setblocking(False)
    closed = asyncio.Event()
    relay = BulkRelay(loop, client_near, upstream_near, closed.set)
    relay.start()
    response = os.urandom(256 * 1024)  # fits in the socketpairs' buffers plus the relay's pending bytes
    await loop.sock_sendall(upstream_far, response)  # lands in buffers: the client is not reading yet
    upstream_far.close()
    await asyncio.sleep(0.05)
    await loop.sock_sendall(client_far, b"late request bytes")  # relayed to a closed upstream: EPIPE
    await asyncio.sleep(0.05)
    got = bytearray()
    while chunk := await asyncio.wait_for(loop.sock_recv(client_far, 1 << 20), 5):
        got.extend(chunk)
    await asyncio.wait_for(closed.wait(), 5)
    assert hashlib.sha256(got).digest() == hashlib.sha256(response).digest()
    for s in (client_near, client_far, upstream_near):
        s.close()
