"""Commands a client runs itself (the app-server's ``command/exec``), held to the model's rules.

A client such as an IDE may run a command without a turn. It goes through what a model command
goes through: ``approvals.assess_command`` with the config's approval policy and exec-policy
rules (``forbidden`` refuses it; a ``prompt`` counts as answered, since the user's own client
asked), then the config's ``SandboxPolicy`` (never escalated: a sandboxed config runs it
sandboxed), the ``[shell_environment_policy]`` environment, and the metadata guard. Where a
managed network proxy is configured the command gets no network (it has no proxy of its own).

``ClientCommand.start`` launches it with pipes (stdin optional) or in a pseudo-terminal; output
is captured per stream up to a cap (the first bytes, like Codex) or handed to ``on_output`` as it
arrives; ``wait`` returns the exit code (124 on timeout, 128+n when killed by signal n).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs

from codex_core.errors import CodexError

if TYPE_CHECKING:
    from codex_core.approvals import ExecAssessment
    from codex_core.config import Config
    from codex_core.exec.spawn import RunningProcess
    from codex_core.sandbox import SandboxPolicy
    from codex_core.sandbox.metadata_guard import MetadataGuard

__all__ = [
    "DEFAULT_OUTPUT_CAP",
    "DEFAULT_TIMEOUT_MS",
    "ClientCommand",
    "CommandOutput",
    "CommandRefused",
    "assess_client_command",
    "client_command_env",
    "client_command_policy",
]

DEFAULT_TIMEOUT_MS = 10_000
DEFAULT_OUTPUT_CAP = 1024 * 1024
"""Bytes kept (or streamed) per output stream unless the client says otherwise."""
TIMEOUT_EXIT_CODE = 124
_READ_CHUNK = 8192
_EOF_GRACE_S = 0.5
_REKILL_S = 0.2

Stream = Literal["stdout", "stderr"]
OutputCallback = Callable[[Stream, bytes, bool], None]
"""``(stream, chunk, cap_reached)``: ``cap_reached`` is true on the last chunk of a stream the cap cut."""


class CommandRefused(CodexError):
    """The exec policy (or the approval policy) does not let the command run."""

    code = "command_refused"


def assess_client_command(argv: Sequence[str], *, config: Config, cwd: Path, env: Mapping[str, str]) -> ExecAssessment:
    """``assess_command`` for ``argv`` with the config's approval policy and exec-policy rules;
    ``CommandRefused`` when it would be rejected."""
    from codex_core.approvals import approval_setting, assess_command
    from codex_core.execpolicy import load_config_exec_policy

    loaded = load_config_exec_policy(config)
    assessment = assess_command(
        argv,
        cwd=cwd,
        approval_policy=approval_setting(config.approval_policy, config.approval_granular),
        sandbox_mode=config.sandbox_mode,
        policy=loaded.policy,
        search_path=env.get("PATH", os.defpath),
    )
    if assessment.action == "reject":
        raise CommandRefused(f"command refused: {assessment.reason}")
    return assessment


def client_command_policy(config: Config) -> SandboxPolicy:
    """The config's sandbox policy for a client command; no network where a managed proxy
    would have carried it."""
    from codex_core.sandbox import SandboxPolicy

    policy = SandboxPolicy.from_config(config)
    proxied = config.feature("network_proxy") or bool(config.requirements.experimental_network)
    if proxied and not policy.is_unrestricted and policy.network != "none":
        policy = attrs.evolve(policy, network="none")
    return policy


def client_command_env(config: Config, overrides: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """``[shell_environment_policy]`` applied to this process's environment, then the client's
    overrides (``None`` unsets a variable)."""
    from codex_core.exec import build_env

    env = build_env(config.shell_environment_policy, os.environ)
    for name, value in (overrides or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@attrs.frozen
class CommandOutput:
    exit_code: int
    stdout: bytes
    """Captured stdout (empty when it was streamed)."""
    stderr: bytes
    timed_out: bool = False


class _Capture:
    """One output stream: kept (up to ``cap``) or streamed through ``on_output`` (up to ``cap``)."""

    def __init__(self, name: Stream, cap: int | None, on_output: OutputCallback | None) -> None:
        self.name = name
        self.cap = cap
        self.on_output = on_output
        self.data = bytearray()
        self.seen = 0
        self.cut = False

    def feed(self, chunk: bytes) -> None:
        if self.cut:
            return
        room = None if self.cap is None else self.cap - self.seen
        if room is not None and len(chunk) >= room:
            chunk, self.cut = chunk[:room], True
        self.seen += len(chunk)
        if self.on_output is not None:
            if chunk or self.cut:
                self.on_output(self.name, chunk, self.cut)
        else:
            self.data += chunk


class ClientCommand:
    """A running client command; create with :meth:`start`."""

    def __init__(
        self,
        proc: RunningProcess,
        readers: dict[int, _Capture],
        stdin_fd: int,
        pty_fd: int,
        guard: MetadataGuard | None,
    ) -> None:
        self._proc = proc
        self._captures = readers
        self._stdin_fd = stdin_fd
        self._pty_fd = pty_fd
        self._guard = guard
        self._loop = asyncio.get_running_loop()
        self._open = set(readers)
        self._eof = self._loop.create_future()
        self._exit: asyncio.Task[int] = self._loop.create_task(proc.wait())
        self.killed = False
        for fd in readers:
            os.set_blocking(fd, False)
            self._loop.add_reader(fd, self._on_readable, fd)
        if not readers:
            self._eof.set_result(None)

    @property
    def tty(self) -> bool:
        return self._pty_fd >= 0

    @property
    def accepts_input(self) -> bool:
        return self._stdin_fd >= 0

    @classmethod
    async def start(
        cls,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        policy: SandboxPolicy,
        tty: bool = False,
        size: tuple[int, int] | None = None,
        stdin: bool = False,
        output_cap: int | None = DEFAULT_OUTPUT_CAP,
        on_output: OutputCallback | None = None,
    ) -> ClientCommand:
        """Start ``argv`` in its own process group under ``policy``. ``tty``: in a new
        pseudo-terminal of ``size`` (rows, cols), output as ``stdout``; ``stdin``: keep a pipe to
        its input for :meth:`write` (else ``/dev/null``). Raises ``OSError`` / ``SandboxError``
        when it cannot start."""
        if not argv:
            raise ValueError("argv must not be empty")
        from codex_core.sandbox.metadata_guard import MetadataGuard

        env = dict(env)
        if not policy.is_unrestricted and policy.network_mode_name == "none":
            env["CODEX_SANDBOX_NETWORK_DISABLED"] = "1"
        guard = MetadataGuard.start(policy, cwd=cwd)
        if tty:
            proc, master = cls._spawn_pty(argv, cwd=cwd, env=env, policy=policy, size=size or (24, 80))
            capture = _Capture("stdout", output_cap, on_output)
            return cls(proc, {master: capture}, master, master, guard)
        proc, fds = await cls._spawn_pipes(argv, cwd=cwd, env=env, policy=policy, stdin=stdin)
        in_w, out_r, err_r = fds
        captures = {out_r: _Capture("stdout", output_cap, on_output), err_r: _Capture("stderr", output_cap, on_output)}
        return cls(proc, captures, in_w, -1, guard)

    @staticmethod
    async def _spawn_pipes(
        argv: Sequence[str], *, cwd: Path, env: dict[str, str], policy: SandboxPolicy, stdin: bool
    ) -> tuple[RunningProcess, tuple[int, int, int]]:
        from codex_core.exec.spawn import spawn

        if stdin:
            in_r, in_w = os.pipe()
        else:
            in_r, in_w = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC), -1
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        for fd in (in_w, out_r, err_r):
            if fd >= 0:
                os.set_inheritable(fd, False)
        try:
            proc = await spawn(argv, cwd=str(cwd), env=env, policy=policy, stdio=(in_r, out_w, err_w))
        except BaseException:
            for fd in (in_w, out_r, err_r):
                if fd >= 0:
                    os.close(fd)
            raise
        finally:
            for fd in (in_r, out_w, err_w):
                os.close(fd)
        return proc, (in_w, out_r, err_r)

    @staticmethod
    def _spawn_pty(
        argv: Sequence[str], *, cwd: Path, env: dict[str, str], policy: SandboxPolicy, size: tuple[int, int]
    ) -> tuple[RunningProcess, int]:
        from codex_core.exec.spawn import spawn_pty

        return spawn_pty(argv, cwd=str(cwd), env=env, policy=policy, rows=size[0], cols=size[1])

    # --- output -------------------------------------------------------------------------------

    def _on_readable(self, fd: int) -> None:
        try:
            data = os.read(fd, _READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:  # EIO: the terminal's other side is closed
            data = b""
        if not data:
            self._close_reader(fd)
            return
        self._captures[fd].feed(data)

    def _close_reader(self, fd: int) -> None:
        if fd not in self._open:
            return
        self._open.discard(fd)
        self._loop.remove_reader(fd)
        if fd != self._pty_fd:
            os.close(fd)
        if not self._open and not self._eof.done():
            self._eof.set_result(None)

    # --- control ------------------------------------------------------------------------------

    async def write(self, data: bytes) -> None:
        """Send bytes to the command's stdin (its terminal with a PTY)."""
        if self._stdin_fd < 0:
            raise CommandRefused("stdin is closed (or was never open) for this command")
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self._stdin_fd, view) :]
            except BlockingIOError:
                await asyncio.sleep(0.01)
            except OSError as exc:
                raise CommandRefused(f"cannot write to the command's stdin: {exc.strerror or exc}") from None

    def close_stdin(self) -> None:
        """End of input: the pipe is closed (with a PTY, an EOF character is sent)."""
        if self._stdin_fd < 0:
            return
        if self.tty:
            with contextlib.suppress(OSError):
                os.write(self._pty_fd, b"\x04")
            return
        os.close(self._stdin_fd)
        self._stdin_fd = -1

    def resize(self, rows: int, cols: int) -> None:
        if not self.tty:
            raise CommandRefused("failed to resize PTY: process is not attached to a PTY")
        from codex_core.exec.spawn import set_pty_size

        set_pty_size(self._pty_fd, rows, cols)

    def kill(self) -> None:
        """SIGKILL the command's process group -- and the leader itself: right after the start it
        may not lead its group yet (``killpg`` then misses it); again a moment later, for a child
        forked meanwhile."""
        self.killed = True
        self._kill_now()
        self._loop.call_later(_REKILL_S, self._kill_now)

    def _kill_now(self) -> None:
        if self._exit.done():  # reaped: the pid may belong to someone else now
            return
        self._proc.kill_group(signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self._proc.pid, signal.SIGKILL)

    async def wait(self, timeout_ms: int | None = DEFAULT_TIMEOUT_MS) -> CommandOutput:
        """Wait for the exit (killing the group after ``timeout_ms``) and the end of its output."""
        timed_out = False
        try:
            done, _ = await asyncio.wait({self._exit}, timeout=None if timeout_ms is None else timeout_ms / 1000)
            if not done:
                timed_out = True
                self._proc.kill_group(signal.SIGKILL)
            code = await asyncio.shield(self._exit)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._eof), _EOF_GRACE_S)
        except asyncio.CancelledError:
            self._proc.kill_group(signal.SIGKILL)
            raise
        finally:
            self._finish()
        stdout, stderr = (c for c in self._ordered_captures())
        notes = self._guard.check() if self._guard is not None else []
        note_bytes = "".join(f"{n}\n" for n in notes).encode()
        if note_bytes:
            stderr.feed(note_bytes)
        return CommandOutput(
            exit_code=TIMEOUT_EXIT_CODE if timed_out else code,
            stdout=bytes(stdout.data),
            stderr=bytes(stderr.data),
            timed_out=timed_out,
        )

    def _ordered_captures(self) -> tuple[_Capture, _Capture]:
        by_name = {c.name: c for c in self._captures.values()}
        return by_name["stdout"], by_name.get("stderr") or _Capture("stderr", None, by_name["stdout"].on_output)

    def _finish(self) -> None:
        for fd in list(self._open):
            self._close_reader(fd)
        if self._stdin_fd >= 0 and self._stdin_fd != self._pty_fd:
            with contextlib.suppress(OSError):
                os.close(self._stdin_fd)
        if self._pty_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._pty_fd)
        self._stdin_fd = self._pty_fd = -1
