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
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Literal

import attrs

from codex_core.network.effective import EffectiveNetwork, NetworkRule, SourcedPattern
from codex_core.network.patterns import DomainPattern, DomainPatternError, normalize_host, parse_ip

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

    @staticmethod
    def _patterns(entries: Iterable[SourcedPattern], kind: str) -> list[tuple[DomainPattern, SourcedPattern]]:
        """Compile ``entries``, skipping malformed ones with a warning.

        Config files and managed requirements are checked when loaded (a malformed pattern is a
        ``ConfigError`` there); this only meets one from an unchecked source such as an
        exec-policy ``network_rule``. Such a pattern (``a[b``, ``{a,b}.com``) names no host a
        request can carry, so skipping it loses no protection, while refusing it would stop the
        whole session.
        """
        out: list[tuple[DomainPattern, SourcedPattern]] = []
        for entry in entries:
            try:
                out.append((DomainPattern.parse(entry.value), entry))
            except DomainPatternError as exc:
                log.warning("skipping %s rule from %s: %s", kind, entry.source, exc)
        return out

    def _compile(self) -> None:
        denied = {e.value for e in self.network.denied}
        self._deny = self._patterns(self.network.denied, "deny")
        self._deny_ips = any(pat.is_ip_rule for pat, _ in self._deny)
        self._allow = self._patterns((e for e in self.network.allowed if e.value not in denied), "allow")
        # canonicalised once, here: a symlink planted at an entry's path later cannot redirect it
        self._unix: list[tuple[str, str]] = []
        for entry in self.network.unix_sockets:
            if not entry.value.startswith("/"):
                log.warning("skipping invalid unix socket entry %r (not an absolute path)", entry.value)
                continue
            self._unix.append((entry.value, os.path.realpath(entry.value)))

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
        ip = parse_ip(host)
        if not net.allow_local_binding:
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
        elif ip is None and self._deny_ips:
            # IP deny rules must see where a name leads, so resolve (and pin) it here too
            try:
                addresses = tuple(await self.resolve(host, port))
            except (TimeoutError, OSError, UnicodeError):
                return deny("denied")  # fail closed: the address cannot be checked
        for address in addresses:
            rule = self.denied_by(normalize_host(address))
            if rule is not None:  # a name (or hosts entry) that resolves to a denied address
                return deny("denied", rule=rule)
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

    def unix_socket_target(self, path: str) -> str | None:
        """The canonical path to connect to for a client's ``x-unix-socket: path``, or None.

        ``path`` must be absolute and equal an allowed entry or canonicalise to the same file as
        one; the answer is then the *entry's* canonical path, never the client's string (which
        the client may re-point at another socket between this check and the connect). With
        ``dangerously_allow_all_unix_sockets`` every absolute path is allowed as it resolves.
        Entries are canonicalised when the rules are compiled (proxy start / :meth:`update`).
        """
        if not path.startswith("/"):
            return None
        real = os.path.realpath(path)
        if self.network.dangerously_allow_all_unix_sockets:
            return real
        for value, entry_real in self._unix:
            if value == path or entry_real == real:
                return entry_real
        return None

    def unix_socket_allowed(self, path: str) -> bool:
        """Absolute ``path`` equal to (or the same file as) an allowed entry, or all allowed."""
        return self.unix_socket_target(path) is not None

    def decide_unix_socket(self, path: str, method: str) -> Decision:
        """The verdict for an HTTP request carrying ``x-unix-socket: path``.

        Order: proxy disabled (``proxy_disabled``), limited mode (only GET/HEAD/OPTIONS,
        ``method_not_allowed``), then the unix-socket allowlist (``unix_socket_not_allowed``).
        An allowed decision carries the canonical path to connect to as its only address.
        """

        def deny(reason: str, source: str = "baseline_policy") -> Decision:
            return Decision(allowed=False, host=path, port=0, protocol="http", reason=reason, source=source)

        if not self.network.enabled:
            return deny("proxy_disabled", "proxy_state")
        if self.network.mode == "limited" and method.upper() not in _LIMITED_METHODS:
            return deny("method_not_allowed", "mode_guard")
        target = self.unix_socket_target(path)
        if target is None:
            return deny("unix_socket_not_allowed")
        return Decision(allowed=True, host=path, port=0, protocol="http", addresses=(target,))

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
