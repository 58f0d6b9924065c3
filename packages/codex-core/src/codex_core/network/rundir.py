"""Where the proxy's unix socket lives: a private runtime directory sandboxed commands cannot write.

The socket must not sit under a writable root of sandboxed commands (``/tmp``, ``$TMPDIR``,
the workspace): a command could delete it and plant a symlink to another host socket, which
the sandbox's in-namespace forwarder would then connect to. The base directory is the first
usable of

1. ``$XDG_RUNTIME_DIR/codex`` (per-user, on tmpfs, not a writable root of sandboxed commands),
2. ``/run/codex`` when ``/run`` is writable by us (root),
3. ``$CODEX_HOME/run`` (default ``~/.codex/run``; ``.codex`` is a read-only carve-out inside
   writable roots).

A base is used only if it is a real directory (not a symlink) owned by us and not group- or
other-writable; it is created with mode 0700. Each proxy gets its own 0700 subdirectory
``proxy-<pid>-<random>``; those whose pid no longer exists (a crashed run) are removed when the
next proxy starts, as are the ``codex-net-*`` directories older releases left in the temp dir.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from codex_core.errors import SandboxError

__all__ = [
    "SOCKET_NAME",
    "check_private_dir",
    "create_proxy_dir",
    "proxy_runtime_base",
    "remove_stale_proxy_dirs",
    "runtime_base_candidates",
]

log = logging.getLogger("codex_core.network")

_PROXY_DIR = re.compile(r"^proxy-(\d+)-[A-Za-z0-9_]+$")
_LEGACY_DIR = re.compile(r"^codex-net-[A-Za-z0-9_]+$")
_LEGACY_SOCK = re.compile(r"^proxy-(\d+)-\d+\.sock$")
_MAX_BASE_LEN = 72
"""Longest base path that still fits ``/proxy-<pid>-<8 random>/proxy.sock`` in ``sun_path`` (108)."""
SOCKET_NAME = "proxy.sock"
"""The socket's file name inside its per-proxy directory."""
_LEGACY_EMPTY_GRACE = 60.0
"""An empty legacy ``codex-net-*`` dir younger than this may belong to a proxy still starting."""


def runtime_base_candidates(env: Mapping[str, str] | None = None) -> list[Path]:
    """The candidate base directories, best first (see the module docstring)."""
    env = os.environ if env is None else env
    out: list[Path] = []
    xdg = env.get("XDG_RUNTIME_DIR", "")
    if xdg.startswith("/"):
        out.append(Path(xdg) / "codex")
    if os.access("/run", os.W_OK):
        out.append(Path("/run/codex"))
    home = env.get("CODEX_HOME", "")
    out.append((Path(home).expanduser() if home else Path.home() / ".codex") / "run")
    return out


def check_private_dir(path: Path) -> str | None:
    """Why ``path`` is unfit for the proxy socket (None when it is fine).

    Fit = an existing directory, not a symlink, owned by the effective uid, and not group- or
    other-writable.
    """
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"cannot stat {path}: {exc.strerror}"
    if stat.S_ISLNK(st.st_mode):
        return f"{path} is a symlink"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path} is not a directory"
    if st.st_uid != os.geteuid():
        return f"{path} is owned by uid {st.st_uid}, not by us (uid {os.geteuid()})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{path} is group- or other-writable (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def _ensure_private_dir(path: Path) -> str | None:
    if len(os.fsencode(path)) > _MAX_BASE_LEN:
        return f"{path} is too long for a unix socket path (at most {_MAX_BASE_LEN} bytes)"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        return f"cannot create {path}: {exc.strerror}"
    return check_private_dir(path)


def proxy_runtime_base(env: Mapping[str, str] | None = None) -> Path:
    """The first fit base directory (created 0700 if missing). Raises ``SandboxError`` if none is."""
    problems: list[str] = []
    for candidate in runtime_base_candidates(env):
        problem = _ensure_private_dir(candidate)
        if problem is None:
            return candidate
        log.warning("network proxy: not using %s for its socket: %s", candidate, problem)
        problems.append(problem)
    raise SandboxError("no private directory for the network proxy's unix socket: " + "; ".join(problems))


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _owned_dir(path: Path) -> os.stat_result | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        return None
    return st


def _legacy_dir_is_stale(path: Path, st: os.stat_result) -> bool:
    try:
        names = os.listdir(path)
    except OSError:
        return False
    pids = [int(m.group(1)) for m in map(_LEGACY_SOCK.match, names) if m]
    if len(pids) != len(names):  # something we did not create: leave it alone
        return False
    if not pids:
        return time.time() - st.st_mtime > _LEGACY_EMPTY_GRACE
    return not any(_pid_alive(pid) for pid in pids)


def remove_stale_proxy_dirs(base: Path, *, legacy_tmp: Path | None = None) -> list[Path]:
    """Remove per-proxy dirs under ``base`` (and legacy ``codex-net-*`` dirs under ``legacy_tmp``)
    whose owning process is gone. Only directories owned by us are touched. Returns what was removed.
    """
    removed: list[Path] = []
    with contextlib.suppress(OSError):
        for name in os.listdir(base):
            m = _PROXY_DIR.match(name)
            path = base / name
            if m and not _pid_alive(int(m.group(1))) and _owned_dir(path) is not None:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    if legacy_tmp is not None:
        with contextlib.suppress(OSError):
            for name in os.listdir(legacy_tmp):
                path = legacy_tmp / name
                if not _LEGACY_DIR.match(name):
                    continue
                st = _owned_dir(path)
                if st is not None and _legacy_dir_is_stale(path, st):
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
    for path in removed:
        log.debug("network proxy: removed stale socket directory %s", path)
    return removed


def create_proxy_dir(env: Mapping[str, str] | None = None) -> Path:
    """A fresh 0700 ``proxy-<pid>-<random>`` directory under :func:`proxy_runtime_base`.

    Stale per-proxy directories (and legacy ``codex-net-*`` ones in the temp dir) are removed
    first. Raises ``SandboxError`` when no private base directory is usable.
    """
    base = proxy_runtime_base(env)
    remove_stale_proxy_dirs(base, legacy_tmp=Path(tempfile.gettempdir()))
    return Path(tempfile.mkdtemp(prefix=f"proxy-{os.getpid()}-", dir=base))
