"""A real local HTTP server that answers ``POST /v1/responses`` with scripted SSE streams.

Used by every end-to-end test and benchmark. Stdlib only, so it also runs as a script::

    python tests/support/sse_server.py --port 0 --script turns.json [--repeat-last] [--log req.jsonl]

prints its base URL (``http://127.0.0.1:PORT/v1``) on the first stdout line and serves until
interrupted. The script is a JSON list of responses; each one is either a list of SSE event
objects, or an object ``{"status": 429, "body": ..., "headers": {...}}`` (HTTP error),
``{"events": [...], "drop_after": n}``, ``{"events": [...], "stall_after": n}`` or
``{"events": [...], "headers": {...}}``.

In-process use::

    with ScriptedResponsesServer() as server:
        server.enqueue(turn_message("hello"))
        ... point the provider base_url at server.base_url ...
        path, headers, body = server.requests[0]
"""

from __future__ import annotations

import argparse
import itertools
import json
import socket
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "CapturedRequest",
    "DropAfter",
    "HttpErrorResponse",
    "ScriptedResponsesServer",
    "SseResponse",
    "Stall",
    "ev_completed",
    "ev_created",
    "ev_custom_tool_call",
    "ev_failed",
    "ev_function_call",
    "ev_message",
    "ev_reasoning",
    "render_sse",
    "turn_message",
    "turn_tool_call",
]

Event = dict[str, Any]
EventsLike = Sequence[Event | str | Sequence[Event | str]]
"""Event dicts, raw SSE text (``str``, sent verbatim) or nested lists of them (flattened)."""


def _flatten(events: EventsLike) -> list[Event | str]:
    flat: list[Event | str] = []
    for entry in events:
        if isinstance(entry, Mapping):
            flat.append(dict(entry))
        elif isinstance(entry, str):
            flat.append(entry)
        else:
            flat.extend(e if isinstance(e, str) else dict(e) for e in entry)
    return flat


# --- scripted response kinds ----------------------------------------------------------------


@dataclass
class SseResponse:
    """A 200 ``text/event-stream`` response with extra headers and optional pacing."""

    events: EventsLike
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_between: float = 0.0
    """Seconds to sleep between events (for streaming/cancellation tests)."""


@dataclass
class HttpErrorResponse:
    """A non-2xx response with a body (dict bodies are sent as JSON)."""

    status: int
    body: Any = ""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class DropAfter:
    """Send the first ``n`` events, then close the connection abruptly (no chunk terminator)."""

    events: EventsLike
    n: int


@dataclass
class Stall:
    """Send the first ``n`` events, then hang until the server stops (or ``max_seconds``)."""

    events: EventsLike
    n: int
    max_seconds: float = 60.0


@dataclass
class Gated:
    """Send the first ``n`` events, wait until the test sets ``gate`` (at most ``max_seconds``),
    then send the rest: a turn held mid-stream for exactly as long as a test needs."""

    events: EventsLike
    n: int
    gate: threading.Event = field(default_factory=threading.Event)
    max_seconds: float = 30.0


Response = list[Any] | SseResponse | HttpErrorResponse | DropAfter | Stall | Gated


class CapturedRequest(NamedTuple):
    """One request the server received: ``path`` includes the query string."""

    path: str
    headers: dict[str, str]
    """Header names lower-cased."""
    body: Any
    """Parsed JSON body (``None`` if empty; the raw text if it was not JSON)."""

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}

    @property
    def route(self) -> str:
        """The path without the query string."""
        return urlsplit(self.path).path


def render_sse(event: Event | str) -> bytes:
    """``event: <type>\\ndata: <json>\\n\\n`` (events with only a ``type`` get no data line).

    A ``str`` is raw SSE text and is sent as is (use it for malformed-event tests).
    """
    if isinstance(event, str):
        return event.encode()
    kind = str(event.get("type", "message"))
    if set(event) == {"type"}:
        return f"event: {kind}\n\n".encode()
    return f"event: {kind}\ndata: {json.dumps(event)}\n\n".encode()


# --- event builders -------------------------------------------------------------------------

_ids = itertools.count(1)


def _next_id(prefix: str) -> str:
    return f"{prefix}_{next(_ids)}"


def ev_created(response_id: str = "resp_1") -> Event:
    return {"type": "response.created", "response": {"id": response_id}}


def _chunks(text: str, parts: int = 3) -> list[str]:
    if not text:
        return []
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)]


def ev_message(text: str, id: str | None = None) -> list[Event]:
    """output_item.added, a few output_text.delta chunks, output_item.done of an assistant message."""
    item_id = id or _next_id("msg")
    added = {"type": "message", "id": item_id, "role": "assistant", "content": []}
    done = {
        "type": "message",
        "id": item_id,
        "role": "assistant",
        "content": [{"type": "output_text", "text": text}],
    }
    events: list[Event] = [{"type": "response.output_item.added", "output_index": 0, "item": added}]
    events += [
        {"type": "response.output_text.delta", "item_id": item_id, "output_index": 0, "delta": chunk}
        for chunk in _chunks(text)
    ]
    events.append({"type": "response.output_item.done", "output_index": 0, "item": done})
    return events


def ev_function_call(name: str, arguments: dict[str, Any] | str, call_id: str = "call_1") -> list[Event]:
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    item_id = _next_id("fc")
    base = {"type": "function_call", "id": item_id, "name": name, "call_id": call_id}
    return [
        {"type": "response.output_item.added", "item": {**base, "arguments": ""}},
        {"type": "response.function_call_arguments.delta", "item_id": item_id, "delta": args},
        {"type": "response.output_item.done", "item": {**base, "arguments": args}},
    ]


def ev_custom_tool_call(name: str, input: str, call_id: str = "call_1") -> list[Event]:
    item_id = _next_id("ctc")
    base = {"type": "custom_tool_call", "id": item_id, "name": name, "call_id": call_id}
    return [
        {"type": "response.output_item.added", "item": {**base, "input": "", "status": "in_progress"}},
        {"type": "response.custom_tool_call_input.delta", "item_id": item_id, "delta": input},
        {"type": "response.output_item.done", "item": {**base, "input": input, "status": "completed"}},
    ]


def ev_reasoning(summary_text: str, *, encrypted_content: str = "enc-opaque") -> list[Event]:
    item_id = _next_id("rs")
    events: list[Event] = [
        {"type": "response.output_item.added", "item": {"type": "reasoning", "id": item_id, "summary": []}},
        {"type": "response.reasoning_summary_part.added", "item_id": item_id, "summary_index": 0},
    ]
    events += [
        {"type": "response.reasoning_summary_text.delta", "item_id": item_id, "summary_index": 0, "delta": c}
        for c in _chunks(summary_text)
    ]
    events.append(
        {
            "type": "response.output_item.done",
            "item": {
                "type": "reasoning",
                "id": item_id,
                "summary": [{"type": "summary_text", "text": summary_text}],
                "encrypted_content": encrypted_content,
            },
        }
    )
    return events


def ev_completed(
    response_id: str = "resp_1",
    input_tokens: int = 10,
    output_tokens: int = 5,
    cached: int = 0,
    reasoning: int = 0,
) -> Event:
    return {
        "type": "response.completed",
        "response": {
            "id": response_id,
            "usage": {
                "input_tokens": input_tokens,
                "input_tokens_details": {"cached_tokens": cached},
                "output_tokens": output_tokens,
                "output_tokens_details": {"reasoning_tokens": reasoning},
                "total_tokens": input_tokens + output_tokens,
            },
        },
    }


def ev_failed(code: str, message: str, response_id: str = "resp_1") -> Event:
    return {
        "type": "response.failed",
        "response": {"id": response_id, "error": {"code": code, "message": message}},
    }


def turn_message(text: str, response_id: str = "resp_1", **usage: int) -> list[Event]:
    """A complete response: created, one assistant message, completed."""
    return [ev_created(response_id), *ev_message(text), ev_completed(response_id, **usage)]


def turn_tool_call(
    name: str, arguments: dict[str, Any] | str, call_id: str = "call_1", response_id: str = "resp_1"
) -> list[Event]:
    """A complete response: created, one function call, completed."""
    return [ev_created(response_id), *ev_function_call(name, arguments, call_id), ev_completed(response_id)]


# --- server ---------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep test output quiet

    def do_GET(self) -> None:
        self._read_body()
        self._send_plain(404, "only POST {base}/responses is scripted")

    def do_POST(self) -> None:
        raw = self._read_body()
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode("utf-8", errors="replace")
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner = self.server.owner
        owner._record(CapturedRequest(self.path, headers, body))
        if not urlsplit(self.path).path.endswith("/responses"):
            self._send_plain(404, f"unexpected path {self.path}; expected .../responses")
            return
        response = owner._next_response()
        if response is None:
            count = len(owner.requests)
            self._send_plain(
                500, f"ScriptedResponsesServer: no scripted response left (request #{count} to {self.path})"
            )
            return
        self._serve(response)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send_plain(self, status: int, text: str, headers: Mapping[str, str] | None = None) -> None:
        data = text.encode()
        self.send_response(status)
        content_type = "application/json" if text.startswith(("{", "[")) else "text/plain; charset=utf-8"
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _start_stream(self, headers: Mapping[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _serve(self, response: Response) -> None:
        stop = self.server.owner._stop
        if isinstance(response, HttpErrorResponse):
            body = response.body if isinstance(response.body, str) else json.dumps(response.body)
            self._send_plain(response.status, body, response.headers)
            return
        if isinstance(response, SseResponse):
            self._start_stream(response.headers)
            for event in _flatten(response.events):
                self._chunk(render_sse(event))
                if response.delay_between and stop.wait(response.delay_between):
                    break
            self._chunk(b"")
            return
        if isinstance(response, Gated):
            self._start_stream({})
            events = _flatten(response.events)
            for index, event in enumerate(events):
                if index == response.n:
                    response.gate.wait(response.max_seconds)
                self._chunk(render_sse(event))
            self._chunk(b"")
            return
        if isinstance(response, DropAfter | Stall):
            self._start_stream({})
            for event in _flatten(response.events)[: response.n]:
                self._chunk(render_sse(event))
            if isinstance(response, Stall):
                stop.wait(response.max_seconds)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._start_stream({})
        for event in _flatten(response):
            self._chunk(render_sse(event))
        self._chunk(b"")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: ScriptedResponsesServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients dropping keep-alive connections (or the stream we cut on purpose) are normal.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class ScriptedResponsesServer:
    """Threaded HTTP server on 127.0.0.1 that replays queued responses in order."""

    def __init__(self, port: int = 0, *, repeat_last: bool = False, log_path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._queue: list[Response] = []
        self._stop = threading.Event()
        self._last: Response | None = None
        self.repeat_last = repeat_last
        self.log_path = log_path
        self.requests: list[CapturedRequest] = []
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ScriptedResponsesServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sse-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedResponsesServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def enqueue(self, *responses: Response) -> None:
        """Queue responses, served one per request in order."""
        with self._lock:
            self._queue.extend(responses)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def _next_response(self) -> Response | None:
        with self._lock:
            if self._queue:
                self._last = self._queue.pop(0)
                return self._last
            return self._last if self.repeat_last else None

    def _record(self, request: CapturedRequest) -> None:
        with self._lock:
            self.requests.append(request)
        if self.log_path is not None:
            with self._lock, self.log_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(request._asdict()) + "\n")


# --- script mode ----------------------------------------------------------------------------


def response_from_json(entry: Any, where: str) -> Response:
    """Build a scripted response from its JSON form (see the module docstring)."""
    if isinstance(entry, list):
        return entry
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a list of events or an object, got {type(entry).__name__}")
    if "status" in entry:
        return HttpErrorResponse(int(entry["status"]), entry.get("body", ""), entry.get("headers", {}))
    events = entry.get("events")
    if not isinstance(events, list):
        raise ValueError(f"{where}: object responses need an 'events' list (or a 'status')")
    if "drop_after" in entry:
        return DropAfter(events, int(entry["drop_after"]))
    if "stall_after" in entry:
        return Stall(events, int(entry["stall_after"]), float(entry.get("max_seconds", 3600)))
    return SseResponse(events, entry.get("headers", {}), float(entry.get("delay_between", 0.0)))


def load_script(path: Path) -> list[Response]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read script: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    if not isinstance(data, list):
        raise ValueError(f"{path}: the script must be a JSON list of responses")
    return [response_from_json(entry, f"{path}: response #{i + 1}") for i, entry in enumerate(data)]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scripted OpenAI Responses API SSE server")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--script", type=Path, required=True, help="JSON list of responses")
    parser.add_argument("--repeat-last", action="store_true", help="keep serving the last response")
    parser.add_argument("--log", type=Path, help="append captured requests as JSON lines here")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        responses = load_script(args.script)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    server = ScriptedResponsesServer(args.port, repeat_last=args.repeat_last, log_path=args.log)
    server.enqueue(*responses)
    with server:
        print(server.base_url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
