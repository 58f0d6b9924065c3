"""Errors raised by the apply_patch engine.

All of them subclass :class:`codex_core.errors.PatchError`. The ``message`` (and ``str(err)``)
is the text Codex shows for the same failure, so models see familiar wording; the structured
attributes (``path``, ``hunk``, ``line``...) let callers point at the exact place.

    PatchError
    └── ApplyPatchError          base: ``path`` (file concerned, if any), ``hunk`` (1-based index)
        ├── PatchSyntaxError     the patch text is malformed (``line`` = 1-based patch line)
        ├── PatchConflictError   an update chunk's context/expected lines are not in the file
        ├── PatchPathError       a path escapes the allowed roots (nothing was written)
        └── PatchIOError         reading, writing or deleting a file failed
"""

from __future__ import annotations

from pathlib import Path

from codex_core.errors import PatchError

__all__ = [
    "ApplyPatchError",
    "PatchConflictError",
    "PatchIOError",
    "PatchPathError",
    "PatchSyntaxError",
]


class ApplyPatchError(PatchError):
    """Base class of apply_patch failures.

    ``path`` is the (resolved) file the failure concerns and ``hunk`` the 1-based index of the
    file operation (``*** Add/Delete/Update File``) in the patch, when known.
    """

    code = "patch_error"

    def __init__(self, message: str, *, path: Path | None = None, hunk: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.hunk = hunk

    @property
    def cli_message(self) -> str:
        """The text the standalone ``apply_patch`` command prints on stderr."""
        return self.message


class PatchSyntaxError(ApplyPatchError):
    """The patch text does not follow the apply_patch grammar.

    ``reason`` is the bare explanation; ``line`` the 1-based line of the patch (counting the
    ``*** Begin Patch`` line as 1) for hunk-level problems, ``None`` for boundary problems.
    """

    code = "patch_syntax_error"

    def __init__(self, reason: str, *, line: int | None = None, hunk: int | None = None) -> None:
        if line is None:
            message = f"invalid patch: {reason}"
        else:
            message = f"invalid hunk at line {line}, {reason}"
        super().__init__(message, hunk=hunk)
        self.reason = reason
        self.line = line

    @property
    def cli_message(self) -> str:
        if self.line is None:
            return f"Invalid patch: {self.reason}"
        return f"Invalid patch hunk on line {self.line}: {self.reason}"


class PatchConflictError(ApplyPatchError):
    """An update chunk could not be located in the target file.

    ``chunk`` is the 1-based index of the ``@@`` chunk inside the file's hunk, ``context`` the
    ``@@ <context>`` line that was not found (if that was the problem) and ``expected_lines``
    the old lines that were searched for.
    """

    code = "patch_conflict"

    def __init__(
        self,
        message: str,
        *,
        path: Path,
        hunk: int,
        chunk: int,
        expected_lines: tuple[str, ...] = (),
        context: str | None = None,
    ) -> None:
        super().__init__(message, path=path, hunk=hunk)
        self.chunk = chunk
        self.expected_lines = expected_lines
        self.context = context


class PatchPathError(ApplyPatchError):
    """A path in the patch resolves outside every allowed root (checked before any write)."""

    code = "patch_path_outside_roots"


class PatchIOError(ApplyPatchError):
    """Reading, writing or deleting a file failed. ``os_error`` is the underlying error."""

    code = "patch_io_error"

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        hunk: int | None = None,
        os_error: BaseException | None = None,
    ) -> None:
        super().__init__(message, path=path, hunk=hunk)
        self.os_error = os_error
