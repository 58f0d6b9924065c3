"""Offline replay (``CODEX_RS_SSE_FIXTURE``) and the client factory.

A fixture file holds one SSE line per line (``data: {json}``; ``event:`` lines and blank
lines are harmless). Every line is treated as a complete record, as upstream does, and the
same file is replayed for every request.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import httpx

from codex_core.client.providers import ProviderInfo
from codex_core.client.request import DEFAULT_ORIGINATOR
from codex_core.client.responses import AuthSource, ResponsesClient
from codex_core.client.retry import RetryConfig
from codex_core.client.sse import iter_response_events
from codex_core.client.types import ModelClient, Prompt, ResponseEvent
from codex_core.errors import ConfigError

__all__ = ["FIXTURE_ENV_VAR", "FixtureModelClient", "make_model_client"]

FIXTURE_ENV_VAR = "CODEX_RS_SSE_FIXTURE"


class FixtureModelClient:
    """:class:`~codex_core.client.ModelClient` that replays an SSE fixture file, no network."""

    def __init__(self, path: Path | str, *, idle_timeout: float = 300.0) -> None:
        self.path = Path(path)
        self.idle_timeout = idle_timeout
        self.prompts: list[Prompt] = []

    def _records(self) -> bytes:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"{FIXTURE_ENV_VAR}={self.path}: cannot read fixture file: {exc.strerror or exc}",
                path=str(self.path),
            ) from exc
        # One record per line: terminate each line with a blank line.
        return "".join(line + "\n\n" for line in text.splitlines()).encode("utf-8")

    async def stream(self, prompt: Prompt) -> AsyncIterator[ResponseEvent]:
        """Yield the fixture's events (the prompt is recorded in ``prompts`` and otherwise unused)."""
        self.prompts.append(prompt)
        payload = self._records()

        async def chunks() -> AsyncIterator[bytes]:
            yield payload

        async for event in iter_response_events(
            chunks(), idle_timeout=self.idle_timeout, source=f"fixture {self.path}"
        ):
            yield event


def make_model_client(
    provider: ProviderInfo,
    *,
    model: str,
    auth: AuthSource,
    session_id: str,
    originator: str = DEFAULT_ORIGINATOR,
    http_client: httpx.AsyncClient | None = None,
    retry_config: RetryConfig | None = None,
    env: Mapping[str, str] | None = None,
) -> ModelClient:
    """A :class:`FixtureModelClient` when ``CODEX_RS_SSE_FIXTURE`` is set, else a :class:`ResponsesClient`."""
    env_map = os.environ if env is None else env
    fixture = env_map.get(FIXTURE_ENV_VAR, "").strip()
    if fixture:
        return FixtureModelClient(fixture, idle_timeout=provider.stream_idle_timeout)
    return ResponsesClient(
        provider,
        model=model,
        auth=auth,
        session_id=session_id,
        originator=originator,
        http_client=http_client,
        retry_config=retry_config,
        env=env,
    )
