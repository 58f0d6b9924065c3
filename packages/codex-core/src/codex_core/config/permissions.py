"""``[permissions.<name>]`` profile models (filesystem + network), as written in config.toml.

The network table uses the canonical maps only (spec 4.2)::

    [permissions.dev.network.domains]
    "api.openai.com" = "allow"
    "tracking.example.com" = "deny"

    [permissions.dev.network.unix_sockets]
    "/var/run/docker.sock" = "allow"

The legacy lists (``allowed_domains``, ``denied_domains``, ``allow_unix_sockets``) are rejected
here with serde's wording plus the canonical spelling of the same entries.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "NETWORK_KEYS",
    "DomainPermission",
    "FilesystemAccess",
    "NetworkPermissionsToml",
    "PermissionProfileToml",
    "UnixSocketPermission",
]

DomainPermission = Literal["allow", "deny", "none"]
"""``none`` ("no rule") is accepted on input and never emitted."""
UnixSocketPermission = Literal["allow", "none"]
FilesystemAccess = Literal["read", "write", "none"]

NETWORK_KEYS: tuple[str, ...] = (
    "enabled",
    "proxy_url",
    "enable_socks5",
    "socks_url",
    "enable_socks5_udp",
    "allow_upstream_proxy",
    "dangerously_allow_non_loopback_proxy",
    "dangerously_allow_all_unix_sockets",
    "mode",
    "domains",
    "unix_sockets",
    "allow_local_binding",
)
"""The keys of ``[permissions.<p>.network]``, in serde's declaration order (used in errors)."""

_LEGACY_KEYS = {"allowed_domains": "allow", "denied_domains": "deny", "allow_unix_sockets": "allow"}


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _canonical_hint(key: str, value: Any) -> str:
    """The canonical-map spelling of a legacy list, e.g. ``domains = { "a.com" = "allow" }``."""
    items = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    table = "unix_sockets" if key == "allow_unix_sockets" else "domains"
    perm = _LEGACY_KEYS[key]
    example = items or (["/var/run/docker.sock"] if table == "unix_sockets" else ["example.com"])
    body = ", ".join(f"{_toml_str(v)} = {_toml_str(perm)}" for v in example)
    return (
        f"; legacy `{key}` lists are not accepted in permission profiles, use the canonical map "
        f"instead: `{table} = {{ {body} }}` (i.e. a `[permissions.<profile>.network.{table}]` table)"
    )


class NetworkPermissionsToml(BaseModel):
    """``[permissions.<p>.network]``; unknown keys (including the legacy lists) are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    enabled: bool | None = None
    proxy_url: str | None = None
    enable_socks5: bool | None = None
    socks_url: str | None = None
    enable_socks5_udp: bool | None = None
    allow_upstream_proxy: bool | None = None
    dangerously_allow_non_loopback_proxy: bool | None = None
    dangerously_allow_all_unix_sockets: bool | None = None
    mode: Literal["limited", "full"] | None = None
    domains: dict[str, DomainPermission] | None = None
    unix_sockets: dict[str, UnixSocketPermission] | None = None
    allow_local_binding: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _unknown_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key not in NETWORK_KEYS:
                    expected = ", ".join(f"`{k}`" for k in NETWORK_KEYS)
                    msg = f"unknown field `{key}`, expected one of {expected}"
                    if key in _LEGACY_KEYS:
                        msg += _canonical_hint(key, data[key])
                    raise ValueError(msg)
        return data

    @model_validator(mode="after")
    def _check_entries(self) -> NetworkPermissionsToml:
        from codex_core.network.rules import check_domain_map, check_unix_socket_map

        if self.domains is not None:
            check_domain_map(self.domains, managed=False, loc=("domains",))
        if self.unix_sockets is not None:
            check_unix_socket_map(self.unix_sockets)
        return self


class PermissionProfileToml(BaseModel):
    """``[permissions.<name>]``: a filesystem table and a network table."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    filesystem: dict[str, FilesystemAccess | dict[str, FilesystemAccess]] = Field(default_factory=dict)
    network: NetworkPermissionsToml | None = None
