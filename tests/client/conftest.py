"""Client tests talk only to loopback servers: the network kill switch is off for all of them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import codex_core.client
from codex_core.client import ProviderInfo, ResponsesClient, RetryConfig
from tests.support.sse_server import ScriptedResponsesServer

FAST_RETRIES = RetryConfig(base_delay=0.001, jitter=0.0)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codex_core.client, "ALLOW_NETWORK_MODEL_REQUESTS", False)


@pytest.fixture
def server() -> Iterator[ScriptedResponsesServer]:
    with ScriptedResponsesServer() as srv:
        yield srv


def make_provider(base_url: str, **overrides: object) -> ProviderInfo:
    fields: dict[str, object] = {
        "id": "mock",
        "name": "Mock provider",
        "base_url": base_url,
        "env_key": "MOCK_API_KEY",
        "request_max_retries": 2,
        "stream_idle_timeout_ms": 2_000,
    }
    fields.update(overrides)
    return ProviderInfo(**fields)  # type: ignore[arg-type]


def make_client(base_url: str, **provider_overrides: object) -> ResponsesClient:
    return ResponsesClient(
        make_provider(base_url, **provider_overrides),
        model="gpt-test",
        auth="sk-test-key",
        session_id="thread-123",
        retry_config=FAST_RETRIES,
        env={},
    )
