"""Shell tool calls: approval assessment, sandboxed execution, denial retry, events."""

from __future__ import annotations

import asyncio
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codex_core.agent.runtime import ToolCall, TurnRuntime, sandbox_log, tool_output
from codex_core.errors import ExecPolicyError
from codex_core.exec.user_shell_path import default_user_shell
from codex_core.protocol.events import (
    ApprovalRequested,
    CommandExecutionItem,
    ItemCompleted,
    ItemDelta,
    ItemStarted,
)
from codex_core.protocol.items import CustomToolCallOutput, FunctionCallOutput

__all__ = ["DEFAULT_TIMEOUT_MS", "handle_shell"]

DEFAULT_TIMEOUT_MS = 10_000


def _display(argv: Sequence[str]) -> str:
    if len(argv) == 3 and argv[0] in ("bash", "/bin/bash", "sh", "/bin/sh", "zsh") and argv[1] in ("-lc", "-c"):
        return argv[2]
    return shlex.join(argv)


def _parse(call: ToolCall, rt: TurnRuntime) -> tuple[list[str], Path, int, dict[str, Any]]:
    if call.kind == "local_shell":
        argv = list(call.local_shell_argv or ())
        workdir, timeout, extra = call.local_shell_workdir, call.local_shell_timeout_ms, {}
    else:
        args = call.parse_arguments()
        cmd = args.get("command")
        if call.name == "shell_command" and isinstance(cmd, str):
            argv = [default_user_shell(), "-lc" if args.get("login", True) else "-c", cmd]
        elif isinstance(cmd, list) and cmd and all(isinstance(c, str) for c in cmd):
            argv = list(cmd)
        else:
            raise ValueError("`command` must be a non-empty array of strings")
        workdir, timeout, extra = args.get("workdir"), args.get("timeout_ms"), args
    if any("\x00" in part for part in argv) or (isinstance(workdir, str) and "\x00" in workdir):
        raise ValueError("`command` and `workdir` must not contain NUL bytes")
    cwd = rt.cwd
    if isinstance(workdir, str) and workdir:
        cwd = (rt.cwd / workdir).resolve() if not Path(workdir).is_absolute() else Path(workdir)
    if not cwd.is_dir():
        raise ValueError(f"workdir {cwd} does not exist or is not a directory")
    timeout_ms = int(timeout) if isinstance(timeout, int | float) and timeout > 0 else DEFAULT_TIMEOUT_MS
    return argv, cwd, timeout_ms, extra


async def handle_shell(call: ToolCall, rt: TurnRuntime) -> FunctionCallOutput | CustomToolCallOutput:
    from codex_core.apply_patch import ApplyPatchDetectError, ApplyPatchInvocation, detect_apply_patch

    argv, cwd, timeout_ms, extra = _parse(call, rt)
    detected = detect_apply_patch(argv, cwd)
    if isinstance(detected, ApplyPatchInvocation):
        from codex_core.agent.patch_handler import run_patch

        return await run_patch(call, rt, detected.patch_text, detected.cwd)
    if isinstance(detected, ApplyPatchDetectError):
        return tool_output(call, detected.message, success=False)
    return await _run_shell(call, rt, argv, cwd, timeout_ms, extra)


async def _run_shell(
    call: ToolCall, rt: TurnRuntime, argv: list[str], cwd: Path, timeout_ms: int, extra: dict[str, Any]
) -> FunctionCallOutput | CustomToolCallOutput:
    from codex_core.approvals import assess_command, assess_retry_after_denial

    state = rt.state
    item_id = state.next_item_id()
    display = _display(argv)
    escalation = extra.get("sandbox_permissions") == "require_escalated"
    prefix = extra.get("prefix_rule")
    assessment = assess_command(
        argv,
        cwd=cwd,
        approval_policy=rt.approval_setting,
        sandbox_mode=rt.sandbox_mode,
        policy=state.exec_policy,
        search_path=rt.command_env().get("PATH", os.defpath),  # known-safe programs are judged on it
        escalation_requested=escalation,
        session_approvals=state.session_approvals,
        justification=extra.get("justification") if isinstance(extra.get("justification"), str) else None,
        suggested_prefix_rule=prefix if isinstance(prefix, list) and all(isinstance(p, str) for p in prefix) else None,
    )
    log_assessment(call, display, assessment, rt)
    if assessment.action == "reject":
        await _declined(rt, item_id, display)
        return tool_output(call, f"command rejected: {assessment.reason}", success=False)
    sandboxed = assessment.action == "run-sandboxed"
    if assessment.action == "ask":
        outcome = await _ask(rt, item_id, argv, cwd, assessment)
        sandbox_log.debug("approval answer", call_id=call.call_id, approved=outcome is not None, sandboxed=outcome)
        if outcome is None:
            await _declined(rt, item_id, display)
            return tool_output(call, "command rejected by user", success=False)
        sandboxed = outcome

    result = await _execute(rt, item_id, display, argv, cwd, timeout_ms, sandboxed=sandboxed)
    if sandboxed and result.sandbox_denied:
        retry = assess_retry_after_denial(
            argv,
            approval_policy=rt.approval_setting,
            sandbox_mode=rt.sandbox_mode,
            policy=state.exec_policy,
            session_approvals=state.session_approvals,
        )
        rerun = retry.action == "rerun-unsandboxed"
        sandbox_log.info("sandbox denied", call_id=call.call_id, denial=result.sandbox_denied, retry=retry.action)
        if retry.action == "ask":
            reason = retry.reason or f"command failed in the sandbox ({result.sandbox_denied}); retry without sandbox?"
            # approved -> rerun outside the sandbox; "approved_sandboxed" would only repeat the failure
            rerun = await _ask(rt, item_id, argv, cwd, retry, reason=reason) is False
        if rerun:
            sandbox_log.info("escalating: rerun without the sandbox", call_id=call.call_id, command=display)
            # the rerun is a new command execution (one start and one completion per item)
            result = await _execute(rt, state.next_item_id(), display, argv, cwd, timeout_ms, sandboxed=False)
    from codex_core.exec import format_exec_output_for_model

    text = format_exec_output_for_model(result, freeform=state.config.feature("apply_patch_freeform"))
    return tool_output(call, text, success=result.exit_code == 0)


def log_assessment(call: ToolCall, display: str, assessment: Any, rt: TurnRuntime) -> None:
    """The approval verdict on a model command, for ``codex_core.sandbox`` debug logs."""
    sandbox_log.debug(
        "command assessed", call_id=call.call_id, command=display, action=assessment.action,
        decided_by=assessment.decided_by, reason=assessment.reason, sandbox_mode=rt.sandbox_mode,
    )  # fmt: skip


async def _ask(
    rt: TurnRuntime, item_id: str, argv: list[str], cwd: Path, assessment: Any, *, reason: str | None = None
) -> bool | None:
    """Ask the user about ``assessment`` (an ``ExecAssessment`` or ``RetryAssessment``).

    Returns whether the approved run stays sandboxed, ``None`` when denied; ``abort`` ends the turn.
    """
    from codex_core.approvals import apply_review_decision

    state = rt.state
    decision = await rt.request_approval(
        ApprovalRequested(
            request_id=state.next_request_id(),
            kind="exec",
            item_id=item_id,
            command=argv,
            cwd=str(cwd),
            reason=reason or assessment.reason,
            proposed_rule=list(assessment.proposed_rule) if assessment.proposed_rule else None,
        )
    )
    try:
        rev = apply_review_decision(
            assessment,
            decision,
            command=argv,
            session_approvals=state.session_approvals,
            codex_home=state.config.codex_home,
        )
    except ExecPolicyError as exc:  # the rule could not be saved: still honour the user's answer
        from codex_core.approvals import review_outcome
        from codex_core.protocol.events import Warning

        await rt.emit(Warning(message=f"could not save the approved rule: {exc}"))
        rev = review_outcome(assessment, decision)
    if rev.action == "abort":
        raise asyncio.CancelledError("aborted by user")
    if rev.action == "skip":
        return None
    if rev.persist_prefix is not None and hasattr(state.exec_policy, "with_prefix_rule"):
        state.exec_policy = state.exec_policy.with_prefix_rule(rev.persist_prefix)
    return rev.action == "run-sandboxed"


async def _declined(rt: TurnRuntime, item_id: str, display: str) -> None:
    await rt.emit(ItemCompleted(item=CommandExecutionItem(id=item_id, command=display, status="declined")))


async def _execute(
    rt: TurnRuntime, item_id: str, display: str, argv: list[str], cwd: Path, timeout_ms: int, *, sandboxed: bool
) -> Any:
    from codex_core.exec import run_command

    state = rt.state
    policy = rt.command_sandbox(sandboxed=sandboxed)
    env = rt.command_env()
    await rt.emit(ItemStarted(item=CommandExecutionItem(id=item_id, command=display)))
    sandbox_log.debug("command launch", item_id=item_id, command=display, cwd=cwd, sandbox=policy.kind)
    loop = asyncio.get_running_loop()
    pending: list[asyncio.Task[None]] = []

    def on_output(_stream: str, chunk: bytes) -> None:
        text = chunk.decode("utf-8", errors="replace")
        pending.append(loop.create_task(rt.emit(ItemDelta(item_id=item_id, kind="command_output", delta=text))))

    try:
        result = await run_command(argv, cwd=cwd, policy=policy, env=env, timeout_ms=timeout_ms, on_output=on_output)
    except asyncio.CancelledError:
        # the command was killed (interrupt): its item must not stay "in progress"
        await rt.emit(ItemCompleted(item=CommandExecutionItem(id=item_id, command=display, status="failed")))
        raise
    await asyncio.gather(*pending)
    sandbox_log.debug(
        "command end", item_id=item_id, exit_code=result.exit_code, duration_ms=result.duration_s * 1000,
        timed_out=result.timed_out, denied=result.sandbox_denied,
    )  # fmt: skip
    status = "completed" if result.exit_code == 0 else "failed"
    await rt.emit(
        ItemCompleted(
            item=CommandExecutionItem(
                id=item_id,
                command=display,
                aggregated_output=result.aggregated_output,
                exit_code=result.exit_code,
                status=status,
            )
        )
    )
    state.record_event({"type": "exec_command_end", "call_id": item_id, "exit_code": result.exit_code})
    return result
