"""End-to-end tests of ResponsesClient against the real scripted HTTP server."""

from __future__ import annotations

import json
import time

import pytest

from codex_core.client import (
    Completed,
    ContextWindowExceeded,
    Created,
    MalformedEventError,
    ModelConnectionError,
    NetworkDisabledError,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    Prompt,
    ProviderInfo,
    QuotaExceeded,
    ReasoningContentDelta,
    ReasoningSummaryDelta,
    ReasoningSummaryPartAdded,
    ResponseEvent,
    ResponseFailedError,
    StreamInterrupted,
    TokenUsage,
    build_request_body,
    is_retryable,
)
from codex_core.errors import ModelHTTPError, ModelStreamError
from codex_core.protocol.items import (
    CustomToolCall,
    FunctionCall,
    FunctionCallOutput,
    Message,
    OtherItem,
    OutputText,
    Reasoning,
)
from tests.client.conftest import make_client
from tests.support.sse_server import (
    DropAfter,
    HttpErrorResponse,
    ScriptedResponsesServer,
    SseResponse,
    Stall,
    ev_completed,
    ev_created,
    ev_custom_tool_call,
    ev_failed,
    ev_message,
    ev_reasoning,
    turn_message,
    turn_tool_call,
)


def prompt(text: str = "hi", **kwargs: object) -> Prompt:
    return Prompt(input=[Message.user(text)], instructions="be brief", **kwargs)  # type: ignore[arg-type]


async def collect(client: object, p: Prompt | None = None) -> list[ResponseEvent]:
    return [event async for event in client.stream(p or prompt())]  # type: ignore[attr-defined]


async def test_plain_answer_streams_deltas_and_usage(server: ScriptedResponsesServer) -> None:
    server.enqueue(
        [
            ev_created(),
            *ev_message("Hello there, world"),
            ev_completed("resp_9", 42, 7, cached=30, reasoning=3),
        ]
    )
    async with make_client(server.base_url) as client:
        events = await collect(client)
    assert isinstance(events[0], Created)
    assert isinstance(events[1], OutputItemAdded)
    deltas = [e.delta for e in events if isinstance(e, OutputTextDelta)]
    assert len(deltas) > 1 and "".join(deltas) == "Hello there, world"
    done = [e for e in events if isinstance(e, OutputItemDone)]
    assert len(done) == 1 and isinstance(done[0].item, Message)
    assert done[0].item.text == "Hello there, world"
    assert events[-1] == Completed(
        "resp_9",
        TokenUsage(
            input_tokens=42,
            cached_input_tokens=30,
            output_tokens=7,
            reasoning_output_tokens=3,
            total_tokens=49,
        ),
    )


async def test_tool_calls_and_reasoning_are_parsed(server: ScriptedResponsesServer) -> None:
    server.enqueue(
        [
            ev_created(),
            *ev_reasoning("thinking about files"),
            *ev_custom_tool_call("apply_patch", "*** Begin Patch\n*** End Patch", "call_p"),
            *turn_tool_call("shell", {"command": ["ls", "-la"]}, call_id="call_7")[1:],
        ]
    )
    async with make_client(server.base_url) as client:
        events = await collect(client)
    done = [e.item for e in events if isinstance(e, OutputItemDone)]
    assert isinstance(done[0], Reasoning) and done[0].summary_text == "thinking about files"
    assert done[0].encrypted_content == "enc-opaque"
    assert isinstance(done[1], CustomToolCall) and done[1].input.startswith("*** Begin Patch")
    assert isinstance(done[2], FunctionCall)
    assert done[2].call_id == "call_7" and json.loads(done[2].arguments) == {"command": ["ls", "-la"]}
    summary = "".join(e.delta for e in events if isinstance(e, ReasoningSummaryDelta))
    assert summary == "thinking about files"
    assert ReasoningSummaryPartAdded(0) in events
    assert isinstance(events[-1], Completed)


async def test_unknown_event_types_are_ignored(server: ScriptedResponsesServer) -> None:
    server.enqueue([ev_created(), {"type": "response.in_progress", "x": 1}, {"type": "keepalive"}, ev_completed()])
    async with make_client(server.base_url) as client:
        events = await collect(client)
    assert [type(e) for e in events] == [Created, Completed]


async def test_headers_query_params_and_body(server: ScriptedResponsesServer) -> None:
    server.enqueue(turn_message("ok"))
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    tools = [{"type": "function", "name": "shell", "description": "run", "strict": False, "parameters": {}}]
    history = [
        Message.user("run ls"),
        FunctionCall(id="fc_local", name="shell", arguments="{}", call_id="c1"),
        FunctionCallOutput(call_id="c1", output="files", success=True),
    ]
    client = make_client(
        server.base_url,
        query_params={"api-version": "2025-01-01"},
        http_headers={"X-Static": "static-value"},
        env_http_headers={"X-From-Env": "MOCK_HEADER_VAR", "X-Unset": "MOCK_UNSET_VAR"},
    )
    client._env = {"MOCK_HEADER_VAR": "env-value", "MOCK_UNSET_VAR": "  "}
    p = Prompt(
        input=history,
        instructions="base instructions",
        tools=tools,
        parallel_tool_calls=True,
        output_schema=schema,
        reasoning_effort="high",
        reasoning_summary="auto",
        verbosity="low",
        prompt_cache_key="thread-123",
    )
    async with client:
        await collect(client, p)
    (request,) = server.requests
    assert request.route == "/v1/responses"
    assert request.query == {"api-version": "2025-01-01"}
    headers = request.headers
    assert headers["authorization"] == "Bearer sk-test-key"
    assert headers["originator"] == "codex_cli_rs"
    assert headers["user-agent"].startswith("codex_cli_rs/")
    assert headers["session-id"] == headers["thread-id"] == "thread-123" and "session_id" not in headers
    assert headers["x-static"] == "static-value"
    assert headers["x-from-env"] == "env-value"
    assert "x-unset" not in headers
    assert headers["accept"] == "text/event-stream"
    body = request.body
    assert list(body) == [
        "model",
        "stream",
        "input",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "reasoning",
        "store",
        "include",
        "prompt_cache_key",
        "text",
    ]
    assert body["model"] == "gpt-test"
    assert body["input"] == [
        {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "base instructions"}]},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "run ls"}]},
        {"type": "function_call", "name": "shell", "arguments": "{}", "call_id": "c1"},
        {"type": "function_call_output", "call_id": "c1", "output": "files"},
    ]
    assert body["tools"] == tools
    assert body["tool_choice"] == "auto"
    assert body["parallel_tool_calls"] is True
    assert body["reasoning"] == {"effort": "high", "summary": "auto"}
    assert body["store"] is False and body["stream"] is True
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["prompt_cache_key"] == "thread-123"
    assert body["text"] == {
        "verbosity": "low",
        "format": {"type": "json_schema", "strict": True, "schema": schema, "name": "codex_output_schema"},
    }


async def test_minimal_body_has_empty_reasoning_and_no_text(server: ScriptedResponsesServer) -> None:
    server.enqueue(turn_message("ok"))
    async with make_client(server.base_url) as client:
        await collect(client)
    body = server.requests[0].body
    assert body["reasoning"] == {} and body["include"] == ["reasoning.encrypted_content"]
    assert "text" not in body and "prompt_cache_key" not in body


async def test_turn_state_is_sticky_within_a_turn_only(server: ScriptedResponsesServer) -> None:
    server.enqueue(
        SseResponse(turn_message("a"), headers={"x-codex-turn-state": "route-A"}),
        SseResponse(turn_message("b"), headers={"x-codex-turn-state": "route-B"}),
        turn_message("c"),
    )
    async with make_client(server.base_url) as client:
        await collect(client, prompt(turn_id="t1"))
        await collect(client, prompt(turn_id="t1"))
        await collect(client, prompt(turn_id="t2"))
    first, second, third = (r.headers for r in server.requests)
    assert "x-codex-turn-state" not in first
    assert second["x-codex-turn-state"] == "route-A"
    assert "x-codex-turn-state" not in third


async def test_429_with_retry_after_is_honoured_then_succeeds(server: ScriptedResponsesServer) -> None:
    server.enqueue(
        HttpErrorResponse(429, {"error": {"message": "slow down", "type": "rate_limit"}}, {"Retry-After": "1"}),
        turn_message("after the wait"),
    )
    async with make_client(server.base_url) as client:
        started = time.monotonic()
        events = await collect(client)
        elapsed = time.monotonic() - started
    assert elapsed >= 0.95, f"Retry-After: 1 was not honoured (retried after {elapsed:.3f}s)"
    assert len(server.requests) == 2
    assert isinstance(events[-1], Completed)


async def test_429_try_again_hint_in_body_is_used(server: ScriptedResponsesServer) -> None:
    msg = "Rate limit reached for gpt-test. Please try again in 300ms."
    server.enqueue(HttpErrorResponse(429, {"error": {"message": msg}}), turn_message("ok"))
    async with make_client(server.base_url) as client:
        started = time.monotonic()
        await collect(client)
        elapsed = time.monotonic() - started
    assert elapsed >= 0.28 and len(server.requests) == 2


async def test_5xx_exhausts_request_retries(server: ScriptedResponsesServer) -> None:
    for _ in range(3):
        server.enqueue(HttpErrorResponse(503, {"error": {"message": "overloaded, come back later"}}))
    async with make_client(server.base_url, request_max_retries=2) as client:
        with pytest.raises(ModelHTTPError) as info:
            await collect(client)
    assert len(server.requests) == 3
    err = info.value
    assert err.status == 503 and "overloaded, come back later" in err.body
    assert "after 3 attempts" in str(err) and "HTTP 503" in str(err)
    assert "overloaded, come back later" in str(err)
    assert is_retryable(err)  # the agent loop sends it again, under stream_max_retries (as Codex 0.169)


async def test_400_is_not_retried(server: ScriptedResponsesServer) -> None:
    server.enqueue(
        HttpErrorResponse(400, {"error": {"message": "Unsupported parameter: 'foo'", "type": "invalid_request"}}),
        turn_message("never served"),
    )
    async with make_client(server.base_url) as client:
        with pytest.raises(ModelHTTPError) as info:
            await collect(client)
    assert len(server.requests) == 1
    assert info.value.status == 400
    assert "Unsupported parameter: 'foo'" in str(info.value)


async def test_usage_limit_429_is_fatal(server: ScriptedResponsesServer) -> None:
    server.enqueue(HttpErrorResponse(429, {"error": {"type": "usage_limit_reached", "message": "limit hit"}}))
    async with make_client(server.base_url) as client:
        with pytest.raises(ModelHTTPError, match="limit hit"):
            await collect(client)
    assert len(server.requests) == 1


async def test_mid_stream_disconnect_is_retryable_and_not_replayed(server: ScriptedResponsesServer) -> None:
    server.enqueue(DropAfter(turn_message("partial answer"), 3))
    seen: list[ResponseEvent] = []
    async with make_client(server.base_url) as client:
        with pytest.raises(ModelStreamError) as info:
            async for event in client.stream(prompt()):
                seen.append(event)
    assert isinstance(info.value, StreamInterrupted)
    assert info.value.retryable is True and is_retryable(info.value)
    assert "before response.completed" in str(info.value)
    assert [type(e) for e in seen] == [Created, OutputItemAdded, OutputTextDelta]
    assert len(server.requests) == 1


async def test_idle_stall_times_out(server: ScriptedResponsesServer) -> None:
    server.enqueue(Stall(turn_message("never finishes"), 2))
    async with make_client(server.base_url, stream_idle_timeout_ms=300) as client:
        started = time.monotonic()
        with pytest.raises(ModelStreamError, match="idle timeout") as info:
            await collect(client)
        elapsed = time.monotonic() - started
    assert info.value.retryable is True  # type: ignore[attr-defined]
    assert 0.25 <= elapsed < 3.0


async def test_malformed_json_event_is_named(server: ScriptedResponsesServer) -> None:
    broken = 'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": \n\n'
    server.enqueue([ev_created(), broken, ev_completed()])
    async with make_client(server.base_url) as client:
        with pytest.raises(MalformedEventError) as info:
            await collect(client)
    message = str(info.value)
    assert "malformed SSE event 'response.output_text.delta'" in message
    assert "invalid JSON" in message
    assert info.value.retryable is False


async def test_known_event_with_wrong_shape_is_named(server: ScriptedResponsesServer) -> None:
    server.enqueue([ev_created(), {"type": "response.output_item.done", "item": "not-an-object"}])
    async with make_client(server.base_url) as client:
        with pytest.raises(MalformedEventError, match=r"'response.output_item.done': item"):
            await collect(client)


async def test_response_failed_maps_code_and_message(server: ScriptedResponsesServer) -> None:
    server.enqueue(
        [ev_created(), ev_failed("context_length_exceeded", "Your input exceeds the context window")],
        [ev_created(), ev_failed("rate_limit_exceeded", "Rate limit reached. Please try again in 2.5s.")],
    )
    async with make_client(server.base_url) as client:
        with pytest.raises(ContextWindowExceeded) as fatal:
            await collect(client)
        with pytest.raises(ResponseFailedError) as soft:
            await collect(client)
    assert fatal.value.error_code == "context_length_exceeded" and not fatal.value.retryable
    assert "Your input exceeds the context window" in str(fatal.value)
    assert soft.value.error_code == "rate_limit_exceeded" and soft.value.retryable
    assert soft.value.retry_after == 2.5


async def test_connection_refused_is_retried_then_reported() -> None:
    with ScriptedResponsesServer() as srv:
        dead_url = srv.base_url
    async with make_client(dead_url, request_max_retries=1) as client:
        with pytest.raises(ModelConnectionError, match="after 2 attempt"):
            await collect(client)


async def test_kill_switch_blocks_non_loopback_hosts() -> None:
    async with make_client("https://api.openai.com/v1") as client:
        with pytest.raises(NetworkDisabledError, match=r"api\.openai\.com"):
            await collect(client)


async def test_empty_queue_gives_clear_server_error(server: ScriptedResponsesServer) -> None:
    async with make_client(server.base_url, request_max_retries=0) as client:
        with pytest.raises(ModelHTTPError, match="no scripted response left"):
            await collect(client)


async def test_error_event_and_clean_close_without_completed(server: ScriptedResponsesServer) -> None:
    server.enqueue(
        [ev_created(), {"type": "error", "code": "insufficient_quota", "message": "You exceeded your quota"}],
        [ev_created(), *ev_message("cut short")],
    )
    async with make_client(server.base_url) as client:
        with pytest.raises(QuotaExceeded, match="You exceeded your quota") as quota:
            await collect(client)
        with pytest.raises(StreamInterrupted, match=r"closed before response\.completed") as closed:
            await collect(client)
    assert not quota.value.retryable and closed.value.retryable


async def test_raw_reasoning_and_unknown_items(server: ScriptedResponsesServer) -> None:
    server.enqueue(
        [
            ev_created(),
            {"type": "response.reasoning_text.delta", "delta": "raw thought", "content_index": 1},
            {"type": "response.output_item.done", "item": {"type": "image_generation_call", "id": "ig_1"}},
            ev_completed(),
        ]
    )
    async with make_client(server.base_url) as client:
        events = await collect(client)
    assert ReasoningContentDelta("raw thought", 1) in events
    (done,) = [e for e in events if isinstance(e, OutputItemDone)]
    assert isinstance(done.item, OtherItem) and done.item.type == "image_generation_call"


def test_azure_body_keeps_item_ids_and_stores() -> None:
    provider = ProviderInfo(id="azure-prod", name="Azure", base_url="https://x.openai.azure.com/openai")
    history = [Message(id="msg_1", role="assistant", content=[OutputText(text="hi")])]
    body = build_request_body(Prompt(input=history, instructions=""), model="m", provider=provider)
    assert body["store"] is True and body["input"][0]["id"] == "msg_1"
    plain = ProviderInfo(id="other", name="Other", base_url="https://api.example.com/v1")
    body = build_request_body(Prompt(input=history, instructions=""), model="m", provider=plain)
    assert body["store"] is False and "id" not in body["input"][0]
