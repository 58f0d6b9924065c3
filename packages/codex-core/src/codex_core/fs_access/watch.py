"""``FsWatcher``: change notifications for watched paths (``fs/watch``), with Linux inotify.

A directory is watched for changes to its direct entries (not recursively, like Codex); a file,
or a path that does not exist yet, is watched through its directory, filtered to its name (so
an editor's write-to-temp-and-rename is seen too). Changes are collected for ``debounce_s`` and
delivered as one ``on_change(watch_id, paths)`` call per watch.

The directory is opened with a no-follow walk and the watch added on ``/proc/self/fd/N`` of that
fd, so the directory watched is the one that was checked against the sandbox policy even if a
component is swapped for a symlink meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import sys
from collections.abc import Callable
from pathlib import Path

import attrs

from codex_core.fs_access.errors import FsInvalidRequest, io_error
from codex_core.fs_access.walk import open_dir
from codex_core.inotify import (
    IN_ATTRIB,
    IN_CLOSE_WRITE,
    IN_CREATE,
    IN_DELETE,
    IN_DELETE_SELF,
    IN_IGNORED,
    IN_MODIFY,
    IN_MOVE_SELF,
    IN_MOVED_FROM,
    IN_MOVED_TO,
    IN_ONLYDIR,
    parse_events,
)

__all__ = ["FsWatcher"]

_MASK = (
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
    | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR
)  # fmt: skip

ChangeCallback = Callable[[str, list[Path]], None]


@attrs.define
class _Watch:
    watch_id: str
    directory: Path
    name: str | None
    """Only changes to this entry of ``directory`` (a watched file or missing path)."""
    wd: int


class FsWatcher:
    """The watches of one client connection; bound to the running event loop."""

    def __init__(self, on_change: ChangeCallback, *, debounce_s: float = 0.05) -> None:
        self._on_change = on_change
        self._debounce_s = debounce_s
        self._watches: dict[str, _Watch] = {}
        self._fd = -1
        self._libc: ctypes.CDLL | None = None
        self._pending: dict[str, set[Path]] = {}
        self._flush: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __contains__(self, watch_id: str) -> bool:
        return watch_id in self._watches

    def _ensure_inotify(self) -> int:
        if self._fd >= 0:
            return self._fd
        if not sys.platform.startswith("linux"):
            raise FsInvalidRequest(f"fs/watch is not available on {sys.platform} in codex-py (it needs inotify)")
        libc = ctypes.CDLL(None, use_errno=True)
        fd: int = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            err = ctypes.get_errno()
            raise io_error(OSError(err, os.strerror(err)), "inotify")
        self._libc, self._fd = libc, fd
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(fd, self._on_readable)
        return fd

    def add(self, watch_id: str, path: Path) -> None:
        """Watch ``path`` (absolute, resolved and already checked by the caller)."""
        if watch_id in self._watches:
            raise FsInvalidRequest(f"watchId already exists: {watch_id}")
        if os.path.isdir(path):
            directory, name = path, None
        else:
            directory, name = path.parent, path.name
        fd = self._ensure_inotify()
        assert self._libc is not None
        try:
            dir_fd = open_dir(directory)
        except OSError as exc:
            raise io_error(exc, directory) from None
        try:
            wd = self._libc.inotify_add_watch(fd, f"/proc/self/fd/{dir_fd}".encode(), _MASK)
        finally:
            os.close(dir_fd)
        if wd < 0:
            err = ctypes.get_errno()
            raise io_error(OSError(err, os.strerror(err)), directory)
        self._watches[watch_id] = _Watch(watch_id=watch_id, directory=directory, name=name, wd=wd)

    def remove(self, watch_id: str) -> bool:
        """Stop a watch; ``False`` when there is none by that id."""
        watch = self._watches.pop(watch_id, None)
        if watch is None:
            return False
        self._pending.pop(watch_id, None)
        if self._libc is not None and not any(w.wd == watch.wd for w in self._watches.values()):
            self._libc.inotify_rm_watch(self._fd, watch.wd)
        return True

    def _on_readable(self) -> None:
        try:
            data = os.read(self._fd, 64 * 1024)
        except BlockingIOError:
            return
        except OSError:
            return
        for wd, mask, name in parse_events(data):
            if mask & IN_IGNORED:
                continue
            for watch in self._watches.values():
                if watch.wd != wd:
                    continue
                if watch.name is not None and name != watch.name:
                    continue
                changed = watch.directory / name if name else watch.directory
                self._pending.setdefault(watch.watch_id, set()).add(changed)
        if self._pending and self._flush is None and self._loop is not None:
            self._flush = self._loop.call_later(self._debounce_s, self._deliver)

    def _deliver(self) -> None:
        self._flush = None
        pending, self._pending = self._pending, {}
        for watch_id, paths in pending.items():
            if watch_id in self._watches:
                self._on_change(watch_id, sorted(paths))

    def close(self) -> None:
        """Drop every watch (end of the connection)."""
        if self._flush is not None:
            self._flush.cancel()
        if self._fd >= 0:
            if self._loop is not None:
                with contextlib.suppress(Exception):
                    self._loop.remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1
        self._watches.clear()
