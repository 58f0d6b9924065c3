"""Quarantine VCS and Codex metadata that a sandboxed command created inside a writable root.

Git, Mercurial, Subversion, Jujutsu and Codex run code named by files under ``.git``, ``.hg``,
``.svn``, ``.jj``, ``.codex`` and ``.agents`` (``core.fsmonitor``, hooks, ``notify``, a project
``sandbox_mode``) -- on the host, when the user later runs ``git status`` or ``codex``. A
sandboxed command may write its writable roots, so it must not write these. The kernel cannot
be told "writable except entries *named* ``.git``" (Landlock rules are per file hierarchy,
seccomp cannot see paths), so three layers combine:

1. Existing metadata at any depth is found (``metadata_index.find_protected``) before each
   command and becomes a read-only carve-out (``SandboxPolicy.writable_root_details``).
2. Missing ``.git``/``.codex``/``.agents`` at the top of each writable root and in the
   directories between nested roots get read-only placeholders (``protect_missing``).
3. Metadata *created* during a command anywhere else in the workspace roots is found
   afterwards by a ``MetadataGuard`` (compared with what was there when the command started)
   and moved aside to ``<name>.codex-quarantine-<N>``: nothing is deleted, but git, hg, jj, svn
   and Codex no longer recognise it. The command's output says so. Shared scratch roots
   (``/tmp``...) are not guarded, except the part holding the workspace (see ``start``).
"""

from __future__ import annotations

import ctypes
import errno
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from codex_core.sandbox.metadata_index import GIT_DIR_MARK, PROTECTED_NAMES, EntryId, find_protected, outermost

if TYPE_CHECKING:
    from codex_core.sandbox.policy import SandboxPolicy

__all__ = ["QUARANTINE_MARK", "MetadataGuard", "quarantine"]

QUARANTINE_MARK = ".codex-quarantine-"


# -- quarantine -------------------------------------------------------------------------------

_RENAME_NOREPLACE = 1
_libc: ctypes.CDLL | None = None


def _renameat2_noreplace(dir_fd: int, old: str, new: str) -> None:
    """``renameat2(RENAME_NOREPLACE)``: never overwrite what is at ``new`` (raises ``FileExistsError``)."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(_libc, "renameat2", None)
    if fn is not None:
        ret = fn(dir_fd, os.fsencode(old), dir_fd, os.fsencode(new), _RENAME_NOREPLACE)
        if ret == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS):  # EINVAL: the filesystem lacks NOREPLACE
            raise OSError(err, os.strerror(err), old)
    if os.path.lexists(f"/proc/self/fd/{dir_fd}/{new}"):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), new)
    os.rename(old, new, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


def quarantine(root: str, path: str) -> str | None:
    """Rename ``path`` (inside ``root``) to ``<name>.codex-quarantine-<N>``; the new path, or
    ``None`` when it is already gone.

    Every directory from ``root`` down is opened with ``O_NOFOLLOW`` and the rename is made
    relative to the last one, so a command that swaps a parent for a symlink (say to ``~``)
    cannot make us rename anything outside ``root``.
    """
    rel = os.path.relpath(path, root)
    parts = rel.split("/")
    if rel.startswith("..") or not parts or (parts[-1] not in PROTECTED_NAMES and parts[-1] != GIT_DIR_MARK):
        raise ValueError(f"{path} is not a protected entry inside {root}")
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(root, flags)
    try:
        for part in parts[:-1]:
            try:
                nxt = os.open(part, flags, dir_fd=fd)
            except (FileNotFoundError, NotADirectoryError):
                return None
            except OSError as exc:
                if exc.errno == errno.ELOOP:  # a parent is a symlink now: the entry is not where it was
                    return None
                raise
            os.close(fd)
            fd = nxt
        name = parts[-1]
        for n in range(1, 10_000):
            new = f"{name}{QUARANTINE_MARK}{n}"
            try:
                _renameat2_noreplace(fd, name, new)
            except FileExistsError:
                continue
            except FileNotFoundError:
                return None
            return os.path.join(os.path.dirname(path), new)
        raise OSError(errno.EEXIST, f"no free quarantine name for {path}")
    finally:
        os.close(fd)


def shared_scratch_dirs() -> frozenset[str]:
    """The machine's shared scratch directories (resolved) that exist."""
    candidates = ["/tmp", "/var/tmp", "/dev/shm", os.environ.get("TMPDIR") or ""]
    return frozenset(os.path.realpath(c) for c in candidates if c and os.path.isdir(c))


def _display(path: str, cwd: str | None) -> str:
    if cwd and path.startswith(cwd.rstrip("/") + "/"):
        return path[len(cwd.rstrip("/")) + 1 :]
    return path


class MetadataGuard:
    """Detects VCS/Codex metadata created (or written into) during one sandboxed command or
    session and moves it aside. ``MetadataGuard.start(policy)`` before the command starts
    (``None`` for a policy with nothing writable), ``check()`` after it ends -- and, for a
    long-lived session, at every poll -- for the notes to show the model.

    What counts, per protected entry: a new path, a new inode at a known path, or an empty
    directory that got content (empty ones deep in a tree are not mounted read-only, see
    ``SandboxPolicy.writable_root_details``). Not counted: a new *empty* directory (harmless;
    the sandbox's own placeholders are such), and an unchanged entry whose parent directory was
    renamed (same inode, old path gone)."""

    def __init__(self, roots: Sequence[str], baseline: dict[str, EntryId], cwd: str | None) -> None:
        self.roots = tuple(roots)
        self.baseline = baseline
        self.cwd = cwd

    @classmethod
    def start(cls, policy: SandboxPolicy, *, cwd: Path | str | None = None) -> MetadataGuard | None:
        """Snapshot the protected entries under ``policy``'s workspace roots (sandboxed runs only).

        Shared scratch roots (``/tmp``, ``$TMPDIR``, ``/var/tmp``, ``/dev/shm``) are left out:
        other programs of the user create repositories there all the time, and a guard cannot
        tell who created an entry, so it would move their work aside. Layers 1 and 2 still hold
        there (existing metadata is read-only; the directories above the workspace get
        placeholders); when the workspace itself lies in a scratch root, it is guarded."""
        if policy.is_unrestricted or not policy.writable_roots:
            return None
        scratch = shared_scratch_dirs()
        roots = [str(r) for r in policy.writable_roots if str(r) not in scratch]
        for anchor in (policy.session_cwd, cwd):
            if anchor is None:
                continue
            real = os.path.realpath(anchor)
            if any(real.startswith(s.rstrip("/") + "/") for s in scratch) and any(
                real == str(r) or real.startswith(str(r).rstrip("/") + "/") for r in policy.writable_roots
            ):
                roots.append(real)
        if not roots:
            return None
        roots = outermost(roots)
        return cls(roots, find_protected(roots), None if cwd is None else os.path.realpath(cwd))

    def check(self) -> list[str]:
        """Quarantine what is new or changed since the snapshot; one note per entry, for the model."""
        notes: list[str] = []
        current = find_protected(self.roots)
        vanished = {ident: path for path, ident in self.baseline.items() if path not in current}
        for path, ident in current.items():
            before = self.baseline.get(path)
            if before == ident:
                continue
            if ident[2]:
                self.baseline[path] = ident  # an empty directory: nothing to act on (yet)
                continue
            if before is None and ident in vanished:  # a parent directory was renamed
                self.baseline.pop(vanished.pop(ident), None)
                self.baseline[path] = ident
                continue
            what = "created" if before is None else "replaced" if before[:2] != ident[:2] else "written to"
            notes += self._quarantine(path, what)
        return notes

    def _quarantine(self, path: str, what: str) -> list[str]:
        root = next(r for r in self.roots if path.startswith(r.rstrip("/") + "/"))
        entry = f"`{_display(path, self.cwd)}`"
        if os.path.basename(path) == GIT_DIR_MARK:
            parent = os.path.dirname(path)
            entry += f" (which makes `{'.' if parent == self.cwd else _display(parent, self.cwd)}` a git directory)"
        head = (
            f"sandbox: {entry} was {what} inside a writable root; VCS and Codex metadata are read-only in the sandbox"
        )
        try:
            moved = quarantine(root, path)
        except OSError as exc:
            return [f"{head}, but it could not be moved aside ({exc.strerror or exc})"]
        self.baseline.pop(path, None)
        if moved is None:  # gone already
            return []
        return [f"{head}, so it was moved to `{_display(moved, self.cwd)}`"]
