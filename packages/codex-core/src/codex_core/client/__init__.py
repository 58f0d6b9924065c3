"""Model client: streams OpenAI Responses API answers as typed events.

Typical use by the agent loop::

    provider = resolve_provider(config.model_provider, config.model_providers)
    client = make_model_client(provider, model=config.model,
                               auth=api_key_for(provider, codex_home=home), session_id=thread_id)
    async for event in client.stream(Prompt(input=history, instructions=base, tools=tools)):
        ...

``ALLOW_NETWORK_MODEL_REQUESTS`` is a kill switch checked before every request to a
non-loopback host (tests set it to ``False``; loopback servers keep working).
"""

from __future__ import annotations

import sys

# httpx imports its optional command-line client at import time, which pulls in rich and pygments
# (~35 ms) whenever they are installed (textual brings them). We never use that CLI, so block the
# import before httpx is first loaded: httpx then falls back to its built-in stub `main`.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from codex_core.client.errors import (
    ContextWindowExceeded,
    MalformedEventError,
    ModelConnectionError,
    NetworkDisabledError,
    QuotaExceeded,
    ResponseFailedError,
    StreamInterrupted,
    UsageNotIncluded,
    is_retryable,
    retry_after_of,
)
from codex_core.client.fixture import FIXTURE_ENV_VAR, FixtureModelClient, make_model_client
from codex_core.client.providers import (
    BUILTIN_PROVIDER_IDS,
    ProviderInfo,
    api_key_for,
    builtin_providers,
    resolve_provider,
)
from codex_core.client.request import build_headers, build_request_body, user_agent
from codex_core.client.responses import AuthSource, ResponsesClient, is_loopback_host
from codex_core.client.retry import RetryConfig, backoff_delay, parse_retry_after, parse_try_again_in
from codex_core.client.sse import SseDecoder, SseRecord, iter_response_events
from codex_core.client.types import (
    Completed,
    Created,
    ModelClient,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    Prompt,
    RateLimits,
    ReasoningContentDelta,
    ReasoningSummaryDelta,
    ReasoningSummaryPartAdded,
    ResponseEvent,
    TokenUsage,
)

ALLOW_NETWORK_MODEL_REQUESTS: bool = True
"""When False, requests to non-loopback hosts raise ``NetworkDisabledError``."""

__all__ = [
    "ALLOW_NETWORK_MODEL_REQUESTS",
    "BUILTIN_PROVIDER_IDS",
    "FIXTURE_ENV_VAR",
    "AuthSource",
    "Completed",
    "ContextWindowExceeded",
    "Created",
    "FixtureModelClient",
    "MalformedEventError",
    "ModelClient",
    "ModelConnectionError",
    "NetworkDisabledError",
    "OutputItemAdded",
    "OutputItemDone",
    "OutputTextDelta",
    "Prompt",
    "ProviderInfo",
    "QuotaExceeded",
    "RateLimits",
    "ReasoningContentDelta",
    "ReasoningSummaryDelta",
    "ReasoningSummaryPartAdded",
    "ResponseEvent",
    "ResponseFailedError",
    "ResponsesClient",
    "RetryConfig",
    "SseDecoder",
    "SseRecord",
    "StreamInterrupted",
    "TokenUsage",
    "UsageNotIncluded",
    "api_key_for",
    "backoff_delay",
    "build_headers",
    "build_request_body",
    "builtin_providers",
    "is_loopback_host",
    "is_retryable",
    "iter_response_events",
    "make_model_client",
    "parse_retry_after",
    "parse_try_again_in",
    "resolve_provider",
    "retry_after_of",
    "user_agent",
]
