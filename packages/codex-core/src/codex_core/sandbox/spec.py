"""``LinuxSandboxSpec``: the concrete, JSON-serialisable instructions the Linux helper applies.

A ``SandboxPolicy`` (what the user asked for) is compiled into this (absolute paths, resolved
carve-outs, one network mode) in the parent; the helper and the fork-server only ever see the
spec. Deliberately a plain slotted class using only ``json``: it sits on the per-command hot
path, where importing attrs/dataclasses/typing would cost more than the sandbox itself.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    NetworkModeName = Literal["none", "full", "proxy"]

__all__ = ["LinuxSandboxSpec"]

_TUPLE_FIELDS = ("writable_roots", "read_only_paths", "protect_missing", "masked_paths")
_FIELDS = (
    "readable_roots",
    *_TUPLE_FIELDS,
    "network",
    "proxy_uds",
    "proxy_socks_uds",
    "proxy_http_port",
    "proxy_socks_port",
    "proxy_peer_pid",
    "proxy_peer_uid",
    "log_denials",
)


class LinuxSandboxSpec:
    """Everything needed to confine one command. Paths are absolute and symlink-resolved.

    - ``readable_roots``: ``None`` = the whole filesystem is readable, else only these (plus
      runtime paths such as ``/usr``, ``/etc``, ``/dev``, ``/proc``).
    - ``writable_roots``: read-write trees.
    - ``read_only_paths``: existing carve-outs inside writable roots (``.git``, ``.codex``,
      ``.agents``, a resolved gitdir).
    - ``protect_missing``: carve-outs that do not exist yet; the helper creates an empty
      placeholder directory and mounts it read-only so nothing can be created there.
    - ``masked_paths``: access ``none`` (hidden behind an empty read-only mount).
    - ``network``: ``none`` | ``full`` | ``proxy`` (``proxy_*`` give the forwarder's ports and
      the host proxy's unix socket paths; ``proxy_peer_pid``/``proxy_peer_uid``: the credentials
      the forwarder requires (``SO_PEERCRED``) from whatever listens on those sockets).
    - ``log_denials``: ask the kernel to audit-log Landlock denials after ``exec``.
    """

    __slots__ = _FIELDS

    readable_roots: tuple[str, ...] | None
    writable_roots: tuple[str, ...]
    read_only_paths: tuple[str, ...]
    protect_missing: tuple[str, ...]
    masked_paths: tuple[str, ...]
    network: NetworkModeName
    proxy_uds: str | None
    proxy_socks_uds: str | None
    proxy_http_port: int | None
    proxy_socks_port: int | None
    proxy_peer_pid: int | None
    proxy_peer_uid: int | None
    log_denials: bool

    def __init__(
        self,
        *,
        readable_roots: tuple[str, ...] | None = None,
        writable_roots: tuple[str, ...] = (),
        read_only_paths: tuple[str, ...] = (),
        protect_missing: tuple[str, ...] = (),
        masked_paths: tuple[str, ...] = (),
        network: NetworkModeName = "none",
        proxy_uds: str | None = None,
        proxy_socks_uds: str | None = None,
        proxy_http_port: int | None = None,
        proxy_socks_port: int | None = None,
        proxy_peer_pid: int | None = None,
        proxy_peer_uid: int | None = None,
        log_denials: bool = False,
    ) -> None:
        if network not in ("none", "full", "proxy"):
            raise ValueError(f"network must be none, full or proxy, not {network!r}")
        if network == "proxy" and (not proxy_uds or proxy_http_port is None):
            raise ValueError("network=proxy needs proxy_uds and proxy_http_port")
        self.readable_roots = None if readable_roots is None else tuple(readable_roots)
        self.writable_roots = tuple(writable_roots)
        self.read_only_paths = tuple(read_only_paths)
        self.protect_missing = tuple(protect_missing)
        self.masked_paths = tuple(masked_paths)
        self.network = network
        self.proxy_uds = proxy_uds
        self.proxy_socks_uds = proxy_socks_uds
        self.proxy_http_port = proxy_http_port
        self.proxy_socks_port = proxy_socks_port
        self.proxy_peer_pid = proxy_peer_pid
        self.proxy_peer_uid = proxy_peer_uid
        self.log_denials = log_denials

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, name):
            raise AttributeError(f"LinuxSandboxSpec is immutable ({name})")
        object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LinuxSandboxSpec):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.to_json())

    def __repr__(self) -> str:
        return f"LinuxSandboxSpec({self.to_json()})"

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinuxSandboxSpec:
        unknown = sorted(set(data) - set(_FIELDS))
        if unknown:
            raise ValueError(f"unknown sandbox spec field(s): {', '.join(unknown)}")
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> LinuxSandboxSpec:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("sandbox spec must be a JSON object")
        return cls.from_dict(data)

    @property
    def needs_netns(self) -> bool:
        return self.network != "full"
