"""``run_command``: run one shell-tool command (sandboxed), streaming and capturing its output."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from codex_core.errors import SandboxError
from codex_core.exec.capture import DEFAULT_CAPTURE_BYTES, HeadTailBuffer
from codex_core.exec.result import TIMEOUT_EXIT_CODE, ExecResult
from codex_core.exec.spawn import Launcher, RunningProcess, spawn
from codex_core.sandbox.denials import classify_denial, denial_message
from codex_core.sandbox.metadata_guard import MetadataGuard
from codex_core.sandbox.policy import SandboxPolicy

__all__ = ["DEFAULT_TIMEOUT_MS", "OutputCallback", "run_command"]

DEFAULT_TIMEOUT_MS = 10_000
READ_CHUNK = 8192
EOF_GRACE_S = 0.5
"""After the command exits, how long to wait for its pipes to close (background children may
keep them open forever)."""

OutputCallback = Callable[[Literal["stdout", "stderr"], bytes], None]


class _Reader:
    """Reads one pipe through the event loop into the shared buffers."""

    def __init__(
        self,
        fd: int,
        name: Literal["stdout", "stderr"],
        own: HeadTailBuffer,
        aggregated: HeadTailBuffer,
        on_output: OutputCallback | None,
    ) -> None:
        self.fd, self.name, self.own, self.aggregated, self.on_output = fd, name, own, aggregated, on_output
        self.loop = asyncio.get_running_loop()
        self.eof: asyncio.Future[None] = self.loop.create_future()
        os.set_blocking(fd, False)
        self.loop.add_reader(fd, self._on_readable)

    def _on_readable(self) -> None:
        try:
            data = os.read(self.fd, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        self.own.write(data)
        self.aggregated.write(data)
        if self.on_output is not None:
            self.on_output(self.name, data)

    def close(self) -> None:
        if self.fd >= 0:
            self.loop.remove_reader(self.fd)
            os.close(self.fd)
            self.fd = -1
        if not self.eof.done():
            self.eof.set_result(None)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


async def run_command(
    argv: Sequence[str],
    *,
    cwd: Path,
    policy: SandboxPolicy,
    env: Mapping[str, str],
    timeout_ms: int | None = DEFAULT_TIMEOUT_MS,
    on_output: OutputCallback | None = None,
    launcher: Launcher = "zygote",
    max_capture_bytes: int = DEFAULT_CAPTURE_BYTES,
) -> ExecResult:
    """Run ``argv`` in ``cwd`` under ``policy`` with environment ``env``.

    stdin is ``/dev/null``; the command runs in its own process group, which is killed
    (``SIGKILL``) on timeout (exit code 124) and when the calling task is cancelled (the
    ``CancelledError`` propagates after the kill). ``on_output(stream, chunk)`` sees every chunk
    as it arrives; the result keeps at most ``max_capture_bytes`` per stream (head + tail).
    A command that cannot start yields exit code 127 (not found) or 126 (not executable /
    sandbox setup failed) with the reason in its output. ``sandbox_denied`` explains failures
    that look like sandbox denials.

    VCS and Codex metadata (``.git``, ``.hg``, ``.codex``, ...) that a sandboxed command created
    inside a writable root is moved aside when it ends (``MetadataGuard``); a note at the end of
    the output says what was moved where.
    """
    if not argv:
        raise ValueError("run_command: argv must not be empty")
    env = dict(env)
    if not policy.is_unrestricted and policy.network_mode_name == "none":  # not with the proxy
        env["CODEX_SANDBOX_NETWORK_DISABLED"] = "1"
    stdout_buf, stderr_buf = HeadTailBuffer(max_capture_bytes), HeadTailBuffer(max_capture_bytes)
    aggregated = HeadTailBuffer(max_capture_bytes)
    start = time.monotonic()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    proc: RunningProcess | None = None
    guard: MetadataGuard | None = None
    try:
        guard = MetadataGuard.start(policy, cwd=cwd)
        proc = await spawn(argv, cwd=str(cwd), env=env, policy=policy, stdio=(devnull, out_w, err_w), launcher=launcher)
    except FileNotFoundError as exc:
        spawn_error: tuple[int, str] | None = (127, f"codex: command not found: {argv[0]} ({exc.strerror})\n")
    except PermissionError as exc:
        spawn_error = (126, f"codex: cannot execute {argv[0]}: {exc.strerror}\n")
    except NotADirectoryError as exc:
        spawn_error = (126, f"codex: bad working directory {cwd}: {exc.strerror}\n")
    except SandboxError as exc:
        spawn_error = (126, f"codex: sandbox unavailable, command not run: {exc}\n")
    except (OSError, ValueError) as exc:  # e.g. an embedded NUL byte, a too-long argument list
        spawn_error = (126, f"codex: cannot start {argv[0]!r}: {exc}\n")
    else:
        spawn_error = None
    finally:
        for fd in (out_w, err_w, devnull):
            os.close(fd)
    if spawn_error is not None or proc is None:
        os.close(out_r)
        os.close(err_r)
        code, message = spawn_error or (126, "codex: command did not start\n")
        return ExecResult(
            exit_code=code, stdout="", stderr=message, aggregated_output=message,
            duration_s=time.monotonic() - start,
        )  # fmt: skip

    readers = [
        _Reader(out_r, "stdout", stdout_buf, aggregated, on_output),
        _Reader(err_r, "stderr", stderr_buf, aggregated, on_output),
    ]
    timed_out = False
    wait_task = asyncio.ensure_future(proc.wait())
    try:
        timeout_s = None if timeout_ms is None else timeout_ms / 1000
        done, _ = await asyncio.wait({wait_task}, timeout=timeout_s)
        if not done:
            timed_out = True
            proc.kill_group(signal.SIGKILL)
        try:
            exit_code = await asyncio.shield(wait_task)
        except SandboxError as exc:  # the fork-server died under the command
            exit_code, lost = 126, f"\ncodex: sandbox launcher lost the command: {exc}\n".encode()
            stderr_buf.write(lost)
            aggregated.write(lost)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(r.eof for r in readers)), EOF_GRACE_S)
    except asyncio.CancelledError:
        proc.kill_group(signal.SIGKILL)
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(asyncio.shield(wait_task), 5)
        if guard is not None:
            guard.check()  # nobody reads the notes, but what the command planted must not stay
        raise
    finally:
        for r in readers:
            r.close()
        if not wait_task.done():
            wait_task.cancel()
    if timed_out:
        exit_code = TIMEOUT_EXIT_CODE
    text = _decode(aggregated.getvalue())
    reason = classify_denial(policy, exit_code=exit_code, output=text, timed_out=timed_out)
    stderr = _decode(stderr_buf.getvalue())
    notes = guard.check() if guard is not None else []
    if notes:
        note_text = "".join(f"{n}\n" for n in notes)
        text += ("" if not text or text.endswith("\n") else "\n") + note_text
        stderr += ("" if not stderr or stderr.endswith("\n") else "\n") + note_text
    return ExecResult(
        exit_code=exit_code,
        stdout=_decode(stdout_buf.getvalue()),
        stderr=stderr,
        aggregated_output=text,
        duration_s=time.monotonic() - start,
        timed_out=timed_out,
        timeout_ms=timeout_ms if timed_out else None,
        sandbox_denied=denial_message(reason, policy) if reason else None,
    )
