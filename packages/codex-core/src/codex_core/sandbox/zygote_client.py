"""Client side of the sandbox fork-server (see ``codex_core.sandbox.zygote`` for the protocol)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence

from codex_core.errors import SandboxError
from codex_core.logging import get_logger
from codex_core.sandbox.spec import LinuxSandboxSpec

__all__ = ["RequestTooLarge", "ZygoteClient", "ZygoteProcess", "default_zygote"]

log = get_logger(__name__)
_CLEAN_EXIT_S = 2.0
"""How long ``close``/``_reset`` wait for the server to kill its commands and exit by itself."""


class RequestTooLarge(SandboxError):
    """The command (argv + env) does not fit in one control message; start it another way.

    The server is unaffected (nothing was sent)."""


class ZygoteProcess:
    """A command forked by the server. ``pid`` is also its process-group id."""

    def __init__(self, pid: int, reply: socket.socket) -> None:
        self.pid = pid
        self._reply = reply
        self._status: int | None = None

    async def wait(self) -> int:
        """Wait for exit; returns the raw wait status (decode with ``os.waitstatus_to_exitcode``)."""
        if self._status is None:
            loop = asyncio.get_running_loop()
            try:
                data = await loop.sock_recv(self._reply, 4096)
            finally:
                pass
            self._reply.close()
            if not data:
                raise SandboxError("sandbox fork-server exited while a command was running")
            self._status = int(json.loads(data)["status"])
        return self._status

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        """Signal the command's process group; right after the fork, before the child's
        ``setsid()``, that group does not exist yet, so the child itself is signalled (it has no
        children of its own until after ``setsid``)."""
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, sig)
        except PermissionError:
            pass

    def close(self) -> None:
        self._reply.close()


class ZygoteClient:
    """Owns one fork-server process; ``spawn`` is safe to call from concurrent tasks."""

    def __init__(self, *, python: str | None = None) -> None:
        self._python = python or sys.executable
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None

    def start(self) -> None:
        """Start the server now (otherwise it starts on the first ``spawn``)."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return
            mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME")}
            try:
                self._proc = subprocess.Popen(
                    [self._python, "-I", "-m", "codex_core.sandbox", "--zygote", str(theirs.fileno())],
                    pass_fds=(theirs.fileno(),),
                    stdin=subprocess.DEVNULL,
                    env=env,
                    start_new_session=True,
                )
            finally:
                theirs.close()
            self._control = mine
            log.debug("sandbox fork-server started", pid=self._proc.pid)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    async def spawn(
        self,
        argv: Sequence[str],
        *,
        cwd: str,
        env: Mapping[str, str],
        spec: LinuxSandboxSpec | None,
        stdin: int,
        stdout: int,
        stderr: int,
        builtin: str | None = None,
    ) -> ZygoteProcess:
        """Fork ``argv`` under ``spec`` with the given stdio fds (which the caller still owns).
        With ``builtin`` the child runs that tool of Codex's in-process, with ``argv`` as its arguments."""
        msg = json.dumps(
            {
                "argv": list(argv),
                "cwd": cwd,
                "env": dict(env),
                "spec": spec.to_dict() if spec else None,
                "builtin": builtin,
            }
        ).encode()
        for attempt in (0, 1):
            self.start()
            local, remote = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            try:
                assert self._control is not None
                socket.send_fds(self._control, [msg], [stdin, stdout, stderr, remote.fileno()])
            except OSError as exc:
                local.close()
                if exc.errno == errno.EMSGSIZE:
                    raise RequestTooLarge(f"command too large for the fork-server ({len(msg)} bytes)") from exc
                self._reset()
                log.info("sandbox fork-server unavailable", attempt=attempt, error=str(exc))
                if attempt:
                    raise SandboxError(f"sandbox fork-server unavailable: {exc}") from exc
                continue
            finally:
                remote.close()
            local.setblocking(False)
            data = await asyncio.get_running_loop().sock_recv(local, 4096)
            if not data:
                local.close()
                self._reset()
                log.info("sandbox fork-server exited before starting the command", attempt=attempt)
                if attempt:
                    raise SandboxError("sandbox fork-server exited before starting the command")
                continue
            pid = int(json.loads(data)["pid"])
            log.trace(
                "sandbox fork-server spawned", pid=pid, program=argv[0] if argv else builtin, confined=spec is not None
            )
            return ZygoteProcess(pid, local)
        raise AssertionError("unreachable")

    def _reset(self) -> None:
        """Close the control socket; the server then kills its commands and exits (else SIGKILL)."""
        with self._lock:
            if self._control is not None:
                self._control.close()
                self._control = None
            if self._proc is not None:
                try:
                    self._proc.wait(_CLEAN_EXIT_S)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        self._proc.kill()
                    self._proc.wait()
                self._proc = None

    def close(self) -> None:
        """Stop the server; it kills every command still running (their process groups)."""
        self._reset()


_default: ZygoteClient | None = None
_default_lock = threading.Lock()


def default_zygote() -> ZygoteClient:
    """The process-wide fork-server client (started lazily on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ZygoteClient()
        return _default
