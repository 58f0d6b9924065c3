"""``command/exec*``: a client's own commands, over ``codex_core.client_exec``.

The command is assessed by the exec policy and run under the sandbox policy of the config it
belongs to (the loaded thread named by ``threadId``, else the server's; a ``sandboxPolicy`` param
picks another mode, within the requirements). The response comes when the process has exited,
after every ``command/exec/outputDelta`` of it. ``processId`` values are per connection; when the
connection closes, its processes are killed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from codex_core.client_exec import (
    DEFAULT_OUTPUT_CAP,
    DEFAULT_TIMEOUT_MS,
    ClientCommand,
    CommandRefused,
    assess_client_command,
    client_command_env,
    client_command_policy,
)
from codex_core.errors import CodexError
from codex_exec.app_server import wire_exec as w
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, INVALID_REQUEST, Connection, RpcError
from codex_exec.app_server.wire_base import Empty, Wire

if TYPE_CHECKING:
    from codex_core.config import Config
    from codex_exec.app_server.threads import ThreadManager

__all__ = ["CommandMethods"]

_SANDBOX_MODES: dict[str, Any] = {
    "readOnly": "read-only",
    "workspaceWrite": "workspace-write",
    "dangerFullAccess": "danger-full-access",
}


def _bad(message: str) -> RpcError:
    return RpcError(INVALID_PARAMS, message)


class CommandMethods:
    """The ``command/exec*`` handlers of one connection."""

    def __init__(self, conn: Connection, threads: ThreadManager) -> None:
        self.conn = conn
        self.threads = threads
        self.running: dict[str, asyncio.Future[ClientCommand | None]] = {}
        """processId -> its command (resolved once started; ``None`` if it could not start)."""

    def handlers(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "command/exec": self.exec,
            "command/exec/write": self.write,
            "command/exec/terminate": self.terminate,
            "command/exec/resize": self.resize,
        }

    def _config(self, p: w.CommandExecParams) -> Config:
        from codex_core.config.requirements import require_allowed

        if p.thread_id is not None:
            lt = self.threads.threads.get(p.thread_id)
            if lt is None:
                raise RpcError(INVALID_REQUEST, f"thread {p.thread_id} is not loaded (start it or call thread/resume)")
            config = lt.thread.config
        else:
            config = self.threads.base_config
        if p.sandbox_policy is not None:
            mode = _SANDBOX_MODES.get(p.sandbox_policy.type)
            if mode is None:
                raise _bad(f"command/exec: sandboxPolicy type {p.sandbox_policy.type!r} is not supported")
            require_allowed("sandbox_mode", mode, config.requirements.allowed_sandbox_modes, config.requirements)
            config = attrs.evolve(config, sandbox_mode=mode, default_permissions=None)
        if p.cwd is not None:
            config = attrs.evolve(config, cwd=(config.cwd / Path(p.cwd).expanduser()).resolve())
        return config

    @staticmethod
    def _validate(p: w.CommandExecParams) -> None:
        if not p.command:
            raise RpcError(INVALID_REQUEST, "command must not be empty")
        if (p.tty or p.stream_stdin or p.stream_stdout_stderr) and not p.process_id:
            raise RpcError(INVALID_REQUEST, "command/exec tty or streaming requires a client-supplied processId")
        if p.timeout_ms is not None and p.disable_timeout:
            raise _bad("command/exec cannot set both timeoutMs and disableTimeout")
        if p.output_bytes_cap is not None and p.disable_output_cap:
            raise _bad("command/exec cannot set both outputBytesCap and disableOutputCap")
        if p.size is not None and not p.tty:
            raise _bad("command/exec size requires tty: true")

    async def exec(self, p: w.CommandExecParams) -> Wire:
        self._validate(p)
        process_id = p.process_id
        if process_id is None:
            return await self._exec(p, None)
        if process_id in self.running:
            raise RpcError(INVALID_REQUEST, f'duplicate active command/exec process id: "{process_id}"')
        # reserved at once: a write/terminate sent right after this request waits for the start
        started: asyncio.Future[ClientCommand | None] = asyncio.get_running_loop().create_future()
        self.running[process_id] = started
        try:
            return await self._exec(p, started)
        finally:
            if not started.done():
                started.set_result(None)
            if self.running.get(process_id) is started:
                del self.running[process_id]

    async def _exec(self, p: w.CommandExecParams, started: asyncio.Future[ClientCommand | None] | None) -> Wire:
        process_id = p.process_id
        config = self._config(p)
        if not config.cwd.is_dir():
            raise _bad(f"command/exec: cwd {config.cwd} is not a directory")
        env = client_command_env(config, p.env)
        try:
            await asyncio.to_thread(assess_client_command, p.command, config=config, cwd=config.cwd, env=env)
            policy = await asyncio.to_thread(client_command_policy, config)
        except CodexError as exc:
            raise RpcError(INVALID_REQUEST, str(exc), {"codexErrorCode": exc.code}) from None
        streaming = p.tty or p.stream_stdout_stderr

        def on_output(stream: Any, chunk: bytes, cap_reached: bool) -> None:
            note = w.CommandExecOutputDeltaNotification(
                process_id=process_id or "",
                stream=stream,
                delta_base64=base64.b64encode(chunk).decode("ascii"),
                cap_reached=cap_reached,
            )
            self.conn.notify("command/exec/outputDelta", note.dump())

        cap = (
            None
            if p.disable_output_cap
            else (p.output_bytes_cap if p.output_bytes_cap is not None else DEFAULT_OUTPUT_CAP)
        )
        try:
            command = await ClientCommand.start(
                p.command,
                cwd=config.cwd,
                env=env,
                policy=policy,
                tty=p.tty,
                size=(p.size.rows, p.size.cols) if p.size else None,
                stdin=p.stream_stdin or p.tty,
                output_cap=cap,
                on_output=on_output if streaming else None,
            )
        except CodexError as exc:
            raise RpcError(
                INVALID_REQUEST, f"command/exec could not start: {exc}", {"codexErrorCode": exc.code}
            ) from None
        except (OSError, ValueError) as exc:
            return w.CommandExecResponse(exit_code=127 if isinstance(exc, FileNotFoundError) else 126, stdout="",
                                         stderr=f"codex: cannot start {p.command[0]!r}: {exc}\n")  # fmt: skip
        if started is not None:
            started.set_result(command)
        timeout = None if p.disable_timeout else (p.timeout_ms if p.timeout_ms is not None else DEFAULT_TIMEOUT_MS)
        out = await command.wait(timeout)
        return w.CommandExecResponse(
            exit_code=out.exit_code,
            stdout=out.stdout.decode("utf-8", "replace"),
            stderr=out.stderr.decode("utf-8", "replace"),
        )

    async def _running(self, process_id: str) -> ClientCommand:
        started = self.running.get(process_id)
        command = None if started is None else await asyncio.shield(started)
        if command is None:
            raise RpcError(INVALID_REQUEST, f'no active command/exec for process id "{process_id}"')
        return command

    async def write(self, p: w.CommandExecWriteParams) -> Wire:
        command = await self._running(p.process_id)
        if not command.accepts_input:
            raise RpcError(INVALID_REQUEST, "stdin streaming is not enabled for this command/exec")
        try:
            data = base64.b64decode(p.delta_base64 or "", validate=True)
        except (binascii.Error, ValueError):
            raise _bad("Invalid params for command/exec/write: `deltaBase64` is not valid base64") from None
        try:
            if data:
                await command.write(data)
            if p.close_stdin:
                command.close_stdin()
        except CommandRefused as exc:
            raise RpcError(INVALID_REQUEST, str(exc)) from None
        return Empty()

    async def terminate(self, p: w.CommandExecTerminateParams) -> Wire:
        (await self._running(p.process_id)).kill()
        return Empty()

    async def resize(self, p: w.CommandExecResizeParams) -> Wire:
        try:
            (await self._running(p.process_id)).resize(p.size.rows, p.size.cols)
        except CommandRefused as exc:
            raise RpcError(INVALID_REQUEST, str(exc)) from None
        return Empty()

    def close(self) -> None:
        """The connection ended: kill every running command."""
        for started in list(self.running.values()):
            if started.done() and (command := started.result()) is not None:
                with contextlib.suppress(Exception):
                    command.kill()
