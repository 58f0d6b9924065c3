"""``[permissions.<name>]`` profile models (filesystem + network), as written in config.toml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DomainPermission",
    "FilesystemAccess",
    "NetworkPermissionsToml",
    "PermissionProfileToml",
    "UnixSocketPermission",
]

DomainPermission = Literal["allow", "deny", "none"]
UnixSocketPermission = Literal["allow", "none"]
FilesystemAccess = Literal["read", "write", "none"]


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


class PermissionProfileToml(BaseModel):
    """``[permissions.<name>]``: a filesystem table and a network table."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    filesystem: dict[str, FilesystemAccess | dict[str, FilesystemAccess]] = Field(default_factory=dict)
    network: NetworkPermissionsToml | None = None
