"""Thin ctypes access to libc ``syscall``/``prctl``/``mount`` used by the Linux sandbox.

Stdlib only: this module is imported by the sandbox helper and the fork-server, whose start-up
time is part of every sandboxed command's latency.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["SYS", "SandboxSetupError", "check", "libc", "machine"]


class SandboxSetupError(OSError):
    """A restriction could not be applied. The command must not run."""


libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
libc.prctl.restype = ctypes.c_int
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
libc.mount.restype = ctypes.c_int
libc.unshare.argtypes = [ctypes.c_int]
libc.unshare.restype = ctypes.c_int

machine = os.uname().machine

# Syscall numbers that differ per architecture (landlock/mount_setattr are generic: same on both).
_SYSCALLS: dict[str, dict[str, int]] = {
    "x86_64": {
        "landlock_create_ruleset": 444,
        "landlock_add_rule": 445,
        "landlock_restrict_self": 446,
        "mount_setattr": 442,
        "capset": 126,
        "seccomp": 317,
    },
    "aarch64": {
        "landlock_create_ruleset": 444,
        "landlock_add_rule": 445,
        "landlock_restrict_self": 446,
        "mount_setattr": 442,
        "capset": 91,
        "seccomp": 277,
    },
}
SYS: dict[str, int] = _SYSCALLS.get(machine, {})


def check(ret: int, what: str) -> int:
    """Raise ``SandboxSetupError`` naming ``what`` when a libc call returned -1."""
    if ret < 0:
        err = ctypes.get_errno()
        raise SandboxSetupError(err, f"{what}: {os.strerror(err)}")
    return ret
