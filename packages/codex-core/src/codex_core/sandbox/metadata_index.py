"""Where VCS and Codex metadata lies inside the writable roots, at any depth, found cheaply.

``find_protected(roots)`` answers "which entries named ``.git``, ``.hg``, ``.svn``, ``.jj``,
``.codex`` or ``.agents`` exist below these roots, and what inode is each" before and after
every sandboxed command. Walking the whole tree each time costs one ``lstat`` per directory
at least (a copy of a venv under ``/tmp`` -- 20k directories -- took 200 ms per walk on the
test VM, and three walks run per command), so the answer is kept current instead:

* **inotify index** (Linux, default): the first query for a root walks it once, watching
  every directory (create/delete/move events only -- file writes raise none); later queries
  only read the queued events and rescan the directories that appeared. Events are queued by
  the kernel inside the syscall that made the change, so once a command has exited (or at
  the moment of a poll) every change it made is in the queue. On queue overflow the index is
  rebuilt. It uses at most a quarter of ``fs.inotify.max_user_watches`` (64k at most): other
  programs of the user need watches too.
* **Walk** (fallback, when inotify is unavailable or the tree needs more watches): a full
  walk whose per-directory listings are cached on ``(st_dev, st_ino, st_ctime_ns, st_mtime_ns)``
  -- ``ctime`` above all: a command can set a directory's ``mtime`` back with ``utime``, it
  cannot set ``ctime``. Directories changed within the last 2 s are listed again every time
  (timestamps are coarse: a change right after a listing may leave ``ctime`` equal).

Neither follows symlinked directories (a target inside a root is reached where it lies),
descends into the protected entries themselves (except to tell whether a directory is empty:
an empty one is watched, so content appearing in it changes its identity), or walks kernel
pseudo-filesystems.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import stat
import sys
import threading
import time
from typing import TYPE_CHECKING

from codex_core.inotify import (
    IN_CREATE,
    IN_DELETE,
    IN_DELETE_SELF,
    IN_DONT_FOLLOW,
    IN_EXCL_UNLINK,
    IN_IGNORED,
    IN_MOVE_SELF,
    IN_MOVED_FROM,
    IN_MOVED_TO,
    IN_ONLYDIR,
    IN_Q_OVERFLOW,
    IN_UNMOUNT,
    parse_events,
)

if TYPE_CHECKING:  # the sandbox helper imports PROTECTED_NAMES from here: keep it light
    from collections.abc import Iterable
    from pathlib import Path

__all__ = ["GIT_DIR_MARK", "PROTECTED_NAMES", "EntryId", "find_protected", "outermost", "reset_index"]

PROTECTED_NAMES = frozenset({".git", ".hg", ".svn", ".jj", ".codex", ".agents"})
"""Entry names that stay read-only at every depth inside writable roots."""
GIT_DIR_MARK = "HEAD"
"""Git takes *any* directory holding ``HEAD`` plus ``objects/`` and ``refs/`` (or a
``commondir`` file) for a git directory: a bare repository, found under its own name when the
user runs git inside it (or in a workspace that is not a repository: the workspace itself). Such
a directory is reported as the entry ``<dir>/HEAD``."""
_GIT_DIR_NAMES = frozenset({"HEAD", "objects", "refs", "commondir"})

EntryId = tuple[int, int, bool]
"""``(st_dev, st_ino, empty_dir)`` of a protected entry: a replaced entry is a new one, and an
empty directory (a placeholder the sandbox left) that got content is a changed one."""

_VIRTUAL_FS = frozenset(
    {
        "proc", "sysfs", "cgroup", "cgroup2", "devpts", "debugfs", "tracefs", "securityfs", "bpf",
        "configfs", "fusectl", "pstore", "mqueue", "hugetlbfs", "autofs", "binfmt_misc", "efivarfs",
    }
)  # fmt: skip


def outermost(roots: Iterable[Path | str]) -> list[str]:
    """``roots`` (absolute, resolved) without those inside another one: walking the outer one covers them."""
    out: list[str] = []
    for r in sorted({str(r) for r in roots}, key=len):
        if not any(_beneath(r, o) for o in out):
            out.append(r)
    return out


def _beneath(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _join(d: str, name: str) -> str:
    return f"{d.rstrip('/')}/{name}"


def _unescape(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def _virtual_mounts() -> frozenset[str]:
    """Mount points of kernel pseudo-filesystems (``/proc``, ``/sys``, ...): never walked."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError:
        return frozenset()
    out = set()
    for line in lines:
        left, _, right = line.partition(" - ")
        parts = left.split(" ")
        if len(parts) > 4 and right.split(" ", 1)[0] in _VIRTUAL_FS:
            out.add(_unescape(parts[4]))
    return frozenset(out)


def _is_empty_dir(path: str) -> bool:
    try:
        with os.scandir(path) as it:
            return next(it, None) is None
    except OSError:
        return False


def _entry_id(path: str) -> EntryId | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, stat.S_ISDIR(st.st_mode) and _is_empty_dir(path))


def _looks_like_git_dir(names: set[str]) -> bool:
    return GIT_DIR_MARK in names and (("objects" in names and "refs" in names) or "commondir" in names)


def _list_dir(path: str) -> tuple[list[str], list[str]]:
    """``(subdirectories, protected names)`` of ``path``: subdirectories exclude symlinks and the
    protected entries; ``HEAD`` counts as protected when ``path`` looks like a git directory
    (its subdirectories are still walked). Raises ``OSError`` when ``path`` cannot be listed."""
    subdirs: list[str] = []
    protected: list[str] = []
    git_names: set[str] = set()
    try:
        with os.scandir(path) as it:
            for entry in it:
                name = entry.name
                if name in PROTECTED_NAMES:
                    protected.append(name)
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
                if name in _GIT_DIR_NAMES and is_dir != (name in ("HEAD", "commondir")):
                    git_names.add(name)  # HEAD and commondir are files, objects and refs directories
                if is_dir:
                    subdirs.append(name)
    except PermissionError:
        # Not listable (mode -r, Codex not root): names can still be looked up (+x suffices).
        protected = [n for n in PROTECTED_NAMES if os.path.lexists(_join(path, n))]
        git_names = {n for n in _GIT_DIR_NAMES if os.path.lexists(_join(path, n))}
    if _looks_like_git_dir(git_names):
        protected.append(GIT_DIR_MARK)
    return subdirs, protected


# -- fallback: a walk with a ctime-keyed listing cache ----------------------------------------

_RACY_NS = 2_000_000_000


class _Listing:
    __slots__ = ("key", "protected", "subdirs")

    def __init__(self, key: tuple[int, int, int, int], subdirs: list[str], protected: list[str]) -> None:
        self.key, self.subdirs, self.protected = key, subdirs, protected


_WALK_CACHE: dict[str, dict[str, _Listing]] = {}
"""Per walked root: directory -> listing as of the last walk (directories not seen again are dropped)."""


def _walk(root: str, virtual: frozenset[str], found: dict[str, EntryId]) -> None:
    old = _WALK_CACHE.get(root, {})
    new: dict[str, _Listing] = {}
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            st = os.lstat(d)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            continue
        key = (st.st_dev, st.st_ino, st.st_ctime_ns, st.st_mtime_ns)
        listing = old.get(d)
        if listing is None or listing.key != key:
            listed_at = time.time_ns()
            try:
                subdirs, protected = _list_dir(d)
            except OSError:
                continue
            if max(st.st_ctime_ns, st.st_mtime_ns) >= listed_at - _RACY_NS:
                key = (st.st_dev, st.st_ino, -1, -1)  # changed just now: list it again next time
            listing = _Listing(key, subdirs, protected)
        new[d] = listing
        for name in listing.protected:
            p = _join(d, name)
            ident = _entry_id(p)
            if ident is not None:
                found[p] = ident
        stack.extend(c for c in (_join(d, n) for n in listing.subdirs) if c not in virtual)
    _WALK_CACHE[root] = new


# -- default: an inotify-maintained index -----------------------------------------------------

_IN_NONBLOCK = os.O_NONBLOCK
_IN_CLOEXEC = os.O_CLOEXEC
_WATCH_MASK = (
    IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF
    | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK
)  # fmt: skip
_MAX_WATCHES = 65536


class _Unusable(Exception):
    """The index cannot serve (inotify missing, watch budget exhausted): walk instead."""


def _watch_budget() -> int:
    try:
        with open("/proc/sys/fs/inotify/max_user_watches") as f:
            return min(int(f.read()) // 4, _MAX_WATCHES)
    except (OSError, ValueError):
        return 8192 // 4


class _Node:
    __slots__ = ("protected", "subdirs", "wd")

    def __init__(self, wd: int) -> None:
        self.wd = wd
        self.subdirs: set[str] = set()
        self.protected: set[str] = set()


class _Index:
    """Every directory below the tracked roots, watched; the protected entries among them."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        try:
            self._add = libc.inotify_add_watch
            self._rm = libc.inotify_rm_watch
            init = libc.inotify_init1
        except AttributeError as exc:
            raise _Unusable("no inotify") from exc
        self._add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self._rm.argtypes = [ctypes.c_int, ctypes.c_int]
        fd = int(init(_IN_NONBLOCK | _IN_CLOEXEC))
        if fd < 0:
            raise _Unusable(os.strerror(ctypes.get_errno()))
        self.fd = fd
        self.budget = _watch_budget()
        self.virtual = _virtual_mounts()
        self.roots: list[str] = []
        self.nodes: dict[str, _Node] = {}
        self.by_wd: dict[int, str] = {}
        self.entries: dict[str, EntryId] = {}
        self.entry_wds: dict[str, int] = {}
        """Empty protected directories are watched too: content appearing in one changes it."""
        self.wd_entry: dict[int, str] = {}

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # -- queries --
    def find(self, roots: list[str]) -> dict[str, EntryId]:
        self._drain()
        for root in roots:
            if not any(_beneath(root, t) for t in self.roots):
                self.roots = [t for t in self.roots if not _beneath(t, root)] + [root]
        for root in self.roots:
            if root not in self.nodes:  # new, or lost (moved, deleted) since
                self._scan(root)
        return {p: i for p, i in self.entries.items() if any(_beneath(p, r) for r in roots)}

    # -- maintenance --
    def _watch(self, path: str) -> int | None:
        if len(self.by_wd) + len(self.wd_entry) >= self.budget:
            raise _Unusable(f"more than {self.budget} directories to watch")
        wd = int(self._add(self.fd, os.fsencode(path), _WATCH_MASK))
        if wd < 0:
            err = ctypes.get_errno()
            if err in (errno.ENOSPC, errno.ENOMEM):
                raise _Unusable(os.strerror(err))
            return None  # gone, not a directory, not readable
        stale = self.by_wd.get(wd)
        if stale is not None and stale != path:  # the directory moved; that event is still queued
            self._forget(stale, keep_wd=wd)
        self.by_wd[wd] = path
        return wd

    def _scan(self, top: str) -> None:
        """Watch ``top`` and everything below it, recording the protected entries. The watch is
        added before the listing: what appears later raises an event, what was there is listed."""
        stack = [top]
        while stack:
            d = stack.pop()
            if d in self.virtual:
                continue
            wd = self._watch(d)  # None: gone, or not readable (then only its entries' names are looked up)
            try:
                subdirs, protected = _list_dir(d)
            except OSError:
                continue
            node = self.nodes.get(d)
            if node is None:
                node = self.nodes[d] = _Node(-1)
                parent = self.nodes.get(os.path.dirname(d)) if d != "/" else None
                if parent is not None:
                    parent.subdirs.add(os.path.basename(d))
            node.wd = -1 if wd is None else wd
            for name in protected:
                self._record(d, node, name)
            stack.extend(_join(d, n) for n in subdirs)

    def _record(self, d: str, node: _Node, name: str) -> None:
        p = _join(d, name)
        self._unwatch_entry(p)
        try:
            st = os.lstat(p)
        except OSError:
            node.protected.discard(name)
            self.entries.pop(p, None)
            return
        empty = False
        if stat.S_ISDIR(st.st_mode):
            wd = int(self._add(self.fd, os.fsencode(p), _WATCH_MASK))  # before looking inside
            empty = _is_empty_dir(p)
            if empty and wd >= 0:
                self.entry_wds[p] = wd
                self.wd_entry[wd] = p
            elif wd >= 0 and wd not in self.by_wd:
                self._rm(self.fd, wd)
        node.protected.add(name)
        self.entries[p] = (st.st_dev, st.st_ino, empty)

    def _reshape(self, d: str, node: _Node) -> None:
        """``HEAD``, ``objects``, ``refs`` or ``commondir`` changed in ``d``: does it look like a
        git directory now?"""
        try:
            _, protected = _list_dir(d)
        except OSError:
            protected = []
        if GIT_DIR_MARK in protected:
            self._record(d, node, GIT_DIR_MARK)
        elif GIT_DIR_MARK in node.protected:
            node.protected.discard(GIT_DIR_MARK)
            self.entries.pop(_join(d, GIT_DIR_MARK), None)

    def _unwatch_entry(self, path: str) -> None:
        wd = self.entry_wds.pop(path, None)
        if wd is not None:
            del self.wd_entry[wd]
            if wd not in self.by_wd:
                self._rm(self.fd, wd)

    def _forget(self, top: str, *, keep_wd: int = -1) -> None:
        """Drop ``top`` and everything below it (it was deleted or moved away)."""
        parent = self.nodes.get(os.path.dirname(top))
        if parent is not None:
            parent.subdirs.discard(os.path.basename(top))
        stack = [top]
        while stack:
            d = stack.pop()
            node = self.nodes.pop(d, None)
            if node is None:
                continue
            for name in node.protected:
                self.entries.pop(_join(d, name), None)
                self._unwatch_entry(_join(d, name))
            if self.by_wd.get(node.wd) == d:
                del self.by_wd[node.wd]
                if node.wd != keep_wd:
                    self._rm(self.fd, node.wd)
            stack.extend(_join(d, n) for n in node.subdirs)

    def _queued(self) -> int:
        import fcntl
        import termios

        buf = bytearray(4)
        fcntl.ioctl(self.fd, termios.FIONREAD, buf)
        return int.from_bytes(buf, sys.byteorder)

    def _drain(self) -> None:
        """Bring the index up to date with the events queued *now*: events that keep arriving
        while we work (a busy command) wait for the next query, so a query always ends. The
        paths they name are reconciled once each, against the disk as it is when we look."""
        pending = self._queued()
        touched: dict[str, None] = {}
        while pending > 0:
            try:
                data = os.read(self.fd, max(pending, 1 << 16))
            except BlockingIOError:
                break
            if not data:
                break
            pending -= len(data)
            for wd, mask, name in parse_events(data):
                if mask & IN_Q_OVERFLOW:
                    self._rebuild()
                    return
                d = self.by_wd.get(wd)
                if d is None:
                    entry = self.wd_entry.get(wd)
                    if entry is not None:  # inside an empty protected directory: look at it again
                        touched[entry] = None
                    continue
                if name:
                    touched[_join(d, name)] = None
                elif mask & (IN_IGNORED | IN_UNMOUNT | IN_DELETE_SELF | IN_MOVE_SELF):
                    touched[d] = None  # the watched directory itself went away (or moved)
        for path in touched:
            self._reconcile(path)

    def _reconcile(self, path: str) -> None:
        """Make the index agree with what is at ``path`` now (it was created, deleted or moved)."""
        parent, name = os.path.split(path)
        node = self.nodes.get(parent)
        if name in _GIT_DIR_NAMES and node is not None:
            self._reshape(parent, node)
        if name in PROTECTED_NAMES:
            if node is not None:
                self._record(parent, node, name)
            return
        self._forget(path)
        if (node is None and path not in self.roots) or path in self.virtual:
            return
        try:
            is_dir = stat.S_ISDIR(os.lstat(path).st_mode)
        except OSError:
            return
        if is_dir:
            self._scan(path)

    def _rebuild(self) -> None:
        """Events were lost (queue overflow): start again from the disk."""
        os.close(self.fd)
        fd = int(ctypes.CDLL(None, use_errno=True).inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC))
        if fd < 0:
            self.fd = -1
            raise _Unusable("inotify_init1 failed")
        self.fd = fd
        self.nodes.clear()
        self.by_wd.clear()
        self.entries.clear()
        self.entry_wds.clear()
        self.wd_entry.clear()
        for root in self.roots:
            self._scan(root)


_LOCK = threading.Lock()
_INDEX: _Index | None = None
_USE_INDEX = True


def reset_index(*, use_inotify: bool = True) -> None:
    """Forget everything found so far (tests; a forked child must not share the parent's index)."""
    global _INDEX, _USE_INDEX
    with _LOCK:
        if _INDEX is not None:
            _INDEX.close()
        _INDEX = None
        _USE_INDEX = use_inotify
        _WALK_CACHE.clear()


def find_protected(roots: Iterable[Path | str]) -> dict[str, EntryId]:
    """Every entry named like VCS or Codex metadata (``PROTECTED_NAMES``) below ``roots``,
    the roots' own top level included: absolute path (built from the resolved roots) -> identity."""
    global _INDEX, _USE_INDEX
    tops = outermost(roots)
    with _LOCK:
        if _USE_INDEX:
            try:
                if _INDEX is None:
                    _INDEX = _Index()
                return _INDEX.find(tops)
            except _Unusable:
                if _INDEX is not None:
                    _INDEX.close()
                _INDEX, _USE_INDEX = None, False
        found: dict[str, EntryId] = {}
        virtual = _virtual_mounts()
        for root in tops:
            _walk(root, virtual, found)
        return found


os.register_at_fork(after_in_child=lambda: _forget_after_fork())


def _forget_after_fork() -> None:
    """The child of a fork shares the inotify queue with the parent: it must not read from it."""
    global _INDEX, _LOCK
    _LOCK = threading.Lock()
    if _INDEX is not None:
        with contextlib.suppress(OSError):
            os.close(_INDEX.fd)
        _INDEX = None
