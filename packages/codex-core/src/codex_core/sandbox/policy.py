"""``SandboxPolicy``: what a sandboxed command may read, write and reach on the network.

Build one with ``SandboxPolicy.from_config(config)`` (legacy ``sandbox_mode`` +
``[sandbox_workspace_write]``, or a ``[permissions.<name>]`` profile when ``default_permissions``
is set) or with the ``read_only`` / ``workspace_write`` / ``danger_full_access`` constructors.
``to_linux_spec()`` compiles it to the concrete instructions the Linux helper applies.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

import attrs

from codex_core.errors import ConfigError, SandboxError
from codex_core.sandbox.metadata_index import GIT_DIR_MARK, PROTECTED_NAMES, EntryId, find_protected
from codex_core.sandbox.spec import LinuxSandboxSpec

if TYPE_CHECKING:
    from codex_core.config import Config

__all__ = [
    "PROTECTED_DIR_NAMES",
    "PROTECTED_NAMES",
    "NetworkMode",
    "ProxyNetwork",
    "SandboxKind",
    "SandboxPolicy",
    "WritableRoot",
]

SandboxKind = Literal["read-only", "workspace-write", "danger-full-access"]
PROTECTED_DIR_NAMES = (".git", ".codex", ".agents")
"""Kept read-only at the top of every writable root (and in the directories between nested
roots) even when they do not exist yet: the sandbox mounts an empty read-only placeholder
directory there. Git and Codex ignore an empty ``.git``/``.codex``; Mercurial and Jujutsu would
take an empty ``.hg``/``.jj`` for a repository, so those (all ``PROTECTED_NAMES``) are only
read-only where they exist, and quarantined when a command creates them
(``sandbox.metadata_guard``)."""


@attrs.frozen(kw_only=True)
class ProxyNetwork:
    """Network only through the managed proxy.

    The command gets its own network namespace (no direct egress); a forwarder inside it
    listens on ``127.0.0.1:http_port`` (and ``socks_port``) and relays each connection to the
    proxy's unix socket on the host. Point ``HTTP(S)_PROXY`` at ``http://127.0.0.1:<http_port>``.
    """

    uds_path: Path
    """The host proxy's HTTP listener (unix socket)."""
    http_port: int
    socks_port: int | None = None
    socks_uds_path: Path | None = None
    """The proxy's SOCKS5 unix socket; defaults to ``uds_path``."""
    peer_pid: int | None = attrs.field(factory=os.getpid)
    """The pid that must be listening on the sockets (checked with ``SO_PEERCRED`` before every
    relayed connection); defaults to this process, where the managed proxy runs. ``None``: check
    only the uid (the uid of the process building the sandbox spec is always checked)."""


NetworkMode: TypeAlias = Literal["none", "full"] | ProxyNetwork


@attrs.frozen(kw_only=True)
class WritableRoot:
    """One writable tree and the paths inside it that stay read-only."""

    root: Path
    read_only_subpaths: tuple[Path, ...]
    """Existing carve-outs: every ``PROTECTED_NAMES`` entry at any depth (and a ``.git`` file's
    ``gitdir:`` target), profile ``read`` entries, Codex's own state and Python environment."""
    missing_protected: tuple[Path, ...]
    """Carve-outs that do not exist yet and must not be created."""


def _resolve(p: Path | str) -> Path:
    return Path(os.path.realpath(os.path.expanduser(str(p))))


def _redirecting_symlink(configured: Path, roots: Sequence[Path]) -> Path | None:
    """The first symlink among ``configured``'s components that sits inside one of ``roots``.

    A command can replace anything inside a writable root, so such a link could be re-pointed
    (say at ``/etc``) before the next command starts; those paths are refused.
    """
    path = Path(os.path.abspath(os.path.expanduser(str(configured))))
    current = Path(path.anchor)
    for part in path.parts[1:]:
        current = current / part
        if not current.is_symlink():
            continue
        location = _resolve(current.parent) / current.name
        if any(location != r and r in location.parents for r in roots):
            return current
    return None


def check_not_redirected(configured: Sequence[Path], roots: Sequence[Path], *, what: str) -> None:
    """Refuse (``ConfigError``) a configured path reached through a symlink inside a writable root."""
    for p in configured:
        link = _redirecting_symlink(p, roots)
        if link is not None:
            raise ConfigError(
                f"{what}: `{p}` goes through the symlink `{link}`, which lies inside a writable root "
                "(a sandboxed command could re-point it); use the real path instead",
                key=what,
            )


def _assert_still_resolved(paths: Iterable[Path]) -> None:
    """Refuse (``SandboxError``) to build a spec when a resolved path now goes through a symlink."""
    for check in paths:
        if os.path.lexists(check) and _resolve(check) != check:
            raise SandboxError(
                f"sandbox path `{check}` now resolves to `{_resolve(check)}` (a symlink was planted in it "
                "since the policy was built); refusing to run the command"
            )


def _dedupe(paths: Iterable[Path]) -> tuple[Path, ...]:
    seen: dict[Path, None] = {}
    for p in paths:
        seen.setdefault(p, None)
    return tuple(seen)


def _tmp_roots(env: Mapping[str, str], *, exclude_tmpdir_env_var: bool, exclude_slash_tmp: bool) -> list[Path]:
    roots: list[Path] = []
    if not exclude_slash_tmp and os.path.isdir("/tmp"):
        roots.append(_resolve("/tmp"))
    tmpdir = env.get("TMPDIR")
    if not exclude_tmpdir_env_var and tmpdir and os.path.isdir(tmpdir):
        roots.append(_resolve(tmpdir))
    return roots


def _protected_chain(p: Path) -> tuple[list[Path], list[Path]]:
    """Everything that must stay read-only for a protected entry ``p`` (``.git``, ``.codex``, ...).

    Returns ``(existing, missing)``: every hop of a symlink chain (so no intermediate link can be
    re-pointed), the final target, and for git: the ``gitdir:`` target of a ``.git`` file and that
    git dir's ``commondir`` (a worktree's shared ``config`` and ``hooks`` live there). Targets that
    do not exist yet are returned as ``missing`` so the sandbox creates read-only placeholders.
    """
    try:
        if stat.S_ISDIR(os.lstat(p).st_mode):
            return [p], []  # a real directory (its parent is canonical): nothing to follow
    except OSError:
        pass
    present: list[Path] = [p]
    missing: list[Path] = []
    cur = p
    for _ in range(40):  # ELOOP limit
        if not cur.is_symlink():
            break
        nxt = Path(os.readlink(cur))
        nxt = Path(os.path.normpath(nxt if nxt.is_absolute() else cur.parent / nxt))
        # canonical parent, unresolved last component: the hop itself (maybe a link) is what we pin,
        # and the helper refuses paths whose parent is not canonical
        cur = Path(os.path.realpath(nxt.parent)) / nxt.name
        (present if (cur.exists() or cur.is_symlink()) else missing).append(cur)
    final = _resolve(p)
    if final != cur and (final.exists() or final.is_symlink()):
        present.append(final)
    if p.name == ".git" and final.is_file():
        gitdir = _gitdir_target(final)
        if gitdir is not None:
            (present if gitdir.exists() else missing).append(gitdir)
            common = _git_commondir(gitdir)
            if common is not None:
                (present if common.exists() else missing).append(common)
    return present, missing


def _git_dir_carve_outs(d: Path, *, anchored: bool) -> list[Path]:
    """What stays read-only for a directory ``d`` that git takes for a git directory (a bare
    repository: ``HEAD`` + ``objects/`` + ``refs/``, or ``commondir``): all of it -- but for a
    writable root or the session cwd itself, only what names programs (``config``, ``hooks``)
    and what makes it a repository (``HEAD``, ``commondir``) -- plus the shared git dir it names."""
    ro = [d]
    if anchored:
        ro = [d / n for n in ("config", "hooks", "HEAD", "commondir") if os.path.lexists(d / n)]
    common = _git_commondir(d)
    if common is not None and common.exists():
        ro.append(common)
    return ro


def _git_commondir(gitdir: Path) -> Path | None:
    """The shared git dir of a worktree (``<gitdir>/commondir``), if any."""
    try:
        text = (gitdir / "commondir").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not text:
        return None
    target = Path(text)
    return _resolve(target if target.is_absolute() else gitdir / target)


def _gitdir_target(dot_git: Path) -> Path | None:
    """For a ``.git`` *file* (worktree/submodule), the directory its ``gitdir:`` line names."""
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("gitdir:"):
            target = Path(line.removeprefix("gitdir:").strip())
            if not target.is_absolute():
                target = dot_git.parent / target
            return _resolve(target)
    return None


def _between(root: Path, inner: Sequence[Path]) -> list[Path]:
    """Each of ``inner`` (nested writable roots, the session cwd) that lies strictly inside
    ``root``, and every directory strictly between ``root`` and it.

    With ``/tmp`` writable and the workspace at ``/tmp/a/ws``, ``/tmp/a`` is such a directory: a
    ``/tmp/a/.git`` would make the user's ``git`` in the workspace read a config (``core.fsmonitor``)
    the sandbox wrote, so it gets placeholders like the roots themselves.
    """
    out: dict[Path, None] = {}
    for w in inner:
        if root in w.parents:
            out.setdefault(w, None)
            for d in w.parents:
                if d == root:
                    break
                out.setdefault(d, None)
    return list(out)


@functools.cache
def _python_state_paths() -> tuple[Path, ...]:
    """The Python environment Codex runs from: a command that could write it (a ``.pth`` file in
    site-packages, a patched module) would run code in the next ``codex`` on the host."""
    import site
    import sysconfig

    raw: list[str] = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    try:
        raw += site.getsitepackages()
    except AttributeError:  # pragma: no cover - some embedded interpreters
        pass
    if site.ENABLE_USER_SITE:
        raw.append(site.getusersitepackages())
    for key in ("purelib", "platlib", "scripts"):
        try:
            raw.append(sysconfig.get_path(key))
        except KeyError:  # pragma: no cover
            pass
    launcher = sys.argv[0] if sys.argv else ""
    if os.path.basename(launcher).startswith("codex") and os.path.isfile(launcher):
        raw.append(os.path.dirname(os.path.abspath(launcher)))
    return _dedupe(Path(os.path.abspath(p)) for p in raw if p)


def _bytecode_cache_paths() -> list[Path]:
    """Compiled bytecode is code too: a planted ``.pyc`` runs in the next ``codex``. Its entry point
    caches it under ``$XDG_CACHE_HOME/codex-py`` when the environment disables writing it next to
    the sources; ``PYTHONPYCACHEPREFIX`` moves it anywhere. (Read from the environment each time.)"""
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    raw = [os.path.join(cache_home, "codex-py"), *([sys.pycache_prefix] if sys.pycache_prefix else [])]
    return [Path(os.path.abspath(p)) for p in raw]


def _default_codex_home() -> Path | None:
    raw = os.environ.get("CODEX_HOME")
    if raw:
        return Path(os.path.abspath(os.path.expanduser(raw)))
    try:
        return Path.home() / ".codex"
    except RuntimeError:  # no home directory
        return None


def _state_carve_outs(path: Path, real: Path, root: Path, roots: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """``(read_only, missing)`` keeping ``path`` (Codex's or Python's state) read-only in ``root``.

    Only when ``path`` lies strictly inside ``root``: a state directory that *is* a writable root
    was made writable on purpose. A writable root nested inside ``path`` (say
    ``$CODEX_HOME/memories``) stays writable: everything around it is carved out instead.
    A ``path`` that does not exist yet gets a placeholder at its first missing component.
    ``real``: ``path`` resolved.
    """
    if root not in real.parents or any(r == real for r in roots):
        return [], []
    if not os.path.lexists(real):
        cur = root
        for part in real.relative_to(root).parts:
            cur = cur / part
            if not os.path.lexists(cur):
                return [], [cur]
        return [], []
    inner = [r for r in roots if real in r.parents]
    if not inner:
        # pin the symlink chain of the configured path too, when it is one
        present, _ = _protected_chain(_resolve(path.parent) / path.name)
        return [*present, real], []
    ro: list[Path] = []
    stack = [real]
    while stack:
        d = stack.pop()
        try:
            children = [Path(e.path) for e in os.scandir(d)]
        except OSError:
            continue
        for child in children:
            if any(r == child for r in inner):
                continue
            if any(child in r.parents for r in inner):
                stack.append(child)
            else:
                ro.append(child)
    return ro, []


@attrs.frozen(kw_only=True)
class SandboxPolicy:
    """Filesystem and network permissions for sandboxed commands (immutable)."""

    kind: SandboxKind
    writable_roots: tuple[Path, ...] = ()
    """Absolute, symlink-resolved writable trees (workspace-write only)."""
    network: NetworkMode = "none"
    readable_roots: tuple[Path, ...] | None = None
    """``None``: everything is readable (the legacy policies); else only these trees."""
    read_only_paths: tuple[Path, ...] = ()
    """Extra read-only carve-outs inside writable roots (permission profile ``read`` entries)."""
    masked_paths: tuple[Path, ...] = ()
    """Paths with access ``none``."""
    session_cwd: Path | None = None
    """The session's working directory (resolved), when known: if it lies inside a writable root
    without being one (a permission profile), it and the directories up to that root get the
    same placeholders as a root."""
    state_paths: tuple[Path, ...] = ()
    """Codex's own state (``CODEX_HOME``): read-only wherever it lies inside a writable root. The
    default ``CODEX_HOME`` and the Python environment Codex runs from are always added."""

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def read_only(cls) -> SandboxPolicy:
        """Read everything, write nothing (but ``/dev/null``), no network."""
        return cls(kind="read-only")

    @classmethod
    def danger_full_access(cls) -> SandboxPolicy:
        """No sandbox at all."""
        return cls(kind="danger-full-access", network="full")

    @classmethod
    def workspace_write(
        cls,
        *,
        cwd: Path,
        writable_roots: Sequence[Path] = (),
        network: NetworkMode = "none",
        exclude_tmpdir_env_var: bool = False,
        exclude_slash_tmp: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> SandboxPolicy:
        """Write ``writable_roots``, ``cwd``, ``/tmp`` and ``$TMPDIR`` (unless excluded)."""
        env = os.environ if env is None else env
        # a configured root that does not exist (yet) cannot be bind-mounted: leave it out rather
        # than failing every command
        writable_roots = [r for r in writable_roots if os.path.isdir(r)]
        roots = [_resolve(r) for r in writable_roots]
        roots.append(_resolve(cwd))
        roots += _tmp_roots(env, exclude_tmpdir_env_var=exclude_tmpdir_env_var, exclude_slash_tmp=exclude_slash_tmp)
        configured = [*writable_roots, cwd]
        tmpdir = env.get("TMPDIR")
        if tmpdir and not exclude_tmpdir_env_var:
            configured.append(Path(tmpdir))  # a command could re-point $TMPDIR's path for the next one
        check_not_redirected(configured, roots, what="writable root")
        return cls(kind="workspace-write", writable_roots=_dedupe(roots), network=network)

    @classmethod
    def from_config(
        cls, config: Config, *, proxy: ProxyNetwork | None = None, env: Mapping[str, str] | None = None
    ) -> SandboxPolicy:
        """The policy for ``config``: the active permission profile, else ``sandbox_mode``.

        ``proxy``: the managed network proxy, when one runs; commands that would have network
        access then reach the network only through it.
        """
        env = os.environ if env is None else env
        if config.default_permissions is not None:
            from codex_core.sandbox.profiles import policy_from_profile

            policy = policy_from_profile(config, env=env)
        elif config.sandbox_mode == "danger-full-access":
            return cls.danger_full_access()
        elif config.sandbox_mode == "read-only":
            policy = cls.read_only()
        else:
            sww = config.sandbox_workspace_write
            policy = cls.workspace_write(
                cwd=config.cwd,
                writable_roots=list(sww.writable_roots),
                network="full" if sww.network_access else "none",
                exclude_tmpdir_env_var=sww.exclude_tmpdir_env_var,
                exclude_slash_tmp=sww.exclude_slash_tmp,
                env=env,
            )
        if proxy is not None and policy.kind != "danger-full-access" and policy.network == "full":
            policy = attrs.evolve(policy, network=proxy)
        if not policy.is_unrestricted:
            policy = attrs.evolve(
                policy,
                state_paths=_dedupe([*policy.state_paths, Path(config.codex_home)]),
                session_cwd=_resolve(config.cwd),
            )
        return policy

    # -- queries ------------------------------------------------------------------------------

    @property
    def is_unrestricted(self) -> bool:
        return self.kind == "danger-full-access"

    @property
    def network_enabled(self) -> bool:
        """Direct network access (``full``); the proxy mode counts as restricted."""
        return self.network == "full"

    @property
    def network_mode_name(self) -> Literal["none", "full", "proxy"]:
        return "proxy" if isinstance(self.network, ProxyNetwork) else self.network

    def _writable(self, p: Path) -> bool:
        return any(p == r or r in p.parents for r in self.writable_roots)

    def allows_write(self, path: Path) -> bool:
        """Whether a sandboxed command may create, replace or remove the (resolved) ``path``.

        The same answer the mounts give, from the policy alone (no disk walk), for host-side code
        acting on the model's behalf (``apply_patch``): inside a writable root, not VCS/Codex
        metadata at any depth below it, not a ``read``/``none`` path, not Codex's own state.
        """
        if self.is_unrestricted:
            return True
        roots = [r for r in self.writable_roots if path == r or r in path.parents]
        if not roots:
            return False
        root = max(roots, key=lambda r: len(r.parts))  # the innermost root decides
        if any(part in PROTECTED_NAMES for part in path.relative_to(root).parts):
            return False
        if any(path == b or b in path.parents for b in (*self.read_only_paths, *self.masked_paths)):
            return False
        # Codex's state is read-only, unless the root itself lies inside it (a root there stays writable)
        return not any(
            (path == s or s in path.parents) and not (root == s or s in root.parents)
            for s in map(_resolve, self.host_state_paths())
        )

    def host_state_paths(self) -> list[Path]:
        """Codex's and Python's own state that must stay read-only (``state_paths``, the default
        ``CODEX_HOME``, the running interpreter's prefixes, site-packages and scripts)."""
        home = _default_codex_home()
        return list(
            _dedupe([*self.state_paths, *([home] if home else []), *_python_state_paths(), *_bytecode_cache_paths()])
        )

    def writable_root_details(self, *, found: Mapping[str, EntryId] | None = None) -> list[WritableRoot]:
        """Each writable root with its read-only carve-outs, computed from the disk right now.

        ``found``: the protected entries below the roots (``find_protected``), when the caller
        already has them.
        """
        if found is None:
            found = find_protected(self.writable_roots) if self.writable_roots else {}
        state = [(p, _resolve(p)) for p in self.host_state_paths()] if self.writable_roots else []
        state = [(p, real) for p, real in state if any(r in real.parents for r in self.writable_roots)]
        entries = sorted(found)
        out: list[WritableRoot] = []
        for root in self.writable_roots:
            ro: list[Path] = []
            missing: list[Path] = []
            anchors = [root, *_between(root, [*self.writable_roots, *filter(None, [self.session_cwd])])]
            for d in anchors:
                missing += [d / n for n in PROTECTED_DIR_NAMES if not os.path.lexists(d / n)]
            anchor_dirs = {str(d) for d in anchors}
            prefix = str(root).rstrip("/") + "/"
            for entry in entries:
                if entry.startswith(prefix):
                    if found[entry][2] and os.path.dirname(entry) not in anchor_dirs:
                        # An empty directory deeper down (a placeholder left by an earlier command,
                        # typically): not mounted -- there can be hundreds under /tmp -- but
                        # watched: content written into it is quarantined like a new entry.
                        continue
                    if os.path.basename(entry) == GIT_DIR_MARK:
                        ro += _git_dir_carve_outs(Path(entry).parent, anchored=os.path.dirname(entry) in anchor_dirs)
                        continue
                    present, absent = _protected_chain(Path(entry))
                    ro += present
                    # a placeholder is only needed (and only created) where the command could write
                    missing += [m for m in absent if self._writable(m)]
            for extra in self.read_only_paths:
                if extra == root or root in extra.parents:
                    ro.append(extra)
            for path, real in state:
                state_ro, state_missing = _state_carve_outs(path, real, root, self.writable_roots)
                ro += state_ro
                missing += state_missing
            out.append(WritableRoot(root=root, read_only_subpaths=_dedupe(ro), missing_protected=_dedupe(missing)))
        return out

    def to_linux_spec(self, *, log_denials: bool = False) -> LinuxSandboxSpec | None:
        """Concrete instructions for the Linux helper; ``None`` for ``danger-full-access``."""
        if self.is_unrestricted:
            return None
        _assert_still_resolved(self.writable_roots)
        # The carve-outs are computed from the disk right now; the child checks every one of them
        # again (no symlink on the way) right before it mounts it, which is the check that counts.
        details = self.writable_root_details()
        proxy = self.network if isinstance(self.network, ProxyNetwork) else None
        read_only = [p for d in details for p in d.read_only_subpaths]
        proxy_uds = proxy_socks_uds = None
        if proxy is not None:
            # The directories holding the proxy's sockets stay read-only inside the sandbox, so a
            # command cannot swap a socket for a symlink to some other host socket.
            # (Not when that directory is, or contains, a writable root: the forwarder's own
            # checks -- no symlinks, SO_PEERCRED -- still hold then.)
            proxy_uds = _resolve(proxy.uds_path.parent) / proxy.uds_path.name
            socks = proxy.socks_uds_path
            proxy_socks_uds = _resolve(socks.parent) / socks.name if socks is not None else None
            for sock_path in (proxy_uds, proxy_socks_uds):
                if sock_path is None:
                    continue
                d = sock_path.parent
                if not any(r == d or d in r.parents for r in self.writable_roots):
                    read_only.append(d)
        return LinuxSandboxSpec(
            readable_roots=None if self.readable_roots is None else tuple(map(str, self.readable_roots)),
            writable_roots=tuple(str(d.root) for d in details),
            read_only_paths=tuple(str(p) for p in _dedupe(read_only)),
            protect_missing=tuple(str(p) for d in details for p in d.missing_protected),
            masked_paths=tuple(map(str, self.masked_paths)),
            network=self.network_mode_name,
            proxy_uds=str(proxy_uds) if proxy_uds else None,
            proxy_socks_uds=str(proxy_socks_uds) if proxy_socks_uds else None,
            proxy_http_port=proxy.http_port if proxy else None,
            proxy_socks_port=proxy.socks_port if proxy else None,
            proxy_peer_pid=proxy.peer_pid if proxy else None,
            proxy_peer_uid=os.geteuid() if proxy else None,
            log_denials=log_denials,
        )

    def describe(self) -> str:
        """One line for humans and for the model."""
        net = {"none": "network disabled", "full": "network enabled", "proxy": "network via proxy only"}
        if self.kind == "workspace-write":
            roots = ", ".join(map(str, self.writable_roots)) or "none"
            return f"workspace-write (writable roots: {roots}; {net[self.network_mode_name]})"
        return f"{self.kind} ({net[self.network_mode_name]})"


def ensure_absolute(path: str, *, key: str) -> Path:
    """Expand ``~`` and require an absolute path (a clear ``ConfigError`` otherwise)."""
    p = Path(os.path.expanduser(path))
    if not p.is_absolute():
        raise ConfigError(f"{key}: `{path}` must be an absolute path (or a special like :workspace_roots)", key=key)
    return p
