"""``x-unix-socket``: only the allowed entry's own path is ever connected, checks run in 4.7 order."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from codex_core.network import EffectiveNetwork, NetworkPolicy, start_network_proxy
from codex_core.network.unix_connect import open_socket_path_nofollow

from .conftest import curl

pytestmark = pytest.mark.timeout(60)


@contextlib.asynccontextmanager
async def _service(path: Path, tag: bytes) -> AsyncIterator[None]:
    """A real unix-socket HTTP service answering every request with ``tag``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        body = tag + b" " + head.split(b"\r\n", 1)[0]
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_unix_server(handle, str(path))
    async with server:
        yield


async def _raw(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    data = await reader.read()
    writer.close()
    return data


def _get(sock: str | Path, method: str = "GET") -> bytes:
    return f"{method} /v1/info HTTP/1.1\r\nHost: localhost\r\nx-unix-socket: {sock}\r\n\r\n".encode()


async def test_symlink_swap_race_never_reaches_another_socket(tmp_path: Path) -> None:
    """Regression for the check-then-connect race: the client's symlink flips between sockets."""
    allowed, secret, link = tmp_path / "allowed.sock", tmp_path / "secret.sock", tmp_path / "swap.sock"
    net = EffectiveNetwork.from_maps({}, {str(allowed): "allow"})
    stop = threading.Event()

    def swapper() -> None:
        i = 0
        while not stop.is_set():
            tmp = link.with_suffix(".tmp")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(allowed if i % 2 == 0 else secret)
            tmp.replace(link)
            i += 1

    async with _service(allowed, b"ALLOWED"), _service(secret, b"SECRET"), start_network_proxy(net) as proxy:
        thread = threading.Thread(target=swapper, daemon=True)
        thread.start()
        try:
            answers = [await _raw(proxy.http_port, _get(link)) for _ in range(150)]
        finally:
            stop.set()
            thread.join()
    assert not any(b"SECRET" in a for a in answers)
    assert any(b"ALLOWED GET /v1/info" in a for a in answers)  # served when the link pointed at it
    assert all(a.startswith((b"HTTP/1.1 200", b"HTTP/1.1 403")) for a in answers)


async def test_entry_path_replaced_by_symlink_after_start_is_refused(tmp_path: Path) -> None:
    allowed, secret = tmp_path / "app.sock", tmp_path / "secret.sock"
    net = EffectiveNetwork.from_maps({}, {str(allowed): "allow"})
    async with _service(allowed, b"APP"), _service(secret, b"SECRET"), start_network_proxy(net) as proxy:
        px = ["-x", f"http://127.0.0.1:{proxy.http_port}"]
        ok = await curl(*px, "-H", f"x-unix-socket: {allowed}", "http://docker/v1/info")
        assert ok.status == 200 and "APP GET /v1/info" in ok.stdout
        allowed.unlink()
        allowed.symlink_to(secret)  # the allowed path now leads to another socket
        r = await curl(*px, "-H", f"x-unix-socket: {allowed}", "http://docker/v1/info")
        assert r.status == 502 and "SECRET" not in r.stdout, r


async def test_symlinked_entry_connects_to_its_canonical_target(tmp_path: Path) -> None:
    real = tmp_path / "real.sock"
    alias = tmp_path / "alias.sock"
    async with _service(real, b"REAL"):
        alias.symlink_to(real)
        net = EffectiveNetwork.from_maps({}, {str(alias): "allow"})
        async with start_network_proxy(net) as proxy:
            for spelled in (alias, real):  # the entry itself, or a path resolving to the same file
                data = await _raw(proxy.http_port, _get(spelled))
                assert data.startswith(b"HTTP/1.1 200") and b"REAL GET /v1/info" in data
            other = tmp_path / "other.sock"
            data = await _raw(proxy.http_port, _get(other))
            assert data.startswith(b"HTTP/1.1 403") and b"unix_socket_not_allowed" in data


async def test_disabled_and_limited_mode_apply_to_unix_sockets(tmp_path: Path) -> None:
    sock = tmp_path / "app.sock"
    async with _service(sock, b"APP"):
        off = EffectiveNetwork.from_maps({}, {str(sock): "allow"}, enabled=False)
        async with start_network_proxy(off) as proxy:
            data = await _raw(proxy.http_port, _get(sock))
            assert data.startswith(b"HTTP/1.1 503") and b'"reason":"proxy_disabled"' in data
            assert b"APP" not in data
        limited = EffectiveNetwork.from_maps({}, {str(sock): "allow"}, mode="limited")
        async with start_network_proxy(limited) as proxy:
            post = await _raw(proxy.http_port, _get(sock, "POST"))
            assert post.startswith(b"HTTP/1.1 403") and b"x-proxy-error: blocked-by-method-policy" in post
            assert b"APP" not in post
            get = await _raw(proxy.http_port, _get(sock))
            assert get.startswith(b"HTTP/1.1 200") and b"APP GET" in get
            assert [(b.reason, b.method) for b in proxy.blocked] == [("method_not_allowed", "POST")]


def test_policy_returns_the_entry_path_not_the_clients(tmp_path: Path) -> None:
    entry = tmp_path / "entry.sock"
    entry.write_text("")
    link = tmp_path / "link.sock"
    link.symlink_to(entry)
    policy = NetworkPolicy(EffectiveNetwork.from_maps({}, {str(entry): "allow"}))
    assert policy.unix_socket_target(str(link)) == str(entry)
    decision = policy.decide_unix_socket(str(link), "GET")
    assert decision.allowed and decision.addresses == (str(entry),)
    assert policy.unix_socket_target("relative.sock") is None


def test_nofollow_open_refuses_symlinks_and_non_sockets(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_text("")
    link = tmp_path / "link"
    link.symlink_to(plain)
    for path in (plain, link, tmp_path / "missing"):
        with pytest.raises(OSError):
            open_socket_path_nofollow(str(path))
    d = tmp_path / "d"
    d.mkdir()
    dlink = tmp_path / "dlink"
    dlink.symlink_to(d)
    import socket

    s = socket.socket(socket.AF_UNIX)
    s.bind(str(d / "s.sock"))
    try:
        os.close(open_socket_path_nofollow(str(d / "s.sock")))
        with pytest.raises(OSError):  # a symlinked directory component is refused too
            open_socket_path_nofollow(str(dlink / "s.sock"))
    finally:
        s.close()
