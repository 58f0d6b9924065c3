"""Saved-thread methods: ``thread/list``, ``thread/read``, ``thread/name/set``, ``thread/archive``,
``thread/unarchive``. Loaded threads answer from memory; the rest from the rollouts on disk
(``codex_core.session``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from codex_core.errors import UsageError
from codex_core.sdk import VERSION
from codex_exec.app_server import wire
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, INVALID_REQUEST, RpcError
from codex_exec.app_server.translate import history_turns

if TYPE_CHECKING:
    from codex_core.session import SessionInfo
    from codex_exec.app_server.threads import After, ThreadManager

__all__ = ["ThreadCatalog"]


def stored_info(info: SessionInfo) -> wire.ThreadInfo:
    """A thread that is not loaded, as the protocol's ``Thread`` (status ``notLoaded``)."""
    updated = int(info.updated_at.timestamp())
    return wire.ThreadInfo(
        id=info.id,
        session_id=info.id,
        preview=info.preview,
        ephemeral=False,
        model_provider=info.model_provider or "",
        created_at=int(info.created_at.timestamp()) if info.created_at else updated,
        updated_at=updated,
        status=wire.ThreadStatus(type="notLoaded"),
        path=str(info.path),
        cwd=info.cwd or "",
        cli_version=info.cli_version or VERSION,
        name=info.name,
    )


class ThreadCatalog:
    """Implements the saved-thread methods next to a connection's ``ThreadManager``."""

    def __init__(self, manager: ThreadManager) -> None:
        self.manager = manager

    @property
    def _home(self) -> Path:
        return self.manager.base_config.codex_home

    def _session(self, thread_id: str, *, archived: bool = False) -> SessionInfo:
        from codex_core.session import find_rollout, session_info

        path = find_rollout(self._home, thread_id, archived=archived)
        info = session_info(path)
        if info is None:
            raise RpcError(INVALID_REQUEST, f"{path} is not a readable session file")
        return info

    async def list_threads(self, p: wire.ThreadListParams) -> wire.Wire:
        from codex_core.session import list_sessions

        def page() -> wire.ThreadListResponse:
            sessions = list_sessions(self._home, archived=bool(p.archived))
            if p.cwd is not None:
                wanted = {p.cwd} if isinstance(p.cwd, str) else set(p.cwd)
                sessions = [s for s in sessions if s.cwd in wanted]
            if p.search_term:
                term = p.search_term.lower()
                sessions = [s for s in sessions if term in s.preview.lower() or term in (s.name or "").lower()]
            if p.sort_direction == "asc":
                sessions.reverse()
            try:
                start = int(p.cursor) if p.cursor else 0
            except ValueError:
                raise RpcError(INVALID_PARAMS, f"Invalid params: unknown cursor {p.cursor!r}") from None
            limit = p.limit or 25
            data = []
            for s in sessions[start : start + limit]:
                loaded = self.manager.threads.get(s.id)
                data.append(loaded.info(include_turns=False) if loaded and not p.archived else stored_info(s))
            more = start + limit < len(sessions)
            return wire.ThreadListResponse(data=data, next_cursor=str(start + limit) if more else None)

        return await asyncio.to_thread(page)

    async def read_thread(self, p: wire.ThreadReadParams) -> wire.Wire:
        loaded = self.manager.threads.get(p.thread_id)
        if loaded is not None:
            return wire.ThreadReadResponse(thread=loaded.info(include_turns=p.include_turns))

        def stored() -> wire.ThreadInfo:
            info = self._session(p.thread_id)
            thread = stored_info(info)
            if p.include_turns:  # the saved conversation, one completed turn per recorded turn
                from codex_core.session import rollout_turns

                thread.turns = history_turns(info.id, rollout_turns(info.path))
            return thread

        return wire.ThreadReadResponse(thread=await asyncio.to_thread(stored))

    async def set_name(self, p: wire.ThreadSetNameParams) -> tuple[wire.Wire, After]:
        from codex_core.session import set_thread_name

        loaded = self.manager.threads.get(p.thread_id)
        try:
            if loaded is not None:
                name = loaded.thread.set_name(p.name)
                thread_id = loaded.thread.id
            else:
                info = await asyncio.to_thread(self._session, p.thread_id)
                name = await asyncio.to_thread(set_thread_name, info.path, p.name)
                thread_id = info.id
        except UsageError as exc:
            raise RpcError(INVALID_PARAMS, f"Invalid params for thread/name/set: {exc}") from None
        note = wire.ThreadNameUpdatedNotification(thread_id=thread_id, thread_name=name)
        return wire.Empty(), lambda: self.manager.conn.notify("thread/name/updated", note.dump())

    async def archive(self, p: wire.ThreadIdParams) -> tuple[wire.Wire, After]:
        from codex_core.session import archive_session

        loaded = self.manager.threads.get(p.thread_id)
        if loaded is not None:  # checked and unloaded in one step: no turn can start in between
            if loaded.active is not None:
                raise RpcError(INVALID_REQUEST, f"thread {p.thread_id} is running turn {loaded.active.id}")
            if loaded.thread.rollout_path is None:
                raise RpcError(INVALID_REQUEST, f"thread {p.thread_id} has no rollout file to archive")
            thread_id = loaded.thread.id
            del self.manager.threads[thread_id]  # an archived thread is no longer loaded
            await loaded.codex.aclose()
        else:
            thread_id = (await asyncio.to_thread(self._session, p.thread_id)).id
        await asyncio.to_thread(archive_session, self._home, thread_id)
        note = wire.ThreadIdNotification(thread_id=thread_id)
        return wire.Empty(), lambda: self.manager.conn.notify("thread/archived", note.dump())

    async def unarchive(self, p: wire.ThreadIdParams) -> tuple[wire.Wire, After]:
        from codex_core.session import unarchive_session

        thread_id = (await asyncio.to_thread(self._session, p.thread_id, archived=True)).id
        await asyncio.to_thread(unarchive_session, self._home, thread_id)
        info = await asyncio.to_thread(self._session, thread_id)
        note = wire.ThreadIdNotification(thread_id=thread_id)
        response = wire.ThreadUnarchiveResponse(thread=stored_info(info))
        return response, lambda: self.manager.conn.notify("thread/unarchived", note.dump())
