"""Long-lived interactive processes (unified exec): a PTY or pipes, sandboxed, bounded output.

``ProcessSessionManager.start`` launches a command under a ``SandboxPolicy`` either in a fresh
pseudo-terminal (``tty=True``: the child is a session leader with the PTY as its controlling
terminal, so ``\\x03`` interrupts it) or with pipes (stdin pipe, stdout+stderr merged into one
pipe). Each ``ProcessSession`` keeps the output not yet read in a head+tail buffer of at most
``buffer_bytes`` (1 MiB); ``read(yield_s)`` waits until the process exits or ``yield_s`` passes
and drains that buffer. At most ``max_sessions`` (64) sessions live at once: starting one more
prunes the least recently used (exited sessions first, never the 8 most recently used), and
``start`` returns a warning once ``warn_at`` (60) sessions are open. ``terminate_all`` and
``aclose`` kill every process group.

A sandboxed session is watched for VCS and Codex metadata (``.git``, ``.codex``, ...) it creates
inside a writable root (``MetadataGuard``): at every ``read`` and when the process exits, such
entries are moved aside and ``SessionOutput.notes`` says so.

Sessions are bound to the event loop that started them; a manager used from a new loop (e.g.
``Thread.run_sync`` runs each turn in its own loop) kills the sessions of the old one first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import attrs

from codex_core.exec.capture import HeadTailBuffer
from codex_core.exec.spawn import Launcher, RunningProcess, spawn, spawn_pty
from codex_core.sandbox.metadata_guard import MetadataGuard
from codex_core.sandbox.policy import SandboxPolicy

__all__ = [
    "DEFAULT_MAX_SESSIONS",
    "DEFAULT_SESSION_BUFFER_BYTES",
    "DEFAULT_WARN_SESSIONS",
    "ProcessSession",
    "ProcessSessionManager",
    "SessionClosedError",
    "SessionOutput",
]

DEFAULT_MAX_SESSIONS = 64
DEFAULT_WARN_SESSIONS = 60
DEFAULT_SESSION_BUFFER_BYTES = 1024 * 1024
PROTECTED_RECENT = 8
"""The most recently used sessions that pruning never picks."""
READ_CHUNK = 8192
EOF_GRACE_S = 0.3
"""After the process exits, how long to wait for its output to close (background children may
hold the terminal open)."""
PTY_ROWS, PTY_COLS = 40, 120
LOST_EXIT_CODE = 255
"""Reported when the process's exit status cannot be known (its fork-server died)."""


class SessionClosedError(Exception):
    """Input cannot be written: the process has exited or its stdin is closed."""


@attrs.frozen
class SessionOutput:
    """What one ``ProcessSession.read`` collected."""

    session_id: int
    output: bytes
    """Output since the previous read (head + tail when more than the buffer limit arrived)."""
    exit_code: int | None
    """``None`` while the process is still running."""
    wall_time_s: float
    notes: tuple[str, ...] = ()
    """VCS/Codex metadata the process created and that was moved aside (one sentence each)."""

    @property
    def running(self) -> bool:
        return self.exit_code is None


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class ProcessSession:
    """One running command; create with ``ProcessSessionManager.start``."""

    def __init__(
        self,
        session_id: int,
        argv: Sequence[str],
        proc: RunningProcess,
        *,
        read_fd: int,
        write_fd: int,
        tty: bool,
        buffer_bytes: int,
        guard: MetadataGuard | None = None,
    ) -> None:
        self.id = session_id
        self.argv = tuple(argv)
        self.tty = tty
        self.pid = proc.pid
        self.started_at = time.monotonic()
        self.last_used = self.started_at
        self.exit_code: int | None = None
        """Set once the process has exited and its output is collected."""
        self.on_output: Callable[[bytes], None] | None = None
        """Called with every output chunk as it arrives (the agent streams it as deltas)."""
        self.context: object | None = None
        """Free slot for the owner (the agent keeps its command item here)."""
        self._proc = proc
        self._buffer_bytes = buffer_bytes
        self._pending = HeadTailBuffer(buffer_bytes)
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._loop = asyncio.get_running_loop()
        self._eof: asyncio.Future[None] = self._loop.create_future()
        self._done = asyncio.Event()
        self._reaped = False
        self._guard = guard
        self._guard_notes: list[str] = []
        os.set_blocking(read_fd, False)
        if write_fd != read_fd:
            os.set_blocking(write_fd, False)
        self._loop.add_reader(read_fd, self._on_readable)
        self._reading = True
        self._watcher = self._loop.create_task(self._watch())

    @property
    def exited(self) -> bool:
        return self._done.is_set()

    @property
    def pending_bytes(self) -> int:
        """Bytes arrived but not read yet (before the head+tail cut)."""
        return self._pending.total

    def peek(self) -> bytes:
        """The unread output, without consuming it."""
        return self._pending.getvalue()

    def _on_readable(self) -> None:
        try:
            data = os.read(self._read_fd, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:  # EIO: the last holder of the terminal's other side closed it
            data = b""
        if not data:
            self._close_reader()
            return
        self._pending.write(data)
        if self.on_output is not None:
            self.on_output(data)

    def _close_reader(self) -> None:
        if not self._reading:
            return
        self._reading = False
        self._loop.remove_reader(self._read_fd)
        if not self._eof.done():
            self._eof.set_result(None)

    def _close_fds(self) -> None:
        self._close_reader()
        for fd in {self._read_fd, self._write_fd} - {-1}:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._read_fd = self._write_fd = -1

    async def _watch(self) -> None:
        try:
            try:
                code = await self._proc.wait()
            except Exception as exc:  # the fork-server died under us: report, never hang
                self._pending.write(f"\ncodex: lost track of the process: {exc}\n".encode())
                code = LOST_EXIT_CODE
            self._reaped = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._eof), EOF_GRACE_S)
            if self._reading:  # drain what is already there, then stop listening
                self._on_readable_until_empty()
            self.exit_code = code
        finally:
            self._close_fds()
            self._check_metadata()
            self._done.set()

    def _check_metadata(self) -> None:
        """Quarantine the metadata the process created so far; the notes wait for the next read."""
        if self._guard is not None:
            try:
                self._guard_notes += self._guard.check()
            except Exception as exc:  # never leave the session hanging over it
                self._guard_notes.append(
                    f"sandbox: could not check for VCS/Codex metadata created by the process: {exc}"
                )

    def _on_readable_until_empty(self) -> None:
        for _ in range(self._buffer_bytes // READ_CHUNK + 1):  # bounded: a background child may keep writing
            try:
                data = os.read(self._read_fd, READ_CHUNK)
            except OSError:
                return
            if not data:
                return
            self._pending.write(data)
            if self.on_output is not None:
                self.on_output(data)

    def _drain(self) -> bytes:
        data = self._pending.getvalue()
        self._pending = HeadTailBuffer(self._buffer_bytes)
        return data

    async def read(self, yield_s: float) -> SessionOutput:
        """Wait up to ``yield_s`` seconds (less if the process exits) and take the unread output."""
        start = time.monotonic()
        self.last_used = start
        if not self._done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._done.wait(), max(yield_s, 0.0))
            if not self._done.is_set():
                self._check_metadata()  # still running: look at what it created so far
        notes, self._guard_notes = tuple(self._guard_notes), []
        return SessionOutput(
            session_id=self.id,
            output=self._drain(),
            exit_code=self.exit_code if self._done.is_set() else None,
            wall_time_s=time.monotonic() - start,
            notes=notes,
        )

    async def write(self, data: bytes) -> None:
        """Send ``data`` to the process's stdin (the terminal for PTY sessions)."""
        self.last_used = time.monotonic()
        view = memoryview(data)
        while view:
            if self._done.is_set() or self._write_fd < 0:
                raise SessionClosedError(f"session {self.id} has exited; its stdin is closed")
            try:
                n = os.write(self._write_fd, view)
            except BlockingIOError:
                ready: asyncio.Future[None] = self._loop.create_future()
                fd = self._write_fd
                self._loop.add_writer(fd, _wake, ready)
                try:
                    await asyncio.wait_for(ready, 5.0)
                except TimeoutError:
                    raise SessionClosedError(f"session {self.id} is not reading its input") from None
                finally:
                    self._loop.remove_writer(fd)
                continue
            except (BrokenPipeError, OSError) as exc:
                raise SessionClosedError(f"session {self.id}: cannot write to stdin ({exc.strerror or exc})") from None
            view = view[n:]

    async def reap(self, timeout: float = 5.0) -> None:
        """Wait for the process status from the current loop (after its own loop is gone)."""
        if not self._reaped:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._proc.wait(), timeout)
                self._reaped = True
            self._check_metadata()  # its own loop's watcher will never run to the end

    def kill(self) -> None:
        """SIGKILL the whole process group (the watcher then reaps it and closes the fds)."""
        if not self._reaped:
            self._proc.kill_group(signal.SIGKILL)

    async def wait_closed(self, timeout: float = 5.0) -> None:
        """Wait until the process is reaped; force-close the fds after ``timeout``."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._done.wait(), timeout)
        if not self._done.is_set():
            self._watcher.cancel()
            with contextlib.suppress(BaseException):
                await self._watcher


class ProcessSessionManager:
    """The live interactive processes of one thread."""

    def __init__(
        self,
        *,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        warn_at: int = DEFAULT_WARN_SESSIONS,
        buffer_bytes: int = DEFAULT_SESSION_BUFFER_BYTES,
        launcher: Launcher = "zygote",
        protect_recent: int = PROTECTED_RECENT,
    ) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self.max_sessions = max_sessions
        self.warn_at = warn_at
        self.buffer_bytes = buffer_bytes
        self.launcher: Launcher = launcher
        self.protect_recent = protect_recent
        """How pipe sessions start sandboxed (PTY sessions always use the sandbox helper)."""
        self._sessions: dict[int, ProcessSession] = {}
        self._next_id = 1000
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reapers: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._sessions)

    def sessions(self) -> list[ProcessSession]:
        """Live sessions, oldest first."""
        return list(self._sessions.values())

    def _check_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._sessions:  # their readers and watchers belong to a loop that is gone
                orphans = list(self._sessions.values())
                self._sessions.clear()
                for s in orphans:
                    s.kill()
                    task = loop.create_task(s.reap())
                    self._reapers.add(task)
                    task.add_done_callback(self._reapers.discard)
            self._loop = loop

    def get(self, session_id: int) -> ProcessSession | None:
        """The live session ``session_id`` (marked as used), or ``None``."""
        self._check_loop()
        session = self._sessions.get(session_id)
        if session is not None:
            session.last_used = time.monotonic()
        return session

    def remove(self, session_id: int) -> None:
        """Forget a session (killing it if it still runs)."""
        session = self._sessions.pop(session_id, None)
        if session is not None:
            session.kill()

    def _prune_victim(self) -> ProcessSession | None:
        """Least recently used first, exited before running, never the most recently used few."""
        by_use = sorted(self._sessions.values(), key=lambda s: s.last_used)
        keep = min(self.protect_recent, self.max_sessions - 1)
        candidates = by_use[: len(by_use) - keep] if keep > 0 else by_use
        exited = [s for s in candidates if s.exited]
        pool = exited or candidates
        return pool[0] if pool else None

    async def start(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        policy: SandboxPolicy,
        tty: bool,
    ) -> tuple[ProcessSession, list[str]]:
        """Start ``argv``; returns the session and notices for the model (pruning, many sessions).

        Raises ``OSError`` when the command cannot start and ``SandboxError`` when the sandbox is
        unavailable.
        """
        if not argv:
            raise ValueError("argv must not be empty")
        self._check_loop()
        notes: list[str] = []
        while len(self._sessions) >= self.max_sessions:
            victim = self._prune_victim()
            if victim is None:
                break
            self.remove(victim.id)
            notes.append(f"Closed the least recently used session {victim.id} ({self.max_sessions} sessions at most).")
        env = dict(env)
        if not policy.is_unrestricted and policy.network_mode_name == "none":
            env["CODEX_SANDBOX_NETWORK_DISABLED"] = "1"
        session_id = self._next_id
        self._next_id += 1
        guard = MetadataGuard.start(policy, cwd=cwd)
        if tty:
            session = self._start_pty(session_id, argv, cwd=cwd, env=env, policy=policy, guard=guard)
        else:
            session = await self._start_pipes(session_id, argv, cwd=cwd, env=env, policy=policy, guard=guard)
        self._sessions[session_id] = session
        if len(self._sessions) >= self.warn_at:
            notes.append(
                f"Warning: {len(self._sessions)} interactive sessions are open (at most {self.max_sessions}; the "
                "least recently used are closed beyond that). Finish or exit sessions you no longer need."
            )
        return session, notes

    def _start_pty(
        self,
        session_id: int,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        policy: SandboxPolicy,
        guard: MetadataGuard | None,
    ) -> ProcessSession:
        proc, master = spawn_pty(argv, cwd=str(cwd), env=env, policy=policy, rows=PTY_ROWS, cols=PTY_COLS)
        return ProcessSession(
            session_id,
            argv,
            proc,
            read_fd=master,
            write_fd=master,
            tty=True,
            buffer_bytes=self.buffer_bytes,
            guard=guard,
        )

    async def _start_pipes(
        self,
        session_id: int,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        policy: SandboxPolicy,
        guard: MetadataGuard | None,
    ) -> ProcessSession:
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        try:
            proc = await spawn(
                argv, cwd=str(cwd), env=env, policy=policy, stdio=(in_r, out_w, out_w), launcher=self.launcher
            )
        except BaseException:
            os.close(in_w)
            os.close(out_r)
            raise
        finally:
            os.close(in_r)
            os.close(out_w)
        return ProcessSession(
            session_id, argv, proc, read_fd=out_r, write_fd=in_w, tty=False, buffer_bytes=self.buffer_bytes, guard=guard
        )

    def terminate_all(self) -> None:
        """Kill every session's process group now (interrupt); the sessions are forgotten."""
        sessions, self._sessions = list(self._sessions.values()), {}
        for s in sessions:
            s.kill()

    async def aclose(self) -> None:
        """Kill every session and wait until the processes are reaped."""
        sessions = list(self._sessions.values())
        self.terminate_all()
        if sessions and self._loop is asyncio.get_running_loop():
            await asyncio.gather(*(s.wait_closed() for s in sessions))
        if self._reapers:
            await asyncio.gather(*self._reapers, return_exceptions=True)
