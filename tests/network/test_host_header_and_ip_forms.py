"""Host header rewriting for absolute-form requests, and deny rules against every spelling of an IP."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codex_core.network import EffectiveNetwork, NetworkPolicy, normalize_host, start_network_proxy

from .conftest import Origins, curl

pytestmark = pytest.mark.timeout(60)


@contextlib.asynccontextmanager
async def _capture_server() -> AsyncIterator[tuple[int, list[bytes]]]:
    """A real TCP server that answers 200 with the request head it received as the body."""
    heads: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        heads.append(head)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(head) + head)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield int(server.sockets[0].getsockname()[1]), heads


async def _raw(port: int, request: str | bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request.encode() if isinstance(request, str) else request)
    data = await reader.read()
    writer.close()
    return data


def _host_lines(head: bytes) -> list[bytes]:
    return [line for line in head.split(b"\r\n") if line.lower().startswith(b"host:")]


# -- Host header (RFC 7230 section 5.4) ------------------------------------------------------------


async def test_client_host_header_is_replaced_by_the_uri_authority(origins: Origins) -> None:
    """Regression: ``GET http://allowed/`` with ``Host: evil`` must reach the origin as ``allowed``."""
    net = EffectiveNetwork.from_maps({"allowed.test": "allow", "evil.test": "deny"}, allow_local_binding=True)
    async with start_network_proxy(net, hosts={"allowed.test": ["127.0.0.1"]}) as proxy:
        r = await curl(
            "-x", f"http://127.0.0.1:{proxy.http_port}", "-H", "Host: evil.test", f"http://allowed.test:{origins.http_port}/h"
        )  # fmt: skip
        assert r.status == 200 and f"hello allowed.test:{origins.http_port} /h" in r.stdout, r
        assert "evil.test" not in r.stdout


async def test_client_host_and_userinfo_are_dropped_and_duplicate_hosts_refused() -> None:
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, allow_local_binding=True)
    async with (
        _capture_server() as (port, heads),
        start_network_proxy(net, hosts={"allowed.test": ["127.0.0.1"]}) as proxy,
    ):
        req = f"GET http://user:pw@allowed.test:{port}/p?q=1 HTTP/1.1\r\nHost: evil.test\r\nX-Other: kept\r\n\r\n"
        data = await _raw(proxy.http_port, req)
        assert data.startswith(b"HTTP/1.1 200")
        (head,) = heads
        assert head.startswith(b"GET /p?q=1 HTTP/1.1\r\n")
        assert _host_lines(head) == [f"Host: allowed.test:{port}".encode()]
        assert b"X-Other: kept" in head and b"user:pw" not in head
        # two Host lines are ambiguous (RFC 9112 section 3.2): refused, nothing forwarded
        dup = f"GET http://allowed.test:{port}/d HTTP/1.1\r\nHost: evil.test\r\nhost: evil2.test\r\n\r\n"
        data = await _raw(proxy.http_port, dup)
        assert data.startswith(b"HTTP/1.1 400 ") and b"more than one Host header" in data
        assert len(heads) == 1


async def test_host_header_rewritten_when_chained_through_parent_proxy() -> None:
    net = EffectiveNetwork.from_maps({"allowed.test": "allow"}, allow_local_binding=True)
    async with _capture_server() as (parent_port, heads):
        env = {"HTTP_PROXY": f"http://127.0.0.1:{parent_port}"}
        async with start_network_proxy(net, hosts={"allowed.test": ["127.0.0.1"]}, upstream_env=env) as proxy:
            req = "GET http://allowed.test:8080/x HTTP/1.1\r\nHost: evil.test\r\n\r\n"
            assert (await _raw(proxy.http_port, req)).startswith(b"HTTP/1.1 200")
        (head,) = heads
        assert head.startswith(b"GET http://allowed.test:8080/x HTTP/1.1\r\n")
        assert _host_lines(head) == [b"Host: allowed.test:8080"]


# -- every spelling of a denied IP -----------------------------------------------------------------

LOOPBACK_SPELLINGS = ["2130706433", "0x7f000001", "127.1", "0177.0.0.1", "127.0.1", "[::ffff:127.0.0.1]"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1572395042", "93.184.216.34"),
        ("0x5db8d822", "93.184.216.34"),
        ("0X5DB8D822", "93.184.216.34"),
        ("93.184.55330", "93.184.216.34"),
        ("93.12113954", "93.184.216.34"),
        ("0135.0270.0330.042", "93.184.216.34"),
        ("::ffff:93.184.216.34", "93.184.216.34"),
        ("[::ffff:5db8:d822]:443", "93.184.216.34"),
        ("1572395042.", "93.184.216.34"),
        ("08.1.1.1", "08.1.1.1"),  # not a valid octal part: a name, as for the resolver
        ("4294967296", "4294967296"),  # out of range: a name
        ("1.2.3.4.5", "1.2.3.4.5"),
        ("0xcafe.example", "0xcafe.example"),
    ],
)
def test_numeric_ipv4_forms_normalise_to_dotted_quad(raw: str, expected: str) -> None:
    assert normalize_host(raw) == expected


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_inet_aton_forms_round_trip(n: int) -> None:
    dotted = str(ipaddress.IPv4Address(n))
    assert normalize_host(str(n)) == dotted
    assert normalize_host(hex(n)) == dotted
    assert normalize_host(f"::ffff:{dotted}") == dotted
    a, b = n >> 24, n & 0xFFFFFF
    assert normalize_host(f"{a}.{b}") == dotted


async def test_policy_denies_every_spelling_of_a_denied_ip() -> None:
    """Regression for the ``"*" = "allow"`` bypass (the reviewer's repro)."""
    net = EffectiveNetwork.from_maps({"*": "allow", "93.184.216.34": "deny"})
    policy = NetworkPolicy(net, hosts={"alias.test": ["93.184.216.34"], "fine.test": ["93.184.216.35"]})
    for host in ("93.184.216.34", "1572395042", "0x5db8d822", "93.184.55330", "::ffff:93.184.216.34", "alias.test"):
        d = await policy.decide(host, 80, "http")
        assert not d.allowed and d.reason == "denied", host
        assert d.rule is not None and d.rule.pattern == "93.184.216.34"
    ok = await policy.decide("fine.test", 80, "http")
    assert ok.allowed and ok.addresses == ("93.184.216.35",)


async def test_resolved_addresses_checked_against_ip_globs_with_local_binding() -> None:
    net = EffectiveNetwork.from_maps({"*": "allow", "10.0.0.*": "deny"}, allow_local_binding=True)
    policy = NetworkPolicy(net, hosts={"inner.test": ["10.0.0.7"], "outer.test": ["10.0.1.7"]})
    assert (await policy.decide("inner.test", 80, "http")).reason == "denied"
    assert (await policy.decide("167772167", 80, "http")).reason == "denied"  # 10.0.0.7
    outer = await policy.decide("outer.test", 80, "http")
    assert outer.allowed and outer.addresses == ("10.0.1.7",)


async def test_denied_loopback_in_any_spelling_over_the_real_proxy(origins: Origins) -> None:
    net = EffectiveNetwork.from_maps({"*": "allow", "127.0.0.1": "deny"}, allow_local_binding=True)
    async with start_network_proxy(net, hosts={"alias.test": ["127.0.0.1"]}) as proxy:
        for host in [*LOOPBACK_SPELLINGS, "alias.test", "localhost"]:  # localhost via the real resolver
            data = await _raw(proxy.http_port, f"GET http://{host}:{origins.http_port}/ HTTP/1.1\r\nHost: x\r\n\r\n")
            assert data.startswith(b"HTTP/1.1 403") and b"x-proxy-error: blocked-by-denylist" in data, host
            assert b'"host":"127.0.0.1"' in data or b'"host":"alias.test"' in data or b'"host":"localhost"' in data
        tunnel = await _raw(proxy.http_port, f"CONNECT 0x7f000001:{origins.https_port} HTTP/1.1\r\n\r\n")
        assert tunnel.startswith(b"HTTP/1.1 403")
        assert proxy.socks_port is not None
        for atyp_and_addr in (
            b"\x03" + bytes([len(b"2130706433")]) + b"2130706433",
            b"\x04" + ipaddress.IPv6Address("::ffff:127.0.0.1").packed,
        ):
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.socks_port)
            writer.write(b"\x05\x01\x00")
            assert await reader.readexactly(2) == b"\x05\x00"
            writer.write(b"\x05\x01\x00" + atyp_and_addr + origins.http_port.to_bytes(2, "big"))
            assert (await reader.readexactly(10))[1] == 2  # connection not allowed by ruleset
            writer.close()
    # control: with another address denied the same spellings reach the origin
    other = EffectiveNetwork.from_maps({"*": "allow", "10.9.9.9": "deny"}, allow_local_binding=True)
    async with start_network_proxy(other) as proxy:
        for host in LOOPBACK_SPELLINGS:
            data = await _raw(proxy.http_port, f"GET http://{host}:{origins.http_port}/c HTTP/1.1\r\nHost: x\r\n\r\n")
            assert data.startswith(b"HTTP/1.0 200") and b" /c" in data, (host, data[:200])
