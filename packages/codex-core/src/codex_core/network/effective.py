"""The effective network policy = user profile rules (+) managed requirements (spec 4.4, 4.10).

:func:`network_proxy_for_config` is the entry point: it returns ``None`` when the proxy is not
enabled, else an :class:`EffectiveNetwork` that :func:`codex_core.network.start_network_proxy`
enforces. Every rule remembers where it came from (:meth:`EffectiveNetwork.rules`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from codex_core.errors import ConfigError
from codex_core.network.constraints import (
    NetworkConstraintError,
    NetworkConstraints,
    NetworkMode,
    validate_against_constraints,
)
from codex_core.network.patterns import normalize_pattern
from codex_core.network.rules import (
    NetworkRequirements,
    effective_domain_permissions,
    parse_network_requirements,
)

if TYPE_CHECKING:
    from codex_core.config.permissions import NetworkPermissionsToml
    from codex_core.config.resolved import Config

__all__ = [
    "EffectiveNetwork",
    "NetworkRule",
    "SourcedPattern",
    "network_proxy_for_config",
    "resolve_effective_network",
]

_LAYER_RANK = {"default": 0, "system": 1, "user": 2, "project": 3, "session-flags": 4, "cli": 5}


@attrs.frozen
class SourcedPattern:
    """A domain pattern or unix-socket path with the place that contributed it."""

    value: str
    source: str


@attrs.frozen
class NetworkRule:
    """One effective rule, as reported by :meth:`EffectiveNetwork.rules`."""

    kind: Literal["domain", "unix_socket"]
    pattern: str
    permission: str
    source: str


def _managed_first(
    managed: Iterable[str], source: str, existing: Iterable[SourcedPattern], *, expand: bool
) -> tuple[SourcedPattern, ...]:
    """The managed patterns (from ``source``), then, when expansion is allowed, the other entries
    whose patterns the managed list does not already hold (compared case-insensitively)."""
    managed = list(managed)
    entries = [SourcedPattern(p, source) for p in managed]
    if expand:
        lower = {p.lower() for p in managed}
        entries += [e for e in existing if e.value.lower() not in lower]
    return _dedup(entries)


def _dedup(entries: Iterable[SourcedPattern]) -> tuple[SourcedPattern, ...]:
    seen: set[str] = set()
    out: list[SourcedPattern] = []
    for e in entries:
        if e.value not in seen:
            seen.add(e.value)
            out.append(e)
    return tuple(out)


@attrs.frozen(kw_only=True)
class EffectiveNetwork:
    """Settings and rules the proxy enforces (upstream ``NetworkProxySpec``)."""

    enabled: bool = True
    mode: NetworkMode = "full"
    proxy_url: str = "http://127.0.0.1:3128"
    socks_url: str = "http://127.0.0.1:8081"
    enable_socks5: bool = True
    enable_socks5_udp: bool = True
    allow_upstream_proxy: bool = True
    dangerously_allow_non_loopback_proxy: bool = False
    dangerously_allow_all_unix_sockets: bool = False
    allow_local_binding: bool = False
    allowed: tuple[SourcedPattern, ...] = ()
    denied: tuple[SourcedPattern, ...] = ()
    unix_sockets: tuple[SourcedPattern, ...] = ()
    """Allowed unix-socket paths."""
    hard_deny_misses: bool = False
    """``managed_allowed_domains_only``: allowlist misses are final (no approval prompt)."""
    constraints: NetworkConstraints = attrs.field(factory=NetworkConstraints)
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_maps(
        cls,
        domains: Mapping[str, str] | None = None,
        unix_sockets: Mapping[str, str] | None = None,
        *,
        source: str = "api",
        **settings: object,
    ) -> EffectiveNetwork:
        """Build from canonical maps (handy for SDK callers and tests); ``settings`` are field values."""
        eff = effective_domain_permissions((domains or {}).items())
        allowed = tuple(SourcedPattern(p, source) for p, v in eff.items() if v == "allow")
        denied = tuple(SourcedPattern(p, source) for p, v in eff.items() if v == "deny")
        sockets = tuple(SourcedPattern(p, source) for p, v in (unix_sockets or {}).items() if v == "allow")
        return cls(allowed=allowed, denied=denied, unix_sockets=sockets, **settings)  # type: ignore[arg-type]

    # -- projections ------------------------------------------------------------------------------

    def allowed_domains(self) -> list[str] | None:
        """Legacy view: allowlist patterns whose effective permission is ``allow`` (None if empty)."""
        out = [p for p, v in self.domains().items() if v == "allow"]
        ordered = [e.value for e in self.allowed if e.value in out]
        return list(dict.fromkeys(ordered)) or None

    def denied_domains(self) -> list[str] | None:
        """Legacy view: denylist patterns (None if empty)."""
        return list(dict.fromkeys(e.value for e in self.denied)) or None

    def allow_unix_sockets(self) -> list[str] | None:
        """Legacy view: allowed unix-socket paths (None if empty)."""
        return list(dict.fromkeys(e.value for e in self.unix_sockets)) or None

    def domains(self) -> dict[str, str]:
        """Canonical map, sorted by pattern; deny wins for a pattern present in both lists."""
        eff = effective_domain_permissions(
            [(e.value, "allow") for e in self.allowed] + [(e.value, "deny") for e in self.denied]
        )
        return dict(sorted(eff.items()))

    def unix_sockets_map(self) -> dict[str, str]:
        return {e.value: "allow" for e in sorted(self.unix_sockets, key=lambda e: e.value)}

    def rules(self) -> list[NetworkRule]:
        """Every effective rule with its source (deny entries first: they win)."""
        out = [NetworkRule("domain", e.value, "deny", e.source) for e in self.denied]
        denied = {e.value for e in self.denied}
        out += [NetworkRule("domain", e.value, "allow", e.source) for e in self.allowed if e.value not in denied]
        out += [NetworkRule("unix_socket", e.value, "allow", e.source) for e in self.unix_sockets]
        return out

    # -- validation and overlays -------------------------------------------------------------------

    def validate(self) -> None:
        """Raise :class:`NetworkConstraintError` when these settings violate the managed constraints."""
        validate_against_constraints(
            self.constraints,
            enabled=self.enabled,
            mode=self.mode,
            allow_upstream_proxy=self.allow_upstream_proxy,
            dangerously_allow_non_loopback_proxy=self.dangerously_allow_non_loopback_proxy,
            dangerously_allow_all_unix_sockets=self.dangerously_allow_all_unix_sockets,
            allow_local_binding=self.allow_local_binding,
            allowed_domains=[e.value for e in self.allowed],
            denied_domains=[e.value for e in self.denied],
            allow_unix_sockets=[e.value for e in self.unix_sockets],
        )

    def with_domains(
        self, *, allow: Sequence[str] = (), deny: Sequence[str] = (), source: str = "execpolicy"
    ) -> EffectiveNetwork:
        """Overlay hosts (exec-policy ``network_rule``s, approvals): same normalised host replaces
        entries in either list; allows are applied first, then denies. Not validated."""
        allowed, denied = list(self.allowed), list(self.denied)
        for hosts, target in ((allow, "allow"), (deny, "deny")):
            for host in hosts:
                key = normalize_pattern(host)
                allowed = [e for e in allowed if normalize_pattern(e.value) != key]
                denied = [e for e in denied if normalize_pattern(e.value) != key]
                (allowed if target == "allow" else denied).append(SourcedPattern(host, source))
        return attrs.evolve(self, allowed=tuple(allowed), denied=tuple(denied))

    def with_exec_policy_overlay(self, allow: Sequence[str], deny: Sequence[str]) -> EffectiveNetwork:
        """Apply exec-policy network rules (4.10); a result violating the constraints is discarded
        and a warning recorded instead."""
        if not allow and not deny:
            return self
        overlaid = self.with_domains(allow=allow, deny=deny, source="execpolicy")
        try:
            overlaid.validate()
        except NetworkConstraintError as exc:
            warning = (
                "failed to apply execpolicy network rules to managed proxy; continuing with configured "
                f"network policy: {exc}"
            )
            return attrs.evolve(self, warnings=(*self.warnings, warning))
        return overlaid


def _user_entries(
    user: NetworkPermissionsToml | None, source: str, origins: Mapping[str, str] | None
) -> tuple[list[SourcedPattern], list[SourcedPattern], list[SourcedPattern]]:
    if user is None:
        return [], [], []
    items = list((user.domains or {}).items())
    if origins is not None:  # replay layers oldest first so the upsert keeps the newest verdict
        items.sort(key=lambda kv: _LAYER_RANK.get(origins.get(kv[0], "").split(" ")[0], 9))
    merged: list[tuple[str, str, str]] = []
    for pattern, perm in items:
        key = normalize_pattern(pattern)
        merged = [m for m in merged if normalize_pattern(m[0]) != key]
        merged.append((pattern, perm, (origins or {}).get(pattern, source)))
    eff = effective_domain_permissions((p, v) for p, v, _ in merged)
    src = {p: s for p, _, s in merged}
    allowed = [SourcedPattern(p, src[p]) for p, v in eff.items() if v == "allow"]
    denied = [SourcedPattern(p, src[p]) for p, v in eff.items() if v == "deny"]
    sockets = [SourcedPattern(p, source) for p, v in (user.unix_sockets or {}).items() if v == "allow"]
    return allowed, denied, sockets


def resolve_effective_network(
    user: NetworkPermissionsToml | None,
    requirements: NetworkRequirements | None,
    *,
    proxy_enabled: bool = True,
    managed_sandbox_active: bool = True,
    user_source: str = "config",
    managed_source: str = "managed requirements",
    user_origins: Mapping[str, str] | None = None,
    managed_path: str | None = None,
) -> EffectiveNetwork:
    """Combine the user's network table with managed requirements (spec 4.4 steps 1-7).

    Raises ``ConfigError`` (``network proxy constraints are invalid: ...``) when the result
    violates the managed constraints.
    """
    u = user
    allowed, denied, sockets = _user_entries(u, user_source, user_origins)
    net = EffectiveNetwork(
        enabled=proxy_enabled,  # a profile's own `enabled` never starts the proxy
        mode=(u.mode if u and u.mode else "full"),
        proxy_url=(u.proxy_url if u and u.proxy_url else "http://127.0.0.1:3128"),
        socks_url=(u.socks_url if u and u.socks_url else "http://127.0.0.1:8081"),
        enable_socks5=(u.enable_socks5 if u and u.enable_socks5 is not None else True),
        enable_socks5_udp=(u.enable_socks5_udp if u and u.enable_socks5_udp is not None else True),
        allow_upstream_proxy=(u.allow_upstream_proxy if u and u.allow_upstream_proxy is not None else True),
        dangerously_allow_non_loopback_proxy=bool(u and u.dangerously_allow_non_loopback_proxy),
        dangerously_allow_all_unix_sockets=bool(u and u.dangerously_allow_all_unix_sockets),
        allow_local_binding=bool(u and u.allow_local_binding),
        allowed=_dedup(allowed),
        denied=_dedup(denied),
        unix_sockets=_dedup(sockets),
    )
    r = requirements
    if r is None:
        return net
    c: dict[str, Any] = {}
    updates: dict[str, Any] = {}
    if r.enabled is not None:
        updates["enabled"] = c["enabled"] = r.enabled
    if r.http_port is not None:
        updates["proxy_url"] = f"http://127.0.0.1:{r.http_port}"
    if r.socks_port is not None:
        updates["socks_url"] = f"http://127.0.0.1:{r.socks_port}"
    for key in (
        "allow_upstream_proxy",
        "dangerously_allow_non_loopback_proxy",
        "dangerously_allow_all_unix_sockets",
        "allow_local_binding",
    ):
        value = getattr(r, key)
        if value is not None:
            updates[key] = c[key] = value
    hard_deny_misses = r.managed_allowed_domains_only is True
    allow_expansion = managed_sandbox_active and not hard_deny_misses
    deny_expansion = managed_sandbox_active
    managed_allow = r.allowed_domains()
    if managed_allow is None and hard_deny_misses:
        managed_allow = []
    if managed_allow is not None:
        updates["allowed"] = _managed_first(managed_allow, managed_source, net.allowed, expand=allow_expansion)
        c["allowed_domains"] = tuple(managed_allow)
        c["allowlist_expansion_enabled"] = allow_expansion
    managed_deny = r.denied_domains()
    if managed_deny is not None:
        updates["denied"] = _managed_first(managed_deny, managed_source, net.denied, expand=deny_expansion)
        c["denied_domains"] = tuple(managed_deny)
        c["denylist_expansion_enabled"] = deny_expansion
    if r.unix_sockets is not None:
        paths = r.allow_unix_sockets() or []
        updates["unix_sockets"] = tuple(SourcedPattern(p, managed_source) for p in paths)
        c["allow_unix_sockets"] = tuple(paths)
    net = attrs.evolve(
        net,
        **updates,
        hard_deny_misses=hard_deny_misses,
        constraints=NetworkConstraints(**c),
    )
    try:
        net.validate()
    except NetworkConstraintError as exc:
        raise ConfigError(
            f"network proxy constraints are invalid: {exc}",
            path=managed_path or managed_source,
            key=f"network.{exc.field}",
        ) from None
    return net


def network_proxy_for_config(
    config: Config, *, exec_policy_domains: tuple[Sequence[str], Sequence[str]] | None = None
) -> EffectiveNetwork | None:
    """The network policy the proxy must enforce for ``config``, or None when no proxy runs.

    The proxy runs when ``features.network_proxy = true`` or managed
    ``[experimental_network] enabled = true`` (a managed ``enabled = false`` wins). The rules come
    from the active ``[permissions.<default_permissions>.network]`` table and the managed
    requirements; ``exec_policy_domains`` = ``ExecPolicy.compiled_network_domains()``.
    """
    source = config.requirements.source
    req = parse_network_requirements(config.requirements.experimental_network, source=source)
    enabled = config.feature("network_proxy")
    if req is not None and req.enabled is not None:
        enabled = req.enabled
    if not enabled:
        return None
    user: NetworkPermissionsToml | None = None
    user_source = "config"
    origins: dict[str, str] | None = None
    profile_name = config.default_permissions
    if profile_name is not None:
        profile = config.permissions.get(profile_name)
        user = profile.network if profile is not None else None
        user_source = f"permissions.{profile_name}.network"
        if user is not None:
            origins = {}
            for pattern in user.domains or {}:
                origin = config.origins.get(f"permissions.{profile_name}.network.domains.{pattern}")
                origins[pattern] = f"{origin} [{user_source}]" if origin else user_source
        restricted = profile_name != ":danger-full-access"
    else:
        restricted = config.sandbox_mode in ("read-only", "workspace-write")
    net = resolve_effective_network(
        user,
        req,
        proxy_enabled=True,
        managed_sandbox_active=restricted,
        user_source=user_source,
        managed_source=f"managed requirements ({source})",
        user_origins=origins,
        managed_path=source,
    )
    if not net.enabled:
        return None
    if exec_policy_domains is not None:
        net = net.with_exec_policy_overlay(list(exec_policy_domains[0]), list(exec_policy_domains[1]))
    return net
