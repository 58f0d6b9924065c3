"""Opening paths one component at a time with ``O_NOFOLLOW``: what was checked is what is touched.

Every function takes an absolute, symlink-free path (the caller resolved it once and checked it
against the sandbox policy) and walks it from ``/``. A component replaced by a symlink after the
check makes the walk fail with ``ELOOP`` (or ``ENOTDIR``) instead of landing somewhere else; the
``*at`` calls made relative to the last directory fd never follow a symlink either.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = ["DIR_FLAGS", "LIST_FLAGS", "lstat_at", "open_dir", "open_parent", "open_regular"]

DIR_FLAGS = os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_PATH", os.O_RDONLY)
"""A directory used only as the base of ``*at`` calls."""
LIST_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
"""A directory whose entries are read (``scandir``)."""


def open_dir(path: Path, *, flags: int = DIR_FLAGS) -> int:
    """An fd for the directory ``path`` (absolute, symlink-free); no component is followed."""
    fd = os.open("/", flags if len(path.parts) == 1 else DIR_FLAGS)
    try:
        parts = path.parts[1:]
        for index, name in enumerate(parts):
            nxt = os.open(name, flags if index == len(parts) - 1 else DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def open_parent(path: Path) -> Iterator[int]:
    """The directory holding ``path`` (``*at`` base fd), closed on exit."""
    fd = open_dir(path.parent)
    try:
        yield fd
    finally:
        os.close(fd)


def lstat_at(path: Path) -> os.stat_result:
    """``lstat`` of ``path`` through a no-follow walk of its parent."""
    if len(path.parts) == 1:
        return os.lstat("/")
    with open_parent(path) as fd:
        return os.stat(path.name, dir_fd=fd, follow_symlinks=False)


def open_regular(path: Path) -> int:
    """A read-only fd for the regular file at ``path``; ``IsADirectoryError`` /
    ``OSError(EINVAL)`` for other kinds. The entry is ``lstat``-ed first (no FIFO or device is
    ever opened) and must be the same inode after the open."""
    import errno

    with open_parent(path) as dir_fd:
        before = os.stat(path.name, dir_fd=dir_fd, follow_symlinks=False)
        if stat.S_ISDIR(before.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(before.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        fd = os.open(path.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    after = os.fstat(fd)
    if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino) or not stat.S_ISREG(after.st_mode):
        os.close(fd)
        raise OSError(errno.ELOOP, "the file changed while it was being opened")
    return fd
