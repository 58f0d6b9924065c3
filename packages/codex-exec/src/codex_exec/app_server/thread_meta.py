"""Thread sections (``threadSection/list|create|update|delete``, ``thread/section/move``) and
thread attachments (``thread/attachment/add|list|remove``, ``thread/attachmentOwner/list``),
stored by :class:`~codex_exec.app_server.thread_meta_store.ThreadMetadataStore`.

A thread is in at most one section; ``Thread.section`` / ``sectionEnteredAt`` report it in every
result that carries threads (:meth:`ThreadMetadataMethods.decorate`), and ``thread/list`` can
filter by it. An attachment is a client's ``payload`` under an ``(attachmentType,
identityKey)`` key, at most one per key and thread.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from codex_core.errors import CodexError
from codex_core.logging import get_logger
from codex_exec.app_server import wire
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, INVALID_REQUEST, RpcError
from codex_exec.app_server.paging import page as take_page
from codex_exec.app_server.thread_meta_store import ThreadMetadataStore
from codex_exec.app_server.wire_meta import (
    ThreadAttachment,
    ThreadAttachmentAddParams,
    ThreadAttachmentAddResponse,
    ThreadAttachmentKeyParams,
    ThreadAttachmentListParams,
    ThreadAttachmentListResponse,
    ThreadAttachmentOwner,
    ThreadAttachmentOwnerListParams,
    ThreadAttachmentOwnerListResponse,
    ThreadAttachmentUpdatedNotification,
    ThreadSectionChangedNotification,
    ThreadSectionCreateParams,
    ThreadSectionDeleteParams,
    ThreadSectionListParams,
    ThreadSectionListResponse,
    ThreadSectionMoveParams,
    ThreadSectionResponse,
    ThreadSectionUpdateParams,
)

if TYPE_CHECKING:
    from codex_exec.app_server.threads import After, ThreadManager

__all__ = ["ThreadMetadataMethods"]

log = get_logger(__name__)

_NAME_MAX = 200


def _name(raw: str, method: str) -> str:
    name = raw.strip()
    if not name or "\n" in name or len(name) > _NAME_MAX:
        raise RpcError(
            INVALID_PARAMS,
            f"Invalid params for {method}: `name` must be one non-empty line of at most {_NAME_MAX} characters",
        )
    return name


class ThreadMetadataMethods:
    """Sections and attachments for one connection (the store is shared through ``CODEX_HOME``)."""

    def __init__(self, manager: ThreadManager) -> None:
        self.manager = manager
        self.store = ThreadMetadataStore(manager.base_config.codex_home)

    def handlers(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "threadSection/list": self.list_sections,
            "threadSection/create": self.create_section,
            "threadSection/update": self.update_section,
            "threadSection/delete": self.delete_section,
            "thread/section/move": self.move,
            "thread/attachment/add": self.add_attachment,
            "thread/attachment/list": self.list_attachments,
            "thread/attachment/remove": self.remove_attachment,
            "thread/attachmentOwner/list": self.attachment_owners,
        }

    # --- Thread.section -------------------------------------------------------------------

    async def decorate(self, result: wire.Wire) -> None:
        """Fill ``section`` / ``sectionEnteredAt`` of the threads a result carries. Never raises:
        the request has already done its work, so a damaged metadata file only leaves ``section``
        unset (with a warning in the log)."""
        threads = [getattr(result, "thread", None), *(getattr(result, "data", None) or [])]
        infos = [t for t in threads if isinstance(t, wire.ThreadInfo)]
        if not infos:
            return
        try:
            data = await asyncio.to_thread(self.store.read)
            found = {info.id: self.store.section_of(data, info.id) for info in infos}
            sections = {tid: (wire.ThreadSection.model_validate(f[0]), f[1]) for tid, f in found.items() if f}
        except Exception as exc:
            detail = exc.message if isinstance(exc, RpcError) else f"{type(exc).__name__}: {exc}"
            log.warning(f"thread sections not reported: {detail}", path=str(self.store.path))
            return
        for info in infos:
            section = sections.get(info.id)
            info.section = section[0] if section else None
            info.section_entered_at = section[1] if section else None

    def section_filter(self, section_id: str | None) -> Callable[[str], bool]:
        """``thread/list``'s ``sectionId``: whether a thread id is in that section (``None``: in none)."""
        data = self.store.read()
        members = {m["threadId"]: sid for sid, ms in data["members"].items() for m in ms}
        return lambda thread_id: members.get(thread_id) == section_id

    def forget(self, thread_id: str) -> None:
        """A deleted thread leaves its section and loses its attachments."""
        data = self.store.read()
        if self.store.section_of(data, thread_id) is None and thread_id not in data["attachments"]:
            return
        with self.store.edit() as doc:
            self.store.remove_member(doc, thread_id)
            doc["attachments"].pop(thread_id, None)

    async def _thread_id(self, thread_id: str) -> str:
        """The full id of a loaded or saved thread (``-32600`` when there is none)."""
        if thread_id in self.manager.threads:
            return thread_id
        from codex_core.session import find_rollout, session_info

        home = self.manager.base_config.codex_home

        def find() -> str:
            for archived in (False, True):
                try:
                    info = session_info(find_rollout(home, thread_id, archived=archived))
                except CodexError:
                    continue
                if info is not None:
                    return info.id
            raise RpcError(INVALID_REQUEST, f"no thread {thread_id!r} (neither loaded nor saved)")

        return await asyncio.to_thread(find)

    # --- sections -------------------------------------------------------------------------

    async def list_sections(self, p: ThreadSectionListParams) -> wire.Wire:
        stored = (await asyncio.to_thread(self.store.read))["sections"]
        sections = [wire.ThreadSection.model_validate(s) for s in stored]
        data, next_cursor = take_page(sections, p.cursor, p.limit)
        return ThreadSectionListResponse(data=data, next_cursor=next_cursor)

    async def create_section(self, p: ThreadSectionCreateParams) -> wire.Wire:
        section = wire.ThreadSection(
            id=str(uuid.uuid4()), name=_name(p.name, "threadSection/create"), appearance=p.appearance
        )

        def add() -> None:
            with self.store.edit() as doc:
                doc["sections"].append(section.model_dump(mode="json"))
                doc["members"][section.id] = []

        await asyncio.to_thread(add)
        return ThreadSectionResponse(section=section)

    async def update_section(self, p: ThreadSectionUpdateParams) -> wire.Wire:
        name = _name(p.name, "threadSection/update")

        def update() -> dict[str, Any]:
            with self.store.edit() as doc:
                entry = next((s for s in doc["sections"] if s["id"] == p.section_id), None)
                if entry is None:
                    raise RpcError(INVALID_REQUEST, f"no thread section {p.section_id!r}")
                entry["name"] = name
                if "appearance" in p.model_fields_set:
                    entry["appearance"] = p.appearance.model_dump(mode="json") if p.appearance else None
            return dict(entry)

        entry = await asyncio.to_thread(update)
        return ThreadSectionResponse(section=wire.ThreadSection.model_validate(entry))

    async def delete_section(self, p: ThreadSectionDeleteParams) -> tuple[wire.Wire, After]:
        """Delete a section; its threads are in no section afterwards (``thread/section/changed``)."""

        def delete() -> list[dict[str, Any]]:
            with self.store.edit() as doc:
                if not any(s["id"] == p.section_id for s in doc["sections"]):
                    raise RpcError(INVALID_REQUEST, f"no thread section {p.section_id!r}")
                doc["sections"] = [s for s in doc["sections"] if s["id"] != p.section_id]
                members: list[dict[str, Any]] = doc["members"].pop(p.section_id, [])
            return members

        members = await asyncio.to_thread(delete)
        notes = [ThreadSectionChangedNotification(thread_id=m["threadId"], section_id=None) for m in members]
        return wire.Empty(), lambda: self._notify_all("thread/section/changed", notes)

    async def move(self, p: ThreadSectionMoveParams) -> tuple[wire.Wire, After]:
        """Put a thread in a section (before ``beforeThreadId``, else first), or in none."""
        thread_id = await self._thread_id(p.thread_id)

        def place() -> None:
            with self.store.edit() as doc:
                if p.section_id is not None and not any(s["id"] == p.section_id for s in doc["sections"]):
                    raise RpcError(INVALID_REQUEST, f"no thread section {p.section_id!r}")
                previous = self.store.section_of(doc, thread_id)
                entered = previous[1] if previous and previous[0]["id"] == p.section_id else int(time.time())
                self.store.remove_member(doc, thread_id)
                if p.section_id is not None:
                    members: list[dict[str, Any]] = doc["members"].setdefault(p.section_id, [])
                    index = 0
                    if p.before_thread_id is not None:
                        ids = [m["threadId"] for m in members]
                        if p.before_thread_id not in ids:
                            raise RpcError(
                                INVALID_PARAMS,
                                f"Invalid params for thread/section/move: thread {p.before_thread_id!r} "
                                f"is not in section {p.section_id!r}",
                            )
                        index = ids.index(p.before_thread_id)
                    members.insert(index, {"threadId": thread_id, "enteredAt": entered})

        await asyncio.to_thread(place)
        note = ThreadSectionChangedNotification(thread_id=thread_id, section_id=p.section_id)
        return wire.Empty(), lambda: self._notify_all("thread/section/changed", [note])

    def section_order(self, section_id: str) -> list[str]:
        """The thread ids of a section, in its order."""
        return [m["threadId"] for m in self.store.read()["members"].get(section_id, [])]

    # --- attachments ----------------------------------------------------------------------

    async def add_attachment(self, p: ThreadAttachmentAddParams) -> tuple[wire.Wire, After | None]:
        thread_id = await self._thread_id(p.thread_id)

        def add() -> tuple[dict[str, Any], bool]:
            with self.store.edit() as doc:
                entries: list[dict[str, Any]] = doc["attachments"].setdefault(thread_id, [])
                existing = next(
                    (
                        e
                        for e in entries
                        if (e["attachmentType"], e["identityKey"]) == (p.attachment_type, p.identity_key)
                    ),
                    None,
                )
                if existing is None:
                    existing = ThreadAttachment(
                        id=str(uuid.uuid4()),
                        attachment_type=p.attachment_type,
                        identity_key=p.identity_key,
                        payload=p.payload,
                        created_at=int(time.time()),
                    ).dump()
                    entries.append(existing)
                    created = True
                else:
                    created = False
            return existing, created

        existing, created = await asyncio.to_thread(add)
        attachment = ThreadAttachment.model_validate(existing)
        response = ThreadAttachmentAddResponse(attachment=attachment, outcome="created" if created else "existing")
        if not created:
            return response, None
        note = self._attachment_note(thread_id, attachment, "created")
        return response, lambda: self._notify_all("thread/attachment/updated", [note])

    async def list_attachments(self, p: ThreadAttachmentListParams) -> wire.Wire:
        thread_id = await self._thread_id(p.thread_id)
        stored = (await asyncio.to_thread(self.store.read))["attachments"].get(thread_id, [])
        entries = [ThreadAttachment.model_validate(e) for e in stored]
        data, next_cursor = take_page(entries, p.cursor, p.limit)
        return ThreadAttachmentListResponse(data=data, next_cursor=next_cursor)

    async def remove_attachment(self, p: ThreadAttachmentKeyParams) -> tuple[wire.Wire, After | None]:
        thread_id = await self._thread_id(p.thread_id)
        key = (p.attachment_type, p.identity_key)

        def remove() -> list[dict[str, Any]]:
            with self.store.edit() as doc:
                entries: list[dict[str, Any]] = doc["attachments"].get(thread_id, [])
                removed = [e for e in entries if (e["attachmentType"], e["identityKey"]) == key]
                if removed:
                    doc["attachments"][thread_id] = [e for e in entries if e not in removed]
            return removed

        removed = await asyncio.to_thread(remove)
        if not removed:
            return wire.Empty(), None
        note = self._attachment_note(thread_id, ThreadAttachment.model_validate(removed[0]), "deleted")
        return wire.Empty(), lambda: self._notify_all("thread/attachment/updated", [note])

    async def attachment_owners(self, p: ThreadAttachmentOwnerListParams) -> wire.Wire:
        """The threads holding an attachment of that key, newest first, with whether each is archived."""
        from codex_core.session import list_sessions

        key = (p.attachment_type, p.identity_key)
        stored = (await asyncio.to_thread(self.store.read))["attachments"]
        owners = {
            tid
            for tid, entries in stored.items()
            if any((e["attachmentType"], e["identityKey"]) == key for e in entries)
        }
        home = self.manager.base_config.codex_home

        def collect() -> list[ThreadAttachmentOwner]:
            out: list[ThreadAttachmentOwner] = []
            for archived in (False, True):
                if p.archived is not None and p.archived != archived:
                    continue
                out += [
                    ThreadAttachmentOwner(thread_id=s.id, archived=archived)
                    for s in list_sessions(home, archived=archived)
                    if s.id in owners
                ]
            saved = {o.thread_id for o in out}
            if p.archived is not True:  # loaded threads without a rollout yet
                out += [
                    ThreadAttachmentOwner(thread_id=t, archived=False)
                    for t in owners - saved
                    if t in self.manager.threads
                ]
            return out

        data, next_cursor = take_page(await asyncio.to_thread(collect), p.cursor, p.limit)
        return ThreadAttachmentOwnerListResponse(data=data, next_cursor=next_cursor)

    @staticmethod
    def _attachment_note(
        thread_id: str, attachment: ThreadAttachment, operation: Any
    ) -> ThreadAttachmentUpdatedNotification:
        return ThreadAttachmentUpdatedNotification(
            thread_id=thread_id,
            attachment_id=attachment.id,
            attachment_type=attachment.attachment_type,
            identity_key=attachment.identity_key,
            operation=operation,
        )

    def _notify_all(self, method: str, notes: list[Any]) -> None:
        for note in notes:
            self.manager.notify(method, note)
