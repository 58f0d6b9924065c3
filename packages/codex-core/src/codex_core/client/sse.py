"""Server-sent events: an incremental byte decoder and the Responses API event mapping.

``SseDecoder`` is pure (feed bytes, get records). ``iter_response_events`` turns a byte
stream into :data:`ResponseEvent` values: it validates every event type we consume with
pydantic, ignores unknown types, enforces the idle timeout and raises on
``response.failed`` / ``error`` / a stream that ends without ``response.completed``.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import anyio
import attrs
import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from codex_core.client.errors import (
    ContextWindowExceeded,
    MalformedEventError,
    QuotaExceeded,
    ResponseFailedError,
    StreamInterrupted,
    UsageNotIncluded,
)
from codex_core.client.retry import parse_try_again_in
from codex_core.client.types import (
    Completed,
    Created,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    ReasoningContentDelta,
    ReasoningSummaryDelta,
    ReasoningSummaryPartAdded,
    ResponseEvent,
    TokenUsage,
)
from codex_core.protocol.items import item_from_api

__all__ = [
    "SseDecoder",
    "SseRecord",
    "classify_error",
    "iter_response_events",
    "parse_event",
]


_LINE_END = re.compile(r"\r\n|\r|\n")


@attrs.frozen
class SseRecord:
    """One dispatched SSE event: the ``event:`` name (may be empty) and the joined ``data:``."""

    event: str
    data: str


class SseDecoder:
    """Incremental SSE parser (WHATWG rules: ``\\n``/``\\r\\n``/``\\r`` line ends, ``:`` comments,
    multi-line ``data`` joined with ``\\n``, dispatch on a blank line).

    At end of stream an event that has not seen its blank line is *not* dispatched (the
    standard: "if the file ends in the middle of an event, the incomplete event is not
    dispatched"); :meth:`flush` discards it and :attr:`discarded_partial_event` says so, so
    the caller can report a dropped connection instead of parsing half a JSON payload.
    """

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._event = ""
        self._data: list[str] = []
        self._pending_cr = False
        self._partial = False
        self.discarded_partial_event = False
        """Set by :meth:`flush` when the stream ended inside an event (which was dropped)."""

    def feed(self, chunk: bytes) -> list[SseRecord]:
        """Decode ``chunk`` and return the records completed by it."""
        return self._consume(self._utf8.decode(chunk))

    def flush(self) -> list[SseRecord]:
        """End of stream: discard an event that lacked its blank line (never dispatched).

        Returns the records still completed by the final bytes (a multi-byte character split
        across the last chunk cannot complete a record, so this is always empty in practice).
        """
        records = self._consume(self._utf8.decode(b"", final=True))
        self.discarded_partial_event = self._partial or bool(self._buffer)
        self._buffer = ""
        self._event = ""
        self._data = []
        self._partial = False
        return records

    def _consume(self, text: str) -> list[SseRecord]:
        records: list[SseRecord] = []
        if not text:  # e.g. only part of a multi-byte character arrived
            return records
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]  # the \n of a \r\n split across chunks
        self._pending_cr = False
        buffer = self._buffer + text
        start = 0
        for match in _LINE_END.finditer(buffer):
            self._line(buffer[start : match.start()], records)
            start = match.end()
            if match.group() == "\r" and start == len(buffer):
                self._pending_cr = True
        self._buffer = buffer[start:]
        return records

    def _line(self, line: str, records: list[SseRecord]) -> None:
        if line == "":
            if self._data:
                records.append(SseRecord(self._event, "\n".join(self._data)))
            self._event = ""
            self._data = []
            self._partial = False
            return
        if line.startswith(":"):
            return
        self._partial = True  # a field line: the event is open until its blank line
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value


# --- typed event models -------------------------------------------------------------------


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _ResponseRef(_Event):
    id: str | None = None


class ResponseCreatedEvent(_Event):
    type: Literal["response.created"]
    response: _ResponseRef | None = None


class OutputItemAddedEvent(_Event):
    type: Literal["response.output_item.added"]
    item: dict[str, Any]


class OutputItemDoneEvent(_Event):
    type: Literal["response.output_item.done"]
    item: dict[str, Any]


class OutputTextDeltaEvent(_Event):
    type: Literal["response.output_text.delta"]
    delta: str
    item_id: str | None = None


class ReasoningSummaryTextDeltaEvent(_Event):
    type: Literal["response.reasoning_summary_text.delta"]
    delta: str
    summary_index: int = 0


class ReasoningTextDeltaEvent(_Event):
    type: Literal["response.reasoning_text.delta"]
    delta: str
    content_index: int = 0


class ReasoningSummaryPartAddedEvent(_Event):
    type: Literal["response.reasoning_summary_part.added"]
    summary_index: int = 0


class _InputTokensDetails(_Event):
    cached_tokens: int = 0
    cache_write_tokens: int = 0


class _OutputTokensDetails(_Event):
    reasoning_tokens: int = 0


class ResponseUsage(_Event):
    input_tokens: int = 0
    input_tokens_details: _InputTokensDetails | None = None
    output_tokens: int = 0
    output_tokens_details: _OutputTokensDetails | None = None
    total_tokens: int = 0

    def to_token_usage(self) -> TokenUsage:
        return TokenUsage(
            input_tokens=self.input_tokens,
            cached_input_tokens=self.input_tokens_details.cached_tokens if self.input_tokens_details else 0,
            cache_write_input_tokens=self.input_tokens_details.cache_write_tokens if self.input_tokens_details else 0,
            output_tokens=self.output_tokens,
            reasoning_output_tokens=(self.output_tokens_details.reasoning_tokens if self.output_tokens_details else 0),
            total_tokens=self.total_tokens,
        )


class _CompletedResponse(_Event):
    id: str
    usage: ResponseUsage | None = None


class ResponseCompletedEvent(_Event):
    type: Literal["response.completed"]
    response: _CompletedResponse


class ResponseErrorBody(_Event):
    code: str | None = None
    message: str | None = None
    type: str | None = None


class _FailedResponse(_Event):
    id: str | None = None
    error: ResponseErrorBody | None = None


class ResponseFailedEvent(_Event):
    type: Literal["response.failed"]
    response: _FailedResponse | None = None


class ErrorEvent(_Event):
    type: Literal["error"]
    code: str | None = None
    message: str | None = None


KnownEvent = Annotated[
    ResponseCreatedEvent
    | OutputItemAddedEvent
    | OutputItemDoneEvent
    | OutputTextDeltaEvent
    | ReasoningSummaryTextDeltaEvent
    | ReasoningTextDeltaEvent
    | ReasoningSummaryPartAddedEvent
    | ResponseCompletedEvent
    | ResponseFailedEvent
    | ErrorEvent,
    Field(discriminator="type"),
]
_event_adapter: TypeAdapter[Any] = TypeAdapter(KnownEvent)
_KNOWN_TYPES = frozenset(
    {
        "response.created",
        "response.output_item.added",
        "response.output_item.done",
        "response.output_text.delta",
        "response.reasoning_summary_text.delta",
        "response.reasoning_text.delta",
        "response.reasoning_summary_part.added",
        "response.completed",
        "response.failed",
        "error",
    }
)


def _snippet(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def classify_error(code: str | None, message: str | None) -> ResponseFailedError:
    """Map a Responses API error ``code``/``message`` to the matching error class."""
    text = message or "the model response failed without an error message"
    label = f"model response failed ({code}): {text}" if code else f"model response failed: {text}"
    if code == "context_length_exceeded":
        return ContextWindowExceeded(label, error_code=code)
    if code == "insufficient_quota":
        return QuotaExceeded(label, error_code=code)
    if code == "usage_not_included":
        return UsageNotIncluded(label, error_code=code)
    return ResponseFailedError(label, error_code=code, retry_after=parse_try_again_in(message))


def parse_event(record: SseRecord) -> ResponseEvent | None:
    """Turn one SSE record into a :data:`ResponseEvent` (``None`` = ignore).

    Raises ``MalformedEventError`` for bad JSON or a bad shape of a consumed event type,
    ``ResponseFailedError`` (or a subclass) for ``response.failed`` / ``error``.
    Returns :class:`Completed` for ``response.completed``.
    """
    data = record.data
    if data.strip() in ("", "[DONE]"):
        return None
    name = record.event or "(unnamed)"
    try:
        payload = json.loads(data)
    except json.JSONDecodeError as exc:
        raise MalformedEventError(
            f"malformed SSE event {name!r}: invalid JSON in data ({exc.msg} at column {exc.colno}): {_snippet(data)}",
            event_type=record.event or None,
            raw=data,
        ) from None
    if not isinstance(payload, dict):
        raise MalformedEventError(
            f"malformed SSE event {name!r}: data is not a JSON object: {_snippet(data)}",
            event_type=record.event or None,
            raw=data,
        )
    event_type = payload.get("type")
    if event_type not in _KNOWN_TYPES:
        return None
    try:
        event = _event_adapter.validate_python(payload)
        return _convert(event)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ())]
        if loc and loc[0] == event_type:  # drop the discriminated-union tag
            loc = loc[1:]
        where = ".".join(loc) or "(root)"
        raise MalformedEventError(
            f"malformed SSE event {event_type!r}: {where}: {first.get('msg')} "
            f"({exc.error_count()} problem(s)); data: {_snippet(data)}",
            event_type=str(event_type),
            raw=data,
        ) from None


def _convert(event: Any) -> ResponseEvent | None:
    if isinstance(event, ResponseCreatedEvent):
        return Created() if event.response is not None else None
    if isinstance(event, OutputItemAddedEvent):
        return OutputItemAdded(item_from_api(event.item))
    if isinstance(event, OutputItemDoneEvent):
        return OutputItemDone(item_from_api(event.item))
    if isinstance(event, OutputTextDeltaEvent):
        return OutputTextDelta(delta=event.delta, item_id=event.item_id)
    if isinstance(event, ReasoningSummaryTextDeltaEvent):
        return ReasoningSummaryDelta(delta=event.delta, summary_index=event.summary_index)
    if isinstance(event, ReasoningTextDeltaEvent):
        return ReasoningContentDelta(delta=event.delta, content_index=event.content_index)
    if isinstance(event, ReasoningSummaryPartAddedEvent):
        return ReasoningSummaryPartAdded(summary_index=event.summary_index)
    if isinstance(event, ResponseCompletedEvent):
        usage = event.response.usage.to_token_usage() if event.response.usage else None
        return Completed(response_id=event.response.id, usage=usage)
    if isinstance(event, ResponseFailedEvent):
        error = event.response.error if event.response else None
        raise classify_error(error.code if error else None, error.message if error else None)
    if isinstance(event, ErrorEvent):
        raise classify_error(event.code, event.message)
    return None


async def iter_response_events(
    chunks: AsyncIterator[bytes], *, idle_timeout: float, source: str = "model stream"
) -> AsyncIterator[ResponseEvent]:
    """Decode ``chunks`` into events, stopping after :class:`Completed`.

    Raises :class:`StreamInterrupted` (retryable) when no bytes arrive for ``idle_timeout``
    seconds, when the transport drops, or when the stream ends before ``response.completed``
    -- including a stream that ends in the middle of an event: the half event is discarded
    (SSE rules) and reported as a disconnect, never parsed as a malformed event.
    """
    decoder = SseDecoder()
    iterator = chunks.__aiter__()
    finished = False
    while not finished:
        try:
            with anyio.fail_after(idle_timeout):
                chunk = await iterator.__anext__()
        except StopAsyncIteration:
            records = decoder.flush()
            finished = True
        except (TimeoutError, httpx.ReadTimeout):
            raise StreamInterrupted(
                f"idle timeout waiting for SSE: no data from {source} for {idle_timeout:g}s"
            ) from None
        except httpx.TransportError as exc:
            raise StreamInterrupted(
                f"stream disconnected before response.completed ({source}): {type(exc).__name__}: {exc}"
            ) from exc
        else:
            records = decoder.feed(chunk)
        for record in records:
            event = parse_event(record)
            if event is None:
                continue
            yield event
            if isinstance(event, Completed):
                return
    if decoder.discarded_partial_event:
        raise StreamInterrupted(
            f"stream disconnected before response.completed ({source}): "
            "the connection closed in the middle of an SSE event"
        )
    raise StreamInterrupted(f"stream closed before response.completed ({source})")
