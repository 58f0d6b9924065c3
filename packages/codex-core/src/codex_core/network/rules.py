"""Canonical rule maps and managed ``[experimental_network]`` requirements (spec 4.2, 4.3, 4.11).

The canonical shape is two keyed maps: ``domains`` (host pattern -> ``allow``/``deny``) and
``unix_sockets`` (absolute path -> ``allow``/``none``). The legacy list views
(``allowed_domains``, ``denied_domains``, ``allow_unix_sockets``) are projections of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from codex_core.errors import ConfigError
from codex_core.network.patterns import (
    GLOBAL_WILDCARD_ERROR,
    DomainPatternError,
    check_pattern_syntax,
    is_global_wildcard,
    normalize_pattern,
)

__all__ = [
    "DomainPermission",
    "NetworkRequirements",
    "UnixSocketPermission",
    "allowed_projection",
    "check_domain_map",
    "check_unix_socket_map",
    "denied_projection",
    "domain_pattern_problem",
    "effective_domain_permissions",
    "parse_network_requirements",
    "upsert_domains",
]

DomainPermission = Literal["allow", "deny", "none"]
"""``none`` is accepted on input (meaning "no rule") and never emitted."""
UnixSocketPermission = Literal["allow", "none"]

_RANK: dict[str, int] = {"none": 0, "allow": 1, "deny": 2}
_PYDANTIC_TAG = re.compile(r"\[key\]|[a-z][a-z-]*\[.*\]")
"""Location parts pydantic adds (``[key]``, ``literal[...]``, ``function-after[...]``); a domain
key such as ``[::1]`` is kept."""


def effective_domain_permissions(entries: Iterable[tuple[str, str]]) -> dict[str, DomainPermission]:
    """Collapse duplicate pattern strings: the max under ``none < allow < deny`` wins, first-seen order."""
    out: dict[str, DomainPermission] = {}
    for pattern, perm in entries:
        prev = out.get(pattern)
        if prev is None or _RANK[perm] > _RANK[prev]:
            out[pattern] = perm  # type: ignore[assignment]
    return out


def allowed_projection(entries: Iterable[tuple[str, str]]) -> list[str] | None:
    """Patterns whose effective permission is ``allow`` (None if there are none)."""
    out = [p for p, perm in effective_domain_permissions(entries).items() if perm == "allow"]
    return out or None


def denied_projection(entries: Iterable[tuple[str, str]]) -> list[str] | None:
    """Patterns whose effective permission is ``deny`` (None if there are none)."""
    out = [p for p, perm in effective_domain_permissions(entries).items() if perm == "deny"]
    return out or None


def upsert_domains(base: list[tuple[str, str]], incoming: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Overlay ``incoming`` onto ``base``: same normalised host replaces, newest appended last."""
    out = list(base)
    for pattern, perm in incoming:
        key = normalize_pattern(pattern)
        out = [(p, v) for p, v in out if normalize_pattern(p) != key]
        out.append((pattern, perm))
    return out


def domain_pattern_problem(pattern: str, perm: str, *, managed: bool) -> str | None:
    """Why ``pattern = perm`` cannot be a rule, or None.

    Malformed patterns (:func:`check_pattern_syntax`: stray brackets, ``[127.0.0.1]``, braces,
    ...), empty ones, and the global wildcard in any spelling (``*``, ``[*]``, ``**.[*]``) where it
    is not allowed: in a denylist and in managed lists.
    """
    try:
        check_pattern_syntax(pattern)
    except DomainPatternError as exc:
        return str(exc)
    if not normalize_pattern(pattern):
        return f"invalid domain pattern {pattern!r}: empty host"
    if is_global_wildcard(pattern) and (managed or perm == "deny"):
        if pattern.strip() == "*":
            return GLOBAL_WILDCARD_ERROR
        return f'{GLOBAL_WILDCARD_ERROR} ("{pattern.strip()}" matches every host)'
    return None


def check_domain_map(domains: Mapping[str, str], *, managed: bool, loc: tuple[str, ...] | None = None) -> None:
    """Reject malformed and empty patterns, and ``*`` where it is not allowed (deny, managed).

    Without ``loc`` the error is a plain ``ValueError`` carrying the message. With ``loc`` (the
    key path of the map inside the model being validated, e.g. ``("domains",)``) it is a pydantic
    ``ValidationError`` located at ``(*loc, pattern)``, so a model validator that calls this
    reports the offending entry's own key and line rather than the enclosing table.
    """
    for pattern, perm in domains.items():
        problem = domain_pattern_problem(pattern, perm, managed=managed)
        if problem is None:
            continue
        if loc is None:
            raise ValueError(problem)
        error = PydanticCustomError("domain_pattern", "{problem}", {"problem": problem})
        detail = InitErrorDetails(type=error, loc=(*loc, pattern), input=pattern)
        raise ValidationError.from_exception_data("domains", [detail])


def check_unix_socket_map(sockets: Mapping[str, str], *, key: str = "unix_sockets") -> None:
    """Every unix-socket path must be absolute."""
    for i, path in enumerate(sockets):
        if not path.startswith("/"):
            raise ValueError(f'invalid network.{key}[{i}]: expected an absolute path, got "{path}"')


class NetworkRequirements(BaseModel):
    """Managed ``[experimental_network]``, normalised: legacy lists are folded into the maps.

    Unknown keys are ignored (as Codex does for requirements).
    """

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    enabled: bool | None = None
    http_port: int | None = Field(default=None, ge=0, le=65535)
    socks_port: int | None = Field(default=None, ge=0, le=65535)
    allow_upstream_proxy: bool | None = None
    dangerously_allow_non_loopback_proxy: bool | None = None
    dangerously_allow_all_unix_sockets: bool | None = None
    domains: dict[str, DomainPermission] | None = None
    managed_allowed_domains_only: bool | None = None
    unix_sockets: dict[str, UnixSocketPermission] | None = None
    allow_local_binding: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _fold_legacy(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        allowed = data.pop("allowed_domains", None)
        denied = data.pop("denied_domains", None)
        sockets = data.pop("allow_unix_sockets", None)
        for name, value in (
            ("allowed_domains", allowed),
            ("denied_domains", denied),
            ("allow_unix_sockets", sockets),
        ):
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ValueError(f"`{name}` must be an array of strings")
        if "domains" in data and (allowed is not None or denied is not None):
            raise ValueError(
                "`experimental_network.domains` cannot be combined with legacy `allowed_domains` or `denied_domains`"
            )
        if "unix_sockets" in data and sockets is not None:
            raise ValueError("`experimental_network.unix_sockets` cannot be combined with legacy `allow_unix_sockets`")
        if allowed or denied:  # an explicit empty legacy list means "unset"
            domains: dict[str, str] = {}
            for host in allowed or []:
                domains[host] = "allow"
            for host in denied or []:
                domains[host] = "deny"
            data["domains"] = domains
        if sockets:
            data["unix_sockets"] = dict.fromkeys(sockets, "allow")
        return data

    @model_validator(mode="after")
    def _check_entries(self) -> NetworkRequirements:
        if self.domains is not None:
            check_domain_map(self.domains, managed=True, loc=("domains",))
        if self.unix_sockets is not None:
            check_unix_socket_map(self.unix_sockets)
        return self

    # -- legacy projections ---------------------------------------------------------------------

    def allowed_domains(self) -> list[str] | None:
        return allowed_projection((self.domains or {}).items())

    def denied_domains(self) -> list[str] | None:
        return denied_projection((self.domains or {}).items())

    def allow_unix_sockets(self) -> list[str] | None:
        out = [p for p, perm in (self.unix_sockets or {}).items() if perm == "allow"]
        return out or None

    def to_app_server(self) -> dict[str, Any]:
        """``NetworkRequirements`` of app-server v2 (camelCase, sorted maps, legacy views derived)."""
        out: dict[str, Any] = {
            "enabled": self.enabled,
            "httpPort": self.http_port,
            "socksPort": self.socks_port,
            "allowUpstreamProxy": self.allow_upstream_proxy,
            "dangerouslyAllowNonLoopbackProxy": self.dangerously_allow_non_loopback_proxy,
            "dangerouslyAllowAllUnixSockets": self.dangerously_allow_all_unix_sockets,
            "domains": None,
            "managedAllowedDomainsOnly": self.managed_allowed_domains_only,
            "allowedDomains": self.allowed_domains(),
            "deniedDomains": self.denied_domains(),
            "unixSockets": None,
            "allowUnixSockets": self.allow_unix_sockets(),
            "allowLocalBinding": self.allow_local_binding,
        }
        if self.domains is not None:
            eff = effective_domain_permissions(self.domains.items())
            out["domains"] = {k: eff[k] for k in sorted(eff) if eff[k] != "none"}
        if self.unix_sockets is not None:
            out["unixSockets"] = dict(sorted(self.unix_sockets.items()))
        return {k: v for k, v in out.items() if v is not None}

    @classmethod
    def from_app_server(cls, data: Mapping[str, Any]) -> NetworkRequirements:
        """Parse the camelCase form (legacy-only input such as ``allowedDomains`` is accepted)."""
        snake = {
            "httpPort": "http_port",
            "socksPort": "socks_port",
            "allowUpstreamProxy": "allow_upstream_proxy",
            "dangerouslyAllowNonLoopbackProxy": "dangerously_allow_non_loopback_proxy",
            "dangerouslyAllowAllUnixSockets": "dangerously_allow_all_unix_sockets",
            "managedAllowedDomainsOnly": "managed_allowed_domains_only",
            "allowedDomains": "allowed_domains",
            "deniedDomains": "denied_domains",
            "unixSockets": "unix_sockets",
            "allowUnixSockets": "allow_unix_sockets",
            "allowLocalBinding": "allow_local_binding",
        }
        raw = {snake.get(k, k): v for k, v in data.items() if v is not None}
        # the projections accompany the maps on the wire; when both are present the maps win
        if "domains" in raw:
            raw.pop("allowed_domains", None)
            raw.pop("denied_domains", None)
        if "unix_sockets" in raw:
            raw.pop("allow_unix_sockets", None)
        return cls.model_validate(raw)


def parse_network_requirements(raw: Mapping[str, Any] | None, *, source: str) -> NetworkRequirements | None:
    """Validate and normalise a raw ``[experimental_network]`` table; ConfigError names the source."""
    if raw is None:
        return None
    try:
        return NetworkRequirements.model_validate(dict(raw))
    except ValidationError as exc:
        from codex_core.config.toml_io import render_key_path

        err = exc.errors()[0]
        loc = render_key_path([p for p in err["loc"] if not (isinstance(p, str) and _PYDANTIC_TAG.fullmatch(p))])
        msg = str(err["msg"]).removeprefix("Value error, ")
        key = "experimental_network" + (f".{loc}" if loc else "")
        if "domains` cannot be combined" in msg:
            key = "experimental_network.domains"
        elif "unix_sockets` cannot be combined" in msg:
            key = "experimental_network.unix_sockets"
        if err["type"] == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            msg = f"invalid value {err.get('input')!r}; accepted values: {expected}"
        where = f"`{key}`: " if loc else ""
        raise ConfigError(f"{source}: {where}{msg}", path=source, key=key) from None
