"""Chaining to the parent's own HTTP proxy (``allow_upstream_proxy``, spec 4.2).

When Codex itself runs behind a corporate proxy (``HTTP(S)_PROXY`` / ``ALL_PROXY`` in its own
environment), the managed proxy forwards allowed traffic through it instead of connecting
directly. Only ``http://`` upstream proxies are supported; the parent's ``NO_PROXY`` is honoured.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

import attrs

__all__ = ["UpstreamProxies", "UpstreamProxy"]


@attrs.frozen
class UpstreamProxy:
    host: str
    port: int
    authorization: str | None = None
    """``Proxy-Authorization`` value for credentials in the URL."""

    @classmethod
    def parse(cls, url: str) -> UpstreamProxy | None:
        """``http://[user:pass@]host[:port]`` (scheme optional); None for other schemes or junk."""
        text = url.strip()
        if not text:
            return None
        if "://" not in text:
            text = "http://" + text
        parts = urlsplit(text)
        if parts.scheme.lower() != "http" or not parts.hostname:
            return None
        try:
            port = parts.port or 80
        except ValueError:
            return None
        auth = None
        if parts.username is not None:
            cred = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            auth = "Basic " + base64.b64encode(cred.encode()).decode()
        return cls(parts.hostname, port, auth)

    def header_lines(self) -> list[str]:
        return [f"Proxy-Authorization: {self.authorization}"] if self.authorization else []


def _no_proxy_match(host: str, rules: list[str]) -> bool:
    for rule in rules:
        if rule == "*":
            return True
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(rule, strict=False):
                return True
            continue
        except ValueError:
            pass
        bare = rule.lstrip("*").lstrip(".")
        if bare and (host == bare or host.endswith("." + bare)):
            return True
    return False


@attrs.frozen
class UpstreamProxies:
    """The parent's proxies for plain HTTP and for tunnels (CONNECT / SOCKS5)."""

    http: UpstreamProxy | None = None
    tunnel: UpstreamProxy | None = None
    no_proxy: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, exclude_ports: tuple[int, ...] = ()) -> UpstreamProxies:
        def get(*names: str) -> UpstreamProxy | None:
            for name in names:
                value = env.get(name)
                if value:
                    proxy = UpstreamProxy.parse(value)
                    if proxy is not None and proxy.host in ("127.0.0.1", "localhost") and proxy.port in exclude_ports:
                        return None  # our own listener (a nested run): never loop
                    return proxy
            return None

        every = get("ALL_PROXY", "all_proxy")
        raw_no = env.get("NO_PROXY") or env.get("no_proxy") or ""
        return cls(
            http=get("HTTP_PROXY", "http_proxy") or every,
            tunnel=get("HTTPS_PROXY", "https_proxy") or every,
            no_proxy=tuple(r.strip().lower() for r in raw_no.split(",") if r.strip()),
        )

    def for_request(self, host: str, *, tunnel: bool) -> UpstreamProxy | None:
        proxy = self.tunnel if tunnel else self.http
        if proxy is None or _no_proxy_match(host.lower().strip("[]"), list(self.no_proxy)):
            return None
        return proxy
