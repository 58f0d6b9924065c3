"""Rate-limit snapshots from the response headers of a model request (spec 1.4).

Before the SSE events, Codex reads ``x-codex-primary-used-percent``,
``x-codex-primary-window-minutes`` and ``x-codex-primary-reset-at`` (Unix seconds), the same
with ``secondary``, and ``x-codex-credits-has-credits`` / ``-unlimited`` / ``-balance``. A window
is reported when its used percentage parses and says something (a non-zero percentage, window
or reset time); the snapshot when any part is reported. The turn passes it on with its
``token.count`` events.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs

from codex_core.protocol.events import CreditsSnapshot, RateLimitSnapshot, RateLimitWindow

__all__ = ["RateLimits", "parse_rate_limit_headers"]

_PREFIX = "x-codex"


@attrs.frozen
class RateLimits:
    """The rate limits the response's headers reported (the stream's first event, when present)."""

    snapshot: RateLimitSnapshot


def _number(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _integer(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


def _window(headers: Mapping[str, str], which: str) -> RateLimitWindow | None:
    used = _number(headers, f"{_PREFIX}-{which}-used-percent")
    if used is None:
        return None
    minutes = _integer(headers, f"{_PREFIX}-{which}-window-minutes")
    resets_at = _integer(headers, f"{_PREFIX}-{which}-reset-at")
    if used == 0 and not minutes and resets_at is None:
        return None
    return RateLimitWindow(used_percent=used, window_minutes=minutes, resets_at=resets_at)


def _flag(headers: Mapping[str, str], name: str) -> bool | None:
    raw = (headers.get(name) or "").strip().lower()
    return {"true": True, "1": True, "false": False, "0": False}.get(raw)


def _credits(headers: Mapping[str, str]) -> CreditsSnapshot | None:
    has_credits = _flag(headers, f"{_PREFIX}-credits-has-credits")
    unlimited = _flag(headers, f"{_PREFIX}-credits-unlimited")
    if has_credits is None or unlimited is None:
        return None
    balance = (headers.get(f"{_PREFIX}-credits-balance") or "").strip() or None
    return CreditsSnapshot(has_credits=has_credits, unlimited=unlimited, balance=balance)


def parse_rate_limit_headers(headers: Mapping[str, str]) -> RateLimitSnapshot | None:
    """The snapshot in ``headers`` (names matched as given: pass a case-insensitive mapping such
    as ``httpx.Headers``), or ``None`` when they report nothing."""
    primary, secondary, credits = _window(headers, "primary"), _window(headers, "secondary"), _credits(headers)
    if primary is None and secondary is None and credits is None:
        return None
    return RateLimitSnapshot(primary=primary, secondary=secondary, credits=credits)
