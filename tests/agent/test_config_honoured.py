"""0.169 config keys that change what the model gets: ``service_tier`` in the request body,
``tool_output_token_limit`` capping a tool output, ``review_model`` for the reviewer."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_core import Codex
from codex_core.config import ConfigOverrides, load_config
from tests.support.provider import TEST_ENV_KEY, provider_overrides
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call


async def _one_turn(
    workspace: Path, *extra: str, calls: list[dict[str, object]] | None = None
) -> ScriptedResponsesServer:
    with ScriptedResponsesServer() as server:
        steps = [turn_tool_call("exec_command", args, call_id=f"c{i}") for i, args in enumerate(calls or [])]
        server.enqueue(*steps, turn_message("done"))
        config = load_config(
            ConfigOverrides(
                config_overrides=[*provider_overrides(server.base_url), *extra], sandbox_mode="danger-full-access"
            ),
            cwd=workspace,
        )
        codex = Codex(config)
        await codex.start_thread(ephemeral=True).run("go")
        await codex.aclose()
    return server


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEST_ENV_KEY, "k")


async def test_service_tier_is_sent_only_when_configured(workspace: Path) -> None:
    server = await _one_turn(workspace, 'service_tier="flex"')
    assert server.requests[0].body["service_tier"] == "flex"
    server = await _one_turn(workspace)
    assert "service_tier" not in server.requests[0].body


async def test_tool_output_token_limit_caps_what_the_model_reads(workspace: Path) -> None:
    call = {"cmd": "python3 -c \"print('x' * 4000)\"", "max_output_tokens": 5000}
    server = await _one_turn(workspace, "tool_output_token_limit=100", calls=[call])
    outputs = [i for i in server.requests[1].body["input"] if i["type"] == "function_call_output"]
    text = outputs[0]["output"]
    assert "Warning: truncated output (original token count: 1001)" in text
    assert len(text) < 1200


def test_review_model_is_the_reviewers_model(workspace: Path) -> None:
    from codex_core.review import review_config

    config = load_config(ConfigOverrides(config_overrides=['review_model="gpt-review"']), cwd=workspace)
    assert review_config(config).model == "gpt-review" and config.model != "gpt-review"
    plain = load_config(ConfigOverrides(), cwd=workspace)
    assert review_config(plain).model == plain.model
