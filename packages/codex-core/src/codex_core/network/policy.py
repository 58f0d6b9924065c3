"""Per-request decisions (spec 4.7): deny list, local/private addresses, allowlist, decider."""

from __future__ import annotations

import asyncio
import collections
import ipaddress
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Literal

import attrs

from codex_core.network.effective import EffectiveNetwork, NetworkRule, SourcedPattern
from codex_core.network.patterns import DomainPattern, normalize_host, parse_ip

__all__ = [
    "BlockRecord",
    "Decider",
    "DeciderResult",
    "Decision",
    "NetworkPolicy",
    "NetworkProtocol",
    "is_non_public_ip",
]

log = logging.getLogger("codex_core.network")

NetworkProtocol = Literal["http", "https_connect", "socks5_tcp", "socks5_udp"]
DNS_TIMEOUT = 2.0
_LIMITED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_NON_PUBLIC_V4 = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_NON_PUBLIC_V6 = tuple(ipaddress.ip_network(n) for n in ("::/128", "::1/128", "ff00::/8", "fc00::/7", "fe80::/10"))


def is_non_public_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local, unspecified, multicast, broadcast and reserved ranges."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_non_public_ip(ip.ipv4_mapped)
        return any(ip in net for net in _NON_PUBLIC_V6)
    return any(ip in net for net in _NON_PUBLIC_V4)


@attrs.frozen
class DeciderResult:
    """What a decider says about an allowlist miss."""

    decision: Literal["allow", "deny", "ask"]
    reason: str = ""


Decider = Callable[[str, int, str], Awaitable[DeciderResult]]
"""``(host, port, protocol) -> DeciderResult``, consulted only for ``not_allowed``."""


@attrs.frozen(kw_only=True)
class Decision:
    """The verdict for one request."""

    allowed: bool
    host: str
    port: int
    protocol: str
    reason: str | None = None
    source: str = "baseline_policy"
    decision: Literal["deny", "ask"] = "deny"
    rule: NetworkRule | None = None
    """The rule that blocked (deny hit) or admitted the host, when one did."""
    addresses: tuple[str, ...] = ()
    """Vetted addresses to connect to (empty: connect by name)."""


@attrs.frozen(kw_only=True)
class BlockRecord:
    host: str
    reason: str
    client: str | None
    method: str | None
    mode: str
    protocol: str
    decision: str
    source: str
    port: int
    timestamp: float

    def to_json(self) -> str:
        return json.dumps(attrs.asdict(self), separators=(",", ":"))


class NetworkPolicy:
    """Decides requests against an :class:`EffectiveNetwork`; keeps a ring buffer of blocks.

    ``hosts`` is a static name -> addresses table consulted before DNS (like ``/etc/hosts``;
    used by tests to point a name at 169.254.169.254 or 127.0.0.1).
    """

    def __init__(
        self,
        network: EffectiveNetwork,
        *,
        hosts: Mapping[str, Sequence[str]] | None = None,
        decider: Decider | None = None,
        observer: Callable[[BlockRecord], None] | None = None,
    ) -> None:
        self.network = network
        self.hosts = {normalize_host(k): tuple(v) for k, v in (hosts or {}).items()}
        self.decider = decider
        self.observer = observer
        self.blocked: collections.deque[BlockRecord] = collections.deque(maxlen=200)
        self.blocked_total = 0
        self._compile()

    def _compile(self) -> None:
        denied = {e.value for e in self.network.denied}
        self._deny = [(DomainPattern.parse(e.value), e) for e in self.network.denied]
        self._allow = [(DomainPattern.parse(e.value), e) for e in self.network.allowed if e.value not in denied]

    def update(self, network: EffectiveNetwork) -> None:
        """Swap in new rules (e.g. after an approval added a host)."""
        self.network = network
        self._compile()

    # -- matching ---------------------------------------------------------------------------------

    @staticmethod
    def _rule(kind: str, entry: SourcedPattern) -> NetworkRule:
        return NetworkRule("domain", entry.value, kind, entry.source)

    def denied_by(self, host: str) -> NetworkRule | None:
        for pat, entry in self._deny:
            if pat.matches(host):
                return self._rule("deny", entry)
        return None

    def allowed_by(self, host: str) -> NetworkRule | None:
        for pat, entry in self._allow:
            if pat.matches(host):
                return self._rule("allow", entry)
        return None

    def _exact_local_allow(self, host: str) -> NetworkRule | None:
        for pat, entry in self._allow:
            if not pat.has_wildcard and pat.normalized == host:
                return self._rule("allow", entry)
        return None

    async def resolve(self, host: str, port: int) -> list[str]:
        """Addresses for ``host`` (static table first, then DNS with a 2 s timeout)."""
        if host in self.hosts:
            return list(self.hosts[host])
        loop = asyncio.get_running_loop()
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP), DNS_TIMEOUT
        )
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    # -- decisions --------------------------------------------------------------------------------

    async def decide(
        self, raw_host: str, port: int, protocol: NetworkProtocol, *, method: str | None = None
    ) -> Decision:
        """The verdict for a request to ``raw_host:port`` (4.7 order: deny, local, allowlist)."""
        net = self.network
        host = normalize_host(raw_host)

        def deny(reason: str, source: str = "baseline_policy", rule: NetworkRule | None = None) -> Decision:
            return Decision(
                allowed=False,
                host=host or raw_host,
                port=port,
                protocol=protocol,
                reason=reason,
                source=source,
                rule=rule,
            )

        if not net.enabled:
            return deny("proxy_disabled", "proxy_state")
        if not host:
            return deny("not_allowed")
        rule = self.denied_by(host)
        if rule is not None:
            return deny("denied", rule=rule)
        addresses: tuple[str, ...] = ()
        if not net.allow_local_binding:
            ip = parse_ip(host)
            if host == "localhost" or (ip is not None and is_non_public_ip(ip)):
                if self._exact_local_allow(host) is None:
                    return deny("not_allowed_local")
            elif ip is None:
                try:
                    resolved = await self.resolve(host, port)
                except (TimeoutError, OSError, UnicodeError):
                    return deny("not_allowed_local")
                parsed = [parse_ip(a) for a in resolved]
                if not parsed or any(p is None or is_non_public_ip(p) for p in parsed):
                    return deny("not_allowed_local")
                addresses = tuple(resolved)
        elif host in self.hosts:
            addresses = self.hosts[host]
        allow_rule = self.allowed_by(host)
        if allow_rule is None:
            if self.decider is not None and not net.hard_deny_misses:
                answer = await self.decider(host, port, protocol)
                if answer.decision == "allow":
                    return Decision(
                        allowed=True,
                        host=host,
                        port=port,
                        protocol=protocol,
                        addresses=addresses,
                        source="decider",
                    )
                if answer.decision == "ask":
                    return Decision(
                        allowed=False,
                        host=host,
                        port=port,
                        protocol=protocol,
                        reason="not_allowed",
                        source="decider",
                        decision="ask",
                    )
                return deny(answer.reason or "policy_denied", "decider")
            return deny("not_allowed")
        if net.mode == "limited":
            if protocol == "http" and (method or "GET").upper() not in _LIMITED_METHODS:
                return deny("method_not_allowed", "mode_guard")
            if protocol == "https_connect":
                return deny("mitm_required", "mode_guard")
            if protocol.startswith("socks5"):
                return deny("method_not_allowed", "mode_guard")
        return Decision(allowed=True, host=host, port=port, protocol=protocol, rule=allow_rule, addresses=addresses)

    def unix_socket_allowed(self, path: str) -> bool:
        """Absolute ``path`` equal to (or the same file as) an allowed entry, or all allowed."""
        if not path.startswith("/"):
            return False
        if self.network.dangerously_allow_all_unix_sockets:
            return True
        real = os.path.realpath(path)
        for entry in self.network.unix_sockets:
            if not entry.value.startswith("/"):
                log.warning("skipping invalid unix socket entry %r (not an absolute path)", entry.value)
                continue
            if entry.value == path or os.path.realpath(entry.value) == real:
                return True
        return False

    def record(self, decision: Decision, *, client: str | None, method: str | None) -> None:
        """Remember a block (ring buffer of 200), log it and tell the observer."""
        rec = BlockRecord(
            host=decision.host,
            reason=decision.reason or "policy_denied",
            client=client,
            method=method,
            mode=self.network.mode,
            protocol=decision.protocol,
            decision=decision.decision,
            source=decision.source,
            port=decision.port,
            timestamp=time.time(),
        )
        self.blocked.append(rec)
        self.blocked_total += 1
        log.debug("CODEX_NETWORK_POLICY_VIOLATION %s", rec.to_json())
        if self.observer is not None:
            self.observer(rec)
