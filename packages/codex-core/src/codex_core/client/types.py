"""Loop-facing types of the model client: ``Prompt``, ``ResponseEvent``, ``TokenUsage``, ``ModelClient``.

The agent loop builds a :class:`Prompt`, calls :meth:`ModelClient.stream` and consumes the
:data:`ResponseEvent` values it yields. Nothing here depends on HTTP, so in-process doubles
(``codex_core.testing.ScriptedModel``) implement the same protocol.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

from codex_core.client.rate_limits import RateLimits
from codex_core.protocol.items import OtherItem, ResponseItem

__all__ = [
    "Completed",
    "Created",
    "ModelClient",
    "OutputItemAdded",
    "OutputItemDone",
    "OutputTextDelta",
    "Prompt",
    "RateLimits",
    "ReasoningContentDelta",
    "ReasoningSummaryDelta",
    "ReasoningSummaryPartAdded",
    "ResponseEvent",
    "TokenUsage",
]


@attrs.frozen
class Prompt:
    """Everything one sampling request sends to the model.

    ``turn_id`` scopes the sticky-routing header ``x-codex-turn-state``: the token captured on
    the first response of a turn is echoed on later requests with the same ``turn_id`` and
    dropped as soon as the ``turn_id`` changes.

    ``instructions`` (the base instructions) travel as the first ``developer`` message of the
    request input, as Codex 0.169 sends them, not as an ``instructions`` field.
    ``client_metadata`` is sent as the body's ``client_metadata`` and its ``x-codex-*`` entries
    are mirrored into request headers (:func:`codex_core.client.request.build_headers`).
    """

    input: Sequence[ResponseItem]
    instructions: str
    tools: Sequence[dict[str, Any]] = ()
    parallel_tool_calls: bool = False
    output_schema: dict[str, Any] | None = None
    reasoning_effort: str | None = None
    reasoning_summary: str | None = None
    verbosity: str | None = None
    prompt_cache_key: str | None = None
    turn_id: str | None = None
    client_metadata: Mapping[str, str] | None = None
    service_tier: str | None = None
    """``service_tier`` of the request (``flex``, ``priority``...); ``None``: not sent."""


@attrs.frozen
class TokenUsage:
    """Token counts of one response (or a sum of several, via ``+``)."""

    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_output_tokens: int = 0
    total_tokens: int = 0
    cache_write_input_tokens: int = 0
    """Input tokens written to the prompt cache (``input_tokens_details.cache_write_tokens``)."""

    def __add__(self, other: TokenUsage) -> TokenUsage:
        if not isinstance(other, TokenUsage):
            return NotImplemented
        return TokenUsage(
            input_tokens=self.input_tokens + other.input_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            cache_write_input_tokens=self.cache_write_input_tokens + other.cache_write_input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            reasoning_output_tokens=self.reasoning_output_tokens + other.reasoning_output_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


@attrs.frozen
class Created:
    """The server accepted the request (``response.created``)."""


@attrs.frozen
class OutputItemAdded:
    """An output item started streaming (``response.output_item.added``); not authoritative."""

    item: ResponseItem | OtherItem


@attrs.frozen
class OutputItemDone:
    """An output item is complete (``response.output_item.done``); tool calls dispatch from here."""

    item: ResponseItem | OtherItem


@attrs.frozen
class OutputTextDelta:
    """A chunk of assistant text (``response.output_text.delta``)."""

    delta: str
    item_id: str | None = None


@attrs.frozen
class ReasoningSummaryDelta:
    """A chunk of a reasoning summary (``response.reasoning_summary_text.delta``)."""

    delta: str
    summary_index: int = 0


@attrs.frozen
class ReasoningSummaryPartAdded:
    """A new reasoning summary section started (``response.reasoning_summary_part.added``)."""

    summary_index: int = 0


@attrs.frozen
class ReasoningContentDelta:
    """A chunk of raw reasoning text (``response.reasoning_text.delta``)."""

    delta: str
    content_index: int = 0


@attrs.frozen
class Completed:
    """The response finished (``response.completed``); always the last event of a stream."""

    response_id: str
    usage: TokenUsage | None = None


ResponseEvent = (
    RateLimits
    | Created
    | OutputItemAdded
    | OutputItemDone
    | OutputTextDelta
    | ReasoningSummaryDelta
    | ReasoningSummaryPartAdded
    | ReasoningContentDelta
    | Completed
)
"""Union of everything :meth:`ModelClient.stream` yields."""


@runtime_checkable
class ModelClient(Protocol):
    """Streams one model response per call.

    ``stream`` is an async generator: it yields :data:`ResponseEvent` values and ends after
    :class:`Completed`, or raises a :class:`codex_core.errors.ModelError`. Errors with
    ``retryable = True`` (see :func:`codex_core.client.is_retryable`) may be retried by the
    caller by re-sending the whole prompt; the client never re-yields events itself.
    """

    def stream(self, prompt: Prompt) -> AsyncIterator[ResponseEvent]: ...
