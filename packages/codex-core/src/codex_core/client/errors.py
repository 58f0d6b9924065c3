"""Model-client errors, refining ``codex_core.errors`` with retry metadata.

Every class here carries ``retryable`` (may the caller re-send the whole request?) and
``retry_after`` (server-suggested delay in seconds, or ``None``)::

    ModelError
    ├── ModelStreamError
    │   ├── StreamInterrupted      disconnect (also mid-event) / idle timeout /  retryable
    │   │                          closed early
    │   └── MalformedEventError    a complete SSE event we consume could not be  not retryable
    │                              parsed (a half event cut by a disconnect is
    │                              a StreamInterrupted, never this)
    ├── ResponseFailedError        ``response.failed`` / ``error`` event         retryable unless below
    │   ├── ContextWindowExceeded  code context_length_exceeded                  fatal
    │   ├── QuotaExceeded          code insufficient_quota                       fatal
    │   └── UsageNotIncluded       code usage_not_included                       fatal
    ├── ModelConnectionError       could not connect after the request retries   retryable
    └── NetworkDisabledError       ALLOW_NETWORK_MODEL_REQUESTS is False         fatal

``ModelHTTPError`` (from ``codex_core.errors``) is raised for non-retryable HTTP statuses and
for 429/5xx once the request-level retries are exhausted; it is never retryable.
"""

from __future__ import annotations

from codex_core.errors import ModelError, ModelStreamError

__all__ = [
    "ContextWindowExceeded",
    "MalformedEventError",
    "ModelConnectionError",
    "NetworkDisabledError",
    "QuotaExceeded",
    "ResponseFailedError",
    "StreamInterrupted",
    "UsageNotIncluded",
    "is_retryable",
    "retry_after_of",
]


class StreamInterrupted(ModelStreamError):
    """The SSE stream ended, dropped (possibly in the middle of an event) or went idle before
    ``response.completed``. The agent loop re-sends the prompt (``stream_max_retries``)."""

    code = "stream_interrupted"
    retryable: bool = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MalformedEventError(ModelStreamError):
    """An SSE event of a type we consume had invalid JSON or an unexpected shape."""

    code = "malformed_event"
    retryable: bool = False

    def __init__(self, message: str, *, event_type: str | None, raw: str) -> None:
        super().__init__(message)
        self.event_type = event_type
        self.raw = raw
        self.retry_after: float | None = None


class ResponseFailedError(ModelError):
    """The server reported a failed response (``response.failed`` or an ``error`` event)."""

    code = "response_failed"
    retryable: bool = True

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.retry_after = retry_after
        if retryable is not None:
            self.retryable = retryable


class ContextWindowExceeded(ResponseFailedError):
    """The conversation no longer fits the model's context window."""

    code = "context_window_exceeded"
    retryable = False


class QuotaExceeded(ResponseFailedError):
    """The account ran out of quota."""

    code = "quota_exceeded"
    retryable = False


class UsageNotIncluded(ResponseFailedError):
    """The account's plan does not include this usage."""

    code = "usage_not_included"
    retryable = False


class ModelConnectionError(ModelError):
    """The server could not be reached (connect/transport errors) after the request retries."""

    code = "model_connection_error"
    retryable: bool = True
    retry_after: float | None = None


class NetworkDisabledError(ModelError):
    """A non-loopback request was refused because ``ALLOW_NETWORK_MODEL_REQUESTS`` is False."""

    code = "network_disabled"
    retryable: bool = False
    retry_after: float | None = None


def is_retryable(exc: BaseException) -> bool:
    """Whether the agent loop may re-send the whole sampling request after ``exc``."""
    return bool(getattr(exc, "retryable", False))


def retry_after_of(exc: BaseException) -> float | None:
    """The server-suggested delay (seconds) carried by ``exc``, if any."""
    value = getattr(exc, "retry_after", None)
    return float(value) if isinstance(value, int | float) else None
