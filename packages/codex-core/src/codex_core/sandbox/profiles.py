"""Permission-profile mode: ``[permissions.<name>].filesystem`` -> ``SandboxPolicy``.

Keys are absolute paths or specials, values ``read`` | ``write`` | ``deny`` (``none`` is its
older spelling), or a scoped table ``"<special or path>" = { "<relative subpath>" = access }``.
Specials: ``:root`` (``/``), ``:minimal`` (runtime paths tools need), ``:workspace_roots`` (cwd +
configured writable roots), ``:tmpdir`` (``$TMPDIR``), ``:slash_tmp`` (``/tmp``). More specific
(longer) paths override broader ones; two entries for the same path resolve as Codex 0.169 does:
``deny`` beats ``write``, which beats ``read``. ``deny`` masks. Built-in profiles: ``:read-only``,
``:workspace``, ``:danger-full-access``. A profile's ``extends`` chain is already applied by the
config loader (``codex_core.config.permissions.resolve_profile_inheritance``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from codex_core.errors import ConfigError
from codex_core.sandbox.policy import (
    NetworkMode,
    SandboxPolicy,
    _dedupe,
    _resolve,
    check_not_redirected,
    ensure_absolute,
)

if TYPE_CHECKING:
    from codex_core.config import Config

__all__ = ["MINIMAL_READ_PATHS", "policy_from_profile"]

MINIMAL_READ_PATHS = ("/bin", "/sbin", "/usr", "/lib", "/lib64", "/lib32", "/etc", "/dev", "/proc", "/sys", "/opt")
BUILTIN_PROFILES = (":read-only", ":workspace", ":danger-full-access")
_PRECEDENCE = {"read": 0, "write": 1, "deny": 2}
"""Which access wins when two entries name the same path (Codex 0.169's conflict order)."""


def _special(name: str, config: Config, env: Mapping[str, str], key: str) -> list[Path]:
    if name == ":root":
        return [Path("/")]
    if name == ":minimal":
        return [Path(p) for p in MINIMAL_READ_PATHS if os.path.exists(p)]
    if name == ":workspace_roots":
        roots = [_resolve(config.cwd), *(_resolve(r) for r in config.sandbox_workspace_write.writable_roots)]
        return list(_dedupe(roots))
    if name == ":tmpdir":
        tmpdir = env.get("TMPDIR")
        return [_resolve(tmpdir)] if tmpdir and os.path.isdir(tmpdir) else []
    if name == ":slash_tmp":
        return [_resolve("/tmp")] if os.path.isdir("/tmp") else []
    raise ConfigError(
        f"{key}: unknown filesystem special `{name}` (expected :root, :minimal, :workspace_roots, :tmpdir or "
        ":slash_tmp)",
        key=key,
    )


def _configured(raw: str, config: Config, env: Mapping[str, str], key: str) -> list[Path]:
    """The paths of an entry as written (before symlinks are resolved)."""
    if raw == ":workspace_roots":
        return [Path(config.cwd), *(Path(r) for r in config.sandbox_workspace_write.writable_roots)]
    if raw == ":tmpdir":
        tmpdir = env.get("TMPDIR")
        return [Path(tmpdir)] if tmpdir and os.path.isdir(tmpdir) else []
    if raw.startswith(":"):
        return []
    return [ensure_absolute(raw, key=key)]


def _expand(raw: str, config: Config, env: Mapping[str, str], key: str) -> list[Path]:
    if raw.startswith(":"):
        return _special(raw, config, env, key)
    return [_resolve(ensure_absolute(raw, key=key))]


def policy_from_profile(config: Config, *, env: Mapping[str, str]) -> SandboxPolicy:
    """The policy of the active profile ``config.default_permissions``."""
    name = config.default_permissions
    assert name is not None
    if name.startswith(":"):
        sww = config.sandbox_workspace_write
        if name == ":read-only":
            return SandboxPolicy.read_only()
        if name == ":danger-full-access":
            return SandboxPolicy.danger_full_access()
        if name == ":workspace":
            return SandboxPolicy.workspace_write(
                cwd=config.cwd, writable_roots=list(sww.writable_roots), network="none", env=env
            )
        raise ConfigError(
            f"default_permissions: unknown built-in profile `{name}` (expected {', '.join(BUILTIN_PROFILES)})",
            key="default_permissions",
        )
    profile = config.permissions.get(name)
    if profile is None:
        raise ConfigError(
            f"default_permissions names `{name}`, but there is no `[permissions.{name}]` table",
            key="default_permissions",
        )
    entries: list[tuple[Path, str]] = []
    configured: list[tuple[Path, str]] = []  # as written, for the symlink check below
    for raw, value in profile.filesystem.items():
        key = f"permissions.{name}.filesystem.{raw}"
        bases = _expand(raw, config, env, key)
        if isinstance(value, str):
            entries += [(b, value) for b in bases]
            configured += [(p, key) for p in _configured(raw, config, env, key)]
            continue
        for sub, sub_access in value.items():
            if os.path.isabs(sub) or ".." in Path(sub).parts:
                raise ConfigError(f"{key}.{sub}: scoped entries must be relative paths inside `{raw}`", key=key)
            entries += [(_resolve(b / sub), sub_access) for b in bases]
            configured += [(b / sub, f"{key}.{sub}") for b in bases]
    # Narrower entries override broader ones; for one path the strongest access wins.
    entries.sort(key=lambda e: len(e[0].parts))
    effective: dict[Path, str] = {}
    for path, access in entries:
        access = "deny" if access == "none" else access
        if _PRECEDENCE[access] >= _PRECEDENCE.get(effective.get(path, ""), -1):
            effective[path] = access
    writable = [p for p, a in effective.items() if a == "write"]
    readable = [p for p, a in effective.items() if a == "read"]
    masked = [p for p, a in effective.items() if a == "deny"]
    for p in masked:
        if p == Path("/proc") or Path("/proc") in p.parents:
            # each command gets a fresh /proc (its own PID namespace), mounted over any mask
            raise ConfigError(
                f'permissions.{name}.filesystem: `{p}` = "deny" is not supported: /proc is private to each '
                "sandboxed command already",
                key=f"permissions.{name}.filesystem",
            )
    read_all = effective.get(Path("/")) in ("read", "write")
    read_only_inside = [p for p in readable if any(w in p.parents for w in writable)]
    for path, key in configured:
        check_not_redirected([path], writable, what=key)
    network: NetworkMode = "none"
    if profile.network is not None and profile.network.enabled:
        network = "full"
    return SandboxPolicy(
        kind="workspace-write" if writable else "read-only",
        writable_roots=_dedupe(writable),
        network=network,
        readable_roots=None if read_all else _dedupe([*readable, *writable]),
        read_only_paths=_dedupe(read_only_inside),
        masked_paths=_dedupe(masked),
    )
