"""The proxy against the real curl, with real local HTTP and HTTPS (self-signed) origins."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from codex_core.network import EffectiveNetwork, start_network_proxy

from .conftest import Origins, curl

pytestmark = pytest.mark.timeout(60)

# names the proxy resolves through its static hosts table (no DNS needed in tests)
HOSTS = {
    "api.example.test": ["127.0.0.1"],
    "example.test": ["127.0.0.1"],
    "deep.sub.example.test": ["127.0.0.1"],
    "tracking.example.test": ["127.0.0.1"],
    "other.test": ["127.0.0.1"],
    "xn--bcher-kva.test": ["127.0.0.1"],
}


def _decision(body: str) -> dict[str, object]:
    first = body.split("\r\n\r\n", 1)[1].splitlines()[0]
    assert first.startswith("CODEX_NETWORK_POLICY_DECISION ")
    return dict(json.loads(first.removeprefix("CODEX_NETWORK_POLICY_DECISION ")))


async def test_allowed_denied_and_unlisted_over_http_and_https(origins: Origins) -> None:
    net = EffectiveNetwork.from_maps(
        {"api.example.test": "allow", "tracking.example.test": "deny"}, allow_local_binding=True
    )
    async with start_network_proxy(net, hosts=HOSTS) as proxy:
        px = ["-x", f"http://127.0.0.1:{proxy.http_port}"]
        ok = await curl(*px, f"http://api.example.test:{origins.http_port}/a")
        assert ok.status == 200 and f"hello api.example.test:{origins.http_port} /a" in ok.stdout
        ok_tls = await curl(*px, "-k", f"https://api.example.test:{origins.https_port}/tls")
        assert ok_tls.returncode == 0 and ok_tls.status == 200 and "/tls" in ok_tls.stdout

        denied = await curl(*px, f"http://tracking.example.test:{origins.http_port}/")
        assert denied.status == 403
        assert denied.header("x-proxy-error") == "blocked-by-denylist"
        assert _decision(denied.stdout) == {
            "decision": "deny",
            "reason": "denied",
            "source": "baseline_policy",
            "protocol": "http",
            "host": "tracking.example.test",
            "port": origins.http_port,
        }
        assert "Codex blocked this request: domain denied by policy." in denied.stdout
        assert '"tracking.example.test" = "deny"' in denied.stdout

        denied_tls = await curl(*px, "-k", f"https://tracking.example.test:{origins.https_port}/")
        assert denied_tls.returncode == 56
        assert "CONNECT tunnel failed, response 403" in denied_tls.stderr
        assert denied_tls.header("x-proxy-error") == "blocked-by-denylist"
        assert proxy.blocked[-1].protocol == "https_connect" and proxy.blocked[-1].reason == "denied"

        unlisted = await curl(*px, f"http://other.test:{origins.http_port}/")
        assert unlisted.status == 403 and unlisted.header("x-proxy-error") == "blocked-by-allowlist"
        assert "domain not in allowlist (this is not a denylist block)." in unlisted.stdout
        assert _decision(unlisted.stdout)["reason"] == "not_allowed"
        assert [b.host for b in proxy.blocked] == [
            "tracking.example.test",
            "tracking.example.test",
            "other.test",
        ]


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        ("*.example.test", "api.example.test", 200),
        ("*.example.test", "deep.sub.example.test", 200),
        ("*.example.test", "example.test", 403),
        ("**.example.test", "example.test", 200),
        ("**.example.test", "deep.sub.example.test", 200),
        ("api.example.test", "API.Example.TEST", 200),
        ("api.example.test", "api.example.test.", 200),
        ("bücher.test", "xn--bcher-kva.test", 200),
    ],
)
async def test_wildcards_case_trailing_dot_and_idna(origins: Origins, pattern: str, host: str, expected: int) -> None:
    net = EffectiveNetwork.from_maps({pattern: "allow"}, allow_local_binding=True)
    async with start_network_proxy(net, hosts=HOSTS) as proxy:
        r = await curl("-x", f"http://127.0.0.1:{proxy.http_port}", "-k", f"https://{host}:{origins.https_port}/")
        assert r.status == expected, r
        if expected == 403:
            assert r.header("x-proxy-error") == "blocked-by-allowlist"


async def test_local_and_private_addresses(origins: Origins) -> None:
    net = EffectiveNetwork.from_maps({"**.example.test": "allow", "localhost": "allow"})
    hosts = {
        **HOSTS,
        "meta.example.test": ["169.254.169.254"],
        "mixed.example.test": ["93.184.216.34", "10.0.0.5"],
    }
    async with start_network_proxy(net, hosts=hosts) as proxy:
        px = ["-x", f"http://127.0.0.1:{proxy.http_port}"]
        # a public-looking allowed name that resolves to the metadata address is refused
        meta = await curl(*px, "http://meta.example.test/latest/meta-data")
        assert meta.status == 403 and meta.header("x-proxy-error") == "blocked-by-allowlist"
        assert _decision(meta.stdout)["reason"] == "not_allowed_local"
        assert "local/private addresses not allowed." in meta.stdout
        mixed = await curl(*px, "http://mixed.example.test/")
        assert _decision(mixed.stdout)["reason"] == "not_allowed_local"
        # an allowed name resolving to loopback is refused too
        api = await curl(*px, f"http://api.example.test:{origins.http_port}/")
        assert _decision(api.stdout)["reason"] == "not_allowed_local"
        # IP literals when only names are allowed
        for ip in ("127.0.0.1", "169.254.169.254", "[::1]"):
            r = await curl(*px, f"http://{ip}:{origins.http_port}/")
            assert r.status == 403 and _decision(r.stdout)["reason"] == "not_allowed_local", ip
        # `localhost` explicitly allowed (exact entry) is reachable
        ok = await curl(*px, f"http://localhost:{origins.http_port}/")
        assert ok.status == 200
        ok_tls = await curl(*px, "-k", f"https://localhost:{origins.https_port}/")
        assert ok_tls.status == 200


async def test_ip_literal_allowed_only_by_ip_rule(origins: Origins) -> None:
    net = EffectiveNetwork.from_maps({"127.0.0.1": "allow"})
    async with start_network_proxy(net) as proxy:
        r = await curl("-x", f"http://127.0.0.1:{proxy.http_port}", f"http://127.0.0.1:{origins.http_port}/ip")
        assert r.status == 200 and "/ip" in r.stdout
        r = await curl("-x", f"http://127.0.0.1:{proxy.http_port}", f"http://localhost:{origins.http_port}/")
        assert r.status == 403


async def test_socks5_and_post_body(origins: Origins) -> None:
    net = EffectiveNetwork.from_maps({"localhost": "allow", "other.test": "deny"})
    async with start_network_proxy(net, hosts=HOSTS) as proxy:
        assert proxy.socks_port is not None
        socks = ["--socks5-hostname", f"127.0.0.1:{proxy.socks_port}"]
        ok = await curl(*socks, f"http://localhost:{origins.http_port}/via-socks")
        assert ok.status == 200 and "/via-socks" in ok.stdout
        blocked = await curl(*socks, f"http://other.test:{origins.http_port}/")
        assert blocked.returncode == 97  # curl: proxy handshake error (connection not allowed by ruleset)
        post = await curl(
            "-x",
            f"http://127.0.0.1:{proxy.http_port}",
            "--data-binary",
            "payload-123",
            f"http://localhost:{origins.http_port}/p",
        )
        assert post.status == 200 and post.stdout.endswith("echo payload-123")
        assert [b.protocol for b in proxy.blocked] == ["socks5_tcp"]


async def test_unix_socket_listener_serves_http_and_socks(origins: Origins, tmp_path: Path) -> None:
    net = EffectiveNetwork.from_maps({"localhost": "allow"})
    async with start_network_proxy(net, uds_dir=tmp_path) as proxy:
        assert proxy.uds_path is not None and proxy.uds_path.parent == tmp_path and proxy.uds_path.exists()
        # HTTP over the unix socket
        reader, writer = await asyncio.open_unix_connection(str(proxy.uds_path))
        writer.write(f"GET http://localhost:{origins.http_port}/u HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        data = await reader.read()
        assert data.startswith(b"HTTP/1.0 200") and b"/u" in data
        writer.close()
        # SOCKS5 sniffed on the same socket
        reader, writer = await asyncio.open_unix_connection(str(proxy.uds_path))
        writer.write(b"\x05\x01\x00")
        assert await reader.readexactly(2) == b"\x05\x00"
        name = b"localhost"
        writer.write(b"\x05\x01\x00\x03" + bytes([len(name)]) + name + origins.http_port.to_bytes(2, "big"))
        assert (await reader.readexactly(10))[:2] == b"\x05\x00"
        writer.write(b"GET /s HTTP/1.0\r\nHost: localhost\r\n\r\n")
        data = await reader.read()
        assert data.startswith(b"HTTP/1.0 200") and b"/s" in data
        writer.close()
    assert not proxy.uds_path.exists()


async def test_x_unix_socket_header(origins: Origins, tmp_path: Path) -> None:
    sock_path = tmp_path / "app.sock"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        line = head.split(b"\r\n", 1)[0].decode()
        body = f"uds saw {line}".encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_unix_server(handle, str(sock_path))
    other = str(tmp_path / "other.sock")
    net = EffectiveNetwork.from_maps({}, {str(sock_path): "allow", other: "none"})
    async with server, start_network_proxy(net) as proxy:
        px = ["-x", f"http://127.0.0.1:{proxy.http_port}"]
        ok = await curl(*px, "-H", f"x-unix-socket: {sock_path}", "http://docker/v1/info")
        assert ok.status == 200 and "uds saw GET /v1/info HTTP/1.1" in ok.stdout
        no = await curl(*px, "-H", f"x-unix-socket: {other}", "http://docker/v1/info")
        assert no.status == 403 and no.header("x-proxy-error") == "blocked-by-policy"


async def test_limited_mode_and_disabled_proxy(origins: Origins) -> None:
    net = EffectiveNetwork.from_maps({"localhost": "allow"}, mode="limited")
    async with start_network_proxy(net) as proxy:
        px = ["-x", f"http://127.0.0.1:{proxy.http_port}"]
        assert (await curl(*px, f"http://localhost:{origins.http_port}/")).status == 200
        post = await curl(*px, "-d", "x=1", f"http://localhost:{origins.http_port}/")
        assert post.status == 403 and post.header("x-proxy-error") == "blocked-by-method-policy"
        assert "method not allowed in limited mode." in post.stdout
        tls = await curl(*px, "-k", f"https://localhost:{origins.https_port}/")
        assert tls.returncode == 56 and tls.header("x-proxy-error") == "blocked-by-policy"
    off = EffectiveNetwork.from_maps({"localhost": "allow"}, enabled=False)
    async with start_network_proxy(off) as proxy:
        r = await curl("-x", f"http://127.0.0.1:{proxy.http_port}", f"http://localhost:{origins.http_port}/")
        assert r.status == 503 and _decision(r.stdout)["reason"] == "proxy_disabled"


async def test_env_for_child_routes_curl_without_explicit_flags(origins: Origins) -> None:
    import os

    net = EffectiveNetwork.from_maps({"api.example.test": "allow"}, allow_local_binding=True)
    async with start_network_proxy(net, hosts=HOSTS) as proxy:
        env = {**os.environ, **proxy.env()}
        assert env["HTTPS_PROXY"] == f"http://127.0.0.1:{proxy.http_port}"
        assert env["ALL_PROXY"] == f"socks5h://127.0.0.1:{proxy.socks_port}"
        assert env["NO_PROXY"].startswith("localhost,127.0.0.1,::1")
        r = await curl("-k", f"https://api.example.test:{origins.https_port}/env", env=env)
        assert r.status == 200 and "/env" in r.stdout
        r = await curl(f"http://other.test:{origins.http_port}/", env=env)
        assert r.status == 403
        # direct egress with the variables unset does not know the proxy-only name
        bare = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        direct = await curl(f"http://api.example.test:{origins.http_port}/", env=bare)
        assert direct.returncode == 6  # could not resolve host
