"""Offline fixture replay (CODEX_RS_SSE_FIXTURE) and the in-process ScriptedModel double."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_core.client import (
    Completed,
    FixtureModelClient,
    ModelClient,
    OutputItemDone,
    OutputTextDelta,
    Prompt,
    ResponsesClient,
    StreamInterrupted,
    TokenUsage,
    make_model_client,
    resolve_provider,
)
from codex_core.errors import ConfigError, UsageError
from codex_core.protocol.items import CustomToolCall, FunctionCall, Message, Reasoning
from codex_core.testing import ScriptedModel, custom_tool_call, function_call, message, reasoning, shell_call
from tests.support.sse_server import ev_completed, ev_created, ev_message, ev_reasoning

PROMPT = Prompt(input=[Message.user("hi")], instructions="x")


def write_fixture(path: Path, events: list[dict[str, object]], *, with_event_lines: bool) -> Path:
    lines: list[str] = []
    for event in events:
        if with_event_lines:
            lines.append(f"event: {event['type']}")
        lines.append(f"data: {json.dumps(event)}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("with_event_lines", [False, True])
async def test_fixture_env_replays_without_network(tmp_path: Path, with_event_lines: bool) -> None:
    events = [ev_created(), *ev_reasoning("plan"), *ev_message("from fixture"), ev_completed("resp_fx", 3, 4)]
    fixture = write_fixture(tmp_path / "turn.sse", events, with_event_lines=with_event_lines)
    provider = resolve_provider("openai", {}, env={})  # api.openai.com: would be refused by the kill switch
    client = make_model_client(
        provider, model="m", auth=None, session_id="s", env={"CODEX_RS_SSE_FIXTURE": str(fixture)}
    )
    assert isinstance(client, FixtureModelClient)
    for _ in range(2):  # the same fixture is replayed for every request
        out = [e async for e in client.stream(PROMPT)]
        done = [e.item for e in out if isinstance(e, OutputItemDone)]
        assert isinstance(done[0], Reasoning) and isinstance(done[1], Message)
        assert done[1].text == "from fixture"
        assert out[-1] == Completed("resp_fx", TokenUsage(3, 0, 4, 0, 7))


async def test_fixture_without_completed_is_stream_error(tmp_path: Path) -> None:
    fixture = write_fixture(tmp_path / "cut.sse", [ev_created(), *ev_message("x")], with_event_lines=False)
    client = FixtureModelClient(fixture)
    with pytest.raises(StreamInterrupted, match=r"closed before response\.completed"):
        _ = [e async for e in client.stream(PROMPT)]


async def test_missing_fixture_file_is_config_error(tmp_path: Path) -> None:
    client = FixtureModelClient(tmp_path / "absent.sse")
    with pytest.raises(ConfigError, match=r"CODEX_RS_SSE_FIXTURE=.*absent\.sse: cannot read"):
        _ = [e async for e in client.stream(PROMPT)]


def test_factory_picks_http_without_fixture() -> None:
    provider = resolve_provider("ollama", {}, env={})
    client = make_model_client(provider, model="m", auth=None, session_id="s", env={})
    assert isinstance(client, ResponsesClient) and isinstance(client, ModelClient)


async def test_scripted_model_streams_like_the_real_client() -> None:
    seen_inputs: list[int] = []

    def answer(prompt: Prompt) -> list[Message]:
        seen_inputs.append(len(prompt.input))
        return [message(f"you sent {len(prompt.input)} item(s)")]

    model = ScriptedModel(
        [
            [
                reasoning("think"),
                shell_call("ls -la", workdir="/tmp"),
                custom_tool_call("apply_patch", "*** P"),
            ],
            answer,
            RuntimeError("boom"),
        ]
    )
    assert isinstance(model, ModelClient)
    first = [e async for e in model.stream(PROMPT)]
    done = [e.item for e in first if isinstance(e, OutputItemDone)]
    assert isinstance(done[1], FunctionCall) and done[1].name == "shell"
    assert json.loads(done[1].arguments) == {"command": ["bash", "-lc", "ls -la"], "workdir": "/tmp"}
    assert isinstance(done[2], CustomToolCall) and done[2].input == "*** P"
    assert isinstance(first[-1], Completed) and first[-1].usage is not None
    assert first[-1].usage.input_tokens > 0

    second = [e async for e in model.stream(PROMPT)]
    assert "".join(e.delta for e in second if isinstance(e, OutputTextDelta)) == "you sent 1 item(s)"
    assert seen_inputs == [1]
    with pytest.raises(RuntimeError, match="boom"):
        _ = [e async for e in model.stream(PROMPT)]
    model.assert_complete()
    assert len(model.prompts) == 3
    with pytest.raises(UsageError, match="no scripted step left for request #4"):
        _ = [e async for e in model.stream(PROMPT)]


def test_scripted_model_assert_complete_reports_leftovers() -> None:
    model = ScriptedModel([[message("never")]])
    with pytest.raises(AssertionError, match="1 scripted step"):
        model.assert_complete()
    call = function_call("update_plan", {"plan": []})
    assert call.call_id.startswith("call_") and json.loads(call.arguments) == {"plan": []}
