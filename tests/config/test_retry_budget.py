"""``request_max_retries`` / ``stream_max_retries`` count the way Codex 0.169 counts them.

Measured with the reference against the scripted server answering three 500s then a success:
``request_max_retries = 1`` recovers on the fourth request (each sampling attempt sends the request
with one retry; the exhausted 500 is retried as a dropped stream, "Reconnecting... 1/5"); with
``stream_max_retries = 0`` as well it fails after two requests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.provider import TEST_ENV_KEY, provider_overrides
from tests.support.sse_server import HttpErrorResponse, ScriptedResponsesServer, turn_message

from codex_core import Codex
from codex_core.config import ConfigOverrides, load_config

BOOM = HttpErrorResponse(500, {"error": {"message": "boom", "type": "server_error"}})


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEX_RETRY_BASE_MS", "1")
    monkeypatch.setenv(TEST_ENV_KEY, "sk-test")


async def _run(server: ScriptedResponsesServer, cwd: Path, *overrides: str) -> list[object]:
    cfg = load_config(ConfigOverrides(config_overrides=[*provider_overrides(server.base_url), *overrides]), cwd=cwd)
    codex = Codex(cfg)
    try:
        thread = codex.start_thread(ephemeral=True)
        return [ev async for ev in thread.run_streamed("hi")]
    finally:
        await codex.aclose()


async def test_one_request_retry_recovers_from_three_500s_like_the_reference(tmp_path: Path) -> None:
    with ScriptedResponsesServer() as server:
        server.enqueue(BOOM, BOOM, BOOM, turn_message("recovered"))
        events = await _run(server, tmp_path, "model_providers.test.request_max_retries=1")
        assert len(server.requests) == 4  # 500, 500 | Reconnecting... 1/5 | 500, 200
    kinds = [getattr(e, "type", "") for e in events]
    assert kinds[-1] == "turn.completed"
    texts = [getattr(getattr(e, "item", None), "text", None) for e in events]
    assert "recovered" in texts
    reconnects = [e for e in events if "Reconnecting... " in str(getattr(e, "message", ""))]
    assert [str(getattr(e, "message", "")).split(" (")[0] for e in reconnects] == ["Reconnecting... 1/5"]


async def test_without_stream_retries_the_turn_fails_after_the_request_retries(tmp_path: Path) -> None:
    with ScriptedResponsesServer() as server:
        server.enqueue(BOOM, BOOM, BOOM, turn_message("never served"))
        events = await _run(
            server,
            tmp_path,
            "model_providers.test.request_max_retries=1",
            "model_providers.test.stream_max_retries=0",
        )
        assert len(server.requests) == 2
    assert [getattr(e, "type", "") for e in events][-1] == "turn.failed"
