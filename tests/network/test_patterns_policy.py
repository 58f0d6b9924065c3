"""Host normalisation, pattern matching, coverage and the request decision order (4.5-4.7, 7)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codex_core.network import (
    DeciderResult,
    DomainPattern,
    EffectiveNetwork,
    NetworkPolicy,
    is_non_public_ip,
    normalize_host,
    pattern_covers,
)
from codex_core.network.rules import check_domain_map


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("example.com:443", "example.com"),
        ("  api.example.com  ", "api.example.com"),
        ("[::1]:443", "::1"),
        ("[0:0:0:0:0:0:0:1]", "::1"),
        ("fe80::1%25eth0", "fe80::1%eth0"),
        ("BÜCHER.de", "xn--bcher-kva.de"),
        ("", ""),
        (".", ""),
    ],
)
def test_normalize_host(raw: str, expected: str) -> None:
    assert normalize_host(raw) == expected


@pytest.mark.parametrize(
    ("pattern", "host", "matches"),
    [
        ("example.com", "example.com", True),
        ("example.com", "api.example.com", False),
        ("*.example.com", "api.example.com", True),
        ("*.example.com", "a.b.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "badexample.com", False),
        ("**.example.com", "example.com", True),
        ("**.example.com", "x.y.example.com", True),
        ("**.example.com", "notexample.com", False),
        ("*", "anything.test", True),
        ("region*.v2.example.com", "region1.v2.example.com", True),
        ("region*.v2.example.com", "region1.v3.example.com", False),
        ("*.EXAMPLE.com.", "api.example.com", True),
        ("*.bücher.de", "shop.xn--bcher-kva.de", True),
        ("*.example.com", "10.0.0.1", False),
        ("10.0.0.*", "10.0.0.7", True),
        ("127.0.0.1", "127.0.0.1", True),
    ],
)
def test_pattern_matching(pattern: str, host: str, matches: bool) -> None:
    assert DomainPattern.parse(pattern).matches(normalize_host(host)) is matches


@given(st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){0,3}", fullmatch=True))
def test_wildcard_forms_property(sub: str) -> None:
    host = f"{sub}.example.org"
    assert DomainPattern.parse("*.example.org").matches(host)
    assert DomainPattern.parse("**.example.org").matches(host)
    assert DomainPattern.parse("**.example.org").matches("example.org")
    assert not DomainPattern.parse("*.example.org").matches("example.org")
    assert normalize_host(host.upper() + ".") == host


def test_vector7_global_wildcard_in_denylist() -> None:
    with pytest.raises(ValueError) as exc:
        check_domain_map({"*": "deny"}, managed=False)
    assert str(exc.value) == (
        'unsupported global wildcard domain pattern "*"; use exact hosts or scoped wildcards like '
        "*.example.com or **.example.com"
    )
    check_domain_map({"*": "allow"}, managed=False)
    with pytest.raises(ValueError, match="global wildcard"):
        check_domain_map({"**": "allow"}, managed=True)


@pytest.mark.parametrize(
    ("managed", "candidate", "covered"),
    [
        ("a.com", "a.com", True),
        ("a.com", "b.a.com", False),
        ("*.a.com", "b.a.com", True),
        ("*.a.com", "a.com", False),
        ("*.a.com", "*.b.a.com", True),
        ("*.a.com", "**.b.a.com", True),
        ("*.a.com", "**.a.com", False),
        ("**.a.com", "a.com", True),
        ("**.a.com", "**.a.com", True),
        ("**.a.com", "*.x.a.com", True),
        ("**.a.com", "evil.com", False),
        ("A.com.", "a.com", True),
    ],
)
def test_pattern_coverage(managed: str, candidate: str, covered: bool) -> None:
    assert pattern_covers(managed, candidate) is covered


def test_non_public_addresses() -> None:
    for ip in (
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "fc00::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "198.18.0.1",
    ):
        assert is_non_public_ip(ipaddress.ip_address(ip)), ip
    for ip in ("93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"):
        assert not is_non_public_ip(ipaddress.ip_address(ip)), ip


async def _reason(policy: NetworkPolicy, host: str, port: int = 443) -> str | None:
    return (await policy.decide(host, port, "https_connect")).reason


async def test_vector5_deny_wins_over_allow() -> None:
    policy = NetworkPolicy(EffectiveNetwork.from_maps({"example.com": "allow"}).with_domains(deny=["example.com"]))
    assert await _reason(policy, "example.com") == "denied"
    both = EffectiveNetwork(
        allowed=EffectiveNetwork.from_maps({"example.com": "allow"}).allowed,
        denied=EffectiveNetwork.from_maps({"example.com": "deny"}).denied,
    )
    assert await _reason(NetworkPolicy(both, hosts={"example.com": ["93.184.216.34"]}), "example.com") == "denied"
    # deny wins even over an exact local allow
    local = EffectiveNetwork(
        allowed=EffectiveNetwork.from_maps({"localhost": "allow"}).allowed,
        denied=EffectiveNetwork.from_maps({"localhost": "deny"}).denied,
    )
    assert await _reason(NetworkPolicy(local), "localhost") == "denied"


async def test_vector6_wildcards() -> None:
    hosts = {"api.example.com": ["93.184.216.34"], "example.com": ["93.184.216.34"]}
    single = NetworkPolicy(EffectiveNetwork.from_maps({"*.example.com": "allow"}), hosts=hosts)
    assert (await single.decide("api.example.com", 443, "https_connect")).allowed
    assert await _reason(single, "example.com") == "not_allowed"
    double = NetworkPolicy(EffectiveNetwork.from_maps({"**.example.com": "allow"}), hosts=hosts)
    assert (await double.decide("api.example.com", 443, "https_connect")).allowed
    decision = await double.decide("EXAMPLE.com.", 443, "https_connect")
    assert decision.allowed and decision.addresses == ("93.184.216.34",)
    assert decision.rule is not None and decision.rule.pattern == "**.example.com"


async def test_vector8_local_binding_rules() -> None:
    policy = NetworkPolicy(EffectiveNetwork.from_maps({"127.0.0.1": "allow"}))
    assert (await policy.decide("127.0.0.1", 80, "http")).allowed
    internal = NetworkPolicy(EffectiveNetwork.from_maps({"*.internal": "allow"}), hosts={"db.internal": ["10.0.0.5"]})
    assert await _reason(internal, "db.internal") == "not_allowed_local"
    assert (
        await NetworkPolicy(EffectiveNetwork.from_maps({"localhost": "allow"})).decide("localhost", 80, "http")
    ).allowed
    # a wildcard entry never admits a local literal
    wild = NetworkPolicy(EffectiveNetwork.from_maps({"*": "allow"}))
    assert await _reason(wild, "127.0.0.1") == "not_allowed_local"
    # unresolvable names are refused as local
    nodns = NetworkPolicy(EffectiveNetwork.from_maps({"*.invalid": "allow"}))
    assert await _reason(nodns, "nothing.invalid") == "not_allowed_local"
    # allow_local_binding lifts the local checks
    lifted = NetworkPolicy(EffectiveNetwork.from_maps({"*.internal": "allow"}, allow_local_binding=True))
    assert (await lifted.decide("db.internal", 5432, "socks5_tcp")).allowed


async def test_decider_only_for_allowlist_misses() -> None:
    calls: list[str] = []

    async def decider(host: str, port: int, protocol: str) -> DeciderResult:
        calls.append(host)
        return {"ask.test": DeciderResult("ask"), "ok.test": DeciderResult("allow")}.get(host, DeciderResult("deny"))

    hosts = {h: ["93.184.216.34"] for h in ("ask.test", "ok.test", "no.test", "bad.test")}
    net = EffectiveNetwork.from_maps({"bad.test": "deny"})
    policy = NetworkPolicy(net, hosts=hosts, decider=decider)
    ask = await policy.decide("ask.test", 443, "https_connect")
    assert not ask.allowed and ask.decision == "ask" and ask.source == "decider"
    assert (await policy.decide("ok.test", 443, "https_connect")).allowed
    no = await policy.decide("no.test", 443, "https_connect")
    assert no.reason == "policy_denied" and no.source == "decider"
    assert await _reason(policy, "bad.test") == "denied"
    assert await _reason(policy, "10.0.0.1") == "not_allowed_local"
    assert calls == ["ask.test", "ok.test", "no.test"]
    managed_only = NetworkPolicy(EffectiveNetwork(hard_deny_misses=True), hosts=hosts, decider=decider)
    assert await _reason(managed_only, "ok.test") == "not_allowed"


def test_unix_socket_allow(tmp_path: object) -> None:
    net = EffectiveNetwork.from_maps({}, {"/var/run/docker.sock": "allow", "/tmp/x.sock": "none"})
    policy = NetworkPolicy(net)
    assert policy.unix_socket_allowed("/var/run/docker.sock")
    assert not policy.unix_socket_allowed("/tmp/x.sock")
    assert not policy.unix_socket_allowed("relative.sock")
    assert NetworkPolicy(EffectiveNetwork(dangerously_allow_all_unix_sockets=True)).unix_socket_allowed("/any")


async def test_block_records_ring_buffer() -> None:
    seen: list[str] = []
    policy = NetworkPolicy(EffectiveNetwork.from_maps({"**.test": "deny"}), observer=lambda r: seen.append(r.host))
    for i in range(205):
        d = await policy.decide(f"h{i}.test", 80, "http")
        policy.record(d, client="127.0.0.1:1", method="GET")
    assert policy.blocked_total == 205 and len(policy.blocked) == 200
    assert policy.blocked[0].host == "h5.test" and len(seen) == 205
    assert policy.blocked[-1].to_json().startswith('{"host":"h204.test","reason":"denied","client":"127.0.0.1:1"')


def test_proxy_env_variables() -> None:
    from codex_core.network import proxy_env

    env = proxy_env("127.0.0.1:3128", "127.0.0.1:8081", allow_local_binding=False)
    http_vars = (
        "HTTP_PROXY HTTPS_PROXY http_proxy https_proxy YARN_HTTP_PROXY YARN_HTTPS_PROXY npm_config_http_proxy "
        "npm_config_https_proxy npm_config_proxy NPM_CONFIG_HTTP_PROXY NPM_CONFIG_HTTPS_PROXY NPM_CONFIG_PROXY "
        "BUNDLE_HTTP_PROXY BUNDLE_HTTPS_PROXY PIP_PROXY DOCKER_HTTP_PROXY DOCKER_HTTPS_PROXY WS_PROXY WSS_PROXY "
        "ws_proxy wss_proxy"
    ).split()
    assert all(env[v] == "http://127.0.0.1:3128" for v in http_vars)
    assert all(env[v] == "socks5h://127.0.0.1:8081" for v in ("ALL_PROXY", "all_proxy", "FTP_PROXY", "ftp_proxy"))
    no_proxy_vars = (
        "NO_PROXY",
        "no_proxy",
        "npm_config_noproxy",
        "NPM_CONFIG_NOPROXY",
        "YARN_NO_PROXY",
        "BUNDLE_NO_PROXY",
    )
    # without local binding nothing bypasses the proxy: localhost goes through it like any host
    assert all(env[v] == "" for v in no_proxy_vars)
    assert env["ELECTRON_GET_USE_PROXY"] == "true" and env["CODEX_NETWORK_ALLOW_LOCAL_BINDING"] == "0"
    assert env["CODEX_NETWORK_PROXY_ACTIVE"] == "1"
    no_socks = proxy_env("127.0.0.1:1", None, allow_local_binding=True)
    assert no_socks["ALL_PROXY"] == "http://127.0.0.1:1" and no_socks["CODEX_NETWORK_ALLOW_LOCAL_BINDING"] == "1"
    # the reference 0.169's list, seen with `codex sandbox -P <profile> -- env`
    no_proxy = "localhost,127.0.0.1,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
    assert all(no_socks[v] == no_proxy for v in no_proxy_vars)
    assert env["NODE_USE_ENV_PROXY"] == "1"


def test_listen_addresses_for_unmanaged_runs() -> None:
    from codex_core.network.env import listen_addresses

    assert listen_addresses("http://127.0.0.1:3128", "http://127.0.0.1:8081") == (
        ("127.0.0.1", 3128),
        ("127.0.0.1", 8081),
    )
    assert listen_addresses("localhost", "") == (("127.0.0.1", 3128), ("127.0.0.1", 8081))
    assert listen_addresses("0.0.0.0:9000", "proxy.corp:1080") == (("127.0.0.1", 9000), ("127.0.0.1", 1080))
    assert listen_addresses("0.0.0.0:9000", "x", dangerously_allow_non_loopback_proxy=True)[0] == ("0.0.0.0", 9000)
    clamped = listen_addresses(
        "0.0.0.0:9000", "x", dangerously_allow_non_loopback_proxy=True, unix_sockets_allowed=True
    )
    assert clamped[0] == ("127.0.0.1", 9000)


async def test_proxy_listens_on_configured_addresses() -> None:
    import socket

    from codex_core.network import start_network_proxy

    with socket.socket() as s1, socket.socket() as s2:
        s1.bind(("127.0.0.1", 0))
        s2.bind(("127.0.0.1", 0))
        hp, sp = s1.getsockname()[1], s2.getsockname()[1]
    net = EffectiveNetwork(proxy_url=f"http://127.0.0.1:{hp}", socks_url=f"127.0.0.1:{sp}")
    async with start_network_proxy(net, use_configured_addresses=True) as proxy:
        assert (proxy.http_port, proxy.socks_port) == (hp, sp)
