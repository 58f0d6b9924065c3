"""Host-side file operations held to a thread's sandbox policy (the app-server's ``fs/*``).

``ConfinedFs(policy)`` reads, lists, inspects, writes, copies and removes files only where a
sandboxed command of the same policy could: see :mod:`codex_core.fs_access.confined` for how a
path is checked once and then walked without following symlinks, and
:mod:`codex_core.fs_access.watch` for change notifications.
"""

from __future__ import annotations

from codex_core.fs_access.confined import MAX_READ_BYTES, ConfinedFs, DirEntry, FsMetadata
from codex_core.fs_access.errors import FsAccessDenied, FsError, FsInvalidRequest, FsIOError

__all__ = [
    "MAX_READ_BYTES",
    "ConfinedFs",
    "DirEntry",
    "FsAccessDenied",
    "FsError",
    "FsIOError",
    "FsInvalidRequest",
    "FsMetadata",
]
