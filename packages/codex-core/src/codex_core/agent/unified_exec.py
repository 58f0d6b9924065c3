"""Unified exec tools (spec 3.2, 5.3): ``exec_command`` starts an interactive process (PTY or
pipes), ``write_stdin`` types into it or polls it.

``exec_command`` is assessed by approvals exactly like the ``shell`` tool, runs under the turn's
sandbox policy and opens a ``command_execution`` item (``item.started``); output streams as
``item.delta``; the item completes (``item.completed``) when the process exits, either within
the call or in a later ``write_stdin``. A process still running when the turn ends keeps its
session (pollable in later turns) but its item is completed by ``UnifiedExec.end_turn``; the next
``write_stdin`` to it opens a new item.

Output to the model is plain text::

    Chunk ID: 1a2b3c
    Wall time: 0.2513 seconds
    Process running with session ID 1000      (or: Process exited with code 0)
    Original token count: 52000               (only when truncated)
    Output:
    <output since the previous call, truncated to max_output_tokens>
"""

from __future__ import annotations

import asyncio
import codecs
import math
import os
import secrets
import shlex
import time
from pathlib import Path
from typing import Any

import attrs

from codex_core.agent.runtime import ToolCall, TurnRuntime, sandbox_log, tool_output
from codex_core.agent.shell_handler import _ask, _declined, log_assessment
from codex_core.agent.tool_specs import _APPROVAL_PROPS
from codex_core.exec.capture import DEFAULT_CAPTURE_BYTES, HeadTailBuffer
from codex_core.exec.sessions import ProcessSession, ProcessSessionManager, SessionClosedError, SessionOutput
from codex_core.exec.user_shell_path import default_user_shell
from codex_core.protocol.events import CommandExecutionItem, ItemCompleted, ItemDelta, ItemStarted, Warning
from codex_core.protocol.items import CustomToolCallOutput, FunctionCallOutput

__all__ = [
    "DEFAULT_EXEC_YIELD_MS",
    "DEFAULT_MAX_OUTPUT_TOKENS",
    "DEFAULT_WRITE_YIELD_MS",
    "EMPTY_POLL_MIN_YIELD_MS",
    "MAX_YIELD_MS",
    "MIN_YIELD_MS",
    "UNIFIED_EXEC_ENV",
    "UnifiedExec",
    "exec_command_tool",
    "format_unified_output",
    "truncate_tokens",
    "write_stdin_tool",
]

DEFAULT_EXEC_YIELD_MS = 10_000
DEFAULT_WRITE_YIELD_MS = 250
MIN_YIELD_MS = 250
MAX_YIELD_MS = 30_000
EMPTY_POLL_MIN_YIELD_MS = 5_000
DEFAULT_MAX_OUTPUT_TOKENS = 10_000
UNIFIED_EXEC_ENV: dict[str, str] = {
    "NO_COLOR": "1",
    "TERM": "dumb",
    "LANG": "C.UTF-8",
    "LC_CTYPE": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "COLORTERM": "",
    "PAGER": "cat",
    "GIT_PAGER": "cat",
    "GH_PAGER": "cat",
    "CODEX_CI": "1",
}
"""Set for every unified exec process: plain, non-paged, UTF-8 output."""

Output = FunctionCallOutput | CustomToolCallOutput


def exec_command_tool() -> dict[str, Any]:
    """The ``exec_command`` function tool spec."""
    return {
        "type": "function",
        "name": "exec_command",
        "description": (
            "Runs a command in a PTY (tty=true) or with pipes, returning output or a session ID for ongoing "
            "interaction. If the process is still running after yield_time_ms, pass the session ID to "
            "write_stdin to send input or to poll for more output."
        ),
        "strict": False,
        "parameters": {
            "type": "object",
            "properties": {
                "cmd": {"type": "string", "description": "Shell command to execute."},
                "workdir": {"type": "string", "description": "Working directory (defaults to the turn's cwd)."},
                "shell": {"type": "string", "description": "Shell binary to launch (defaults to the user's shell)."},
                "tty": {
                    "type": "boolean",
                    "description": "Allocate a pseudo-terminal (for interactive programs). Defaults to false.",
                },
                "login": {"type": "boolean", "description": "Run the shell with -l (default true)."},
                "yield_time_ms": {
                    "type": "number",
                    "description": "How long to wait for output before returning (250..30000, default 10000).",
                },
                "max_output_tokens": {
                    "type": "number",
                    "description": "Maximum number of tokens of output to return (default 10000).",
                },
                **_APPROVAL_PROPS,
            },
            "required": ["cmd"],
            "additionalProperties": False,
        },
    }


def write_stdin_tool() -> dict[str, Any]:
    """The ``write_stdin`` function tool spec."""
    return {
        "type": "function",
        "name": "write_stdin",
        "description": (
            "Writes characters to an existing exec_command session and returns its recent output. "
            "Send empty chars to poll a running process for more output."
        ),
        "strict": False,
        "parameters": {
            "type": "object",
            "properties": {
                "session_id": {"type": "number", "description": "ID of the running exec_command session."},
                "chars": {"type": "string", "description": "Bytes to write to stdin (may be empty to poll)."},
                "yield_time_ms": {
                    "type": "number",
                    "description": "How long to wait for output before returning (250..30000, default 250).",
                },
                "max_output_tokens": {
                    "type": "number",
                    "description": "Maximum number of tokens of output to return (default 10000).",
                },
            },
            "required": ["session_id"],
            "additionalProperties": False,
        },
    }


def truncate_tokens(text: str, max_tokens: int) -> tuple[str, int | None]:
    """Spec 5.4 token policy: ``(text, None)`` when it fits ``max_tokens * 4`` bytes, else the first
    and last halves around ``…N tokens truncated…`` and the original token count."""
    data = text.encode("utf-8")
    budget = max(max_tokens, 0) * 4
    if len(data) <= budget:
        return text, None
    head = data[: budget // 2].decode("utf-8", errors="ignore")
    tail = data[len(data) - (budget - budget // 2) :].decode("utf-8", errors="ignore") if budget else ""
    removed = len(data) - len(head.encode("utf-8")) - len(tail.encode("utf-8"))
    return f"{head}…{math.ceil(removed / 4)} tokens truncated…{tail}", math.ceil(len(data) / 4)


def format_unified_output(
    *,
    wall_time_s: float,
    exit_code: int | None,
    session_id: int | None,
    output: str,
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS,
    notes: list[str] | None = None,
    chunk_id: str | None = None,
) -> str:
    """The model-facing text of one ``exec_command`` / ``write_stdin`` result (spec 5.3)."""
    body, original = truncate_tokens(output, max_output_tokens)
    lines = [f"Chunk ID: {chunk_id or secrets.token_hex(3)}", f"Wall time: {wall_time_s:.4f} seconds"]
    if exit_code is not None:
        lines.append(f"Process exited with code {exit_code}")
    else:
        lines.append(f"Process running with session ID {session_id}")
    if original is not None:
        lines.append(f"Original token count: {original}")
        # the reference's note, word for word, ahead of the kept head and tail
        body = (
            f"Warning: truncated output (original token count: {original})\n"
            f"Total output lines: {len(output.splitlines())}\n\n{body}"
        )
    lines.extend(notes or ())
    lines += ["Output:", body]
    return "\n".join(lines)


def _clamp_yield(value: Any, default: int) -> int:
    ms = int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default
    return min(max(ms, MIN_YIELD_MS), MAX_YIELD_MS)


def _max_tokens(value: Any, limit: int | None = None) -> int:
    """The model's ``max_output_tokens`` (default 10,000), capped by ``tool_output_token_limit``."""
    wanted = int(value) if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else None
    if limit is None:
        return wanted or DEFAULT_MAX_OUTPUT_TOKENS
    return min(wanted or limit, limit)


def _decoder() -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8")(errors="replace")


@attrs.define
class _OpenItem:
    """The ``command_execution`` item of a session in the current turn."""

    item_id: str
    turn_id: str
    transcript: HeadTailBuffer = attrs.field(factory=lambda: HeadTailBuffer(DEFAULT_CAPTURE_BYTES))
    decoder: codecs.IncrementalDecoder = attrs.field(factory=_decoder)


@attrs.define
class _SessionInfo:
    """What the agent remembers about a session (kept in ``ProcessSession.context``)."""

    display: str
    sandboxed: bool
    policy: Any
    read_decoder: codecs.IncrementalDecoder = attrs.field(factory=_decoder)
    item: _OpenItem | None = None


class UnifiedExec:
    """Per-thread unified exec: the interactive process sessions and their command items.

    Construct with no arguments (or a configured ``ProcessSessionManager``); call
    ``end_turn(rt)`` when a turn finishes, ``terminate_all()`` on interrupt and ``aclose()`` when
    the thread closes.
    """

    def __init__(self, sessions: ProcessSessionManager | None = None) -> None:
        self.sessions = sessions if sessions is not None else ProcessSessionManager()

    # ---- exec_command -------------------------------------------------------------------
    async def exec_command(self, call: ToolCall, rt: TurnRuntime) -> Output:
        """Handle an ``exec_command`` call."""
        from codex_core.apply_patch import ApplyPatchDetectError, ApplyPatchInvocation, detect_apply_patch_script

        args = call.parse_arguments()
        cmd = args.get("cmd")
        if not isinstance(cmd, str) or not cmd.strip():
            raise ValueError("`cmd` must be a non-empty string")
        shell = args.get("shell") if isinstance(args.get("shell"), str) and args.get("shell") else None
        argv = [
            shell or default_user_shell(),
            "-lc" if args.get("login", True) is not False else "-c",
            cmd,
        ]
        cwd = rt.cwd
        workdir = args.get("workdir")
        if isinstance(workdir, str) and workdir:
            cwd = Path(workdir) if Path(workdir).is_absolute() else (rt.cwd / workdir).resolve()
        if not cwd.is_dir():
            raise ValueError(f"workdir {cwd} does not exist or is not a directory")
        detected = detect_apply_patch_script(cmd, cwd)
        if isinstance(detected, ApplyPatchInvocation):
            from codex_core.agent.patch_handler import run_patch

            return await run_patch(call, rt, detected.patch_text, detected.cwd)
        if isinstance(detected, ApplyPatchDetectError):
            return tool_output(call, detected.message, success=False)

        item_id = rt.state.next_item_id()
        display = shlex.join(argv)  # as the reference shows it: `/bin/bash -lc 'echo hi'`
        sandboxed = await self._approve(call, rt, item_id, argv, cwd, display, args)
        if sandboxed is None:
            return tool_output(call, "command rejected by user", success=False)
        if isinstance(sandboxed, str):
            return tool_output(call, sandboxed, success=False)
        return await self._spawn_and_read(call, rt, item_id, argv, cwd, display, args, sandboxed=sandboxed)

    async def _approve(
        self, call: ToolCall, rt: TurnRuntime, item_id: str, argv: list[str], cwd: Path, display: str, args: Any
    ) -> bool | str | None:
        """``True``/``False``: run (sandboxed or not); ``None``: user declined; ``str``: rejected."""
        from codex_core.approvals import assess_command

        state = rt.state
        prefix = args.get("prefix_rule")
        justification = args.get("justification")
        assessment = assess_command(
            argv,
            cwd=cwd,
            approval_policy=rt.approval_setting,
            sandbox_mode=rt.sandbox_mode,
            policy=state.exec_policy,
            search_path=rt.command_env().get("PATH", os.defpath),  # known-safe programs are judged on it
            escalation_requested=args.get("sandbox_permissions") == "require_escalated",
            session_approvals=state.session_approvals,
            justification=justification if isinstance(justification, str) else None,
            suggested_prefix_rule=prefix
            if isinstance(prefix, list) and all(isinstance(p, str) for p in prefix)
            else None,
        )
        log_assessment(call, display, assessment, rt)
        if assessment.action == "reject":
            await _declined(rt, item_id, display)
            return f"command rejected: {assessment.reason}"
        if assessment.action == "ask":
            outcome = await _ask(rt, item_id, argv, cwd, assessment)
            sandbox_log.debug("approval answer", call_id=call.call_id, approved=outcome is not None, sandboxed=outcome)
            if outcome is None:
                await _declined(rt, item_id, display)
            return outcome
        return assessment.action == "run-sandboxed"

    async def _spawn_and_read(
        self,
        call: ToolCall,
        rt: TurnRuntime,
        item_id: str,
        argv: list[str],
        cwd: Path,
        display: str,
        args: dict[str, Any],
        *,
        sandboxed: bool,
    ) -> Output:
        from codex_core.errors import SandboxError

        policy = rt.command_sandbox(sandboxed=sandboxed)
        env = rt.command_env()
        env.update(UNIFIED_EXEC_ENV)
        start = time.monotonic()
        await rt.emit(ItemStarted(item=CommandExecutionItem(id=item_id, command=display)))
        try:
            session, notes = await self.sessions.start(
                argv, cwd=cwd, env=env, policy=policy, tty=args.get("tty") is True
            )
        except (OSError, SandboxError) as exc:
            sandbox_log.info("command launch failed", item_id=item_id, command=display, error=str(exc))
            message = f"failed to start `{display}`: {exc}"
            await rt.emit(
                ItemCompleted(
                    item=CommandExecutionItem(id=item_id, command=display, aggregated_output=message, status="failed")
                )
            )
            return tool_output(call, message, success=False)
        for note in notes:
            if note.startswith("Warning:"):
                await rt.emit(Warning(message=note.removeprefix("Warning: ")))
        sandbox_log.debug("command launch", item_id=item_id, command=display, cwd=cwd, sandbox=policy.kind)
        session.context = _SessionInfo(display=display, sandboxed=sandboxed, policy=policy)
        self._info(session).item = _OpenItem(item_id=item_id, turn_id=rt.turn_id)
        yield_ms = _clamp_yield(args.get("yield_time_ms"), DEFAULT_EXEC_YIELD_MS)
        result = await self._read(rt, session, yield_ms / 1000)
        return await self._answer(
            call,
            rt,
            session,
            result,
            start,
            _max_tokens(args.get("max_output_tokens"), rt.state.config.tool_output_token_limit),
            notes,
        )

    # ---- write_stdin --------------------------------------------------------------------
    async def write_stdin(self, call: ToolCall, rt: TurnRuntime) -> Output:
        """Handle a ``write_stdin`` call (no approval: the process was approved when it started)."""
        args = call.parse_arguments()
        sid = args.get("session_id")
        if isinstance(sid, str) and sid.strip().isdigit():
            sid = int(sid)
        if not isinstance(sid, int | float) or isinstance(sid, bool) or int(sid) != sid:
            raise ValueError("`session_id` must be the number from `Process running with session ID <id>`")
        chars = args.get("chars", "")
        if not isinstance(chars, str):
            raise ValueError("`chars` must be a string")
        session = self.sessions.get(int(sid))
        if session is None:
            return tool_output(
                call, f"Unknown session ID {int(sid)}: the process has exited or was closed", success=False
            )
        start = time.monotonic()
        info = self._info(session)
        if info.item is None or info.item.turn_id != rt.turn_id:
            info.item = _OpenItem(item_id=rt.state.next_item_id(), turn_id=rt.turn_id)
            await rt.emit(ItemStarted(item=CommandExecutionItem(id=info.item.item_id, command=info.display)))
        notes: list[str] = []
        if chars:
            try:
                await session.write(chars.encode("utf-8"))
            except SessionClosedError as exc:
                notes.append(f"Input not delivered: {exc}")
            yield_ms = _clamp_yield(args.get("yield_time_ms"), DEFAULT_WRITE_YIELD_MS)
        else:
            yield_ms = max(_clamp_yield(args.get("yield_time_ms"), DEFAULT_WRITE_YIELD_MS), EMPTY_POLL_MIN_YIELD_MS)
        result = await self._read(rt, session, yield_ms / 1000)
        return await self._answer(
            call,
            rt,
            session,
            result,
            start,
            _max_tokens(args.get("max_output_tokens"), rt.state.config.tool_output_token_limit),
            notes,
        )

    # ---- shared -------------------------------------------------------------------------
    @staticmethod
    def _info(session: ProcessSession) -> _SessionInfo:
        assert isinstance(session.context, _SessionInfo)
        return session.context

    async def _read(self, rt: TurnRuntime, session: ProcessSession, yield_s: float) -> SessionOutput:
        """Stream output as deltas of the session's open item while waiting up to ``yield_s``."""
        item = self._info(session).item
        assert item is not None
        loop = asyncio.get_running_loop()
        pending: list[asyncio.Task[None]] = []

        def on_output(chunk: bytes) -> None:
            item.transcript.write(chunk)
            text = item.decoder.decode(chunk)
            if text:
                pending.append(
                    loop.create_task(rt.emit(ItemDelta(item_id=item.item_id, kind="command_output", delta=text)))
                )

        backlog = session.peek()  # arrived while nobody was listening (between calls or turns)
        if backlog:
            on_output(backlog)
        session.on_output = on_output
        try:
            result = await session.read(yield_s)
        finally:
            session.on_output = None
            await asyncio.gather(*pending)
        return result

    async def _answer(
        self,
        call: ToolCall,
        rt: TurnRuntime,
        session: ProcessSession,
        result: SessionOutput,
        start: float,
        max_tokens: int,
        notes: list[str],
    ) -> Output:
        from codex_core.sandbox.denials import classify_denial, denial_message

        info = self._info(session)
        text = info.read_decoder.decode(result.output, final=not result.running)
        for note in result.notes:  # metadata the process created, moved aside: the user sees it too
            await rt.emit(Warning(message=note))
        notes = [*notes, *result.notes]
        if result.exit_code is not None:
            item = info.item
            assert item is not None
            transcript = item.transcript.getvalue().decode("utf-8", errors="replace")
            if info.sandboxed:
                reason = classify_denial(info.policy, exit_code=result.exit_code, output=transcript)
                if reason:
                    sep = "" if not text or text.endswith("\n") else "\n"
                    text = f"{text}{sep}{denial_message(reason, info.policy)}\n"
            await rt.emit(
                ItemCompleted(
                    item=CommandExecutionItem(
                        id=item.item_id,
                        command=info.display,
                        aggregated_output=transcript,
                        exit_code=result.exit_code,
                        status="completed" if result.exit_code == 0 else "failed",
                    )
                )
            )
            rt.state.record_event({"type": "exec_command_end", "call_id": item.item_id, "exit_code": result.exit_code})
            info.item = None
            self.sessions.remove(session.id)
        out = format_unified_output(
            wall_time_s=time.monotonic() - start,
            exit_code=result.exit_code,
            session_id=session.id,
            output=text,
            max_output_tokens=max_tokens,
            notes=notes,
        )
        return tool_output(call, out, success=result.exit_code in (None, 0))

    async def end_turn(self, rt: TurnRuntime) -> None:
        """Complete the items of processes still running at the end of ``rt``'s turn (their
        sessions stay open; a later ``write_stdin`` opens a new item)."""
        for session in self.sessions.sessions():
            info = session.context
            if not isinstance(info, _SessionInfo) or info.item is None or info.item.turn_id != rt.turn_id:
                continue
            item, info.item = info.item, None
            await rt.emit(
                ItemCompleted(
                    item=CommandExecutionItem(
                        id=item.item_id,
                        command=info.display,
                        aggregated_output=item.transcript.getvalue().decode("utf-8", errors="replace"),
                        status="completed",
                    )
                )
            )

    def terminate_all(self) -> None:
        """Kill every process now (turn interrupted)."""
        self.sessions.terminate_all()

    async def aclose(self) -> None:
        """Kill every process and wait until they are reaped (thread closing)."""
        await self.sessions.aclose()
