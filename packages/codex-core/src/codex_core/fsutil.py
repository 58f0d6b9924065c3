"""Atomic file replacement: a temporary file in the same directory, then ``os.replace``.

Readers see the old content or the new one, never a mix; a crash leaves at most a stray
``.<name>.*.tmp`` file. ``durable=True`` also fsyncs the data and the directory entry (config and
credentials); patches written by apply_patch skip that for speed, like Codex.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: str | Path, data: bytes, *, mode: int, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (permission bits ``mode``); the directory must exist.

    A symlink is followed: its target is replaced and the link stays (dotfile setups).
    """
    path = os.path.realpath(path)
    directory, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        with contextlib.suppress(OSError):
            dir_fd = os.open(directory or ".", os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
