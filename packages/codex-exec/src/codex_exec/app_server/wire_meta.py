"""Wire models of thread sections (``threadSection/*``, ``thread/section/move``) and thread
attachments (``thread/attachment*``), with the reference 0.169's field names."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from codex_exec.app_server.wire_base import Empty, Wire
from codex_exec.app_server.wire_items import ThreadSection, ThreadSectionAppearance

__all__ = [
    "META_METHODS",
    "META_NOTIFICATIONS",
    "ThreadAttachment",
    "ThreadAttachmentAddParams",
    "ThreadAttachmentAddResponse",
    "ThreadAttachmentKeyParams",
    "ThreadAttachmentListParams",
    "ThreadAttachmentListResponse",
    "ThreadAttachmentOwner",
    "ThreadAttachmentOwnerListParams",
    "ThreadAttachmentOwnerListResponse",
    "ThreadAttachmentUpdatedNotification",
    "ThreadSectionChangedNotification",
    "ThreadSectionCreateParams",
    "ThreadSectionDeleteParams",
    "ThreadSectionListParams",
    "ThreadSectionListResponse",
    "ThreadSectionMoveParams",
    "ThreadSectionResponse",
    "ThreadSectionUpdateParams",
]

# --- sections -------------------------------------------------------------------------------


class ThreadSectionListParams(Wire):
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1)


class ThreadSectionListResponse(Wire):
    data: list[ThreadSection]
    next_cursor: str | None = None


class ThreadSectionCreateParams(Wire):
    name: str
    appearance: ThreadSectionAppearance | None = None


class ThreadSectionResponse(Wire):
    """``threadSection/create`` and ``threadSection/update``."""

    section: ThreadSection


class ThreadSectionUpdateParams(Wire):
    section_id: str
    name: str
    appearance: ThreadSectionAppearance | None = None


class ThreadSectionDeleteParams(Wire):
    section_id: str


class ThreadSectionMoveParams(Wire):
    thread_id: str
    section_id: str | None
    """``null``: the thread leaves its section."""
    before_thread_id: str | None = None
    """Place the thread before this one of the section (default: first)."""


class ThreadSectionChangedNotification(Wire):
    thread_id: str
    section_id: str | None


# --- attachments ----------------------------------------------------------------------------


class ThreadAttachment(Wire):
    id: str
    attachment_type: str
    identity_key: str
    payload: Any
    created_at: int


class ThreadAttachmentAddParams(Wire):
    thread_id: str
    attachment_type: str
    identity_key: str
    payload: Any


class ThreadAttachmentAddResponse(Wire):
    attachment: ThreadAttachment
    outcome: Literal["created", "existing"]


class ThreadAttachmentListParams(Wire):
    thread_id: str
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1)


class ThreadAttachmentListResponse(Wire):
    data: list[ThreadAttachment]
    next_cursor: str | None = None


class ThreadAttachmentKeyParams(Wire):
    """``thread/attachment/remove``."""

    thread_id: str
    attachment_type: str
    identity_key: str


class ThreadAttachmentOwnerListParams(Wire):
    attachment_type: str
    identity_key: str
    archived: bool | None = None
    """``true``/``false``: only archived / only active threads; omitted: both."""
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1)


class ThreadAttachmentOwner(Wire):
    thread_id: str
    archived: bool


class ThreadAttachmentOwnerListResponse(Wire):
    data: list[ThreadAttachmentOwner]
    next_cursor: str | None = None


class ThreadAttachmentUpdatedNotification(Wire):
    thread_id: str
    attachment_id: str
    attachment_type: str
    identity_key: str
    operation: Literal["created", "deleted"]


META_METHODS: dict[str, tuple[type[Wire], type[Wire]]] = {
    "threadSection/list": (ThreadSectionListParams, ThreadSectionListResponse),
    "threadSection/create": (ThreadSectionCreateParams, ThreadSectionResponse),
    "threadSection/update": (ThreadSectionUpdateParams, ThreadSectionResponse),
    "threadSection/delete": (ThreadSectionDeleteParams, Empty),
    "thread/section/move": (ThreadSectionMoveParams, Empty),
    "thread/attachment/add": (ThreadAttachmentAddParams, ThreadAttachmentAddResponse),
    "thread/attachment/list": (ThreadAttachmentListParams, ThreadAttachmentListResponse),
    "thread/attachment/remove": (ThreadAttachmentKeyParams, Empty),
    "thread/attachmentOwner/list": (ThreadAttachmentOwnerListParams, ThreadAttachmentOwnerListResponse),
}
META_NOTIFICATIONS: dict[str, type[Wire]] = {
    "thread/section/changed": ThreadSectionChangedNotification,
    "thread/attachment/updated": ThreadAttachmentUpdatedNotification,
}
