"""Managed-network constraints and their validation (spec 4.5)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

import attrs

from codex_core.network.patterns import is_global_wildcard, normalize_pattern, pattern_covers

__all__ = ["NetworkConstraintError", "NetworkConstraints", "NetworkMode", "validate_against_constraints"]

NetworkMode = Literal["limited", "full"]
_MODE_RANK = {"limited": 0, "full": 1}
_SCOPED = "exact hosts or scoped wildcards like *.example.com or **.example.com"


class NetworkConstraintError(ValueError):
    """``invalid value for network.<key>: <candidate> (allowed <allowed>)``."""

    def __init__(self, field: str, candidate: str, allowed: str) -> None:
        super().__init__(f"invalid value for network.{field}: {candidate} (allowed {allowed})")
        self.field = field
        self.candidate = candidate
        self.allowed = allowed


@attrs.frozen(kw_only=True)
class NetworkConstraints:
    """What managed requirements pin; ``None`` = unconstrained."""

    enabled: bool | None = None
    mode: NetworkMode | None = None
    allow_upstream_proxy: bool | None = None
    dangerously_allow_non_loopback_proxy: bool | None = None
    dangerously_allow_all_unix_sockets: bool | None = None
    allow_local_binding: bool | None = None
    allowed_domains: tuple[str, ...] | None = None
    allowlist_expansion_enabled: bool | None = None
    denied_domains: tuple[str, ...] | None = None
    denylist_expansion_enabled: bool | None = None
    allow_unix_sockets: tuple[str, ...] | None = None


def _render(items: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def _key(pattern: str) -> str:
    """The spelling-independent form two lists are compared in: ``[::1]`` and ``::1``,
    ``Example.COM.`` and ``example.com`` are the same entry."""
    return normalize_pattern(pattern)


def _keys(items: Sequence[str]) -> set[str]:
    return {_key(i) for i in items}


def _check_bool(field: str, candidate: bool, constraint: bool | None) -> None:
    if constraint is False and candidate:
        raise NetworkConstraintError(field, "true", "false (disabled by managed config)")


def validate_against_constraints(
    c: NetworkConstraints,
    *,
    enabled: bool,
    mode: NetworkMode,
    allow_upstream_proxy: bool,
    dangerously_allow_non_loopback_proxy: bool,
    dangerously_allow_all_unix_sockets: bool,
    allow_local_binding: bool,
    allowed_domains: Sequence[str],
    denied_domains: Sequence[str],
    allow_unix_sockets: Sequence[str],
) -> None:
    """Raise :class:`NetworkConstraintError` when the candidate settings violate ``c``."""
    _check_bool("enabled", enabled, c.enabled)
    if c.mode is not None and _MODE_RANK[mode] > _MODE_RANK[c.mode]:
        raise NetworkConstraintError("mode", mode, f"{c.mode} or more restrictive")
    _check_bool("allow_upstream_proxy", allow_upstream_proxy, c.allow_upstream_proxy)
    _check_bool(
        "dangerously_allow_non_loopback_proxy",
        dangerously_allow_non_loopback_proxy,
        c.dangerously_allow_non_loopback_proxy,
    )
    permitted = (
        c.dangerously_allow_all_unix_sockets
        if c.dangerously_allow_all_unix_sockets is not None
        else c.allow_unix_sockets is None
    )
    if dangerously_allow_all_unix_sockets and not permitted:
        allowed = (
            "false (disabled by managed config)"
            if c.dangerously_allow_all_unix_sockets is not None
            else "allowed only when no managed unix-socket list exists"
        )
        raise NetworkConstraintError("dangerously_allow_all_unix_sockets", "true", allowed)
    _check_bool("allow_local_binding", allow_local_binding, c.allow_local_binding)

    denied_keys = _keys(denied_domains)
    if c.allowed_domains is not None:
        managed = list(c.allowed_domains)
        for m in managed:
            if is_global_wildcard(m):
                raise NetworkConstraintError("allowed_domains", _render(managed), _SCOPED)
        cand = _keys(allowed_domains)
        if c.allowlist_expansion_enabled is True:
            missing = [m for m in managed if _key(m) not in cand | denied_keys]
            if missing:
                raise NetworkConstraintError(
                    "allowed_domains",
                    _render(list(allowed_domains)),
                    f"must include managed allowed_domains {_render(missing)}",
                )
        elif c.allowlist_expansion_enabled is False:
            expected = _keys(managed) - denied_keys
            if cand != expected:
                raise NetworkConstraintError(
                    "allowed_domains", _render(list(allowed_domains)), "must match managed allowed_domains"
                )
        else:
            for entry in allowed_domains:
                if not any(pattern_covers(m, entry) for m in managed):
                    raise NetworkConstraintError(
                        "allowed_domains", _render(list(allowed_domains)), "subset of managed allowed_domains"
                    )
    if c.denied_domains is not None:
        managed = list(c.denied_domains)
        for m in managed:
            if is_global_wildcard(m):
                raise NetworkConstraintError("denied_domains", _render(managed), _SCOPED)
        if c.denylist_expansion_enabled is False:
            if denied_keys != _keys(managed):
                raise NetworkConstraintError(
                    "denied_domains", _render(list(denied_domains)), "must match managed denied_domains"
                )
        else:
            missing = [m for m in managed if _key(m) not in denied_keys]
            if missing:
                raise NetworkConstraintError(
                    "denied_domains",
                    _render(list(denied_domains)),
                    f"missing managed denied_domains entries {_render(missing)}",
                )
    if c.allow_unix_sockets is not None:
        managed_paths = {p.lower() for p in c.allow_unix_sockets}
        for path in allow_unix_sockets:
            if path.lower() not in managed_paths:
                raise NetworkConstraintError(
                    "allow_unix_sockets",
                    _render(list(allow_unix_sockets)),
                    "subset of managed allow_unix_sockets",
                )
