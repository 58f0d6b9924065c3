"""Wire models of ``command/exec*`` (field names of the reference 0.169 schema).

Our addition: ``threadId`` on ``command/exec`` runs the command with that loaded thread's config
(cwd, sandbox, exec-policy rules, environment policy) instead of the server's.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from codex_exec.app_server.wire_base import Empty, SandboxPolicy, Wire

__all__ = [
    "EXEC_METHODS",
    "EXEC_NOTIFICATIONS",
    "CommandExecOutputDeltaNotification",
    "CommandExecParams",
    "CommandExecResizeParams",
    "CommandExecResponse",
    "CommandExecTerminalSize",
    "CommandExecTerminateParams",
    "CommandExecWriteParams",
]


class CommandExecTerminalSize(Wire):
    rows: int = Field(ge=1, le=65535)
    cols: int = Field(ge=1, le=65535)


class CommandExecParams(Wire):
    command: list[str]
    process_id: str | None = None
    tty: bool = False
    stream_stdin: bool = False
    stream_stdout_stderr: bool = False
    output_bytes_cap: int | None = Field(default=None, ge=0)
    disable_output_cap: bool = False
    disable_timeout: bool = False
    timeout_ms: int | None = Field(default=None, ge=0)
    cwd: str | None = None
    env: dict[str, str | None] | None = None
    size: CommandExecTerminalSize | None = None
    sandbox_policy: SandboxPolicy | None = None
    thread_id: str | None = None
    """codex-py: run with this loaded thread's config instead of the server's."""


class CommandExecResponse(Wire):
    exit_code: int
    stdout: str
    stderr: str


class CommandExecWriteParams(Wire):
    process_id: str
    delta_base64: str | None = None
    close_stdin: bool = False


class CommandExecTerminateParams(Wire):
    process_id: str


class CommandExecResizeParams(Wire):
    process_id: str
    size: CommandExecTerminalSize


class CommandExecOutputDeltaNotification(Wire):
    process_id: str
    stream: Literal["stdout", "stderr"]
    delta_base64: str
    cap_reached: bool


EXEC_METHODS: dict[str, tuple[type[Wire], type[Wire]]] = {
    "command/exec": (CommandExecParams, CommandExecResponse),
    "command/exec/write": (CommandExecWriteParams, Empty),
    "command/exec/terminate": (CommandExecTerminateParams, Empty),
    "command/exec/resize": (CommandExecResizeParams, Empty),
}
EXEC_NOTIFICATIONS: dict[str, type[Wire]] = {"command/exec/outputDelta": CommandExecOutputDeltaNotification}
