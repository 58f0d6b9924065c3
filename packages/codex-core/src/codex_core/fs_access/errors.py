"""Errors of the confined file operations (all ``CodexError``s, with a ``code`` per kind)."""

from __future__ import annotations

import errno as errno_codes
import os
from pathlib import Path

from codex_core.errors import CodexError

__all__ = ["FsAccessDenied", "FsError", "FsIOError", "FsInvalidRequest", "io_error"]


class FsError(CodexError):
    """A file operation requested by a client failed; the message names the path."""

    code = "fs_error"


class FsAccessDenied(FsError):
    """The sandbox policy does not allow the operation (outside the readable or writable roots,
    VCS/Codex metadata, an access-``none`` path, a symlink swapped in during the operation)."""

    code = "fs_access_denied"


class FsInvalidRequest(FsError):
    """The request itself is wrong (relative path, a directory where a file is needed, ...)."""

    code = "fs_invalid_request"


class FsIOError(FsError):
    """The operating system refused (no such file, not empty, ...): ``errno`` says which."""

    code = "fs_io_error"

    def __init__(self, message: str, *, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


def io_error(exc: OSError, path: Path | str) -> FsError:
    """An ``OSError`` from an operation on ``path`` as an ``FsError``: a symlink met during a
    no-follow walk (``ELOOP``) means the path changed after it was checked -- refused."""
    if exc.errno == errno_codes.ELOOP:
        return FsAccessDenied(
            f"`{path}` goes through a symbolic link that cannot be followed safely (a loop, or the path "
            "changed while it was being checked); refused"
        )
    code = exc.errno
    text = exc.strerror or (os.strerror(code) if code else str(exc))
    suffix = f" (os error {code})" if code else ""
    return FsIOError(f"{path}: {text}{suffix}", errno=code)
