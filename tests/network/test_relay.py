"""Byte-exact relaying through CONNECT tunnels (kernel splice relay and the protocol fallback)."""

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


@pytest.mark.parametrize("use_splice", [True, False])
async def test_large_bidirectional_transfer_is_byte_exact(monkeypatch: pytest.MonkeyPatch, use_splice: bool) -> None:
    from codex_core.network import splice

    started: list[object] = []
    original_start = splice.SpliceRelay.start

    def spy(self: splice.SpliceRelay) -> None:
        started.append(self)
        original_start(self)

    monkeypatch.setattr(splice.SpliceRelay, "start", spy)
    if not use_splice:
        monkeypatch.setattr(splice, "splice_available", lambda loop: False)
    payload = os.urandom(24 * 1024 * 1024 + 123)
    server, port = await _echo_server()
    async with server, start_network_proxy(EffectiveNetwork.from_maps({"127.0.0.1": "allow"})) as proxy:
        results = await asyncio.gather(*(_tunnel_echo(proxy.http_port, port, payload) for _ in range(3)))
    assert len(started) == (3 if use_splice else 0)
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
