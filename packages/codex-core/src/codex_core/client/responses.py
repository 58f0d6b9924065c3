"""``ResponsesClient``: the OpenAI Responses API over ``httpx`` with SSE streaming.

Request-level retries (connect errors, 429, 5xx) happen here, before any event is yielded.
Once events flow, failures raise (``StreamInterrupted`` is retryable) and the agent loop
decides whether to re-send the whole prompt; events are never replayed by the client.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx

from codex_core.client.errors import ModelConnectionError, NetworkDisabledError
from codex_core.client.providers import ProviderInfo
from codex_core.client.rate_limits import RateLimits, parse_rate_limit_headers
from codex_core.client.request import DEFAULT_ORIGINATOR, build_headers, build_request_body
from codex_core.client.retry import (
    RetryableHTTPError,
    RetryConfig,
    backoff_delay,
    parse_retry_after,
    parse_try_again_in,
)
from codex_core.client.sse import iter_response_events
from codex_core.client.types import Prompt, ResponseEvent
from codex_core.errors import ModelHTTPError
from codex_core.logging import TRACE, get_logger

__all__ = ["AuthSource", "ResponsesClient", "is_loopback_host", "network_allowed"]

AuthSource = str | Callable[[], str | None] | None
"""A fixed API key, a callable returning the current key (called per request), or no auth."""

_CONNECT_TIMEOUT = 30.0
_TURN_STATE_HEADER = "x-codex-turn-state"
_FATAL_429_TYPES = ("usage_limit_reached", "usage_not_included")
log = get_logger(__name__)


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback IP literal (``127.0.0.0/8``, ``::1``)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def network_allowed() -> bool:
    """Current value of the kill switch ``codex_core.client.ALLOW_NETWORK_MODEL_REQUESTS``."""
    package = sys.modules.get("codex_core.client")
    return bool(getattr(package, "ALLOW_NETWORK_MODEL_REQUESTS", True))


def _server_message(body: str) -> str:
    """``error.message`` of a JSON error body, else the raw body, else "Unknown error"."""
    text = body.strip()
    if not text:
        return "Unknown error"
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return text if len(text) <= 500 else text[:500] + "…"
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
        if isinstance(data.get("message"), str):
            return str(data["message"])
    return text if len(text) <= 500 else text[:500] + "…"


def _error_type(body: str) -> str | None:
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        value = data["error"].get("type") or data["error"].get("code")
        return str(value) if value else None
    return None


class ResponsesClient:
    """:class:`~codex_core.client.ModelClient` for ``POST {base_url}/responses``.

    One instance per session. Pass ``http_client`` to share a pool (the caller closes it);
    otherwise the client owns one per event loop and :meth:`aclose` releases it.
    """

    def __init__(
        self,
        provider: ProviderInfo,
        *,
        model: str,
        auth: AuthSource,
        session_id: str,
        originator: str = DEFAULT_ORIGINATOR,
        http_client: httpx.AsyncClient | None = None,
        retry_config: RetryConfig | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.provider = provider
        self.model = model
        self.session_id = session_id
        self.originator = originator
        self.retry_config = retry_config if retry_config is not None else RetryConfig.from_env(env)
        self._auth = auth
        self._env = env
        self._external_client = http_client
        self._owned_client: httpx.AsyncClient | None = None
        self._owned_loop: asyncio.AbstractEventLoop | None = None
        self._turn_state: str | None = None
        self._turn_id: str | None = None

    # --- lifecycle -----------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the owned HTTP client (a shared ``http_client`` is left open)."""
        if self._owned_client is not None:
            await self._owned_client.aclose()
            self._owned_client = None

    async def __aenter__(self) -> ResponsesClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def start_turn(self, turn_id: str | None = None) -> None:
        """Forget the sticky ``x-codex-turn-state`` token (a new turn starts)."""
        self._turn_state = None
        self._turn_id = turn_id

    @property
    def turn_state(self) -> str | None:
        """The sticky-routing token captured in the current turn, if any."""
        return self._turn_state

    def _client(self) -> httpx.AsyncClient:
        if self._external_client is not None:
            return self._external_client
        loop = asyncio.get_running_loop()
        if self._owned_client is None or self._owned_loop is not loop:
            # A client's connection pool is bound to the loop it was used on.
            # Loading the CA bundle costs ~20 ms; a plain-http provider (a local server) never needs it,
            # and redirects are not followed, so no request can switch to https.
            plain_http = self.provider.base_url.lower().startswith("http://")
            self._owned_client = httpx.AsyncClient(
                # The idle timeout is enforced per SSE read in iter_response_events; this is a backstop.
                timeout=httpx.Timeout(_CONNECT_TIMEOUT, read=self.provider.stream_idle_timeout + 5.0),
                follow_redirects=False,
                verify=not plain_http,
            )
            self._owned_loop = loop
        return self._owned_client

    def _api_key(self) -> str | None:
        return self._auth() if callable(self._auth) else self._auth

    # --- streaming -----------------------------------------------------------------------

    async def stream(self, prompt: Prompt) -> AsyncIterator[ResponseEvent]:
        """Send ``prompt`` and yield its events; see :class:`~codex_core.client.ModelClient`."""
        if prompt.turn_id is not None and prompt.turn_id != self._turn_id:
            self.start_turn(prompt.turn_id)
        body = build_request_body(prompt, model=self.model, provider=self.provider)
        started = time.perf_counter()
        events, first_event_ms, outcome = 0, None, "failed"
        trace = log.is_enabled_for(TRACE)
        try:
            async with self._open(body) as response:
                rate_limits = parse_rate_limit_headers(response.headers)
                if rate_limits is not None:
                    yield RateLimits(rate_limits)
                async for event in iter_response_events(
                    response.aiter_bytes(),
                    idle_timeout=self.provider.stream_idle_timeout,
                    source=str(response.url.copy_with(query=None)),
                ):
                    if not events:
                        first_event_ms = (time.perf_counter() - started) * 1000
                    events += 1
                    if trace:
                        log.trace("model event", type=getattr(event, "type", type(event).__name__))
                    yield event
            outcome = "completed"
        except (GeneratorExit, asyncio.CancelledError):
            outcome = "cancelled"  # the consumer stopped reading (interrupt, turn end)
            raise
        except BaseException as exc:
            outcome = f"failed: {type(exc).__name__}: {exc}"
            raise
        finally:
            total_ms = (time.perf_counter() - started) * 1000
            log.debug(
                "model stream end", model=self.model, outcome=outcome, events=events,
                first_event_ms=first_event_ms, total_ms=total_ms,
            )  # fmt: skip

    @asynccontextmanager
    async def _open(self, body: dict[str, Any]) -> AsyncIterator[httpx.Response]:
        url = httpx.URL(self.provider.responses_url)
        if self.provider.query_params:
            url = url.copy_merge_params(dict(self.provider.query_params))
        if not is_loopback_host(url.host) and not network_allowed():
            raise NetworkDisabledError(
                f"refusing model request to {url.host}: network model requests are disabled "
                "(codex_core.client.ALLOW_NETWORK_MODEL_REQUESTS is False)"
            )
        content = json.dumps(body).encode("utf-8")
        max_retries = self.provider.effective_request_max_retries
        client = self._client()
        attempt = 0
        target = str(url.copy_with(query=None))
        while True:
            headers = build_headers(
                self.provider,
                api_key=self._api_key(),
                originator=self.originator,
                session_id=self.session_id,
                turn_state=self._turn_state,
                env=self._env if self._env is not None else os.environ,
                client_metadata=body.get("client_metadata"),
            )
            request = client.build_request("POST", url, content=content, headers=headers)
            log.debug("model request", url=target, model=self.model, attempt=attempt, bytes=len(content))
            if log.is_enabled_for(TRACE):
                log.trace("model request headers", headers=dict(request.headers))
            sent = time.perf_counter()
            try:
                response = await client.send(request, stream=True)
            except httpx.TransportError as exc:
                log.info("model request failed", url=target, attempt=attempt, error=f"{type(exc).__name__}: {exc}")
                if attempt >= max_retries:
                    raise ModelConnectionError(
                        f"cannot reach model provider {self.provider.name!r} at {url.copy_with(query=None)} "
                        f"after {attempt + 1} attempt(s): {type(exc).__name__}: {exc}"
                    ) from exc
                attempt += 1
                delay = backoff_delay(attempt, None, config=self.retry_config)
                log.info("model request retry", url=target, attempt=attempt, max_retries=max_retries, delay_s=delay)
                await anyio.sleep(delay)
                continue
            ttfb_ms = (time.perf_counter() - sent) * 1000
            log.debug("model response", status=response.status_code, ttfb_ms=ttfb_ms, attempt=attempt)
            if response.status_code < 300:
                captured = response.headers.get(_TURN_STATE_HEADER)
                if captured and self._turn_state is None:
                    self._turn_state = captured
                try:
                    yield response
                finally:
                    await response.aclose()
                return
            raw = (await response.aread()).decode("utf-8", errors="replace")
            await response.aclose()
            status = response.status_code
            message = _server_message(raw)
            retryable = status >= 500 or (status == 429 and _error_type(raw) not in _FATAL_429_TYPES)
            if not retryable or attempt >= max_retries:
                attempts = f" after {attempt + 1} attempts" if retryable else ""
                error = RetryableHTTPError if retryable else ModelHTTPError  # the turn may send it again
                raise error(
                    f"model request failed{attempts}: HTTP {status} {response.reason_phrase} "
                    f"from {url.copy_with(query=None)}: {message}",
                    status=status,
                    body=raw,
                )
            attempt += 1
            hint = parse_retry_after(response.headers.get("retry-after"))
            if hint is None and status == 429:
                hint = parse_try_again_in(message)
            delay = backoff_delay(attempt, hint, config=self.retry_config)
            log.info(
                "model request retry",
                url=target,
                status=status,
                attempt=attempt,
                max_retries=max_retries,
                delay_s=delay,
            )
            await anyio.sleep(delay)
