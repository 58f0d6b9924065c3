"""Mount-namespace setup: the whole tree read-only, writable roots writable, carve-outs read-only.

Landlock cannot express "writable, except ``.git`` below it" nor restrict ``chmod``; a private
mount namespace can. The namespace is private (``MS_PRIVATE``) so nothing propagates back to
the host, and it dies with the sandboxed process.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable

from codex_core.sandbox.linux._libc import SYS, check, libc

__all__ = [
    "bind_self",
    "make_mounts_private",
    "mask_path",
    "original_readonly_mounts",
    "set_readonly",
]

_MS_RDONLY = 1
_MS_NOSUID = 2
_MS_NODEV = 4
_MS_BIND = 0x1000
_MS_REC = 0x4000
_MS_PRIVATE = 1 << 18
_AT_FDCWD = -100
_AT_RECURSIVE = 0x8000
_MOUNT_ATTR_RDONLY = 0x1


class _MountAttr(ctypes.Structure):
    _fields_ = (
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    )


def _unescape(field: str) -> str:
    if "\\" not in field:
        return field
    return field.encode().decode("unicode_escape").encode("latin-1").decode("utf-8", "surrogateescape")


def original_readonly_mounts() -> list[str]:
    """Mount points that are read-only before we change anything (from ``/proc/self/mountinfo``)."""
    out: list[str] = []
    with open("/proc/self/mountinfo", "rb") as f:
        text = f.read().decode("utf-8", "surrogateescape")
    for line in text.splitlines():
        parts = line.split(" ", 6)
        if len(parts) > 5 and (parts[5] == "ro" or parts[5].startswith("ro,")):
            out.append(_unescape(parts[4]))
    return out


def make_mounts_private() -> None:
    """Stop mount events propagating between this namespace and the host."""
    check(libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "mount(/, MS_PRIVATE)")


def bind_self(path: str) -> None:
    """Bind-mount ``path`` onto itself so that it gets its own mount flags."""
    p = os.fsencode(path)
    check(libc.mount(p, p, None, _MS_BIND | _MS_REC, None), f"bind mount {path}")


def set_readonly(path: str, readonly: bool, *, recursive: bool = True) -> None:
    """Set or clear ``MOUNT_ATTR_RDONLY`` on the mount at ``path`` (and below when ``recursive``)."""
    attr = _MountAttr(_MOUNT_ATTR_RDONLY if readonly else 0, 0 if readonly else _MOUNT_ATTR_RDONLY, 0, 0)
    flags = _AT_RECURSIVE if recursive else 0
    ret = libc.syscall(
        SYS["mount_setattr"], _AT_FDCWD, os.fsencode(path), flags, ctypes.byref(attr), ctypes.sizeof(attr)
    )
    check(int(ret), f"mount_setattr({path}, {'ro' if readonly else 'rw'})")


def mask_path(path: str) -> None:
    """Hide ``path``: an empty read-only tmpfs over a directory, ``/dev/null`` over a file."""
    p = os.fsencode(path)
    if os.path.isdir(path):
        check(
            libc.mount(b"tmpfs", p, b"tmpfs", _MS_RDONLY | _MS_NOSUID | _MS_NODEV, b"size=0,mode=000"),
            f"mask {path}",
        )
    elif os.path.lexists(path):
        check(libc.mount(b"/dev/null", p, None, _MS_BIND, None), f"mask {path}")
        set_readonly(path, True, recursive=False)


def beneath(path: str, roots: Iterable[str]) -> bool:
    """Whether ``path`` is one of ``roots`` or below one of them."""
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)
