"""Wire models of the ``fs/*`` methods (field names of the reference 0.169 schema).

One addition of ours: every request takes an optional ``threadId``. The operations are held to
that loaded thread's sandbox policy, or, without it, to the policy of the server's own config
(``sandbox_mode`` / permission profile with the server's cwd); see ``docs/app-server.md``.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from codex_exec.app_server.wire_base import Empty, Wire

__all__ = [
    "FS_METHODS",
    "FS_NOTIFICATIONS",
    "FsChangedNotification",
    "FsCopyParams",
    "FsCreateDirectoryParams",
    "FsGetMetadataResponse",
    "FsPathParams",
    "FsReadDirectoryEntry",
    "FsReadDirectoryResponse",
    "FsReadFileResponse",
    "FsRemoveParams",
    "FsUnwatchParams",
    "FsWatchParams",
    "FsWatchResponse",
    "FsWriteFileParams",
    "FuzzyFileSearchParams",
    "FuzzyFileSearchResponse",
    "FuzzyFileSearchResult",
]


def _absolute(value: str) -> str:
    if not os.path.isabs(value):
        raise ValueError(f"`{value}` is not an absolute path")
    return value


AbsolutePath = Annotated[str, AfterValidator(_absolute), Field(description="An absolute path.")]


class FsScoped(Wire):
    thread_id: str | None = None
    """codex-py: the loaded thread whose sandbox policy confines the operation (default: the
    server's config)."""


class FsPathParams(FsScoped):
    """``fs/readFile``, ``fs/getMetadata``, ``fs/readDirectory``."""

    path: AbsolutePath


class FsReadFileResponse(Wire):
    data_base64: str


class FsWriteFileParams(FsScoped):
    path: AbsolutePath
    data_base64: str


class FsCreateDirectoryParams(FsScoped):
    path: AbsolutePath
    recursive: bool | None = None
    """Default ``true``."""


class FsGetMetadataResponse(Wire):
    is_directory: bool
    is_file: bool
    is_symlink: bool
    created_at_ms: int
    modified_at_ms: int


class FsReadDirectoryEntry(Wire):
    file_name: str
    is_directory: bool
    is_file: bool


class FsReadDirectoryResponse(Wire):
    entries: list[FsReadDirectoryEntry]


class FsRemoveParams(FsScoped):
    path: AbsolutePath
    recursive: bool | None = None
    """Default ``true``."""
    force: bool | None = None
    """Default ``true``: a missing path is not an error."""


class FsCopyParams(FsScoped):
    source_path: AbsolutePath
    destination_path: AbsolutePath
    recursive: bool = False


class FsWatchParams(FsScoped):
    watch_id: str
    path: AbsolutePath


class FsWatchResponse(Wire):
    path: str


class FsUnwatchParams(Wire):
    watch_id: str


class FsChangedNotification(Wire):
    watch_id: str
    changed_paths: list[str]


FS_METHODS: dict[str, tuple[type[Wire], type[Wire]]] = {
    "fs/readFile": (FsPathParams, FsReadFileResponse),
    "fs/writeFile": (FsWriteFileParams, Empty),
    "fs/createDirectory": (FsCreateDirectoryParams, Empty),
    "fs/getMetadata": (FsPathParams, FsGetMetadataResponse),
    "fs/readDirectory": (FsPathParams, FsReadDirectoryResponse),
    "fs/remove": (FsRemoveParams, Empty),
    "fs/copy": (FsCopyParams, Empty),
    "fs/watch": (FsWatchParams, FsWatchResponse),
    "fs/unwatch": (FsUnwatchParams, Empty),
}
FS_NOTIFICATIONS: dict[str, type[Wire]] = {"fs/changed": FsChangedNotification}


# --- fuzzyFileSearch ------------------------------------------------------------------------


class FuzzyFileSearchParams(FsScoped):
    query: str
    roots: list[str]
    """Relative roots match nothing (as in the reference)."""
    cancellation_token: str | None = None
    """Accepted; a search answers within milliseconds, so there is nothing to cancel."""


class FuzzyFileSearchResult(Wire):
    """One match; ``match_type`` and ``file_name`` are snake_case on the wire, as in the reference."""

    root: str
    path: str
    match_type: Literal["file", "directory"] = Field(alias="match_type")
    file_name: str = Field(alias="file_name")
    score: int
    indices: list[int] | None = None


class FuzzyFileSearchResponse(Wire):
    files: list[FuzzyFileSearchResult]


FS_METHODS["fuzzyFileSearch"] = (FuzzyFileSearchParams, FuzzyFileSearchResponse)
