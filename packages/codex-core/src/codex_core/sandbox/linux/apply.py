"""Apply a ``LinuxSandboxSpec`` to the current process, right before it ``exec``s the command.

Layers, in order (each needs the privileges the next one removes):

1. ``unshare``: a private mount namespace, and a network namespace unless network is ``full``
   (plus a user namespace when we are not root, to get the capabilities for the steps below).
2. Mounts: everything read-only, writable roots read-write, carve-outs read-only again,
   ``none`` paths masked.
3. Proxy mode: ``lo`` up, listeners on the proxy ports, fork; the parent stays behind as the
   TCP->UDS forwarder, the child continues.
4. ``PR_SET_NO_NEW_PRIVS``; Landlock (filesystem, TCP ports, abstract-unix/signal scopes).
5. Drop every capability (bounding set included; securebits locked).
6. seccomp filter (ptrace/mount/namespace escapes, socket families).

Must run with a single thread: ``unshare(CLONE_NEWNS)`` and Landlock only affect the caller.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
from collections.abc import Callable

from codex_core.sandbox.linux import caps, landlock, mounts, seccomp
from codex_core.sandbox.linux._libc import SandboxSetupError, check, libc
from codex_core.sandbox.metadata_index import PROTECTED_NAMES
from codex_core.sandbox.spec import LinuxSandboxSpec

__all__ = ["apply_restrictions", "check_single_threaded"]

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 2, 4, 8

_DEV_WRITABLE = ("/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/ptmx")
_RUNTIME_READABLE = ("/bin", "/sbin", "/usr", "/lib", "/lib64", "/lib32", "/etc", "/dev", "/proc", "/sys")


def _own_terminals() -> tuple[str, ...]:
    """The pseudo-terminals on our stdio (a unified-exec PTY, the user's terminal): the only
    ``/dev/pts`` entries the command may open, so it cannot write into other host terminals."""
    out: dict[str, None] = {}
    for fd in (0, 1, 2):
        try:
            name = os.ttyname(fd)
        except OSError:
            continue
        if name.startswith("/dev/pts/"):
            out.setdefault(name, None)
    return tuple(out)


def check_single_threaded() -> None:
    """Refuse to continue when other threads exist (they would escape the restrictions)."""
    try:
        n = len(os.listdir("/proc/self/task"))
    except OSError:
        return
    if n != 1:
        raise SandboxSetupError(errno.EBUSY, f"sandbox setup needs a single-threaded process, found {n} threads")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _unshare(spec: LinuxSandboxSpec) -> None:
    flags = _CLONE_NEWNS | _CLONE_NEWPID | (_CLONE_NEWNET if spec.needs_netns else 0)
    uid, gid = os.geteuid(), os.getegid()
    if uid != 0:
        flags |= _CLONE_NEWUSER
    check(libc.unshare(flags), "unshare(mount/network namespace)")
    if uid != 0:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")


class _Resolver:
    """``realpath`` checks for many paths sharing their ancestors: each directory is looked at once."""

    def __init__(self) -> None:
        self._canonical: dict[str, bool] = {"/": True}

    def canonical(self, path: str) -> bool:
        """Whether ``path`` (absolute, normalised) has no symlink anywhere in it (missing counts as fine)."""
        known = self._canonical.get(path)
        if known is not None:
            return known
        parent = os.path.dirname(path)
        ok = self.canonical(parent) and not os.path.islink(path)
        self._canonical[path] = ok
        return ok

    def require(self, path: str, *, final_link_ok: bool = False) -> None:
        """Refuse a path that (no longer) resolves to itself: a symlink was planted on the way."""
        check_path = path
        if (final_link_ok and os.path.islink(path)) or not os.path.lexists(path):
            check_path = os.path.dirname(path)  # a missing carve-out is created in its parent
        if os.path.normpath(check_path) != check_path or not self.canonical(check_path):
            raise SandboxSetupError(errno.ELOOP, f"{check_path} now goes through a symlink; refusing to mount it")


def _needs_pinned_parents(path: str) -> bool:
    """Whether the directories above carve-out ``path`` must be pinned (made mount points, so the
    command cannot rename them). Yes for what is known *by path* -- a ``gitdir:`` target, a
    symlink hop, a profile entry, Codex's state: renaming a parent and putting something else
    there would redirect it. Not for an entry named ``.git``/``.codex``/... found by walking:
    renaming its parent moves it (with its read-only mount) along, and a new one created in the
    old place is quarantined afterwards (``sandbox.metadata_guard``). Hundreds of nested
    repositories would otherwise cost thousands of mounts per command."""
    return os.path.basename(path) not in PROTECTED_NAMES


def _unless_gone(mount_op: Callable[..., None], path: str, *args: bool) -> bool:
    """Apply ``mount_op`` to carve-out ``path``; ``False`` when the path vanished meanwhile.

    Nested carve-outs live in trees other programs change (``/tmp``): one deleted between the
    spec and the mount has nothing left to protect, and whatever is created there later is a
    new entry, quarantined after the command (``sandbox.metadata_guard``).
    """
    try:
        mount_op(path, *args)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return False
        raise
    return True


def _setup_mounts(spec: LinuxSandboxSpec) -> bool:
    """Returns whether ``/dev/pts`` is the sandbox's own devpts instance."""
    originally_ro = mounts.original_readonly_mounts()
    mounts.make_mounts_private()
    roots = sorted(spec.writable_roots, key=len)
    resolver = _Resolver()
    for root in roots:
        resolver.require(root)
    for path in (*spec.read_only_paths, *spec.protect_missing, *spec.masked_paths):
        resolver.require(path, final_link_ok=True)
    for path in spec.protect_missing:
        if not os.path.lexists(path):
            try:
                os.mkdir(path, 0o755)
            except (FileNotFoundError, FileExistsError):  # parent gone / a concurrent command won
                continue
    protected = [p for p in (*spec.read_only_paths, *spec.protect_missing) if os.path.lexists(p)]
    links = [p for p in protected if os.path.islink(p)]
    protected = [p for p in protected if p not in links]
    nested = [p for p in (*roots, *filter(_needs_pinned_parents, protected), *links) if os.path.lexists(p)]
    pins = [d for d in mounts.intermediate_dirs(nested, roots) if os.path.isdir(d) and not os.path.islink(d)]
    for path in sorted({*roots, *pins}, key=len):
        if path in roots:
            mounts.bind_self(path)
        else:
            _unless_gone(mounts.bind_self, path)
    protected = [p for p in protected if _unless_gone(mounts.bind_self, p)]
    for link in links:  # the link itself: it must not be replaced (its target is protected too)
        mounts.pin_symlink(link)
    own_devpts = mounts.private_devpts()
    mounts.set_readonly("/", True)
    for root in roots:
        mounts.set_readonly(root, False)
    for mp in originally_ro:
        if mounts.beneath(mp, roots):
            mounts.set_readonly(mp, True)
    for path in protected:
        _unless_gone(mounts.set_readonly, path, True)
    for path in spec.masked_paths:
        mounts.mask_path(path)
    return own_devpts


def _exit_like(status: int) -> None:
    """``_exit`` with the exit code a shell would report for wait status ``status``."""
    code = os.waitstatus_to_exitcode(status)
    os._exit(128 - code if code < 0 else code)


def _detach_stdio() -> None:
    """Drop our references to the command's stdio, so its readers see EOF when it exits."""
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _start_waiter() -> None:
    """Fork (the child becomes pid 1 of the new PID namespace); the parent relays its status."""
    pid = os.fork()
    if pid == 0:
        return
    _detach_stdio()
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU):
        signal.signal(sig, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                break
            except InterruptedError:
                continue
        _exit_like(status)
    finally:
        os._exit(1)


def _has_controlling_tty() -> bool:
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError:
        return False
    return True


def _become_pid_namespace_init() -> None:
    """In pid 1 of the new namespace: mount its ``/proc``, fork the command, reap until it exits.

    When pid 1 exits the kernel kills every process left in the namespace, so nothing the
    command started (``setsid``, double forks, daemons) outlives it, its timeout or its session.
    """
    from codex_core.sandbox.linux._libc import libc

    # A /proc that shows only this namespace; keep the old one if the kernel refuses.
    libc.mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None)
    pid = os.fork()
    if pid == 0:
        if not _has_controlling_tty():
            os.setsid()  # like before the namespace: the command leads its own session
        return
    _detach_stdio()
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    try:
        while True:
            try:
                wpid, status = os.wait()
            except InterruptedError:
                continue
            except ChildProcessError:
                os._exit(1)
            if wpid == pid:
                _exit_like(status)
    finally:
        os._exit(1)


def _start_forwarder(spec: LinuxSandboxSpec) -> None:
    """Fork: the parent relays proxy traffic until the command exits, the child returns."""
    from codex_core.sandbox.forwarder import UdsTarget, listen_loopback, serve_forwarder
    from codex_core.sandbox.linux.netns import bring_loopback_up

    bring_loopback_up()
    listeners = []
    creds = {"peer_pid": spec.proxy_peer_pid, "peer_uid": spec.proxy_peer_uid}
    if spec.proxy_http_port is not None and spec.proxy_uds:
        listeners.append((listen_loopback(spec.proxy_http_port), UdsTarget(spec.proxy_uds, **creds)))
    if spec.proxy_socks_port is not None:
        socks_path = spec.proxy_socks_uds or spec.proxy_uds
        if socks_path:
            listeners.append((listen_loopback(spec.proxy_socks_port), UdsTarget(socks_path, **creds)))
    pid = os.fork()
    if pid == 0:
        for lst, target in listeners:
            lst.close()
            os.close(target.dir_fd)
        return
    # Forwarder: keep no reference to the command's stdio so readers see EOF when it exits.
    _detach_stdio()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU):
        signal.signal(sig, signal.SIG_IGN)
    status: list[int] = []

    def done() -> bool:
        if not status:
            wpid, st = os.waitpid(pid, os.WNOHANG)
            if wpid == pid:
                status.append(st)
        return bool(status)

    code = 1
    try:
        try:
            wake = [os.pidfd_open(pid)]
        except OSError:
            wake = []
        serve_forwarder(listeners, should_stop=done, tick=0.05, wake_fds=wake)
        st = status[0]
        code = os.waitstatus_to_exitcode(st)
        if code < 0:
            code = 128 - code
    finally:
        os._exit(code)


def apply_restrictions(spec: LinuxSandboxSpec, *, cwd: str) -> None:
    """Confine the calling process according to ``spec`` and ``chdir`` to ``cwd``.

    Raises ``SandboxSetupError`` on any failure; the caller must then not run the command.
    """
    check_single_threaded()
    abi = landlock.abi_version()
    if abi < 1:
        raise SandboxSetupError(errno.ENOSYS, "Landlock is not available on this kernel")
    _unshare(spec)
    own_devpts = _setup_mounts(spec)
    # Both fork: the parent stays outside the new PID namespace (the forwarder must, to check
    # the proxy's pid), the child is its pid 1.
    if spec.network == "proxy":
        _start_forwarder(spec)
    else:
        _start_waiter()
    _become_pid_namespace_init()
    # chdir only now: the old cwd still points into the pre-namespace (read-only) mounts.
    os.chdir(cwd)
    caps.set_no_new_privs()
    rs = landlock.Ruleset(abi=abi, restrict_tcp=spec.network != "full", scope_abstract_unix=spec.network != "full")
    readable = ("/",) if spec.readable_roots is None else (*spec.readable_roots, *_RUNTIME_READABLE)
    rs.allow_paths(readable, landlock.ACCESS_FS_READ)
    rs.allow_paths(spec.writable_roots, landlock.ACCESS_FS_READ | landlock.ACCESS_FS_WRITE)
    # /dev/pts: the private instance (new ptys only), else just the terminals on our stdio.
    terminals = ("/dev/pts",) if own_devpts else _own_terminals()
    rs.allow_paths((*_DEV_WRITABLE, *terminals), landlock.ACCESS_FS_READ | landlock.ACCESS_FS_WRITE)
    if spec.network == "proxy":
        rs.allow_tcp_connect(p for p in (spec.proxy_http_port, spec.proxy_socks_port) if p is not None)
    rs.restrict_self(log_after_exec=spec.log_denials)
    caps.drop_all_capabilities()
    seccomp.install_filter(seccomp.build_filter(spec.network))
    ctypes.set_errno(0)
