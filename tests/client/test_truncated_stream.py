"""A connection that drops inside an unterminated SSE event is a dropped stream, not a
malformed event (issue 14, item 13).

The SSE standard says an event that has not seen its blank line when the stream ends is not
dispatched. Before, the half event was parsed anyway, its JSON was cut, and the turn failed
with a non-retryable "malformed SSE event". Now it is a retryable ``StreamInterrupted``
("stream disconnected ..."), so the agent loop re-sends within ``stream_max_retries``.

Two real servers cut the stream mid-event: the scripted chunked server (body ends cleanly in
the middle of an event, or the socket is shut mid-event), and a close-delimited HTTP/1.1
response (no length, no chunking) whose socket closes mid-event -- which the HTTP layer cannot
tell from a normal end of body.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from codex_core import Codex
from codex_core.client import MalformedEventError, Prompt, SseDecoder, SseRecord, StreamInterrupted
from codex_core.config import ConfigOverrides, load_config
from codex_core.protocol.items import Message
from tests.client.conftest import make_client
from tests.support.provider import TEST_ENV_KEY, provider_overrides
from tests.support.sse_server import (
    DropAfter,
    ScriptedResponsesServer,
    ev_created,
    render_sse,
    turn_message,
)

HALF_EVENT = 'event: response.output_item.done\ndata: {"type": "response.output_item.done", "item": {"ty'
"""An output_item.done cut in the middle of its JSON, with no blank line after it."""
CUT_RESPONSE = [ev_created(), HALF_EVENT]


class CloseDelimitedServer:
    """Answers each POST with ``HTTP/1.1 200`` + ``Connection: close`` and no length or chunking,
    writes the next queued body and closes the socket: the end of the body is the end of the
    connection, exactly like a proxy that drops mid-stream."""

    def __init__(self, *bodies: bytes) -> None:
        self._bodies = list(bodies)
        self.requests = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/v1"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> CloseDelimitedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes a pending accept()
        except OSError:
            pass
        self._listener.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while self._bodies:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                self._read_request(conn)
                self.requests += 1
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                conn.sendall(head + self._bodies.pop(0))

    @staticmethod
    def _read_request(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        )
        while len(body) < length:
            body += conn.recv(65536)


def sse_body(events: list[object]) -> bytes:
    return b"".join(render_sse(e) for e in events)  # type: ignore[arg-type]


async def stream_once(base_url: str) -> None:
    async with make_client(base_url, request_max_retries=0) as client:
        async for _ in client.stream(Prompt(input=[Message.user("hi")], instructions="be brief")):
            pass


# --- the decoder follows the standard -------------------------------------------------------


@pytest.mark.parametrize(
    "tail",
    [b"data: tail", b'data: {"complete": "json"}\n', b"event: response.completed\n", b"data: a\r\ndata: b\r\n"],
    ids=["partial-line", "no-blank-line", "name-only", "two-lines-crlf"],
)
def test_decoder_discards_an_event_without_its_blank_line(tail: bytes) -> None:
    decoder = SseDecoder()
    assert decoder.feed(b"data: first\n\n" + tail) == [SseRecord("", "first")]
    assert decoder.flush() == []
    assert decoder.discarded_partial_event


def test_decoder_after_a_complete_event_discards_nothing() -> None:
    decoder = SseDecoder()
    assert decoder.feed(b"data: first\n\n: keep-alive comment\n") == [SseRecord("", "first")]
    assert decoder.flush() == []
    assert not decoder.discarded_partial_event


# --- the client reports a disconnect, never a malformed event -------------------------------


@pytest.mark.parametrize("cut", ["body-ends-mid-event", "socket-shut-mid-event"])
async def test_scripted_server_cut_mid_event_is_a_retryable_disconnect(cut: str) -> None:
    with ScriptedResponsesServer() as server:
        server.enqueue(CUT_RESPONSE if cut == "body-ends-mid-event" else DropAfter(CUT_RESPONSE, 2))
        with pytest.raises(StreamInterrupted, match=r"^stream disconnected before response\.completed") as info:
            await stream_once(server.base_url)
    assert info.value.retryable
    assert not isinstance(info.value, MalformedEventError)


async def test_close_delimited_connection_dropped_mid_event_is_a_retryable_disconnect() -> None:
    with CloseDelimitedServer(sse_body(CUT_RESPONSE[:1]) + HALF_EVENT.encode()) as server:
        with pytest.raises(StreamInterrupted) as info:
            await stream_once(server.base_url)
    assert str(info.value) == (
        f"stream disconnected before response.completed ({server.base_url}/responses): "
        "the connection closed in the middle of an SSE event"
    )
    assert info.value.retryable


# --- the agent loop retries it within stream_max_retries ------------------------------------


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CODEX_RETRY_BASE_MS", "1")
    monkeypatch.setenv(TEST_ENV_KEY, "sk-test")
    yield


def thread_for(base_url: str, cwd: Path, stream_max_retries: int) -> object:
    overrides = [*provider_overrides(base_url), f"model_providers.test.stream_max_retries={stream_max_retries}"]
    config = load_config(ConfigOverrides(config_overrides=overrides), cwd=cwd)
    return Codex(config).start_thread(ephemeral=True)


async def run_turn(thread: object) -> list[object]:
    events = [event async for event in thread.run_streamed("hi")]  # type: ignore[attr-defined]
    await thread.aclose()  # type: ignore[attr-defined]
    return events


@contextmanager
def cut_then_full(kind: str) -> Iterator[tuple[str, Callable[[], int]]]:
    """A real server whose first stream is cut mid-event and whose second one is complete;
    yields its base URL and a request counter."""
    if kind == "scripted-server":
        with ScriptedResponsesServer() as scripted:
            scripted.enqueue(CUT_RESPONSE, turn_message("complete answer"))
            yield scripted.base_url, lambda: len(scripted.requests)
        return
    cut = sse_body(CUT_RESPONSE[:1]) + HALF_EVENT.encode()
    with CloseDelimitedServer(cut, sse_body(turn_message("complete answer"))) as raw:
        yield raw.base_url, lambda: raw.requests


@pytest.mark.parametrize("kind", ["scripted-server", "close-delimited"])
async def test_turn_succeeds_after_one_retry_when_the_first_stream_is_cut_mid_event(
    fast_retries: None, tmp_path: Path, kind: str
) -> None:
    with cut_then_full(kind) as (base_url, requests):
        events = await run_turn(thread_for(base_url, tmp_path, stream_max_retries=2))
        assert requests() == 2
    warnings = [e.message for e in events if e.type == "warning"]  # type: ignore[attr-defined]
    assert len(warnings) == 1 and warnings[0].startswith("Reconnecting... 1/2 (stream disconnected")
    answers = [e.item.text for e in events if e.type == "item.completed" and e.item.type == "agent_message"]  # type: ignore[attr-defined]
    assert answers == ["complete answer"]
    assert events[-1].type == "turn.completed"  # type: ignore[attr-defined]


async def test_a_cut_on_the_last_allowed_attempt_fails_as_a_disconnect(fast_retries: None, tmp_path: Path) -> None:
    cut = sse_body(CUT_RESPONSE[:1]) + HALF_EVENT.encode()
    with CloseDelimitedServer(cut, cut) as server:
        events = await run_turn(thread_for(server.base_url, tmp_path, stream_max_retries=1))
    assert server.requests == 2
    failed = events[-1]
    assert failed.type == "turn.failed"  # type: ignore[attr-defined]
    message = failed.error.message  # type: ignore[attr-defined]
    assert message.startswith("stream disconnected before response.completed")
    assert "middle of an SSE event" in message
    assert "malformed" not in message
