"""Starting a command: unsandboxed, through the sandbox helper, or through the fork-server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from codex_core.sandbox.policy import SandboxPolicy
from codex_core.sandbox.spec import LinuxSandboxSpec
from codex_core.sandbox.zygote_client import RequestTooLarge, ZygoteProcess, default_zygote

__all__ = ["Launcher", "RunningProcess", "helper_argv", "set_pty_size", "spawn", "spawn_pty"]

Launcher = Literal["zygote", "helper"]
"""How sandboxed commands start: the per-session fork-server (fast) or a fresh helper process."""


class RunningProcess(Protocol):
    """A started command; ``pid`` is also its process-group id."""

    pid: int

    async def wait(self) -> int:
        """Wait for exit; the exit code, ``128 + n`` for signal ``n``."""
        ...

    def kill_group(self, sig: int = signal.SIGKILL) -> None: ...


def normalize_exit(code: int) -> int:
    return 128 - code if code < 0 else code


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class _PopenProcess:
    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen = popen
        self.pid = popen.pid

    async def wait(self) -> int:
        if self.popen.returncode is None:
            loop = asyncio.get_running_loop()
            try:
                pidfd = os.pidfd_open(self.pid)
            except (OSError, AttributeError):
                return normalize_exit(await asyncio.to_thread(self.popen.wait))
            try:
                while self.popen.poll() is None:
                    ready: asyncio.Future[None] = loop.create_future()
                    loop.add_reader(pidfd, _wake, ready)
                    try:
                        await ready
                    finally:
                        loop.remove_reader(pidfd)
            finally:
                os.close(pidfd)
        assert self.popen.returncode is not None
        return normalize_exit(self.popen.returncode)

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)


class _ZygoteProcessAdapter:
    def __init__(self, proc: ZygoteProcess) -> None:
        self.proc = proc
        self.pid = proc.pid

    async def wait(self) -> int:
        return normalize_exit(os.waitstatus_to_exitcode(await self.proc.wait()))

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        self.proc.kill_group(sig)


def helper_argv(spec: LinuxSandboxSpec | None, argv: Sequence[str], *, cwd: str) -> list[str]:
    """The command line of the standalone sandbox helper for ``argv``."""
    return [
        sys.executable, "-I", "-m", "codex_core.sandbox",
        "--spec", spec.to_json() if spec else "none", "--cwd", cwd, "--", *argv,
    ]  # fmt: skip


async def spawn(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    policy: SandboxPolicy,
    stdio: tuple[int, int, int],
    launcher: Launcher = "zygote",
    log_denials: bool = False,
    builtin: str | None = None,
) -> RunningProcess:
    """Start ``argv`` in its own session under ``policy``. Raises ``OSError`` if it cannot start.

    ``builtin``: run that tool of Codex's (``launch.BUILTINS``) with arguments ``argv`` instead:
    in-process in a fork-server child (no interpreter start-up), else as ``python -I -m <module>``.
    """
    stdin, stdout, stderr = stdio
    spec = policy.to_linux_spec(log_denials=log_denials)
    builtin_args = list(argv)
    if builtin is not None:
        from codex_core.sandbox.launch import BUILTINS

        argv = [sys.executable, "-I", "-m", BUILTINS[builtin], *argv]
    if spec is None:
        popen = subprocess.Popen(  # noqa: ASYNC220 - fork/exec only, never waits
            list(argv), cwd=cwd, env=dict(env), stdin=stdin, stdout=stdout, stderr=stderr, start_new_session=True
        )
        return _PopenProcess(popen)
    if sys.platform != "linux":
        from codex_core.errors import SandboxUnavailable

        raise SandboxUnavailable(f"the {policy.kind} sandbox is not available on {sys.platform} in codex-py")
    if launcher == "zygote":
        try:
            proc = await default_zygote().spawn(
                builtin_args if builtin is not None else argv,
                cwd=cwd, env=env, spec=spec, stdin=stdin, stdout=stdout, stderr=stderr, builtin=builtin,
            )  # fmt: skip
        except RequestTooLarge:
            pass  # too big for one control message: start this one through the helper instead
        else:
            return _ZygoteProcessAdapter(proc)
    popen = subprocess.Popen(  # noqa: ASYNC220 - fork/exec only, never waits
        helper_argv(spec, argv, cwd=cwd), env=dict(env), stdin=stdin, stdout=stdout, stderr=stderr,
        start_new_session=True,
    )  # fmt: skip
    return _PopenProcess(popen)
    proc = await default_zygote().spawn(argv, cwd=cwd, env=env, spec=spec, stdin=stdin, stdout=stdout, stderr=stderr)
    return _ZygoteProcessAdapter(proc)


def set_pty_size(fd: int, rows: int, cols: int) -> None:
    """Set the window size of the pseudo-terminal ``fd`` (either side)."""
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _make_controlling_tty() -> None:  # runs in the child between fork and exec (after setsid)
    import fcntl
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def spawn_pty(
    argv: Sequence[str], *, cwd: str, env: dict[str, str], policy: SandboxPolicy, rows: int, cols: int
) -> tuple[RunningProcess, int]:
    """Start ``argv`` under ``policy`` on a new pseudo-terminal (its controlling terminal, in its
    own session) through the sandbox helper; returns the process and the terminal's master fd."""
    spec = policy.to_linux_spec()
    if spec is not None and sys.platform != "linux":
        from codex_core.errors import SandboxUnavailable

        raise SandboxUnavailable(f"the {policy.kind} sandbox is not available on {sys.platform} in codex-py")
    command = list(argv) if spec is None else helper_argv(spec, argv, cwd=cwd)
    master, slave = os.openpty()
    try:
        set_pty_size(slave, rows, cols)
        env.setdefault("TERM", "xterm-256color")
        popen = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
            start_new_session=True, preexec_fn=_make_controlling_tty,
        )  # fmt: skip
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)
    return _PopenProcess(popen), master
