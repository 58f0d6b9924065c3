"""Bracketed IPv6 domain patterns (issue 15, "Network patterns").

``[::1]``, ``[2001:db8::1]`` and ``[fe80::1%eth0]`` used to compile as shell globs (``[...]`` a
character class) that never matched, so a deny of ``[2001:db8::1]`` did not block it; ``[*]`` was
not the global wildcard and ``[`` was silently accepted. The behaviour below was measured against
the reference CLI 0.169 (``codex sandbox -P p -- curl -g http://[::1]:PORT/`` through its proxy).
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_core.config import Config, load_config
from codex_core.errors import ConfigError
from codex_core.network import (
    DomainPattern,
    EffectiveNetwork,
    NetworkConstraints,
    NetworkPolicy,
    network_proxy_for_config,
    normalize_host,
    normalize_pattern,
    parse_network_requirements,
    start_network_proxy,
    validate_against_constraints,
)
from codex_core.network.patterns import (
    GLOBAL_WILDCARD_ERROR,
    DomainPatternError,
    check_pattern_syntax,
    is_global_wildcard,
    pattern_covers,
)
from codex_core.network.rules import check_domain_map
from tests.sandbox.conftest import needs_sandbox

from .conftest import curl

# -- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "normalized"),
    [
        ("[::1]", "::1"),
        ("  [::1]  ", "::1"),
        ("::1", "::1"),  # the unbracketed form is the same rule
        ("[0:0:0:0:0:0:0:1]", "::1"),
        ("[2001:DB8::1]", "2001:db8::1"),
        ("[2001:db8:0:0::1]:443", "2001:db8::1"),  # a port is dropped, as in a request host
        ("[::1].", "::1"),
        ("[::1.]", "::1"),
        ("[fe80::1%eth0]", "fe80::1%eth0"),
        ("[FE80::1%25ETH0]:443", "fe80::1%eth0"),
        ("[::ffff:127.0.0.1]", "127.0.0.1"),  # IPv4-mapped: the IPv4 rule
        ("[::FFFF:7f00:1]", "127.0.0.1"),
        ("[*]", "*"),
        ("[*]:443", "*"),
        ("[*.]", "*"),
        ("**.[*]", "**.*"),
        ("*.[*]", "*.*"),
        ("**.Example.COM.", "**.example.com"),
    ],
)
def test_bracketed_patterns_normalise_like_request_hosts(pattern: str, normalized: str) -> None:
    check_pattern_syntax(pattern)
    assert normalize_pattern(pattern) == normalized


# -- matching -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "host", "matches"),
    [
        ("[2001:db8::1]", "[2001:db8::1]:443", True),  # the case
        ("[2001:db8::1]", "2001:db8::1", True),
        ("[2001:db8::1]", "[2001:0db8:0:0:0:0:0:1]", True),
        ("[2001:DB8::1]", "[2001:db8::1]", True),
        ("[2001:db8::1]", "[2001:db8::2]", False),
        ("[::1]", "[::1]:8080", True),
        ("[::1]", "::1", True),
        ("::1", "[::1]:80", True),
        ("[::1]:443", "[::1]:80", True),  # the port in a pattern is not a port rule (as upstream)
        ("[::1].", "[::1]", True),
        ("[::1]", "127.0.0.1", False),
        ("[::1]", "localhost", False),
        # IPv4-mapped addresses are the IPv4 address, in patterns and in hosts
        ("[::ffff:127.0.0.1]", "127.0.0.1", True),
        ("[::ffff:127.0.0.1]", "[::ffff:127.0.0.1]", True),
        ("127.0.0.1", "[::ffff:127.0.0.1]", True),
        ("127.0.0.1", "[::ffff:7f00:1]", True),
        # zone ids: no zone in the pattern = the address on every link; a zone = only that link
        ("[fe80::1]", "[fe80::1%25eth0]", True),
        ("[fe80::1]", "fe80::1%eth0", True),
        ("[fe80::1%eth0]", "[fe80::1%25eth0]", True),
        ("[fe80::1%25eth0]", "fe80::1%eth0", True),
        ("[fe80::1%eth0]", "fe80::1%eth1", False),
        ("[fe80::1%eth0]", "fe80::1", False),
        # the global wildcard in brackets
        ("[*]", "example.com", True),
        ("[*]", "[::1]", True),
        ("**.[*]", "10.0.0.1", True),
        # an unbracketed IPv6 glob is an address rule
        ("2001:db8::*", "[2001:db8::7]", True),
        ("2001:db8::*", "[2001:db9::7]", False),
        # names: uppercase and trailing dots on either side
        ("LOCALHOST.", "localhost", True),
        ("localhost", "LocalHost.", True),
    ],
)
def test_ipv6_pattern_matching(pattern: str, host: str, matches: bool) -> None:
    assert DomainPattern.parse(pattern).matches(normalize_host(host)) is matches


async def test_deny_of_a_bracketed_public_ipv6_address_blocks_it() -> None:
    """The issue's example end to end through the decision code: 2001:db8::1 is not a local
    address, so only the deny rule can stop it (it used to be allowed by ``*``)."""
    net = EffectiveNetwork.from_maps({"[2001:db8::1]": "deny", "*": "allow"})
    policy = NetworkPolicy(net)
    for host in ("[2001:db8::1]", "[2001:DB8:0::1]", "2001:db8::1"):
        decision = await policy.decide(host, 443, "https_connect")
        assert not decision.allowed and decision.reason == "denied", host
        assert decision.rule is not None and decision.rule.pattern == "[2001:db8::1]"
    other = await policy.decide("[2001:db8::2]", 443, "https_connect")
    assert other.allowed


async def test_bracketed_allow_is_an_exact_local_allow() -> None:
    """Without ``allow_local_binding`` a loopback literal passes only with an exact allow entry;
    ``[::1]`` is one (it used to be a glob, so ``[::1]`` stayed ``not_allowed_local``)."""
    policy = NetworkPolicy(EffectiveNetwork.from_maps({"[::1]": "allow"}))
    assert (await policy.decide("[::1]", 80, "http")).allowed
    assert (await policy.decide("127.0.0.1", 80, "http")).reason == "not_allowed_local"
    zoned = NetworkPolicy(EffectiveNetwork.from_maps({"[::1%lo]": "allow"}))
    assert (await zoned.decide("[::1]", 80, "http")).reason == "not_allowed_local"  # as the reference


# -- the global wildcard and malformed patterns -------------------------------------------------


@pytest.mark.parametrize("pattern", ["[*]", "[*]:443", "[*.]", "[*].", "**.[*]", "**.*", "**.**"])
def test_bracketed_global_wildcard_is_the_global_wildcard(pattern: str) -> None:
    assert is_global_wildcard(pattern)
    assert DomainPattern.parse(pattern).kind == "global"
    check_domain_map({pattern: "allow"}, managed=False)  # fine in a user allowlist
    with pytest.raises(ValueError) as exc:
        check_domain_map({pattern: "deny"}, managed=False)
    assert str(exc.value).startswith(GLOBAL_WILDCARD_ERROR)
    assert f'"{pattern}" matches every host' in str(exc.value)
    with pytest.raises(ValueError, match="global wildcard"):
        check_domain_map({pattern: "allow"}, managed=True)


def test_scoped_wildcard_of_a_wildcard_is_not_global() -> None:
    assert not is_global_wildcard("*.[*]")  # needs a dot in the host, as upstream
    check_domain_map({"*.[*]": "deny"}, managed=False)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("[", "brackets are only supported for IPv6 literals or [*]"),
        ("]", "brackets are only supported for IPv6 literals or [*]"),
        ("[]", "brackets are only supported for IPv6 literals or [*]"),
        ("[::1", "brackets are only supported for IPv6 literals or [*]"),
        ("::1]", "brackets are only supported for IPv6 literals or [*]"),
        ("[::1]suffix", "brackets are only supported for IPv6 literals or [*]"),
        ("[::1]:", "brackets are only supported for IPv6 literals or [*]"),
        ("[::1]:443[ab]", "brackets are only supported for IPv6 literals or [*]"),
        ("[[::1]]", "brackets are only supported for IPv6 literals or [*]"),
        ("[127.0.0.1]", '"127.0.0.1" is not an IPv6 address'),
        ("[example.com]", '"example.com" is not an IPv6 address'),
        ("[2001:db8::*]", '"2001:db8::*" is not an IPv6 address'),
        ("[ab].com", "brackets are only supported for IPv6 literals or [*]"),
        ("a[bc].com", "brackets are only supported for IPv6 literals or [*]"),
        ("*.[ab]", '"ab" is not an IPv6 address'),
        ("[fe80::1%]", "zone id"),
        ("[fe80::1%*]", "zone id"),
        ("{a,b}.com", "unsupported domain pattern syntax"),
        ("a b.com", "unsupported domain pattern syntax"),
        ("[ ::1 ]", "unsupported domain pattern syntax"),
        ("example.com/path", "unsupported domain pattern syntax"),
        ("a\\.com", "unsupported domain pattern syntax"),
    ],
)
def test_malformed_patterns_are_rejected(pattern: str, reason: str) -> None:
    with pytest.raises(DomainPatternError) as exc:
        check_pattern_syntax(pattern)
    assert reason in str(exc.value) and exc.value.pattern == pattern
    for perm in ("allow", "deny"):
        with pytest.raises(ValueError, match="invalid domain pattern"):
            check_domain_map({"example.com": "allow", pattern: perm}, managed=False)
    with pytest.raises(DomainPatternError):  # never compiled into a rule that matches nothing
        DomainPattern.parse(pattern)


async def test_unchecked_malformed_rules_are_skipped_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    """Rules from unchecked sources (an exec-policy ``network_rule`` overlay) that are malformed
    are skipped with a warning; the well-formed rules around them still apply."""
    net = EffectiveNetwork.from_maps({"[::1]": "deny", "*": "allow"}).with_domains(
        allow=["a[b"], deny=["{x,y}.test"], source="execpolicy"
    )
    with caplog.at_level("WARNING", logger="codex_core.network"):
        policy = NetworkPolicy(net)
    assert 'skipping deny rule from execpolicy: invalid domain pattern "{x,y}.test"' in caplog.text
    assert 'skipping allow rule from execpolicy: invalid domain pattern "a[b"' in caplog.text
    assert (await policy.decide("[::1]", 80, "http")).reason == "denied"


# -- config errors name the key -----------------------------------------------------------------


def _load(tmp_path: Path, config: str) -> Config:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(config)
    return load_config(
        codex_home=home,
        cwd=tmp_path,
        requirements_path=tmp_path / "requirements.toml",
        system_config_path=tmp_path / "none.toml",
        env={},
    )


_PROFILE = """\
default_permissions = "dev"
[features]
network_proxy = true
[permissions.dev.network.domains]
"example.com" = "allow"
{entry}
"""


def test_profile_with_a_stray_bracket_is_a_config_error_naming_file_line_and_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, _PROFILE.format(entry='"[" = "deny"'))
    path = str(tmp_path / "home" / "config.toml")
    assert str(exc.value).startswith(f'{path}:6: `permissions.dev.network.domains."["`: invalid domain pattern "["')
    assert "brackets are only supported for IPv6 literals or [*]" in str(exc.value)
    assert exc.value.key == 'permissions.dev.network.domains."["' and exc.value.line == 6 and exc.value.path == path


def test_profile_bracketed_global_wildcard_deny_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, _PROFILE.format(entry='"**.[*]" = "deny"'))
    assert GLOBAL_WILDCARD_ERROR in str(exc.value) and '"**.[*]" matches every host' in str(exc.value)
    assert str(exc.value).startswith(str(tmp_path / "home" / "config.toml"))
    assert exc.value.key is not None and exc.value.key.startswith("permissions.dev.network.domains")


def test_profile_bracketed_rules_load_and_reach_the_proxy(tmp_path: Path) -> None:
    cfg = _load(tmp_path, _PROFILE.format(entry='"[2001:db8::1]" = "deny"\n"[*]" = "allow"'))
    net = network_proxy_for_config(cfg)
    assert net is not None
    assert net.denied_domains() == ["[2001:db8::1]"]
    assert net.allowed_domains() == ["example.com", "[*]"]


def test_requirements_errors_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_network_requirements({"domains": {"[::1": "deny"}}, source="/etc/codex/requirements.toml")
    assert exc.value.key == 'experimental_network.domains."[::1"'
    assert str(exc.value).startswith('/etc/codex/requirements.toml: `experimental_network.domains."[::1"`:')
    with pytest.raises(ConfigError, match="global wildcard") as exc:
        parse_network_requirements({"domains": {"[*]": "allow"}}, source="r.toml")
    assert exc.value.key == 'experimental_network.domains."[*]"'


def test_managed_lists_compare_bracketed_and_plain_spellings_as_one_entry() -> None:
    managed = NetworkConstraints(
        denied_domains=("[::1]",),
        denylist_expansion_enabled=True,
        allowed_domains=("[2001:db8::1]",),
    )
    validate_against_constraints(
        managed,
        enabled=True,
        mode="full",
        allow_upstream_proxy=True,
        dangerously_allow_non_loopback_proxy=False,
        dangerously_allow_all_unix_sockets=False,
        allow_local_binding=False,
        allowed_domains=["2001:DB8::1"],
        denied_domains=["::1"],
        allow_unix_sockets=[],
    )
    assert pattern_covers("[2001:db8::1]", "2001:db8:0::1")


# -- real curl through the real proxy -----------------------------------------------------------


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"hello v6 {self.path}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _V6Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


@pytest.fixture(scope="module")
def v6_port() -> Iterator[int]:
    """A plain HTTP origin on [::1]."""
    try:
        server = _V6Server(("::1", 0), _Hello)
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback: {exc}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.mark.timeout(60)
async def test_real_curl_deny_of_bracketed_loopback_is_403_and_allow_lets_it_through(v6_port: int) -> None:
    url = f"http://[::1]:{v6_port}/v6"
    deny = EffectiveNetwork.from_maps({"[::1]": "deny", "*": "allow"}, allow_local_binding=True)
    async with start_network_proxy(deny) as proxy:
        r = await curl("-g", "-x", f"http://127.0.0.1:{proxy.http_port}", url)
        assert r.status == 403, r
        assert r.header("x-proxy-error") == "blocked-by-denylist"
        assert '"[::1]" = "deny"' in r.stdout
        assert [(b.host, b.reason) for b in proxy.blocked] == [("::1", "denied")]
    allow = EffectiveNetwork.from_maps({"[::1]": "allow"})  # exact allow of a loopback literal
    async with start_network_proxy(allow) as proxy:
        r = await curl("-g", "-x", f"http://127.0.0.1:{proxy.http_port}", url)
        assert r.status == 200 and "hello v6 /v6" in r.stdout, r
        v4 = await curl("-g", "-x", f"http://127.0.0.1:{proxy.http_port}", f"http://127.0.0.1:{v6_port}/")
        assert v4.status == 403 and v4.header("x-proxy-error") == "blocked-by-allowlist"


CODEX = str(Path(sys.executable).parent / "codex")


@needs_sandbox
@pytest.mark.sandbox
@pytest.mark.timeout(90)
@pytest.mark.parametrize(
    ("domains", "status", "error"),
    [
        ('"[::1]" = "deny"\n"*" = "allow"', "403", "x-proxy-error: blocked-by-denylist"),
        ('"[::1]" = "allow"', "200", "hello v6 /cli"),
    ],
)
def test_codex_sandbox_linux_curl_to_bracketed_loopback(
    v6_port: int, tmp_path: Path, domains: str, status: str, error: str
) -> None:
    """What the reference shows with ``codex sandbox -P p -- curl -g http://[::1]:PORT/``: the
    profile's ``[::1]`` rule decides (from config.toml, through the proxy, inside the sandbox)."""
    home = tmp_path / "home"
    home.mkdir()
    alb = "true" if "deny" in domains else "false"
    (home / "config.toml").write_text(
        textwrap.dedent(
            f"""\
            default_permissions = "dev"
            [features]
            network_proxy = true
            [permissions.dev.filesystem]
            ":root" = "read"
            [permissions.dev.network]
            enabled = true
            allow_local_binding = {alb}
            [permissions.dev.network.domains]
            """
        )
        + domains
        + "\n"
    )
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(CODEX_HOME=str(home), CODEX_REQUIREMENTS_PATH=str(tmp_path / "none.toml"))
    url = f"http://[::1]:{v6_port}/cli"
    proc = subprocess.run(
        [CODEX, "sandbox", "linux", "--", "curl", "-sS", "-i", "-g", "--noproxy", "", "--max-time", "10", url],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.stdout.startswith((f"HTTP/1.1 {status} ", f"HTTP/1.0 {status} ")), proc
    assert error in proc.stdout
