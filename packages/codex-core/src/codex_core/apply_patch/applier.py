"""Applying a parsed patch to a directory tree, all or nothing.

Two phases:

1. **Plan** (no writes): resolve every path against ``cwd``, refuse any that leaves the allowed
   roots, then replay the hunks in order on an in-memory overlay of the tree (so later hunks
   see earlier ones, as in Codex), computing every new file text. Every error Codex would hit
   while applying (missing file, context not found, deleting a directory...) surfaces here.
2. **Commit**: write each new file through a temporary file + ``os.replace`` (following
   symlinks, keeping the file mode), then delete files. If any step fails, the files already
   touched are restored from the originals saved during planning and created directories are
   removed again, so the tree is left as it was.

Codex itself applies hunk by hunk and leaves earlier hunks applied when a later one fails;
the all-or-nothing behaviour is a deliberate improvement (see docs/apply_patch.md).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

import attrs

from codex_core.apply_patch.content import compute_updated_content
from codex_core.apply_patch.diff import unified_diff
from codex_core.apply_patch.errors import (
    ApplyPatchError,
    PatchIOError,
    PatchPathError,
)
from codex_core.apply_patch.parser import AddFile, DeleteFile, Patch, UpdateFile, parse_patch
from codex_core.apply_patch.result import PatchFileChange, PatchResult

__all__ = ["apply_parsed_patch", "apply_patch", "preview_patch"]


@attrs.frozen
class _Snapshot:
    """The on-disk state of a path before the patch touched it."""

    exists: bool
    is_dir: bool = False
    data: bytes | None = None
    mode: int | None = None
    link_target: str | None = None
    read_error: OSError | None = None


def _os_error_text(error: OSError) -> str:
    """Format like Rust's io::Error: ``No such file or directory (os error 2)``."""
    if error.errno is None:
        return str(error)
    return f"{os.strerror(error.errno)} (os error {error.errno})"


def _utf8_error_text(error: UnicodeDecodeError) -> str:
    if error.reason == "unexpected end of data":
        return f"incomplete utf-8 byte sequence from index {error.start}"
    return f"invalid utf-8 sequence of {error.end - error.start} bytes from index {error.start}"


def _default_file_mode() -> int:
    umask = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                umask = int(line.split()[1], 8)
    if umask is None:  # pragma: no cover - non-Linux fallback
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def _git_mode(mode: int | None) -> str:
    return "100755" if mode is not None and mode & 0o111 else "100644"


class _Plan:
    """In-memory replay of the hunks over the real tree."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.real_cwd = os.path.realpath(cwd)
        self.state: dict[str, str | None] = {}  # file identity -> new text, None = absent
        self.originals: dict[str, _Snapshot] = {}
        self.changes: list[PatchFileChange] = []
        self.moves: list[tuple[str, str]] = []  # (source identity, destination identity)
        self._by_inode: dict[tuple[int, int], str] = {}

    # -- paths -------------------------------------------------------------------------
    def named(self, raw: str) -> str:
        """The path as the patch names it: absolute and normalised (what Codex prints)."""
        return os.path.normpath(os.path.join(self.cwd, raw))

    def key(self, raw: str) -> str:
        """The identity of the file ``raw`` names: symlinks resolved, hard links merged.

        Two names of one file (``CLAUDE.md -> AGENTS.md``, two hard links) share one key, so
        later hunks see earlier ones and a move onto an alias of the source is an in-place
        update instead of a write followed by a delete of the same file.
        """
        key = os.path.realpath(self.named(raw))
        try:
            info = os.stat(key)
        except OSError:
            return key
        if not stat.S_ISREG(info.st_mode):
            return key
        return self._by_inode.setdefault((info.st_dev, info.st_ino), key)

    def link_key(self, raw: str) -> str:
        """The identity of the directory entry itself (a symlink is deleted, not its target)."""
        named = self.named(raw)
        return os.path.join(os.path.realpath(os.path.dirname(named)), os.path.basename(named))

    def display(self, raw: str) -> str:
        """The path as Codex prints it in errors: absolute and normalised."""
        return self.named(raw)

    def diff_name(self, path: str) -> str:
        for base in (str(self.cwd), self.real_cwd):
            if path.startswith(base.rstrip(os.sep) + os.sep):
                return os.path.relpath(path, base).replace(os.sep, "/")
        return path

    # -- reading -----------------------------------------------------------------------
    def snapshot(self, key: str) -> _Snapshot:
        if key not in self.originals:
            self.originals[key] = _take_snapshot(key)
        return self.originals[key]

    def exists_as_file(self, key: str) -> bool:
        if key in self.state:
            return self.state[key] is not None
        snap = self.snapshot(key)
        return snap.exists and not snap.is_dir

    def is_dir(self, key: str) -> bool:
        if key in self.state:
            return False
        return os.path.isdir(key)

    def check_writable(self, key: str, raw: str, hunk: int) -> None:
        """Fail like Codex when creating ``key``: a parent is a file, or ``key`` is a dir."""
        parent = os.path.dirname(key)
        while parent and parent != os.path.dirname(parent):
            if parent in self.state:
                blocked = self.state[parent] is not None
            else:
                blocked = os.path.lexists(parent) and not os.path.isdir(parent)
            if blocked:
                raise PatchIOError(
                    f"Failed to write file {self.display(raw)}",
                    path=Path(key),
                    hunk=hunk,
                )
            parent = os.path.dirname(parent)
        if self.is_dir(key):
            raise PatchIOError(f"Failed to write file {self.display(raw)}", path=Path(key), hunk=hunk)

    def read_text(self, key: str, raw: str, hunk: int) -> str:
        if key in self.state:
            current = self.state[key]
            if current is None:
                raise PatchIOError(
                    f"Failed to read file to update {self.display(raw)}: No such file or directory (os error 2)",
                    path=Path(key),
                    hunk=hunk,
                )
            return current
        snap = self.snapshot(key)
        prefix = f"Failed to read file to update {self.display(raw)}"
        if snap.data is None:
            error = snap.read_error or FileNotFoundError(errno.ENOENT, "No such file or directory")
            raise PatchIOError(f"{prefix}: {_os_error_text(error)}", path=Path(key), hunk=hunk, os_error=error)
        try:
            return snap.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PatchIOError(f"{prefix}: {_utf8_error_text(exc)}", path=Path(key), hunk=hunk, os_error=exc) from None

    def current_text_or_none(self, key: str) -> str | None:
        if key in self.state:
            return self.state[key]
        snap = self.snapshot(key)
        if snap.data is None:
            return None
        return snap.data.decode("utf-8", errors="replace")

    def original_text(self, key: str) -> str | None:
        data = self.snapshot(key).data
        return None if data is None else data.decode("utf-8", errors="replace")

    def net_diff(self) -> str:
        """Git-style diff from the original tree to the planned one, one section per file."""
        renames: dict[str, str] = {}
        for src, dst in self.moves:
            if (
                src != dst
                and self.state.get(src, "") is None
                and self.state.get(dst) is not None
                and self.snapshot(src).data is not None
                and not self.snapshot(dst).exists
            ):
                renames[src] = dst
        renamed_to = set(renames.values())
        parts: list[str] = []
        for key, new in self.state.items():
            if key in renamed_to:
                continue
            old = self.original_text(key)
            mode = _git_mode(self.snapshot(key).mode)
            if key in renames:
                dst = renames[key]
                parts.append(
                    unified_diff(
                        self.diff_name(key),
                        self.diff_name(dst),
                        old or "",
                        self.state[dst] or "",
                        old_mode=mode,
                        new_mode=mode,
                    )
                )
            elif old is not None or new is not None:
                parts.append(
                    unified_diff(
                        self.diff_name(key) if old is not None else None,
                        self.diff_name(key) if new is not None else None,
                        old or "",
                        new or "",
                        old_mode=mode,
                        new_mode=mode if old is not None else "100644",
                    )
                )
        return "".join(parts)

    # -- hunks -------------------------------------------------------------------------
    def add(self, hunk: AddFile, index: int) -> None:
        key = self.key(hunk.path)
        self.check_writable(key, hunk.path, index)
        old = self.current_text_or_none(key)
        self.state[key] = hunk.contents
        self.changes.append(
            PatchFileChange(
                kind="add",
                path=Path(self.named(hunk.path)),
                display_path=hunk.path,
                old_content=old,
                new_content=hunk.contents,
                hunk=index,
                diff_old_name=None,
                diff_new_name=self.diff_name(key),
            )
        )

    def delete(self, hunk: DeleteFile, index: int) -> None:
        key = self.link_key(hunk.path)
        if not self.exists_as_file(key):
            raise PatchIOError(f"Failed to delete file {self.display(hunk.path)}", path=Path(key), hunk=index)
        old = self.current_text_or_none(key)
        mode = self.snapshot(key).mode if key not in self.state else None
        self.state[key] = None
        self.changes.append(
            PatchFileChange(
                kind="delete",
                path=Path(self.named(hunk.path)),
                display_path=hunk.path,
                old_content=old,
                new_content=None,
                hunk=index,
                diff_old_name=self.diff_name(key),
                diff_new_name=None,
                old_mode=_git_mode(mode),
            )
        )

    def update(self, hunk: UpdateFile, index: int) -> None:
        key = self.key(hunk.path)
        original = self.read_text(key, hunk.path, index)
        new = compute_updated_content(
            original, hunk.chunks, path=Path(key), hunk=index, display_path=self.display(hunk.path)
        )
        dest_key = key
        if hunk.move_path is not None:
            dest_key = self.key(hunk.move_path)
            self.check_writable(dest_key, hunk.move_path, index)
        self.state[dest_key] = new
        if dest_key != key:
            self.state[key] = None
            self.moves.append((key, dest_key))
        self.changes.append(
            PatchFileChange(
                kind="update",
                path=Path(self.named(hunk.path)),
                display_path=hunk.path,
                old_content=original,
                new_content=new,
                hunk=index,
                diff_old_name=self.diff_name(key),
                diff_new_name=self.diff_name(dest_key),
                move_path=Path(self.named(hunk.move_path)) if hunk.move_path is not None else None,
                display_move_path=hunk.move_path,
            )
        )


def _take_snapshot(key: str) -> _Snapshot:
    try:
        info = os.lstat(key)
    except OSError as exc:
        return _Snapshot(exists=False, read_error=exc)
    link_target = os.readlink(key) if stat.S_ISLNK(info.st_mode) else None
    if os.path.isdir(key):
        error = IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        return _Snapshot(exists=True, is_dir=True, link_target=link_target, read_error=error)
    try:
        target_mode = os.stat(key).st_mode
    except OSError:
        target_mode = info.st_mode
    if not stat.S_ISREG(target_mode) and not stat.S_ISLNK(target_mode):
        # a FIFO, socket or device: reading it could block forever or never end
        return _Snapshot(exists=True, link_target=link_target, read_error=OSError(errno.EINVAL, "not a regular file"))
    try:
        data = Path(key).read_bytes()
        mode = stat.S_IMODE(os.stat(key).st_mode)
    except OSError as exc:
        return _Snapshot(exists=True, link_target=link_target, read_error=exc)
    return _Snapshot(exists=True, data=data, mode=mode, link_target=link_target)


def _check_roots(patch: Patch, cwd: Path, roots: Sequence[Path]) -> None:
    resolved_roots = [os.path.realpath(root) for root in roots]

    def inside(path: str) -> bool:
        return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in resolved_roots)

    for index, hunk in enumerate(patch.hunks, start=1):
        raw_paths = [hunk.path]
        if isinstance(hunk, UpdateFile) and hunk.move_path is not None:
            raw_paths.append(hunk.move_path)
        for raw in raw_paths:
            joined = os.path.normpath(os.path.join(cwd, raw))
            if isinstance(hunk, DeleteFile):
                # Deleting a symlink removes the link itself, so only its directory matters.
                resolved = os.path.join(os.path.realpath(os.path.dirname(joined)), os.path.basename(joined))
            else:
                resolved = os.path.realpath(joined)
            if not inside(resolved):
                roots_text = ", ".join(resolved_roots) or "(none)"
                raise PatchPathError(
                    f"Refusing to apply patch: '{raw}' resolves to {resolved}, which is outside "
                    f"the writable roots ({roots_text}). No files were modified.",
                    path=Path(resolved),
                    hunk=index,
                )


def _make_parents(directory: str, created: list[str]) -> None:
    missing: list[str] = []
    while directory and not os.path.isdir(directory):
        missing.append(directory)
        directory = os.path.dirname(directory)
    for path in reversed(missing):
        try:
            os.mkdir(path)
        except FileExistsError:
            if not os.path.isdir(path):
                raise
            continue
        created.append(path)


def _write_atomic(target: str, data: bytes, mode: int) -> None:
    from codex_core.fsutil import write_atomic

    write_atomic(target, data, mode=mode, durable=False)


def _commit(state: dict[str, str | None]) -> None:
    default_mode = _default_file_mode()
    undo: list[tuple[str, _Snapshot]] = []  # (path on disk, how to restore it)
    created_dirs: list[str] = []
    writes = [(key, text) for key, text in state.items() if text is not None]
    deletes = [key for key, text in state.items() if text is None]
    current, action = "", "write file"
    try:
        for key, text in writes:
            current = key
            data = text.encode("utf-8")
            _make_parents(os.path.dirname(key), created_dirs)
            target = os.path.realpath(key)
            before = _take_snapshot(target)
            if before.data == data:
                continue
            mode = before.mode if before.mode is not None else default_mode
            _write_atomic(target, data, mode)
            undo.append((target, attrs.evolve(before, link_target=None)))
        action = "delete file"
        for key in deletes:
            current = key
            snap = _take_snapshot(key)
            if not snap.exists or snap.is_dir:
                continue
            os.unlink(key)
            undo.append((key, snap))
    except OSError as exc:
        problems = _rollback(undo, created_dirs)
        message = f"Failed to {action} {current}: {_os_error_text(exc)}."
        if problems:
            message += " Rolling back also failed for: " + ", ".join(problems)
        else:
            message += " No files were modified."
        raise PatchIOError(message, path=Path(current), os_error=exc) from exc


def _rollback(undo: list[tuple[str, _Snapshot]], created_dirs: list[str]) -> list[str]:
    problems: list[str] = []
    for path, snap in reversed(undo):
        try:
            if not snap.exists:
                os.unlink(path)
            elif snap.link_target is not None:
                os.symlink(snap.link_target, path)
            elif snap.data is not None:
                _write_atomic(path, snap.data, snap.mode if snap.mode is not None else 0o644)
            else:
                problems.append(path)  # the original could not be read, so cannot be restored
        except OSError:
            problems.append(path)
    for directory in reversed(created_dirs):
        with contextlib.suppress(OSError):
            os.rmdir(directory)
    return problems


def apply_parsed_patch(
    patch: Patch,
    *,
    cwd: Path,
    allowed_roots: Sequence[Path] | None = None,
    dry_run: bool = False,
) -> PatchResult:
    """Apply an already parsed ``patch`` relative to ``cwd``; see :func:`apply_patch`."""
    cwd = Path(os.path.abspath(cwd))
    if not patch.hunks:
        raise ApplyPatchError("No files were modified.")
    if allowed_roots is not None:
        _check_roots(patch, cwd, [Path(os.path.abspath(root)) for root in allowed_roots])
    plan = _Plan(cwd)
    for index, hunk in enumerate(patch.hunks, start=1):
        if isinstance(hunk, AddFile):
            plan.add(hunk, index)
        elif isinstance(hunk, DeleteFile):
            plan.delete(hunk, index)
        else:
            plan.update(hunk, index)
    diff = plan.net_diff()  # before committing: it compares with the original tree
    if not dry_run:
        _commit(plan.state)
    return PatchResult(cwd=cwd, changes=tuple(plan.changes), applied=not dry_run, diff=diff)


def apply_patch(
    text: str,
    *,
    cwd: Path,
    allowed_roots: Sequence[Path] | None = None,
    dry_run: bool = False,
) -> PatchResult:
    """Parse and apply patch ``text`` to the tree at ``cwd``, all or nothing.

    Relative paths resolve against ``cwd``. With ``allowed_roots`` every path (after resolving
    ``..`` and symlinks) must lie inside one of them, else :class:`PatchPathError` is raised
    before anything is read or written; ``None`` means no restriction. ``dry_run=True``
    computes the full result (contents and diffs) without writing. Failures raise subclasses
    of :class:`~codex_core.errors.PatchError` and leave the tree unchanged.
    """
    return apply_parsed_patch(parse_patch(text), cwd=cwd, allowed_roots=allowed_roots, dry_run=dry_run)


def preview_patch(text: str, *, cwd: Path, allowed_roots: Sequence[Path] | None = None) -> PatchResult:
    """Compute what :func:`apply_patch` would do (contents, diffs) without writing anything."""
    return apply_patch(text, cwd=cwd, allowed_roots=allowed_roots, dry_run=True)
