"""Environment variables that route a child's traffic through the proxy (spec 4.9)."""

from __future__ import annotations

__all__ = [
    "HTTP_PROXY_VARS",
    "NO_PROXY_VALUE",
    "NO_PROXY_VARS",
    "SOCKS_PROXY_VARS",
    "listen_addresses",
    "proxy_env",
]

HTTP_PROXY_VARS: tuple[str, ...] = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "YARN_HTTP_PROXY",
    "YARN_HTTPS_PROXY",
    "npm_config_http_proxy",
    "npm_config_https_proxy",
    "npm_config_proxy",
    "NPM_CONFIG_HTTP_PROXY",
    "NPM_CONFIG_HTTPS_PROXY",
    "NPM_CONFIG_PROXY",
    "BUNDLE_HTTP_PROXY",
    "BUNDLE_HTTPS_PROXY",
    "PIP_PROXY",
    "DOCKER_HTTP_PROXY",
    "DOCKER_HTTPS_PROXY",
    "WS_PROXY",
    "WSS_PROXY",
    "ws_proxy",
    "wss_proxy",
)
SOCKS_PROXY_VARS: tuple[str, ...] = ("ALL_PROXY", "all_proxy", "FTP_PROXY", "ftp_proxy")
NO_PROXY_VARS: tuple[str, ...] = (
    "NO_PROXY",
    "no_proxy",
    "npm_config_noproxy",
    "NPM_CONFIG_NOPROXY",
    "YARN_NO_PROXY",
    "BUNDLE_NO_PROXY",
)
NO_PROXY_VALUE = "localhost,127.0.0.1,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
"""``NO_PROXY`` when ``allow_local_binding`` is on: loopback and private networks are reached
directly (the reference 0.169's exact list)."""


def proxy_env(http_addr: str, socks_addr: str | None, *, allow_local_binding: bool = False) -> dict[str, str]:
    """Variables to overwrite in a sandboxed child's environment.

    ``http_addr``/``socks_addr`` are ``host:port`` as the *child* reaches them (inside a network
    namespace that is the in-namespace bridge port). ``socks_addr=None`` means SOCKS5 is off and
    ``ALL_PROXY`` points at the HTTP proxy.

    ``NO_PROXY`` is empty unless ``allow_local_binding`` (as the reference does): without local
    binding the sandboxed command has no direct route to ``localhost`` or private addresses, so
    they must go through the proxy too, which answers them by the rules (an exact
    ``"localhost" = "allow"`` entry reaches a host service; a deny gets the 403). A ``NO_PROXY``
    listing them would make tools connect directly and fail with no answer at all.
    """
    http_url = f"http://{http_addr}"
    all_url = f"socks5h://{socks_addr}" if socks_addr else http_url
    env = dict.fromkeys(HTTP_PROXY_VARS, http_url)
    env.update(dict.fromkeys(SOCKS_PROXY_VARS, all_url))
    env.update(dict.fromkeys(NO_PROXY_VARS, NO_PROXY_VALUE if allow_local_binding else ""))
    env["ELECTRON_GET_USE_PROXY"] = "true"
    env["NODE_USE_ENV_PROXY"] = "1"  # Node >= 24's built-in fetch/http honour HTTP(S)_PROXY with this
    env["CODEX_NETWORK_ALLOW_LOCAL_BINDING"] = "1" if allow_local_binding else "0"
    env["CODEX_NETWORK_PROXY_ACTIVE"] = "1"
    return env


def _bind_address(url: str, default_port: int, *, allow_non_loopback: bool, force_loopback: bool) -> tuple[str, int]:
    import ipaddress
    from urllib.parse import urlsplit

    text = url.strip() or f"127.0.0.1:{default_port}"
    parts = urlsplit(text if "://" in text else f"http://{text}")
    host = (parts.hostname or "127.0.0.1").lower()
    try:
        port = parts.port or default_port
    except ValueError:
        port = default_port
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "127.0.0.1", port  # `localhost` and other names bind loopback
    if not ip.is_loopback and (force_loopback or not allow_non_loopback):
        return "127.0.0.1", port
    return str(ip), port


def listen_addresses(
    proxy_url: str,
    socks_url: str,
    *,
    dangerously_allow_non_loopback_proxy: bool = False,
    unix_sockets_allowed: bool = False,
) -> tuple[tuple[str, int], tuple[str, int]]:
    """Where a proxy *not* managed by Codex listens (spec 4.9): the configured URLs, scheme
    optional (default ports 3128 / 8081), clamped to 127.0.0.1 unless non-loopback binds are
    dangerously allowed, and always loopback when any unix socket is allowed."""
    kw = {"allow_non_loopback": dangerously_allow_non_loopback_proxy, "force_loopback": unix_sockets_allowed}
    return _bind_address(proxy_url, 3128, **kw), _bind_address(socks_url, 8081, **kw)
