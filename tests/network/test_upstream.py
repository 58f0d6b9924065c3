"""``allow_upstream_proxy``: chaining allowed traffic through the parent's own HTTP proxy."""

from __future__ import annotations

import pytest

from codex_core.network import EffectiveNetwork, start_network_proxy
from codex_core.network.upstream import UpstreamProxies, UpstreamProxy

from .conftest import Origins, curl

pytestmark = pytest.mark.timeout(60)


def test_parse_upstream_urls_and_no_proxy() -> None:
    p = UpstreamProxy.parse("http://user:p%40ss@corp-proxy:3128")
    assert p == UpstreamProxy("corp-proxy", 3128, "Basic dXNlcjpwQHNz")
    assert UpstreamProxy.parse("corp:8080") == UpstreamProxy("corp", 8080)
    assert UpstreamProxy.parse("socks5://corp:1080") is None  # HTTP proxies only
    ups = UpstreamProxies.from_env(
        {"HTTPS_PROXY": "http://t:1", "ALL_PROXY": "http://a:2", "NO_PROXY": "internal.corp,10.0.0.0/8,.svc"}
    )
    assert ups.for_request("api.example.com", tunnel=True) == UpstreamProxy("t", 1)
    assert ups.for_request("api.example.com", tunnel=False) == UpstreamProxy("a", 2)
    for host in ("internal.corp", "x.internal.corp", "10.1.2.3", "a.svc"):
        assert ups.for_request(host, tunnel=True) is None
    # a nested run whose environment points at our own listener never loops
    assert UpstreamProxies.from_env({"HTTPS_PROXY": "http://127.0.0.1:5000"}, exclude_ports=(5000,)).tunnel is None


async def test_chained_through_parent_proxy(origins: Origins) -> None:
    parent_rules = EffectiveNetwork.from_maps({"localhost": "allow"}, allow_upstream_proxy=False)
    async with start_network_proxy(parent_rules) as parent:
        env = {
            "HTTP_PROXY": f"http://127.0.0.1:{parent.http_port}",
            "HTTPS_PROXY": f"http://127.0.0.1:{parent.http_port}",
        }
        child_rules = EffectiveNetwork.from_maps({"localhost": "allow"})
        async with start_network_proxy(child_rules, upstream_env=env) as child:
            px = ["-x", f"http://127.0.0.1:{child.http_port}"]
            tls = await curl(*px, "-k", f"https://localhost:{origins.https_port}/chained")
            plain = await curl(*px, f"http://localhost:{origins.http_port}/plain-chained")
            assert tls.status == 200 and "/chained" in tls.stdout
            assert plain.status == 200 and "/plain-chained" in plain.stdout
            assert child.upstreams.tunnel is not None and child.upstreams.tunnel.port == parent.http_port
        # the parent refuses what it does not allow, even if the child allows it
        child_rules = EffectiveNetwork.from_maps({"127.0.0.1": "allow"})
        async with start_network_proxy(child_rules, upstream_env=env) as child:
            px = ["-x", f"http://127.0.0.1:{child.http_port}"]
            tls = await curl(*px, "-k", f"https://127.0.0.1:{origins.https_port}/")
            assert tls.returncode == 56 and "response 502" in tls.stderr
            plain = await curl(*px, f"http://127.0.0.1:{origins.http_port}/")
            assert plain.status == 403 and plain.header("x-proxy-error") == "blocked-by-allowlist"
        assert [b.host for b in parent.blocked] == ["127.0.0.1", "127.0.0.1"]


async def test_upstream_ignored_when_disallowed_or_dead(origins: Origins) -> None:
    dead = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    rules = EffectiveNetwork.from_maps({"localhost": "allow"}, allow_upstream_proxy=False)
    async with start_network_proxy(rules, upstream_env=dead) as proxy:
        r = await curl("-x", f"http://127.0.0.1:{proxy.http_port}", f"http://localhost:{origins.http_port}/direct")
        assert r.status == 200
    async with start_network_proxy(EffectiveNetwork.from_maps({"localhost": "allow"}), upstream_env=dead) as proxy:
        r = await curl("-x", f"http://127.0.0.1:{proxy.http_port}", f"http://localhost:{origins.http_port}/")
        assert r.status == 502 and "could not connect to upstream proxy 127.0.0.1:9" in r.stdout
