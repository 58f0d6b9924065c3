"""Newline-delimited JSON-RPC over byte streams, as the app-server speaks it.

Messages are JSON objects, one per line, without the ``"jsonrpc": "2.0"`` member (accepted and
ignored when a client sends it). Stdin is read by a helper thread (works for pipes, ttys and
plain files alike, with no line-length limit); every outgoing message goes through one writer
task, so lines never interleave.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Callable, Coroutine
from typing import IO, Any

__all__ = [
    "INTERNAL_ERROR",
    "INVALID_PARAMS",
    "INVALID_REQUEST",
    "METHOD_NOT_FOUND",
    "PARSE_ERROR",
    "Connection",
    "RequestId",
    "RpcError",
]

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

RequestId = str | int


_EOF_GRACE_S = 2.0
"""How long in-flight requests may still finish after stdin reaches EOF."""


class RpcError(Exception):
    """An error to send back as a JSON-RPC error response."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            err["data"] = self.data
        return err


RequestHandler = Callable[[RequestId, str, Any], Coroutine[Any, Any, None]]
NotificationHandler = Callable[[str, Any], Coroutine[Any, Any, None]]


class Connection:
    """One JSON-RPC peer: reads requests/notifications/responses, writes through a single task."""

    def __init__(self, reader: IO[bytes], writer: IO[bytes]) -> None:
        self._reader = reader
        self._writer = writer
        self._out: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._pending: dict[RequestId, asyncio.Future[Any]] = {}
        self._ids = itertools.count()
        self._closed = False
        self.muted: set[str] = set()
        """Notification methods the client opted out of at ``initialize``."""

    # --- sending --------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        """Queue one message; the writer task writes queued messages in order."""
        if self._closed:
            return
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._out.put_nowait(line.encode("utf-8"))

    def respond(self, request_id: RequestId, result: Any) -> None:
        self.send({"id": request_id, "result": result})

    def respond_error(self, request_id: RequestId | None, error: RpcError) -> None:
        self.send({"id": request_id, "error": error.to_json()})

    def notify(self, method: str, params: Any) -> None:
        if method in self.muted:
            return
        self.send({"method": method, "params": params})

    def next_request_id(self) -> RequestId:
        """A fresh id for a server -> client request."""
        return f"srv-{next(self._ids)}"

    async def request(self, method: str, params: Any, request_id: RequestId | None = None) -> Any:
        """Send a server -> client request (with ``request_id``, default a fresh one) and wait for
        its result; raises ``RpcError`` on an error reply."""
        if request_id is None:
            request_id = self.next_request_id()
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = fut
        try:
            self.send({"id": request_id, "method": method, "params": params})
            return await fut
        finally:
            self._pending.pop(request_id, None)

    async def _write_loop(self) -> None:
        def write(data: bytes) -> None:
            self._writer.write(data)
            self._writer.flush()

        done = False
        while not done:
            batch = [await self._out.get()]
            while not self._out.empty():  # write whatever queued up meanwhile in one go
                batch.append(self._out.get_nowait())
            if None in batch:
                batch = batch[: batch.index(None)]
                done = True
            if not batch:
                continue
            try:
                await asyncio.to_thread(write, b"".join(b for b in batch if b is not None))
            except (BrokenPipeError, ValueError, OSError):
                self._closed = True
                return

    # --- receiving ------------------------------------------------------------------------

    async def serve(self, on_request: RequestHandler, on_notification: NotificationHandler) -> None:
        """Read until EOF, dispatching every message; each request runs in its own task."""
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[bytes | None] = asyncio.Queue()

        def read_thread() -> None:
            try:
                for raw in iter(self._reader.readline, b""):
                    loop.call_soon_threadsafe(lines.put_nowait, raw)
            except (OSError, ValueError):
                pass
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read_thread, name="app-server-stdin", daemon=True).start()
        writer = asyncio.create_task(self._write_loop())
        tasks: set[asyncio.Task[None]] = set()
        try:
            while (raw := await lines.get()) is not None:
                if not raw.strip():
                    continue
                task = self._dispatch(raw, on_request, on_notification)
                if task is not None:
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
        finally:
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(RpcError(INTERNAL_ERROR, "connection closed"))
            if tasks:
                # stdin closed (e.g. `printf '<request>' | codex app-server`): let requests that are
                # already running answer, but do not wait long for long-running turns
                await asyncio.wait(set(tasks), timeout=_EOF_GRACE_S)
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._out.put_nowait(None)
            await writer

    def _dispatch(
        self, raw: bytes, on_request: RequestHandler, on_notification: NotificationHandler
    ) -> asyncio.Task[None] | None:
        try:
            msg = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self.respond_error(None, RpcError(PARSE_ERROR, f"Parse error: {exc}"))
            return None
        if not isinstance(msg, dict):
            self.respond_error(None, RpcError(INVALID_REQUEST, "Invalid request: expected a JSON object"))
            return None
        request_id = msg.get("id")
        method = msg.get("method")
        if request_id is not None and (isinstance(request_id, bool) or not isinstance(request_id, str | int)):
            self.respond_error(None, RpcError(INVALID_REQUEST, "Invalid request: `id` must be a string or an integer"))
            return None
        if method is None:
            if request_id is not None and ("result" in msg or "error" in msg):
                self._resolve(request_id, msg)
            else:
                self.respond_error(request_id, RpcError(INVALID_REQUEST, "Invalid request: missing `method`"))
            return None
        if not isinstance(method, str):
            self.respond_error(request_id, RpcError(INVALID_REQUEST, "Invalid request: `method` must be a string"))
            return None
        params = msg.get("params")
        if request_id is None:
            return asyncio.create_task(on_notification(method, params))
        return asyncio.create_task(on_request(request_id, method, params))

    def _resolve(self, request_id: RequestId, msg: dict[str, Any]) -> None:
        fut = self._pending.get(request_id)
        if fut is None or fut.done():
            return
        if "error" in msg:
            err = msg["error"] if isinstance(msg["error"], dict) else {}
            code = err.get("code")
            code = code if isinstance(code, int) and not isinstance(code, bool) else INTERNAL_ERROR
            fut.set_exception(RpcError(code, str(err.get("message", "error")), err.get("data")))
        else:
            fut.set_result(msg.get("result"))
