"""Profile/requirements normalisation, errors, the user (+) managed merge and constraints (4.2-4.5, 7)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from codex_core.config import Config, load_config
from codex_core.errors import ConfigError
from codex_core.network import (
    EffectiveNetwork,
    NetworkConstraintError,
    NetworkRequirements,
    network_proxy_for_config,
    parse_network_requirements,
    resolve_effective_network,
)


def _load(tmp_path: Path, config: str, requirements: str | None = None) -> Config:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(textwrap.dedent(config))
    req = tmp_path / "requirements.toml"
    if requirements is not None:
        req.write_text(textwrap.dedent(requirements))
    return load_config(
        codex_home=home,
        cwd=tmp_path,
        requirements_path=req,
        system_config_path=tmp_path / "no-system.toml",
        env={},
    )


# -- permission profiles (4.2) ------------------------------------------------------------------


def test_profile_canonical_maps_parse(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        """
        default_permissions = "dev"
        [features]
        network_proxy = true
        [permissions.dev.network]
        enabled = true
        mode = "limited"
        [permissions.dev.network.domains]
        "api.openai.com" = "allow"
        "*.github.com" = "allow"
        "tracking.example.com" = "deny"
        "ignored.example.com" = "none"
        [permissions.dev.network.unix_sockets]
        "/var/run/docker.sock" = "allow"
        "/tmp/other.sock" = "none"
        """,
    )
    net = network_proxy_for_config(cfg)
    assert net is not None
    assert net.mode == "limited"
    assert net.allowed_domains() == ["api.openai.com", "*.github.com"]
    assert net.denied_domains() == ["tracking.example.com"]
    assert net.allow_unix_sockets() == ["/var/run/docker.sock"]
    assert net.domains() == {
        "*.github.com": "allow",
        "api.openai.com": "allow",
        "tracking.example.com": "deny",
    }
    sources = {r.pattern: r.source for r in net.rules()}
    assert str(tmp_path / "home" / "config.toml") in sources["api.openai.com"]
    assert "permissions.dev.network" in sources["api.openai.com"]


@pytest.mark.parametrize(
    ("key", "value", "canonical"),
    [
        ("allowed_domains", '["a.com", "b.com"]', 'domains = { "a.com" = "allow", "b.com" = "allow" }'),
        ("denied_domains", '["x.com"]', 'domains = { "x.com" = "deny" }'),
        ("allow_unix_sockets", '["/run/d.sock"]', 'unix_sockets = { "/run/d.sock" = "allow" }'),
    ],
)
def test_profile_legacy_keys_rejected_with_canonical_form(tmp_path: Path, key: str, value: str, canonical: str) -> None:
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, f'default_permissions = "dev"\n[permissions.dev.network]\n{key} = {value}\n')
    msg = str(exc.value)
    assert f"unknown field `{key}`, expected one of `enabled`, `proxy_url`, " in msg
    assert canonical in msg
    assert f"[permissions.<profile>.network.{canonical.split(' ')[0]}]" in msg
    assert exc.value.path == str(tmp_path / "home" / "config.toml")
    assert exc.value.line == 2  # the `[permissions.dev.network]` table
    assert exc.value.key == "permissions.dev.network"


def test_profile_unknown_key_and_bad_values(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown field `prxy_url`, expected one of `enabled`"):
        _load(tmp_path, '[permissions.dev.network]\nprxy_url = "x"\n')
    with pytest.raises(ConfigError, match="accepted values: 'allow', 'deny' or 'none'"):
        _load(tmp_path, '[permissions.dev.network.domains]\n"a.com" = "Allow"\n')
    with pytest.raises(ConfigError, match="accepted values: 'allow', 'deny' or 'none'"):
        _load(tmp_path, '[permissions.dev.network.unix_sockets]\n"/a.sock" = "Allow"\n')
    _load(tmp_path, '[permissions.dev.network.unix_sockets]\n"/a.sock" = "deny"\n')  # 0.169's spelling of "no rule"
    with pytest.raises(
        ConfigError, match=r'invalid network\.unix_sockets\[0\]: expected an absolute path, got "rel\.sock"'
    ):
        _load(tmp_path, '[permissions.dev.network.unix_sockets]\n"rel.sock" = "allow"\n')
    with pytest.raises(ConfigError, match='unsupported global wildcard domain pattern "\\*"'):
        _load(tmp_path, '[permissions.dev.network.domains]\n"*" = "deny"\n')


def test_profile_global_wildcard_allowed_in_user_allowlist(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        'default_permissions = "dev"\n[features]\nnetwork_proxy = true\n[permissions.dev.network.domains]\n"*" = "allow"\n',
    )
    net = network_proxy_for_config(cfg)
    assert net is not None and net.allowed_domains() == ["*"]


def test_proxy_not_started_without_feature_or_managed_enable(tmp_path: Path) -> None:
    cfg = _load(tmp_path, 'default_permissions = "dev"\n[permissions.dev.network]\nenabled = true\n')
    assert network_proxy_for_config(cfg) is None  # network.enabled alone never starts the proxy
    cfg = _load(tmp_path, "[features]\nnetwork_proxy = true\n", "[experimental_network]\nenabled = false\n")
    assert network_proxy_for_config(cfg) is None  # managed false wins
    cfg = _load(tmp_path, "", '[experimental_network]\nenabled = true\nallowed_domains = ["a.com"]\n')
    net = network_proxy_for_config(cfg)
    assert net is not None and net.allowed_domains() == ["a.com"]


# -- managed requirements (4.3, section 7 vectors 1-3) ------------------------------------------


def test_vector1_legacy_lists_normalise_deny_wins() -> None:
    req = parse_network_requirements({"allowed_domains": ["a.com"], "denied_domains": ["a.com"]}, source="r.toml")
    assert req is not None and req.domains == {"a.com": "deny"}
    assert req.allowed_domains() is None and req.denied_domains() == ["a.com"]


def test_vector2_mixing_legacy_and_canonical_is_an_error() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_network_requirements({"domains": {"a.com": "allow"}, "allowed_domains": ["b.com"]}, source="/etc/r.toml")
    assert "`experimental_network.domains` cannot be combined with legacy `allowed_domains` or `denied_domains`" in str(
        exc.value
    )
    assert exc.value.path == "/etc/r.toml" and exc.value.key == "experimental_network.domains"
    with pytest.raises(
        ConfigError,
        match=re.escape("`experimental_network.unix_sockets` cannot be combined with legacy `allow_unix_sockets`"),
    ):
        parse_network_requirements({"unix_sockets": {}, "allow_unix_sockets": ["/a"]}, source="r")


def test_vector3_empty_legacy_list_is_unset() -> None:
    req = parse_network_requirements({"allowed_domains": []}, source="r")
    assert req is not None and req.domains is None
    req = parse_network_requirements({"allow_unix_sockets": []}, source="r")
    assert req is not None and req.unix_sockets is None


def test_requirements_file_errors_name_the_file(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "[features]\nnetwork_proxy = true\n", '[experimental_network.domains]\n"*" = "allow"\n')
    with pytest.raises(ConfigError) as exc:
        network_proxy_for_config(cfg)
    assert str(tmp_path / "requirements.toml") in str(exc.value)
    assert 'unsupported global wildcard domain pattern "*"' in str(exc.value)
    cfg = _load(tmp_path, "", "[experimental_network]\nhttp_port = 70000\n")
    with pytest.raises(ConfigError, match=r"experimental_network\.http_port"):
        network_proxy_for_config(cfg)


def test_requirements_legacy_sockets_and_unknown_keys_ignored() -> None:
    req = parse_network_requirements({"allow_unix_sockets": ["/tmp/p.sock"], "future_key": 1}, source="r")
    assert req is not None and req.unix_sockets == {"/tmp/p.sock": "allow"}
    assert req.allow_unix_sockets() == ["/tmp/p.sock"]


def test_app_server_shape_round_trip() -> None:
    req = NetworkRequirements.model_validate(
        {
            "enabled": True,
            "http_port": 8080,
            "socks_port": 1080,
            "allow_upstream_proxy": False,
            "dangerously_allow_non_loopback_proxy": False,
            "dangerously_allow_all_unix_sockets": True,
            "domains": {"blocked.example.com": "deny", "api.openai.com": "allow"},
            "managed_allowed_domains_only": True,
            "unix_sockets": {"/tmp/proxy.sock": "allow", "/tmp/ignored.sock": "none"},
            "allow_local_binding": True,
        }
    )
    wire = req.to_app_server()
    assert wire == {
        "enabled": True,
        "httpPort": 8080,
        "socksPort": 1080,
        "allowUpstreamProxy": False,
        "dangerouslyAllowNonLoopbackProxy": False,
        "dangerouslyAllowAllUnixSockets": True,
        "domains": {"api.openai.com": "allow", "blocked.example.com": "deny"},
        "managedAllowedDomainsOnly": True,
        "allowedDomains": ["api.openai.com"],
        "deniedDomains": ["blocked.example.com"],
        "unixSockets": {"/tmp/ignored.sock": "none", "/tmp/proxy.sock": "allow"},
        "allowUnixSockets": ["/tmp/proxy.sock"],
        "allowLocalBinding": True,
    }
    assert list(wire["domains"]) == sorted(wire["domains"])
    assert NetworkRequirements.from_app_server(wire) == req
    legacy = NetworkRequirements.from_app_server({"allowedDomains": ["a.com"], "allowUnixSockets": ["/s"]})
    assert legacy.domains == {"a.com": "allow"} and legacy.unix_sockets == {"/s": "allow"}


# -- merge (4.4) -----------------------------------------------------------------------------------


def _user(domains: dict[str, str], **kw: object) -> object:
    from codex_core.config import NetworkPermissionsToml

    return NetworkPermissionsToml.model_validate({"domains": domains, **kw})


def test_merge_workspace_write_expands_managed_allowlist() -> None:
    req = NetworkRequirements.model_validate({"domains": {"*.example.com": "allow"}})
    net = resolve_effective_network(_user({"api.other.com": "allow"}), req, managed_sandbox_active=True)  # type: ignore[arg-type]
    assert net.allowed_domains() == ["*.example.com", "api.other.com"]
    assert net.constraints.allowlist_expansion_enabled is True
    assert {r.pattern: r.source for r in net.rules()} == {
        "*.example.com": "managed requirements",
        "api.other.com": "config",
    }


def test_merge_full_access_pins_both_lists() -> None:
    req = NetworkRequirements.model_validate({"domains": {"*.example.com": "allow", "blocked.example.com": "deny"}})
    user = _user({"evil.com": "allow", "more-blocked.example.com": "deny"})
    net = resolve_effective_network(user, req, managed_sandbox_active=False)  # type: ignore[arg-type]
    assert net.allowed_domains() == ["*.example.com"]
    assert net.denied_domains() == ["blocked.example.com"]
    assert net.constraints.allowlist_expansion_enabled is False
    assert net.constraints.denylist_expansion_enabled is False


def test_merge_managed_only_hard_denies_misses() -> None:
    req = NetworkRequirements.model_validate(
        {"managed_allowed_domains_only": True, "domains": {"managed.example.com": "allow"}}
    )
    net = resolve_effective_network(_user({"api.example.com": "allow"}), req, managed_sandbox_active=True)  # type: ignore[arg-type]
    assert net.allowed_domains() == ["managed.example.com"]
    assert net.hard_deny_misses is True
    # managed-only without any managed allow entries: the allowlist is pinned to empty
    req = NetworkRequirements.model_validate({"managed_allowed_domains_only": True})
    net = resolve_effective_network(_user({"api.example.com": "allow"}), req)  # type: ignore[arg-type]
    assert net.allowed_domains() is None and net.constraints.allowed_domains == ()


def test_merge_scalars_ports_and_unix_sockets() -> None:
    req = NetworkRequirements.model_validate(
        {
            "enabled": True,
            "http_port": 43128,
            "socks_port": 48081,
            "allow_upstream_proxy": False,
            "allow_local_binding": False,
            "unix_sockets": {"/tmp/proxy.sock": "allow"},
        }
    )
    user = _user({}, unix_sockets={"/var/run/docker.sock": "allow"}, allow_upstream_proxy=True)
    net = resolve_effective_network(user, req)  # type: ignore[arg-type]
    assert net.proxy_url == "http://127.0.0.1:43128" and net.socks_url == "http://127.0.0.1:48081"
    assert net.allow_upstream_proxy is False
    assert net.allow_unix_sockets() == ["/tmp/proxy.sock"]


def test_merge_deny_expansion_keeps_user_denies(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        """
        default_permissions = "dev"
        [features]
        network_proxy = true
        [permissions.dev.filesystem]
        ":workspace_roots" = "write"
        [permissions.dev.network.domains]
        "user-blocked.com" = "deny"
        "Blocked.example.com" = "allow"
        """,
        '[experimental_network.domains]\n"blocked.example.com" = "deny"\n',
    )
    net = network_proxy_for_config(cfg)
    assert net is not None
    assert net.denied_domains() == ["blocked.example.com", "user-blocked.com"]
    # the user's allow for the managed-denied host stays listed but deny wins in the map
    assert net.domains()["blocked.example.com"] == "deny"


def test_overlay_upsert_by_normalised_host() -> None:
    net = EffectiveNetwork.from_maps({"Example.com": "allow", "b.com": "deny"})
    out = net.with_domains(allow=["b.com"], deny=["example.com."])
    assert out.allowed_domains() == ["b.com"]
    assert out.denied_domains() == ["example.com."]


# -- constraint validation (4.5) -----------------------------------------------------------------


def test_constraint_messages() -> None:
    req = NetworkRequirements.model_validate({"dangerously_allow_non_loopback_proxy": False, "unix_sockets": {}})
    user = _user({}, dangerously_allow_all_unix_sockets=True)
    with pytest.raises(ConfigError) as exc:
        resolve_effective_network(user, req)  # type: ignore[arg-type]
    assert str(exc.value) == (
        "network proxy constraints are invalid: invalid value for network.dangerously_allow_all_unix_sockets: "
        "true (allowed allowed only when no managed unix-socket list exists)"
    )
    req = NetworkRequirements.model_validate({"enabled": False})
    net = resolve_effective_network(None, req)
    assert net.enabled is False
    with pytest.raises(
        NetworkConstraintError,
        match=r"network.enabled: true \(allowed false \(disabled by managed config\)\)",
    ):
        net.with_domains().__class__(enabled=True, constraints=net.constraints).validate()


def test_constraint_subset_and_equality_rules() -> None:
    from codex_core.network import NetworkConstraints, validate_against_constraints

    base = {
        "enabled": True,
        "mode": "full",
        "allow_upstream_proxy": False,
        "dangerously_allow_non_loopback_proxy": False,
        "dangerously_allow_all_unix_sockets": False,
        "allow_local_binding": False,
        "denied_domains": [],
        "allow_unix_sockets": [],
    }
    legacy = NetworkConstraints(allowed_domains=("**.example.com",))
    validate_against_constraints(legacy, allowed_domains=["a.example.com", "*.b.example.com", "example.com"], **base)  # type: ignore[arg-type]
    with pytest.raises(NetworkConstraintError, match="subset of managed allowed_domains"):
        validate_against_constraints(legacy, allowed_domains=["evil.com"], **base)  # type: ignore[arg-type]
    pinned = NetworkConstraints(allowed_domains=("a.com",), allowlist_expansion_enabled=False)
    with pytest.raises(NetworkConstraintError, match="must match managed allowed_domains"):
        validate_against_constraints(pinned, allowed_domains=["a.com", "b.com"], **base)  # type: ignore[arg-type]
    glob = NetworkConstraints(denied_domains=("*",))
    with pytest.raises(NetworkConstraintError, match="exact hosts or scoped wildcards"):
        validate_against_constraints(glob, allowed_domains=[], **base)  # type: ignore[arg-type]
    mode = NetworkConstraints(mode="limited")
    with pytest.raises(NetworkConstraintError, match=r"network.mode: full \(allowed limited or more restrictive\)"):
        validate_against_constraints(mode, allowed_domains=[], **base)  # type: ignore[arg-type]
    socks = NetworkConstraints(allow_unix_sockets=("/A.sock",))
    with pytest.raises(NetworkConstraintError, match="subset of managed allow_unix_sockets"):
        validate_against_constraints(socks, allowed_domains=[], **{**base, "allow_unix_sockets": ["/b.sock"]})  # type: ignore[arg-type]


def test_vector10_exec_policy_overlay_discarded_in_managed_only_mode(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        'sandbox_mode = "workspace-write"\n',
        """
        [experimental_network]
        enabled = true
        managed_allowed_domains_only = true
        [experimental_network.domains]
        "managed.example.com" = "allow"
        """,
    )
    net = network_proxy_for_config(cfg, exec_policy_domains=(["example.com"], []))
    assert net is not None
    assert net.allowed_domains() == ["managed.example.com"]
    assert net.warnings and net.warnings[0].startswith(
        "failed to apply execpolicy network rules to managed proxy; continuing with configured network policy: "
    )
    # without managed-only the overlay applies; exec-policy deny beats exec-policy allow
    other = tmp_path / "no-requirements"
    other.mkdir()
    cfg = _load(other, 'sandbox_mode = "workspace-write"\n[features]\nnetwork_proxy = true\n')
    net = network_proxy_for_config(cfg, exec_policy_domains=(["a.com", "b.com"], ["b.com"]))
    assert net is not None and net.allowed_domains() == ["a.com"] and net.denied_domains() == ["b.com"]
    assert {r.pattern: r.source for r in net.rules()}["a.com"] == "execpolicy"
