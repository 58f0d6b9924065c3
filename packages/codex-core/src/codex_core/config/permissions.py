"""``[permissions.<name>]`` profile models (filesystem + network), as written in config.toml.

The network table uses the canonical maps only (spec 4.2)::

    [permissions.dev.network.domains]
    "api.openai.com" = "allow"
    "tracking.example.com" = "deny"

    [permissions.dev.network.unix_sockets]
    "/var/run/docker.sock" = "allow"

The legacy lists (``allowed_domains``, ``denied_domains``, ``allow_unix_sockets``) are rejected
here with serde's wording plus the canonical spelling of the same entries.

A profile may start from another one (``extends = "<profile>"`` or the built-ins ``":read-only"``
and ``":workspace"``) and add or replace filesystem entries; ``"deny"`` (0.169's spelling, with
the older ``"none"`` as an alias) masks a path. Resolution is in :mod:`codex_core.sandbox.profiles`.

Unlike the rest of config.toml, an unknown key in a permission profile is an error, not a
warning (spec 2.7): a misspelt rule must never silently leave the sandbox wider than intended.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "NETWORK_KEYS",
    "DomainPermission",
    "FilesystemAccess",
    "NetworkPermissionsToml",
    "PermissionProfileToml",
    "UnixSocketPermission",
    "resolve_profile_inheritance",
]

DomainPermission = Literal["allow", "deny", "none"]
"""``none`` ("no rule") is accepted on input and never emitted."""
UnixSocketPermission = Literal["allow", "deny", "none"]
"""Only ``allow`` entries open a socket; ``deny``/``none`` are accepted and mean "no rule"."""
FilesystemAccess = Literal["read", "write", "deny", "none"]
"""``deny`` masks the path (nothing can be read or written); ``none`` is its older spelling."""

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
    "mitm",
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
    mitm: dict[str, Any] | None = None
    """0.169's request-rewriting hooks of the proxy: accepted, not applied by codex-py (docs/network.md)."""

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
    """``[permissions.<name>]``: a filesystem table and a network table, optionally on top of
    the profile named by ``extends``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    codex_strict_table: ClassVar[bool] = True
    """Unknown keys are errors here (see the module docstring)."""

    extends: str | None = None
    """The profile this one starts from: a ``[permissions.<name>]`` table, ``:read-only`` or
    ``:workspace``. Its filesystem entries come first; entries here replace the same key."""
    description: str | None = None
    filesystem: dict[str, FilesystemAccess | dict[str, FilesystemAccess]] = Field(default_factory=dict)
    glob_scan_max_depth: int | None = Field(default=None, ge=1)
    """Written as ``filesystem.glob_scan_max_depth``; accepted (codex-py does not expand globs)."""
    network: NetworkPermissionsToml | None = None
    workspace_roots: dict[str, Any] | None = None
    """Accepted; the workspace roots are the working directory and ``--add-dir`` roots."""

    @model_validator(mode="before")
    @classmethod
    def _filesystem_settings(cls, data: Any) -> Any:
        fs = data.get("filesystem") if isinstance(data, dict) else None
        if isinstance(fs, dict) and "glob_scan_max_depth" in fs:
            rest = {k: v for k, v in fs.items() if k != "glob_scan_max_depth"}
            return {**data, "filesystem": rest, "glob_scan_max_depth": fs["glob_scan_max_depth"]}
        return data


_BUILTIN_BASES: dict[str, dict[str, FilesystemAccess]] = {
    ":read-only": {":root": "read"},
    ":workspace": {":root": "read", ":workspace_roots": "write", ":tmpdir": "write", ":slash_tmp": "write"},
}
"""What ``extends = ":read-only"`` / ``":workspace"`` start from: the built-in profiles as
filesystem entries (network off). ``:danger-full-access`` cannot be extended (Codex 0.169)."""


def _merge_network(
    base: NetworkPermissionsToml | None, top: NetworkPermissionsToml | None
) -> NetworkPermissionsToml | None:
    """``top``'s keys over ``base``'s; the domain and unix-socket maps merge entry by entry."""
    if base is None or top is None:
        return top or base
    merged = {**base.model_dump(exclude_none=True), **top.model_dump(exclude_none=True)}
    for key in ("domains", "unix_sockets", "mitm"):
        if getattr(base, key) is not None and getattr(top, key) is not None:
            merged[key] = {**getattr(base, key), **getattr(top, key)}
    return NetworkPermissionsToml.model_validate(merged)


def resolve_profile_inheritance(profiles: Mapping[str, PermissionProfileToml]) -> dict[str, PermissionProfileToml]:
    """Every profile with its ``extends`` chain applied: the base's filesystem entries first,
    the profile's own replacing the same key; network tables merged key by key.

    Errors name the profile, as Codex 0.169's do: an undefined base, a cycle, or a built-in
    that cannot be extended.
    """
    from codex_core.errors import ConfigError

    done: dict[str, PermissionProfileToml] = {}

    def flatten(name: str, chain: tuple[str, ...]) -> PermissionProfileToml:
        if name in done:
            return done[name]
        if name in chain:
            raise ConfigError(
                f"permissions profile inheritance cycle detected: {' -> '.join((*chain, name))}",
                key=f"permissions.{chain[-1]}.extends",
            )
        profile = profiles[name]
        base_name = profile.extends
        key = f"permissions.{name}.extends"
        if base_name is None:
            flat = profile
        else:
            base_fs: Mapping[str, FilesystemAccess | dict[str, FilesystemAccess]]
            base_net: NetworkPermissionsToml | None = None
            if base_name.startswith(":"):
                if base_name not in _BUILTIN_BASES:
                    raise ConfigError(
                        f"permissions profile `{name}` cannot extend unsupported built-in profile `{base_name}`",
                        key=key,
                    )
                base_fs = _BUILTIN_BASES[base_name]
            elif base_name not in profiles:
                raise ConfigError(f"permissions profile `{name}` extends undefined profile `{base_name}`", key=key)
            else:
                base = flatten(base_name, (*chain, name))
                base_fs, base_net = base.filesystem, base.network
            flat = profile.model_copy(
                update={
                    "filesystem": {**base_fs, **profile.filesystem},
                    "network": _merge_network(base_net, profile.network),
                }
            )
        done[name] = flat
        return flat

    return {name: flatten(name, ()) for name in profiles}
