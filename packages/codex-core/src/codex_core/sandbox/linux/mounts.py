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
    "intermediate_dirs",
    "make_mounts_private",
    "mask_path",
    "original_readonly_mounts",
    "pin_symlink",
    "private_devpts",
    "set_readonly",
]

_MS_RDONLY = 1
_MS_NOSUID = 2
_MS_NODEV = 4
_MS_NOEXEC = 8
_MS_BIND = 0x1000
_MS_REC = 0x4000
_MS_PRIVATE = 1 << 18
_AT_FDCWD = -100
_AT_RECURSIVE = 0x8000
_MOUNT_ATTR_RDONLY = 0x1
_OPEN_TREE_CLONE = 1
_O_CLOEXEC = 0o2000000
_MOVE_MOUNT_F_EMPTY_PATH = 0x4
_AT_SYMLINK_NOFOLLOW = 0x100
_SYS_OPEN_TREE = 428  # same number on x86_64 and aarch64
_SYS_MOVE_MOUNT = 429


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


def pin_symlink(path: str) -> None:
    """Bind-mount the symlink ``path`` onto itself, without following it.

    The link then is a mount point in this namespace: the command can neither remove nor
    replace it (``EBUSY``), while lookups through it still reach its (protected) target.
    ``open_tree(AT_SYMLINK_NOFOLLOW)`` clones the link itself; ``move_mount`` without
    ``MOVE_MOUNT_T_SYMLINKS`` does not follow it either.
    """
    p = os.fsencode(path)
    fd = int(libc.syscall(_SYS_OPEN_TREE, _AT_FDCWD, p, _OPEN_TREE_CLONE | _O_CLOEXEC | _AT_SYMLINK_NOFOLLOW))
    check(fd, f"open_tree({path})")
    try:
        check(
            int(libc.syscall(_SYS_MOVE_MOUNT, fd, b"", _AT_FDCWD, p, _MOVE_MOUNT_F_EMPTY_PATH)), f"pin symlink {path}"
        )
    finally:
        os.close(fd)


def intermediate_dirs(nested: Iterable[str], roots: Iterable[str]) -> list[str]:
    """Directories strictly between an enclosing writable root and each nested root/carve-out.

    Bind-mounting them onto themselves makes them mount points, so the command cannot rename
    them (``EBUSY``) to re-point a nested path at something else while it runs.
    """
    out: dict[str, None] = {}
    roots = list(roots)
    for path in nested:
        for root in roots:
            base = root.rstrip("/")
            if path == root or not path.startswith(base + "/"):
                continue
            parts = path[len(base) + 1 :].split("/")[:-1]
            cur = base
            for part in parts:
                cur = f"{cur}/{part}"
                out.setdefault(cur, None)
    return list(out)


def private_devpts() -> bool:
    """A fresh ``devpts`` instance on ``/dev/pts`` (and its ``ptmx`` on ``/dev/ptmx``).

    The command can still open new pseudo-terminals, but the host's (other users' shells and
    terminals) are no longer reachable by path; its own terminal stays usable through its
    inherited descriptors and ``/dev/tty``. Returns false (nothing changed) when the kernel
    refuses, e.g. without ``/dev/pts``.
    """
    if not os.path.isdir("/dev/pts"):
        return False
    ret = libc.mount(b"devpts", b"/dev/pts", b"devpts", _MS_NOSUID | _MS_NOEXEC, b"newinstance,ptmxmode=0666,mode=0620")
    if ret < 0:
        return False
    if os.path.exists("/dev/ptmx") and not os.path.islink("/dev/ptmx"):
        check(libc.mount(b"/dev/pts/ptmx", b"/dev/ptmx", None, _MS_BIND, None), "bind /dev/pts/ptmx")
    return True
