"""``ConfinedFs``: file operations a client asks for, held to a thread's sandbox policy.

The app-server's ``fs/*`` methods act on the host, outside the sandbox, on behalf of whoever
drives the server. They must not reach further than the thread's own commands could:

- every path is resolved once (``checks.locate``) and checked against the ``SandboxPolicy``:
  reads need the path readable (``readable_roots``, not access ``none``), anything that creates,
  replaces or removes needs ``SandboxPolicy.allows_write`` (inside a writable root, not
  ``.git``/``.codex``/... at any depth, not a profile ``read``/``none`` path, not Codex's
  state) -- a symlink is judged by where it leads;
- the checked path is then walked from ``/`` one component at a time with ``O_NOFOLLOW``
  (:mod:`codex_core.fs_access.walk`), and the final step is an ``*at`` call relative to the
  last directory, so a directory swapped for a symlink after the check makes the operation
  fail instead of landing elsewhere;
- a file is written to a fresh temporary name in its directory and renamed over the target, so
  a symlink or hard link planted at the target is replaced, never written through;
- a recursive removal or copy checks every entry before it touches anything.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs

from codex_core.fs_access.checks import Located, locate, refuse_read, refuse_write, within
from codex_core.fs_access.errors import FsAccessDenied, FsError, FsInvalidRequest, FsIOError, io_error
from codex_core.fs_access.walk import LIST_FLAGS, lstat_at, open_dir, open_parent, open_regular

if TYPE_CHECKING:
    from codex_core.sandbox import SandboxPolicy

__all__ = ["MAX_READ_BYTES", "ConfinedFs", "DirEntry", "FsMetadata"]

MAX_READ_BYTES = 64 * 1024 * 1024
"""``read_file`` refuses larger files (the content travels base64-encoded in one JSON line)."""
_CHUNK = 1 << 20


@attrs.frozen
class FsMetadata:
    is_directory: bool
    """The path resolves to a directory."""
    is_file: bool
    """The path resolves to a regular file."""
    is_symlink: bool
    """The path itself is a symbolic link."""
    created_at_ms: int
    """0: Linux does not report creation times through ``stat``."""
    modified_at_ms: int


@attrs.frozen
class DirEntry:
    name: str
    is_directory: bool
    is_file: bool


EntryKind = Literal["dir", "file", "symlink"]


@contextlib.contextmanager
def _os_errors(path: Path | str) -> Iterator[None]:
    try:
        yield
    except FsError:
        raise
    except OSError as exc:
        raise io_error(exc, path) from None


def _kind(mode: int) -> EntryKind | None:
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "symlink"
    return None


class ConfinedFs:
    """File operations confined by ``policy`` (see the module docstring). Paths are absolute
    strings or ``Path``s as a client sent them; errors are ``FsError`` subclasses."""

    def __init__(self, policy: SandboxPolicy, *, max_read_bytes: int = MAX_READ_BYTES) -> None:
        self.policy = policy
        self.max_read_bytes = max_read_bytes

    # --- reads --------------------------------------------------------------------------------

    def check_readable(self, path: str | Path) -> Path:
        """The resolved path, if a sandboxed command could read ``path`` (``fs/watch``)."""
        where = locate(path)
        refuse_read(self.policy, where, "watch")
        return where.target

    def read_file(self, path: str | Path) -> bytes:
        where = locate(path)
        refuse_read(self.policy, where)
        with _os_errors(where.given):
            try:
                fd = open_regular(where.target)
            except IsADirectoryError:
                raise FsInvalidRequest(f"path `{where.given}` is not a file") from None
            except OSError as exc:
                if exc.errno != errno.EINVAL:
                    raise
                raise FsInvalidRequest(f"path `{where.given}` is not a regular file") from None
            with os.fdopen(fd, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                data = f.read(self.max_read_bytes + 1) if size <= self.max_read_bytes else b""
        if size > self.max_read_bytes or len(data) > self.max_read_bytes:
            raise FsInvalidRequest(
                f"`{where.given}` is too large to read in one request ({max(size, len(data))} bytes; "
                f"the limit is {self.max_read_bytes})"
            )
        return data

    def metadata(self, path: str | Path) -> FsMetadata:
        where = locate(path)
        refuse_read(self.policy, where, "inspect")
        with _os_errors(where.given):
            own = lstat_at(where.entry)
            final = own
            if stat.S_ISLNK(own.st_mode):
                try:
                    final = lstat_at(where.target)
                except FileNotFoundError:  # a dangling link: only the link itself exists
                    final = own
        return FsMetadata(
            is_directory=stat.S_ISDIR(final.st_mode),
            is_file=stat.S_ISREG(final.st_mode),
            is_symlink=stat.S_ISLNK(own.st_mode),
            created_at_ms=0,
            modified_at_ms=final.st_mtime_ns // 1_000_000,
        )

    def read_directory(self, path: str | Path) -> list[DirEntry]:
        """The directory's direct entries, sorted by name. A symlink entry reports what it leads
        to only when that is readable under the policy; an access-``none`` entry reports neither
        a directory nor a file."""
        where = locate(path)
        refuse_read(self.policy, where, "list")
        out: list[DirEntry] = []
        with _os_errors(where.given):
            fd = open_dir(where.target, flags=LIST_FLAGS)
            try:
                with os.scandir(fd) as it:
                    for entry in it:
                        out.append(self._describe_entry(where.target / entry.name, entry))
            finally:
                os.close(fd)
        return sorted(out, key=lambda e: e.name)

    def _describe_entry(self, child: Path, entry: os.DirEntry[str]) -> DirEntry:
        if any(within(child, m) for m in self.policy.masked_paths):
            return DirEntry(name=entry.name, is_directory=False, is_file=False)
        try:
            if not entry.is_symlink():
                return DirEntry(
                    name=entry.name,
                    is_directory=entry.is_dir(follow_symlinks=False),
                    is_file=entry.is_file(follow_symlinks=False),
                )
            target = Located(given=child, entry=child, target=Path(os.path.realpath(child)))
            refuse_read(self.policy, target)
            st = lstat_at(target.target)
        except (OSError, FsError):
            return DirEntry(name=entry.name, is_directory=False, is_file=False)
        return DirEntry(name=entry.name, is_directory=stat.S_ISDIR(st.st_mode), is_file=stat.S_ISREG(st.st_mode))

    # --- writes -------------------------------------------------------------------------------

    def write_file(self, path: str | Path, data: bytes) -> None:
        """Create or replace the file (through a symlink: its target, if that may be written)."""
        where = locate(path)
        refuse_write(self.policy, where)

        def fill(fd: int) -> None:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]

        self._replace_file(where.given, where.target, fill)

    def _replace_file(self, shown: Path, target: Path, fill: Callable[[int], None]) -> None:
        """Write a new file next to ``target`` (no-follow walk), then rename it over ``target``."""
        with _os_errors(shown), open_parent(target) as dir_fd:
            mode: int | None = None
            try:
                existing = os.stat(target.name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                pass
            else:
                if stat.S_ISDIR(existing.st_mode):
                    raise FsIOError(f"{shown}: Is a directory (os error {errno.EISDIR})", errno=errno.EISDIR)
                if stat.S_ISLNK(existing.st_mode):  # resolved a moment ago: swapped in since
                    raise io_error(OSError(errno.ELOOP, "symlink"), shown)
                mode = stat.S_IMODE(existing.st_mode) & ~(stat.S_ISUID | stat.S_ISGID)
            tmp = f".{target.name}.{secrets.token_hex(6)}.codex-tmp"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(tmp, flags, 0o666, dir_fd=dir_fd)
            try:
                try:
                    if mode is not None:
                        os.fchmod(fd, mode)
                    fill(fd)
                finally:
                    os.close(fd)
                os.rename(tmp, target.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=dir_fd)
                raise

    def create_directory(self, path: str | Path, *, recursive: bool = True) -> None:
        """``mkdir`` (``recursive``: ``mkdir -p``; an existing directory is then fine)."""
        where = locate(path)
        missing: list[str] = []
        base = where.target
        while not os.path.lexists(base):
            missing.append(base.name)
            base = base.parent
        if not missing:
            if recursive and os.path.isdir(base):
                return
            raise FsIOError(f"{where.given}: File exists (os error {errno.EEXIST})", errno=errno.EEXIST)
        if len(missing) > 1 and not recursive:
            raise FsIOError(f"{where.given}: No such file or directory (os error {errno.ENOENT})", errno=errno.ENOENT)
        created = base
        for name in reversed(missing):
            created = created / name
            refuse_write(self.policy, where, created, "create")
        with _os_errors(where.given):
            fd = open_dir(base)
            try:
                for name in reversed(missing):
                    with contextlib.suppress(FileExistsError):  # made meanwhile: used if a real directory
                        os.mkdir(name, 0o777, dir_fd=fd)
                    nxt = os.open(name, os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_RDONLY, dir_fd=fd)
                    os.close(fd)
                    fd = nxt
            finally:
                os.close(fd)

    def remove(self, path: str | Path, *, recursive: bool = True, force: bool = True) -> None:
        """Remove a file, a symlink (never its target) or a directory (``recursive``: its tree;
        refused as a whole when any entry in it may not be removed). ``force``: a missing path is
        not an error."""
        where = locate(path)
        entry = where.entry
        if not os.path.lexists(entry):
            refuse_read(self.policy, where, "remove")
            if force:
                return
            raise FsIOError(f"{where.given}: No such file or directory (os error {errno.ENOENT})", errno=errno.ENOENT)
        refuse_write(self.policy, where, entry, "remove")
        for root in self.policy.writable_roots:
            if within(root, entry):
                raise FsAccessDenied(
                    f"cannot remove `{where.given}`: `{root}` is a writable root of the sandbox (or lies inside it)"
                )
        with _os_errors(where.given), open_parent(entry) as dir_fd:
            st = os.stat(entry.name, dir_fd=dir_fd, follow_symlinks=False)
            if not stat.S_ISDIR(st.st_mode):
                os.unlink(entry.name, dir_fd=dir_fd)
                return
            if not recursive:
                os.rmdir(entry.name, dir_fd=dir_fd)
                return
            sub = os.open(entry.name, LIST_FLAGS, dir_fd=dir_fd)
            try:
                self._walk(sub, entry, lambda p, _k: refuse_write(self.policy, where, p, "remove"))
                self._remove_tree(sub, entry, where)
            finally:
                os.close(sub)
            os.rmdir(entry.name, dir_fd=dir_fd)

    def _walk(self, fd: int, path: Path, visit: Callable[[Path, EntryKind | None], None]) -> None:
        """Call ``visit(child, kind)`` for every entry below the directory ``fd`` (depth first,
        a directory before its content; symlinks are not followed)."""
        with os.scandir(fd) as it:
            entries = [(e.name, _kind(e.stat(follow_symlinks=False).st_mode)) for e in it]
        for name, kind in sorted(entries):
            child = path / name
            visit(child, kind)
            if kind == "dir":
                sub = os.open(name, LIST_FLAGS, dir_fd=fd)
                try:
                    self._walk(sub, child, visit)
                finally:
                    os.close(sub)

    def _remove_tree(self, fd: int, path: Path, where: Located) -> None:
        with os.scandir(fd) as it:
            names = [e.name for e in it]
        for name in names:
            child = path / name
            refuse_write(self.policy, where, child, "remove")  # again: the tree may have changed
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                sub = os.open(name, LIST_FLAGS, dir_fd=fd)
                try:
                    self._remove_tree(sub, child, where)
                finally:
                    os.close(sub)
                os.rmdir(name, dir_fd=fd)
            else:
                os.unlink(name, dir_fd=fd)

    # --- copy ---------------------------------------------------------------------------------

    def copy(self, source: str | Path, destination: str | Path, *, recursive: bool = False) -> None:
        """Copy a file (replacing a destination file) or, with ``recursive``, a directory tree
        into ``destination`` (created if missing, merged if it exists). Symlinks inside a copied
        tree are copied as symlinks; other special files are refused."""
        src = locate(source)
        dst = locate(destination)
        refuse_read(self.policy, src)
        with _os_errors(src.given):
            st = lstat_at(src.target)
        if stat.S_ISREG(st.st_mode):
            self._copy_file(src, dst)
            return
        if not stat.S_ISDIR(st.st_mode):
            raise FsInvalidRequest(f"`{src.given}` is not a regular file or a directory")
        if not recursive:
            raise FsInvalidRequest("fs/copy requires recursive: true when sourcePath is a directory")
        if within(dst.target, src.target):
            raise FsInvalidRequest(f"cannot copy `{src.given}` into itself (`{dst.given}`)")
        for masked in self.policy.masked_paths:
            if within(masked, src.target):
                raise FsAccessDenied(
                    f"cannot copy `{src.given}`: it contains `{masked}`, which the sandbox policy hides (access `none`)"
                )
        plan: list[tuple[Path, EntryKind]] = []

        def visit(child: Path, kind: EntryKind | None) -> None:
            if kind is None:
                raise FsInvalidRequest(f"cannot copy `{child}`: not a regular file, directory or symlink")
            plan.append((child.relative_to(src.target), kind))

        with _os_errors(src.given):
            fd = open_dir(src.target, flags=LIST_FLAGS)
            try:
                self._walk(fd, src.target, visit)
            finally:
                os.close(fd)
        if not os.path.isdir(dst.target):
            refuse_write(self.policy, dst, dst.target, "create")
        for rel, _ in plan:
            refuse_write(self.policy, dst, dst.target / rel, "copy to")
        if not os.path.isdir(dst.target):
            self.create_directory(dst.given, recursive=False)
        for rel, kind in plan:
            self._copy_entry(src.target / rel, dst.target / rel, kind, dst)

    def _copy_entry(self, source: Path, target: Path, kind: EntryKind, dst: Located) -> None:
        if kind == "file":
            self._copy_file(Located(given=source, entry=source, target=source), dst, target)
            return
        with _os_errors(target), open_parent(target) as dir_fd:
            try:
                existing = os.stat(target.name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                existing = None
            if kind == "dir":
                if existing is None:
                    os.mkdir(target.name, 0o777, dir_fd=dir_fd)
                elif not stat.S_ISDIR(existing.st_mode):
                    raise FsIOError(f"{target}: File exists (os error {errno.EEXIST})", errno=errno.EEXIST)
                return
            with open_parent(source) as src_fd:
                link = os.readlink(source.name, dir_fd=src_fd)
            if existing is not None:
                if stat.S_ISDIR(existing.st_mode):
                    raise FsIOError(f"{target}: File exists (os error {errno.EEXIST})", errno=errno.EEXIST)
                os.unlink(target.name, dir_fd=dir_fd)
            os.symlink(link, target.name, dir_fd=dir_fd)

    def _copy_file(self, src: Located, dst: Located, target: Path | None = None) -> None:
        target = dst.target if target is None else target
        refuse_write(self.policy, dst, target, "copy to")
        with _os_errors(src.given):
            src_fd = open_regular(src.target)
        try:

            def fill(fd: int) -> None:
                while chunk := os.read(src_fd, _CHUNK):
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view) :]

            self._replace_file(dst.given if target == dst.target else target, target, fill)
        finally:
            os.close(src_fd)
