"""Landlock (filesystem, TCP and scope restrictions) through raw syscalls.

Landlock is allow-only: a handled access right is denied everywhere except beneath the paths
given a rule. We handle every filesystem right the running kernel knows, grant read/execute
on the readable roots and everything on the writable roots, and (ABI >= 4) handle TCP
bind/connect so that only the proxy ports are reachable; (ABI >= 6) scope abstract unix
sockets and signals to the sandbox.
"""

from __future__ import annotations

import ctypes
import errno
import os
from collections.abc import Iterable

from codex_core.sandbox.linux._libc import SYS, SandboxSetupError, libc

__all__ = [
    "ACCESS_FS_READ",
    "ACCESS_FS_WRITE",
    "Ruleset",
    "abi_version",
]

_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_RULE_NET_PORT = 2

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5

NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1

SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

RESTRICT_SELF_LOG_NEW_EXEC_ON = 1 << 1  # ABI 7

ACCESS_FS_READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
ACCESS_FS_WRITE = (
    FS_WRITE_FILE
    | FS_REMOVE_DIR
    | FS_REMOVE_FILE
    | FS_MAKE_CHAR
    | FS_MAKE_DIR
    | FS_MAKE_REG
    | FS_MAKE_SOCK
    | FS_MAKE_FIFO
    | FS_MAKE_BLOCK
    | FS_MAKE_SYM
    | FS_REFER
    | FS_TRUNCATE
    | FS_IOCTL_DEV
)


def _fs_rights_for_abi(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


class _NetPortAttr(ctypes.Structure):
    _fields_ = (("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64))


def abi_version() -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is unavailable/disabled."""
    if "landlock_create_ruleset" not in SYS:
        return 0
    ret = libc.syscall(SYS["landlock_create_ruleset"], None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    return max(int(ret), 0)


class Ruleset:
    """One Landlock ruleset under construction; ``restrict_self`` enforces it on this process."""

    def __init__(self, *, abi: int, restrict_tcp: bool, scope_abstract_unix: bool) -> None:
        if abi < 1:
            raise SandboxSetupError(errno.ENOSYS, "Landlock is not supported by this kernel")
        self.abi = abi
        self.fs_rights = _fs_rights_for_abi(abi)
        net = NET_BIND_TCP | NET_CONNECT_TCP if restrict_tcp and abi >= 4 else 0
        scoped = 0
        if abi >= 6:
            scoped = SCOPE_SIGNAL | (SCOPE_ABSTRACT_UNIX_SOCKET if scope_abstract_unix else 0)
        attr = _RulesetAttr(self.fs_rights, net, scoped)
        size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
        fd = libc.syscall(SYS["landlock_create_ruleset"], ctypes.byref(attr), ctypes.c_size_t(size), 0)
        if fd < 0:
            err = ctypes.get_errno()
            raise SandboxSetupError(err, f"landlock_create_ruleset: {os.strerror(err)}")
        self.fd = int(fd)
        self.restricts_tcp = bool(net)

    def allow_paths(self, paths: Iterable[str], access: int) -> None:
        """Grant ``access`` beneath each existing path (missing paths are skipped)."""
        for path in paths:
            try:
                pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                allowed = access & self.fs_rights
                if not os.path.isdir(path):
                    # Directory-only rights are rejected (EINVAL) on files.
                    allowed &= FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
                attr = _PathBeneathAttr(allowed, pfd)
                ret = libc.syscall(SYS["landlock_add_rule"], self.fd, _RULE_PATH_BENEATH, ctypes.byref(attr), 0)
                if ret < 0:
                    err = ctypes.get_errno()
                    raise SandboxSetupError(err, f"landlock_add_rule({path}): {os.strerror(err)}")
            finally:
                os.close(pfd)

    def allow_tcp_connect(self, ports: Iterable[int]) -> None:
        """Allow TCP ``connect`` to the given ports (only meaningful when TCP is restricted)."""
        if not self.restricts_tcp:
            return
        for port in ports:
            attr = _NetPortAttr(NET_CONNECT_TCP, port)
            ret = libc.syscall(SYS["landlock_add_rule"], self.fd, _RULE_NET_PORT, ctypes.byref(attr), 0)
            if ret < 0:
                err = ctypes.get_errno()
                raise SandboxSetupError(err, f"landlock_add_rule(tcp port {port}): {os.strerror(err)}")

    def restrict_self(self, *, log_after_exec: bool = False) -> None:
        """Enforce the ruleset on the calling thread (``no_new_privs`` must already be set)."""
        flags = RESTRICT_SELF_LOG_NEW_EXEC_ON if log_after_exec and self.abi >= 7 else 0
        try:
            ret = libc.syscall(SYS["landlock_restrict_self"], self.fd, flags)
            if ret < 0:
                err = ctypes.get_errno()
                raise SandboxSetupError(err, f"landlock_restrict_self: {os.strerror(err)}")
        finally:
            os.close(self.fd)
