"""Saved-thread methods: ``thread/list``, ``thread/read``, ``thread/name/set``, ``thread/archive``,
``thread/unarchive``, ``thread/delete``, ``thread/unsubscribe``, ``thread/loaded/list``,
``thread/turns/list`` and ``thread/items/list``. Loaded threads answer from memory; the rest from the rollouts on disk
(``codex_core.session``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from codex_core.errors import CodexError, UsageError
from codex_core.sdk import VERSION
from codex_exec.app_server import wire
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, INVALID_REQUEST, RpcError
from codex_exec.app_server.paging import cursor_offset
from codex_exec.app_server.paging import page as take_page
from codex_exec.app_server.translate import history_turns

if TYPE_CHECKING:
    from codex_core.session import SessionInfo
    from codex_exec.app_server.thread_meta import ThreadMetadataMethods
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
        status=wire.NotLoadedThreadStatus(),
        path=str(info.path),
        cwd=info.cwd or "",
        cli_version=info.cli_version or VERSION,
        name=info.name,
    )


class ThreadCatalog:
    """Implements the saved-thread methods next to a connection's ``ThreadManager``."""

    def __init__(self, manager: ThreadManager, meta: ThreadMetadataMethods) -> None:
        self.manager = manager
        self.meta = meta

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
            if "section_id" in p.model_fields_set:  # null: threads in no section
                in_section = self.meta.section_filter(p.section_id)
                sessions = [s for s in sessions if in_section(s.id)]
                if p.section_id is not None:  # the section's own order (thread/section/move)
                    order = {tid: n for n, tid in enumerate(self.meta.section_order(p.section_id))}
                    sessions.sort(key=lambda s: order[s.id])
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

    # --- thread/delete, thread/unsubscribe, thread/loaded/list -------------------------------

    async def delete(self, p: wire.ThreadIdParams) -> tuple[wire.Wire, After]:
        """Unload the thread (it must be idle) and delete its rollout, active or archived."""
        loaded = self.manager.threads.get(p.thread_id)
        path: Path | None
        if loaded is not None:
            if loaded.active is not None:
                raise RpcError(INVALID_REQUEST, f"thread {p.thread_id} is running turn {loaded.active.id}")
            thread_id, path = loaded.thread.id, loaded.thread.rollout_path
            del self.manager.threads[thread_id]
            await loaded.codex.aclose()
        else:
            try:
                info = await asyncio.to_thread(self._session, p.thread_id)
            except CodexError:
                info = await asyncio.to_thread(self._session, p.thread_id, archived=True)
            thread_id, path = info.id, info.path
        if path is not None:
            try:
                await asyncio.to_thread(path.unlink)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise RpcError(INVALID_REQUEST, f"cannot delete {path}: {exc.strerror}") from None
        await asyncio.to_thread(self.meta.forget, thread_id)
        note = wire.ThreadIdNotification(thread_id=thread_id)
        return wire.Empty(), lambda: self.manager.conn.notify("thread/deleted", note.dump())

    async def unsubscribe(self, p: wire.ThreadIdParams) -> tuple[wire.Wire, After | None]:
        """This connection is a loaded thread's only subscriber: unsubscribing unloads it (a
        running turn is interrupted first) and sends ``thread/closed``."""
        loaded = self.manager.threads.get(p.thread_id)
        if loaded is None:
            return wire.ThreadUnsubscribeResponse(status="notLoaded"), None
        await self.manager.unload(loaded)
        note = wire.ThreadIdNotification(thread_id=loaded.thread.id)
        response = wire.ThreadUnsubscribeResponse(status="unsubscribed")
        return response, lambda: self.manager.conn.notify("thread/closed", note.dump())

    async def loaded_list(self, p: wire.ThreadLoadedListParams) -> wire.Wire:
        ids = list(self.manager.threads)
        data, next_cursor = take_page(ids, p.cursor, p.limit)
        return wire.ThreadLoadedListResponse(data=data, next_cursor=next_cursor)

    # --- thread/turns/list, thread/items/list ------------------------------------------------

    async def _turns(self, thread_id: str) -> list[wire.Turn]:
        loaded = self.manager.threads.get(thread_id)
        if loaded is not None:
            return list(loaded.turns)

        def stored() -> list[wire.Turn]:
            from codex_core.session import rollout_turns

            info = self._session(thread_id)
            return history_turns(info.id, rollout_turns(info.path))

        return await asyncio.to_thread(stored)

    async def turns_list(self, p: wire.ThreadTurnsListParams) -> wire.Wire:
        """Turns, newest first by default. Cursors are positions: ``nextCursor`` continues,
        ``backwardsCursor`` (the page's first turn) reverses with that turn included."""
        turns = await self._turns(p.thread_id)
        view = p.items_view or "summary"
        turns = [_view(t, view) for t in turns]
        page, nxt, back = _page(turns, p.cursor, p.limit, p.sort_direction or "desc")
        return wire.ThreadTurnsListResponse(data=page, next_cursor=nxt, backwards_cursor=back)

    async def items_list(self, p: wire.ThreadItemsListParams) -> wire.Wire:
        if p.cursor is not None and not isinstance(p.cursor, str):
            raise RpcError(
                INVALID_PARAMS,
                "Invalid params for thread/items/list: item anchors are not supported; use a cursor string",
            )
        turns = await self._turns(p.thread_id)
        if p.turn_id is not None:
            turns = [t for t in turns if t.id == p.turn_id]
            if not turns:
                raise RpcError(
                    INVALID_PARAMS, f"Invalid params for thread/items/list: no turn {p.turn_id!r} in the thread"
                )
        entries = [wire.ThreadItemEntry(turn_id=t.id, item=item) for t in turns for item in t.items]
        page, nxt, back = _page(entries, p.cursor, p.limit, p.sort_direction or "asc")
        return wire.ThreadItemsListResponse(data=page, next_cursor=nxt, backwards_cursor=back)


T = TypeVar("T")


def _page(
    items: list[T], cursor: str | None, limit: int | None, direction: str
) -> tuple[list[T], str | None, str | None]:
    """One page of ``items`` (chronological). A cursor is the position of the first element of
    the page (inclusive), whichever the direction; ``None`` when there is nothing further."""
    n = len(items)
    if direction == "asc":
        start = cursor_offset(cursor, n)
        end = n if limit is None else min(n, start + limit)
        page = items[start:end]
        return page, (str(end) if end < n else None), (str(start) if page else None)
    start = n - 1 if cursor is None else cursor_offset(cursor, n)
    start = min(start, n - 1)
    stop = -1 if limit is None else max(-1, start - limit)
    page = [items[i] for i in range(start, stop, -1)]
    return page, (str(stop) if stop >= 0 else None), (str(start) if page else None)


def _view(turn: wire.Turn, view: str) -> wire.Turn:
    if view == "full":
        return turn
    if view == "notLoaded":
        return turn.model_copy(update={"items": []})
    users = [i for i in turn.items if isinstance(i, wire.UserMessageItem)]
    answers = [i for i in turn.items if isinstance(i, wire.AgentMessageItem)]
    return turn.model_copy(update={"items": [*users, *answers[-1:]]})
