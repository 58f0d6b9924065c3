"""Retry schedule shared by the client (request retries) and the agent loop (stream retries).

Delay before retry ``n`` (1-based) is ``base * factor**(n-1)`` times a jitter in
``[1 - jitter, 1 + jitter)``, unless the server told us how long to wait (``Retry-After``
header or a "try again in 3s" hint), in which case that delay is used.
Tests shrink the schedule with ``RetryConfig(base_delay=...)`` or env ``CODEX_RETRY_BASE_MS``.

The two budgets nest, as in Codex 0.169: every sampling attempt of the agent loop (one plus
``stream_max_retries``) sends the request with up to ``request_max_retries`` retries of its own.
A 429/5xx that outlives the request retries is a :class:`RetryableHTTPError`, which the loop
retries like a dropped stream. So with ``request_max_retries = 1`` and a server answering three
500s then a success, the turn succeeds on the fourth request (500, 500 | 500, 200), as 0.169's does.
"""

from __future__ import annotations

import email.utils
import os
import random
import re
import time
from collections.abc import Mapping

import attrs

from codex_core.errors import ModelHTTPError

__all__ = [
    "DEFAULT_REQUEST_MAX_RETRIES",
    "DEFAULT_STREAM_IDLE_TIMEOUT_MS",
    "DEFAULT_STREAM_MAX_RETRIES",
    "MAX_RETRIES_CAP",
    "RetryConfig",
    "RetryableHTTPError",
    "backoff_delay",
    "parse_retry_after",
    "parse_try_again_in",
]

DEFAULT_REQUEST_MAX_RETRIES = 4
DEFAULT_STREAM_MAX_RETRIES = 5
DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000
MAX_RETRIES_CAP = 100


@attrs.frozen
class RetryConfig:
    """Exponential backoff parameters (seconds)."""

    base_delay: float = 0.2
    factor: float = 2.0
    jitter: float = 0.1
    max_delay: float = 60.0
    max_server_delay: float = 600.0
    """Upper bound applied to delays the server asks for."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RetryConfig:
        """Default schedule, with ``CODEX_RETRY_BASE_MS`` (if set) as the base delay."""
        env = os.environ if env is None else env
        raw = env.get("CODEX_RETRY_BASE_MS", "").strip()
        if not raw:
            return cls()
        try:
            base_ms = float(raw)
        except ValueError:
            return cls()
        return cls(base_delay=max(base_ms, 0.0) / 1000.0)


class RetryableHTTPError(ModelHTTPError):
    """A 429 or 5xx answer that was still failing after the request-level retries.

    Still a ``ModelHTTPError`` (status and body included), but ``retryable``: the agent loop
    re-sends the request under its stream retry budget instead of failing the turn.
    """

    retryable: bool = True

    def __init__(self, message: str, *, status: int, body: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, status=status, body=body)
        self.retry_after = retry_after


def backoff_delay(attempt: int, retry_after: float | None = None, *, config: RetryConfig | None = None) -> float:
    """Seconds to sleep before retry number ``attempt`` (1 = first retry).

    A server-provided ``retry_after`` wins (clamped to ``config.max_server_delay``).
    """
    cfg = RetryConfig.from_env() if config is None else config
    if retry_after is not None:
        return min(max(retry_after, 0.0), cfg.max_server_delay)
    exponent = max(attempt, 1) - 1
    raw = cfg.base_delay * (cfg.factor**exponent)
    jitter = random.uniform(1.0 - cfg.jitter, 1.0 + cfg.jitter)
    return min(raw * jitter, cfg.max_delay)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delta seconds (``"3"``, leniently ``"1.5"``) or an HTTP date."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)


_TRY_AGAIN = re.compile(r"try again in\s*(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|secs|seconds?)\b", re.I)


def parse_try_again_in(message: str | None) -> float | None:
    """Extract the delay from messages like "Rate limit reached ... Please try again in 1.5s."."""
    if not message:
        return None
    match = _TRY_AGAIN.search(message)
    if match is None:
        return None
    amount = float(match.group(1))
    unit = match.group(2).lower()
    return amount / 1000.0 if unit.startswith("m") else amount
