"""``fs/*`` methods: thin handlers over ``codex_core.fs_access`` (confined by a sandbox policy).

The policy is the one a sandboxed command would get: of the loaded thread named by the
optional ``threadId`` (its current sandbox mode or permission profile and cwd), else of the
server's config. OS failures answer ``-32603`` with the OS message (as the reference does),
policy refusals and bad requests ``-32600``; both carry ``data.codexErrorCode``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from codex_core.fs_access import ConfinedFs, FsError, FsIOError
from codex_exec.app_server import wire_fs as w
from codex_exec.app_server.jsonrpc import INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, Connection, RpcError
from codex_exec.app_server.wire_base import Empty, Wire

if TYPE_CHECKING:
    from codex_core.config import Config
    from codex_core.fs_access.watch import FsWatcher
    from codex_core.sandbox import SandboxPolicy
    from codex_exec.app_server.threads import ThreadManager

__all__ = ["FileMethods", "fs_rpc_error", "policy_for_thread"]

T = TypeVar("T")
_FUZZY_LIMIT = 50
"""Matches returned by ``fuzzyFileSearch`` (over all roots)."""


def fs_rpc_error(exc: FsError) -> RpcError:
    code = INTERNAL_ERROR if isinstance(exc, FsIOError) else INVALID_REQUEST
    return RpcError(code, str(exc), {"codexErrorCode": exc.code})


def policy_for_thread(threads: ThreadManager, thread_id: str | None) -> SandboxPolicy:
    """The sandbox policy of a loaded thread's commands (or of the server's config)."""
    from codex_core.sandbox import SandboxPolicy

    config: Config
    if thread_id is None:
        config = threads.base_config
    else:
        lt = threads.threads.get(thread_id)
        if lt is None:
            raise RpcError(INVALID_REQUEST, f"thread {thread_id} is not loaded (start it or call thread/resume)")
        config = lt.thread.config
    return SandboxPolicy.from_config(config)


class FileMethods:
    """The ``fs/*`` handlers of one connection (and its watches)."""

    def __init__(self, conn: Connection, threads: ThreadManager) -> None:
        self.conn = conn
        self.threads = threads
        self._watcher: FsWatcher | None = None

    def handlers(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "fs/readFile": self.read_file,
            "fs/writeFile": self.write_file,
            "fs/createDirectory": self.create_directory,
            "fs/getMetadata": self.get_metadata,
            "fs/readDirectory": self.read_directory,
            "fs/remove": self.remove,
            "fs/copy": self.copy,
            "fs/watch": self.watch,
            "fs/unwatch": self.unwatch,
            "fuzzyFileSearch": self.fuzzy_file_search,
        }

    def _fs(self, thread_id: str | None) -> ConfinedFs:
        return ConfinedFs(policy_for_thread(self.threads, thread_id))

    async def _run(self, thread_id: str | None, op: Callable[[ConfinedFs], T]) -> T:
        def call() -> T:
            return op(self._fs(thread_id))

        try:
            return await asyncio.to_thread(call)
        except FsError as exc:
            raise fs_rpc_error(exc) from None

    async def read_file(self, p: w.FsPathParams) -> Wire:
        data = await self._run(p.thread_id, lambda fs: fs.read_file(p.path))
        return w.FsReadFileResponse(data_base64=base64.b64encode(data).decode("ascii"))

    async def write_file(self, p: w.FsWriteFileParams) -> Wire:
        try:
            data = base64.b64decode(p.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise RpcError(
                INVALID_PARAMS, "Invalid params for fs/writeFile: `dataBase64` is not valid base64"
            ) from None
        await self._run(p.thread_id, lambda fs: fs.write_file(p.path, data))
        return Empty()

    async def create_directory(self, p: w.FsCreateDirectoryParams) -> Wire:
        recursive = True if p.recursive is None else p.recursive
        await self._run(p.thread_id, lambda fs: fs.create_directory(p.path, recursive=recursive))
        return Empty()

    async def get_metadata(self, p: w.FsPathParams) -> Wire:
        meta = await self._run(p.thread_id, lambda fs: fs.metadata(p.path))
        return w.FsGetMetadataResponse(
            is_directory=meta.is_directory,
            is_file=meta.is_file,
            is_symlink=meta.is_symlink,
            created_at_ms=meta.created_at_ms,
            modified_at_ms=meta.modified_at_ms,
        )

    async def read_directory(self, p: w.FsPathParams) -> Wire:
        entries = await self._run(p.thread_id, lambda fs: fs.read_directory(p.path))
        return w.FsReadDirectoryResponse(
            entries=[
                w.FsReadDirectoryEntry(file_name=e.name, is_directory=e.is_directory, is_file=e.is_file)
                for e in entries
            ]
        )

    async def remove(self, p: w.FsRemoveParams) -> Wire:
        recursive = True if p.recursive is None else p.recursive
        force = True if p.force is None else p.force
        await self._run(p.thread_id, lambda fs: fs.remove(p.path, recursive=recursive, force=force))
        return Empty()

    async def copy(self, p: w.FsCopyParams) -> Wire:
        await self._run(p.thread_id, lambda fs: fs.copy(p.source_path, p.destination_path, recursive=p.recursive))
        return Empty()

    async def watch(self, p: w.FsWatchParams) -> Wire:
        from codex_core.fs_access.watch import FsWatcher

        if self._watcher is None:
            self._watcher = FsWatcher(self._changed)
        if p.watch_id in self._watcher:
            raise RpcError(INVALID_REQUEST, f"watchId already exists: {p.watch_id}")
        resolved = await self._run(p.thread_id, lambda fs: fs.check_readable(p.path))
        try:
            self._watcher.add(p.watch_id, resolved)
        except FsError as exc:
            raise fs_rpc_error(exc) from None
        return w.FsWatchResponse(path=str(resolved))

    async def unwatch(self, p: w.FsUnwatchParams) -> Wire:
        if self._watcher is not None:
            self._watcher.remove(p.watch_id)
        return Empty()

    async def fuzzy_file_search(self, p: w.FuzzyFileSearchParams) -> Wire:
        """Best matches across ``roots`` (each must be readable under the policy); entries in
        access-``none`` paths are left out."""
        from codex_core.file_search import index_for
        from codex_core.fs_access.checks import within

        def search() -> list[w.FuzzyFileSearchResult]:
            fs = self._fs(p.thread_id)
            masked = fs.policy.masked_paths
            out: list[w.FuzzyFileSearchResult] = []
            for raw in p.roots:
                if not os.path.isabs(raw):
                    continue
                root = fs.check_readable(raw)
                if not root.is_dir():
                    continue
                for m in index_for(root).search(p.query, limit=_FUZZY_LIMIT + len(masked) * 8):
                    if masked and any(within(root / m.path, x) for x in masked):
                        continue
                    out.append(
                        w.FuzzyFileSearchResult(
                            root=raw, path=m.path, match_type=m.match_type, file_name=m.file_name,
                            score=m.score, indices=list(m.indices),
                        )
                    )  # fmt: skip
            out.sort(key=lambda r: (-r.score, len(r.path), r.path))
            return out[:_FUZZY_LIMIT]

        try:
            files = await asyncio.to_thread(search)
        except FsError as exc:
            raise fs_rpc_error(exc) from None
        return w.FuzzyFileSearchResponse(files=files)

    def _changed(self, watch_id: str, paths: list[Path]) -> None:
        note = w.FsChangedNotification(watch_id=watch_id, changed_paths=[str(x) for x in paths])
        self.conn.notify("fs/changed", note.dump())

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
