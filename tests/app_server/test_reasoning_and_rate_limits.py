"""Raw reasoning text (``item/reasoning/textDelta``, with ``show_raw_agent_reasoning``) and rate
limits (``account/rateLimits/updated`` from the model response's ``x-codex-*`` headers), over
real stdio against the scripted model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import (
    Event,
    ScriptedResponsesServer,
    SseResponse,
    ev_completed,
    ev_created,
    ev_message,
    turn_message,
)

RAW = ["First, ", "look at ", "the tests."]


def _raw_reasoning_turn() -> list[Event]:
    """A response whose reasoning comes as raw text only (as gpt-oss streams it), then an answer."""
    item: dict[str, Any] = {"type": "reasoning", "id": "rs_raw", "summary": []}
    events: list[Event] = [ev_created(), {"type": "response.output_item.added", "item": item}]
    events += [
        {"type": "response.reasoning_text.delta", "item_id": "rs_raw", "content_index": 0, "delta": d} for d in RAW
    ]
    events.append({"type": "response.reasoning_text.delta", "item_id": "rs_raw", "content_index": 1, "delta": "!"})
    done = {
        **item,
        "content": [{"type": "reasoning_text", "text": "".join(RAW)}, {"type": "reasoning_text", "text": "!"}],
    }
    events.append({"type": "response.output_item.done", "item": done})
    return [*events, *ev_message("Done."), ev_completed()]


def _run(client: AppServerClient) -> dict[str, Any]:
    client.initialize()
    thread_id = client.call("thread/start", {})["thread"]["id"]
    client.call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "go"}]})
    return client.notification("turn/completed")


@pytest.mark.parametrize("show_raw", [True, False])
def test_raw_reasoning_text_is_streamed_when_configured(
    app_env: dict[str, str], codex_home: Path, workspace: Path, server: ScriptedResponsesServer, show_raw: bool
) -> None:
    config = codex_home / "config.toml"
    config.write_text(f"show_raw_agent_reasoning = {str(show_raw).lower()}\n" + config.read_text())
    server.enqueue(_raw_reasoning_turn())
    client = AppServerClient(app_env, workspace)
    try:
        done = _run(client)
        deltas = [m["params"] for m in client.messages if m.get("method") == "item/reasoning/textDelta"]
        reasoning = [i for i in done["turn"]["items"] if i["type"] == "reasoning"]
        if not show_raw:
            assert deltas == [] and reasoning == []
            return
        item_id = deltas[0]["itemId"]
        assert [(d["contentIndex"], d["delta"]) for d in deltas] == [(0, d) for d in RAW] + [(1, "!")]
        assert all(d["threadId"] == done["threadId"] and d["turnId"] == done["turn"]["id"] for d in deltas)
        started = client.notification("item/started", lambda p: p["item"]["type"] == "reasoning")
        assert started["item"]["id"] == item_id
        assert reasoning == [{"type": "reasoning", "id": item_id, "summary": [], "content": ["".join(RAW), "!"]}]
    finally:
        client.close()


def test_rate_limit_headers_become_account_rate_limits_updated(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer
) -> None:
    headers = {
        "x-codex-primary-used-percent": "42.6",
        "x-codex-primary-window-minutes": "300",
        "x-codex-primary-reset-at": "1760000000",
        "x-codex-secondary-used-percent": "5",
        "x-codex-secondary-window-minutes": "10080",
        "x-codex-credits-has-credits": "true",
        "x-codex-credits-unlimited": "false",
        "x-codex-credits-balance": "12.50",
    }
    server.enqueue(SseResponse(turn_message("Hi."), headers=headers))
    client = AppServerClient(app_env, workspace)
    try:
        _run(client)
        update = client.notification("account/rateLimits/updated")
        assert update == {
            "rateLimits": {
                "limitId": "codex",
                "limitName": None,
                "primary": {"usedPercent": 43, "windowDurationMins": 300, "resetsAt": 1760000000},
                "secondary": {"usedPercent": 5, "windowDurationMins": 10080, "resetsAt": None},
                "credits": {"hasCredits": True, "unlimited": False, "balance": "12.50"},
                "planType": None,
            }
        }
        methods = client.methods()
        assert methods.index("account/rateLimits/updated") == methods.index("thread/tokenUsage/updated") + 1
    finally:
        client.close()


def test_without_rate_limit_headers_nothing_is_sent(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(SseResponse(turn_message("Hi."), headers={"x-codex-primary-used-percent": "0"}))
    client = AppServerClient(app_env, workspace)
    try:
        _run(client)
        assert "thread/tokenUsage/updated" in client.methods()
        assert "account/rateLimits/updated" not in client.methods()
    finally:
        client.close()
