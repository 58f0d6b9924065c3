"""The asyncio network proxy: HTTP (absolute-form + CONNECT) and SOCKS5 on loopback and a unix socket.

Every listener sniffs the first byte of a connection: ``0x05`` is SOCKS5, anything else HTTP.
So the single unix socket (:attr:`NetworkProxy.uds_path`) serves both protocols, which lets
the sandbox forward both in-namespace ports to one path.

An HTTP connection carries one request: the proxy parses it strictly (:mod:`codex_core.network.http1`),
checks it, forwards it with exactly its body and closes the connection after the response. What
a client pipelines behind it is never forwarded, so every request the upstream sees was checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import shutil
import socket
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from codex_core.errors import SandboxError
from codex_core.network.effective import EffectiveNetwork
from codex_core.network.env import listen_addresses, proxy_env
from codex_core.network.http1 import BadRequest, RequestHead, parse_request_head, request_head_end
from codex_core.network.policy import BlockRecord, Decider, Decision, NetworkPolicy, NetworkProtocol
from codex_core.network.relay import Endpoint, HandshakeError
from codex_core.network.responses import (
    blocked_http_response,
    simple_response,
)
from codex_core.network.rundir import SOCKET_NAME, check_private_dir, create_proxy_dir
from codex_core.network.unix_connect import connect_unix_pinned
from codex_core.network.upstream import UpstreamProxies

__all__ = ["NetworkProxy", "start_network_proxy"]

log = logging.getLogger("codex_core.network")

CONNECT_TIMEOUT = 10.0
HANDSHAKE_TIMEOUT = 30.0
"""A client must finish its request head / SOCKS5 request within this many seconds."""


def _split_authority(authority: str, default_port: int) -> tuple[str, int] | None:
    """``host:port`` / ``[v6]:port`` / ``host`` -> (host, port), or None when malformed."""
    a = authority.strip()
    if a.startswith("["):
        end = a.find("]")
        if end == -1:
            return None
        host, rest = a[1:end], a[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_s = rest[1:] if rest else ""
    elif a.count(":") == 1:
        host, port_s = a.split(":", 1)
    else:
        host, port_s = a, ""
    if not port_s:
        return host, default_port
    if not port_s.isdigit() or not 0 < int(port_s) < 65536:
        return None
    return host, int(port_s)


class _Listener(Endpoint):
    """A client connection accepted by one of the proxy's listeners."""

    def __init__(self, proxy: NetworkProxy) -> None:
        super().__init__()
        self.proxy = proxy
        self.task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.proxy._clients.add(self)
        self.task = asyncio.get_running_loop().create_task(self.proxy._serve(self))
        self.proxy._tasks.add(self.task)
        self.task.add_done_callback(self.proxy._tasks.discard)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.proxy._clients.discard(self)

    def framing_failed(self, reason: str) -> None:
        """A malformed request body: answer 400 unless the upstream already answered, then close."""
        if self.peer is None or not self.peer.delivered:
            self.write(simple_response(400, "Bad Request", f"{reason}\n"))
        super().framing_failed(reason)

    def client_label(self) -> str | None:
        if self.transport is None:
            return None
        peer = self.transport.get_extra_info("peername")
        if isinstance(peer, tuple) and len(peer) >= 2:
            return f"{peer[0]}:{peer[1]}"
        return "unix" if peer is not None else None


class NetworkProxy:
    """A running proxy. Build it with :func:`start_network_proxy` (or ``NetworkProxyThread``)."""

    def __init__(
        self, policy: NetworkPolicy, *, uds_dir: Path | None = None, upstream_env: Mapping[str, str] | None = None
    ) -> None:
        self.policy = policy
        self._upstream_env = upstream_env
        self.upstreams = UpstreamProxies()
        """The parent's proxies used for upstream connections (``allow_upstream_proxy``)."""
        self._uds_dir = uds_dir
        self._own_dir: Path | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._clients: set[_Listener] = set()
        self.http_port = 0
        self.socks_port: int | None = None
        self.uds_path: Path | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    async def start(
        self,
        *,
        http_bind: tuple[str, int] = ("127.0.0.1", 0),
        socks_bind: tuple[str, int] | None = ("127.0.0.1", 0),
    ) -> None:
        loop = asyncio.get_running_loop()
        factory: Callable[[], _Listener] = lambda: _Listener(self)  # noqa: E731
        server = await loop.create_server(factory, http_bind[0], http_bind[1], reuse_address=True)
        self._servers.append(server)
        self.http_port = int(server.sockets[0].getsockname()[1])
        if socks_bind is not None and self.policy.network.enable_socks5:
            server = await loop.create_server(factory, socks_bind[0], socks_bind[1], reuse_address=True)
            self._servers.append(server)
            self.socks_port = int(server.sockets[0].getsockname()[1])
        if self._uds_dir is None:
            # never under /tmp or another writable root of sandboxed commands (see rundir.py)
            self._own_dir = create_proxy_dir()
            path = self._own_dir / SOCKET_NAME
        else:
            problem = check_private_dir(self._uds_dir)
            if problem is not None:
                await self.close()
                raise SandboxError(f"refusing to put the network proxy's unix socket in {self._uds_dir}: {problem}")
            path = self._uds_dir / f"proxy-{os.getpid()}-{self.http_port}.sock"
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        server = await loop.create_unix_server(factory, str(path))
        self._servers.append(server)
        self.uds_path = path
        if self.policy.network.allow_upstream_proxy:
            env = os.environ if self._upstream_env is None else self._upstream_env
            ports = (self.http_port, *((self.socks_port,) if self.socks_port else ()))
            self.upstreams = UpstreamProxies.from_env(env, exclude_ports=ports)

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        for client in list(self._clients):
            if client.peer is not None:
                client.peer.close()
            client.close()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()
        self._servers.clear()
        if self.uds_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.uds_path.unlink()
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)

    # -- public helpers ---------------------------------------------------------------------------

    @property
    def blocked(self) -> list[BlockRecord]:
        """Recent blocks (at most 200, oldest first)."""
        return list(self.policy.blocked)

    def env(self, *, http_port: int | None = None, socks_port: int | None = None) -> dict[str, str]:
        """Env vars for a child that reaches this proxy at ``127.0.0.1:<port>`` (default: our ports)."""
        hp = http_port if http_port is not None else self.http_port
        sp = socks_port if socks_port is not None else self.socks_port
        return proxy_env(
            f"127.0.0.1:{hp}",
            f"127.0.0.1:{sp}" if sp is not None and self.policy.network.enable_socks5 else None,
            allow_local_binding=self.policy.network.allow_local_binding,
        )

    # -- connection handling ----------------------------------------------------------------------

    async def _serve(self, client: _Listener) -> None:
        try:
            first = await asyncio.wait_for(client.peek(1), HANDSHAKE_TIMEOUT)
            if first == b"\x05":
                await self._serve_socks(client)
            else:
                await self._serve_http(client)
        except (HandshakeError, ConnectionError, TimeoutError):
            client.close()
        except asyncio.CancelledError:
            client.close()
            raise
        except Exception:  # a bug must not kill the proxy; log it and drop this connection
            log.exception("network proxy: unexpected error while serving a connection")
            client.close()

    async def _connect(self, host: str, port: int) -> Endpoint | None:
        loop = asyncio.get_running_loop()
        try:
            _, ep = await asyncio.wait_for(loop.create_connection(Endpoint, host, port), CONNECT_TIMEOUT)
        except (TimeoutError, OSError):
            return None
        sock = ep.transport.get_extra_info("socket") if ep.transport else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return ep

    async def _open_upstream(self, decision: Decision, *, tunnel: bool) -> tuple[Endpoint | None, str]:
        """Connect to the target (directly or through the parent's proxy).

        Returns ``(endpoint, "")``, or ``(None, reason)``. For plain HTTP via an upstream proxy
        the endpoint is the upstream proxy itself (send it the absolute-form request).
        """
        upstream = self.upstreams.for_request(decision.host, tunnel=tunnel)
        if upstream is None:
            for target in decision.addresses or (decision.host,):
                ep = await self._connect(target, decision.port)
                if ep is not None:
                    return ep, ""
            return None, f"could not connect to {decision.host}:{decision.port}"
        ep = await self._connect(upstream.host, upstream.port)
        if ep is None:
            return None, f"could not connect to upstream proxy {upstream.host}:{upstream.port}"
        if not tunnel:
            return ep, ""
        host = decision.host  # the name: the parent's proxy may filter by it
        authority = f"[{host}]:{decision.port}" if ":" in host else f"{host}:{decision.port}"
        lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}", *upstream.header_lines(), "", ""]
        ep.write("\r\n".join(lines).encode())
        try:
            head = await asyncio.wait_for(ep.read_until(b"\r\n\r\n"), CONNECT_TIMEOUT)
        except (HandshakeError, TimeoutError):
            ep.close()
            return None, "upstream proxy closed the connection"
        status = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = status.split(" ")
        if len(parts) < 2 or not parts[1].startswith("2"):
            ep.close()
            return None, f"upstream proxy refused CONNECT: {status}"
        return ep, ""

    async def _serve_http(self, client: _Listener) -> None:
        try:
            raw = await asyncio.wait_for(client.read_through(request_head_end), HANDSHAKE_TIMEOUT)
            head = parse_request_head(raw)
        except BadRequest as exc:
            client.write(simple_response(exc.status, exc.phrase, f"{exc}\n"))
            client.close()
            return
        method = head.method.upper()
        if method == "CONNECT":
            parsed = _split_authority(head.target, 443)
            protocol: NetworkProtocol = "https_connect"
            path = ""
        else:
            parsed, path, authority = self._absolute_target(head.target)
            protocol = "http"
        unix_socket = head.value("x-unix-socket")
        if unix_socket is not None and method != "CONNECT":
            await self._serve_unix_socket(client, unix_socket, method, path or head.target, head)
            return
        if parsed is None:
            client.write(
                simple_response(
                    400, "Bad Request", f"expected an absolute http:// URI or CONNECT, got {head.target!r}\n"
                )
            )
            client.close()
            return
        host, port = parsed
        decision = await self.policy.decide(host, port, protocol, method=method)
        if not decision.allowed:
            self.policy.record(decision, client=client.client_label(), method=method)
            client.write(blocked_http_response(decision))
            client.close()
            return
        via = None if method == "CONNECT" else self.upstreams.for_request(decision.host, tunnel=False)
        upstream, problem = await self._open_upstream(decision, tunnel=method == "CONNECT")
        if upstream is None:
            client.write(simple_response(502, "Bad Gateway", problem + "\n"))
            client.close()
            return
        if method == "CONNECT":
            client.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            client.link(upstream)  # a tunnel: opaque bytes both ways
            return
        if via is not None:  # the parent's proxy wants the absolute-form request
            upstream.write(head.forward_head(method, head.target, host=authority, extra=via.header_lines()))
        else:
            upstream.write(head.forward_head(method, path, host=authority))
        client.link(upstream, framer=head.body())

    @staticmethod
    def _absolute_target(target: str) -> tuple[tuple[str, int] | None, str, str | None]:
        """``(host, port)``, the origin-form path and the authority (``host[:port]``, no userinfo).

        For a non-absolute target: ``(None, target, None)``.
        """
        if not target.lower().startswith("http://"):
            return None, target, None
        parts = urlsplit(target)
        authority = parts.netloc.rpartition("@")[2]
        parsed = _split_authority(authority, 80)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return parsed, path, authority

    async def _serve_unix_socket(
        self, client: _Listener, path: str, method: str, target: str, head: RequestHead
    ) -> None:
        decision = self.policy.decide_unix_socket(path, method)
        if not decision.allowed:
            self.policy.record(decision, client=client.client_label(), method=method)
            client.write(blocked_http_response(decision))
            client.close()
            return
        canonical = decision.addresses[0]  # the allowed entry's own path, not the client's string
        loop = asyncio.get_running_loop()
        try:
            sock = await asyncio.wait_for(connect_unix_pinned(canonical), CONNECT_TIMEOUT)
            _, upstream = await loop.create_unix_connection(Endpoint, sock=sock)
        except (OSError, TimeoutError) as exc:
            client.write(simple_response(502, "Bad Gateway", f"could not connect to unix socket {path}: {exc}\n"))
            client.close()
            return
        host = None
        if target.lower().startswith("http://"):
            _, target, host = self._absolute_target(target)
        upstream.write(head.forward_head(method, target, host=host))
        client.link(upstream, framer=head.body())

    async def _socks_request(self, client: _Listener) -> tuple[str, int] | None:
        """SOCKS5 greeting + request; replies and returns None when it cannot be served."""
        _, nmethods = await client.read_exactly(2)
        methods = await client.read_exactly(nmethods)
        if 0 not in methods:  # only "no authentication"
            client.write(b"\x05\xff")
            client.close()
            return None
        client.write(b"\x05\x00")
        ver, cmd, _, atyp = await client.read_exactly(4)
        if atyp == 1:
            host = str(ipaddress.IPv4Address(await client.read_exactly(4)))
        elif atyp == 4:
            host = str(ipaddress.IPv6Address(await client.read_exactly(16)))
        elif atyp == 3:
            (length,) = await client.read_exactly(1)
            host = (await client.read_exactly(length)).decode("utf-8", "replace")
        else:
            client.write(_socks_reply(8))  # address type not supported
            client.close()
            return None
        port = int.from_bytes(await client.read_exactly(2), "big")
        if ver != 5 or cmd != 1:  # only CONNECT; UDP ASSOCIATE and BIND are not supported
            client.write(_socks_reply(7))
            client.close()
            return None
        return host, port

    async def _serve_socks(self, client: _Listener) -> None:
        request = await asyncio.wait_for(self._socks_request(client), HANDSHAKE_TIMEOUT)
        if request is None:
            return
        host, port = request
        decision = await self.policy.decide(host, port, "socks5_tcp")
        if not decision.allowed:
            self.policy.record(decision, client=client.client_label(), method=None)
            client.write(_socks_reply(2))  # connection not allowed by ruleset
            client.close()
            return
        upstream, _ = await self._open_upstream(decision, tunnel=True)
        if upstream is None:
            client.write(_socks_reply(5))  # connection refused
            client.close()
            return
        client.write(_socks_reply(0))
        client.link(upstream)


def _socks_reply(code: int) -> bytes:
    """A SOCKS5 reply with ``code`` and an all-zero IPv4 bound address."""
    return bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0])


@contextlib.asynccontextmanager
async def start_network_proxy(
    network: EffectiveNetwork,
    *,
    uds_dir: Path | None = None,
    hosts: Mapping[str, Sequence[str]] | None = None,
    decider: Decider | None = None,
    observer: Callable[[BlockRecord], None] | None = None,
    upstream_env: Mapping[str, str] | None = None,
    use_configured_addresses: bool = False,
) -> AsyncIterator[NetworkProxy]:
    """Run the proxy for the ``async with`` block, on ephemeral loopback ports plus a unix socket.

    ``hosts`` is a static name -> addresses table consulted before DNS; ``decider`` turns
    allowlist misses into allow/deny/ask; ``observer`` sees every block. With
    ``allow_upstream_proxy`` (the default) allowed traffic is chained through the proxy named by
    ``HTTP(S)_PROXY``/``ALL_PROXY`` in ``upstream_env`` (default: this process's environment).
    ``use_configured_addresses`` listens on ``proxy_url``/``socks_url`` instead (runs not managed
    by Codex; see :func:`codex_core.network.env.listen_addresses`).
    """
    policy = NetworkPolicy(network, hosts=hosts, decider=decider, observer=observer)
    proxy = NetworkProxy(policy, uds_dir=uds_dir, upstream_env=upstream_env)
    if use_configured_addresses:
        http_bind, socks_bind = listen_addresses(
            network.proxy_url,
            network.socks_url,
            dangerously_allow_non_loopback_proxy=network.dangerously_allow_non_loopback_proxy,
            unix_sockets_allowed=bool(network.unix_sockets) or network.dangerously_allow_all_unix_sockets,
        )
        await proxy.start(http_bind=http_bind, socks_bind=socks_bind)
    else:
        await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()
