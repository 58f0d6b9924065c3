"""Dropping every Linux capability, so that uid 0 inside the sandbox is an ordinary user.

Order matters: lock the securebits first (``SECBIT_NOROOT`` stops ``execve`` from handing root
its capabilities back), then empty the bounding and ambient sets, then the process sets.
"""

from __future__ import annotations

import ctypes
import os

from codex_core.sandbox.linux._libc import check, libc

__all__ = ["drop_all_capabilities", "set_no_new_privs"]

_PR_CAPBSET_DROP = 24
_PR_SET_SECUREBITS = 28
_PR_GET_SECUREBITS = 27
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4

# NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED, KEEP_CAPS_LOCKED,
# NO_CAP_AMBIENT_RAISE, NO_CAP_AMBIENT_RAISE_LOCKED
_SECUREBITS = 0b11101111
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_CAP_SETPCAP = 8


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32))


def _last_cap() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            return int(f.read().strip())
    except OSError:
        return 40


def _has_cap(cap: int) -> bool:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> cap & 1)
    return False


def set_no_new_privs() -> None:
    """``PR_SET_NO_NEW_PRIVS``: setuid binaries and file capabilities no longer grant anything."""
    check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def drop_all_capabilities() -> None:
    """Clear securebits-protected root privileges and every capability set of this process."""
    if _has_cap(_CAP_SETPCAP):
        current = libc.prctl(_PR_GET_SECUREBITS, 0, 0, 0, 0)
        if current >= 0 and current & _SECUREBITS != _SECUREBITS:
            check(libc.prctl(_PR_SET_SECUREBITS, current | _SECUREBITS, 0, 0, 0), "prctl(PR_SET_SECUREBITS)")
        for cap in range(_last_cap() + 1):
            check(libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0), f"prctl(PR_CAPBSET_DROP, {cap})")
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    check(libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")
    if os.geteuid() == 0 and _has_cap(0):
        raise OSError("capabilities still present after dropping them")
