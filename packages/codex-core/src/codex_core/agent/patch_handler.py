"""``apply_patch`` tool calls (function, freeform, or detected inside a shell call)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from codex_core.agent.runtime import ToolCall, TurnRuntime, tool_output
from codex_core.config import ApprovalPolicy, SandboxMode
from codex_core.errors import PatchError
from codex_core.protocol.events import ApprovalRequested, FileChange, FileChangeItem, ItemCompleted
from codex_core.protocol.items import CustomToolCallOutput, FunctionCallOutput

__all__ = ["PatchSafety", "assess_patch", "handle_apply_patch", "run_patch", "writable_roots"]

PatchSafety = Literal["auto", "ask", "reject"]


def writable_roots(rt: TurnRuntime) -> list[Path]:
    cfg = rt.state.config
    roots = [rt.cwd, *cfg.sandbox_workspace_write.writable_roots]
    return [r.resolve() for r in roots]


def assess_patch(
    *, touched: list[Path], roots: list[Path], sandbox_mode: SandboxMode, approval_policy: ApprovalPolicy
) -> PatchSafety:
    """Pure decision for a patch: apply without asking, ask the user, or refuse."""
    if approval_policy == "untrusted":
        return "ask"  # only known-safe read-only commands run unasked under `untrusted`
    if sandbox_mode == "danger-full-access":
        return "auto"
    inside = sandbox_mode == "workspace-write" and all(
        any(p.resolve().is_relative_to(r) and not _protected(p.resolve(), r) for r in roots) for p in touched
    )
    if inside:
        return "auto"
    return "reject" if approval_policy == "never" else "ask"


def _protected(path: Path, root: Path) -> bool:
    rel = path.relative_to(root).parts
    return bool(rel) and rel[0] in (".git", ".codex", ".agents")


def _changes(result: object) -> list[FileChange]:
    from codex_core.apply_patch import PatchResult

    assert isinstance(result, PatchResult)
    out: list[FileChange] = []
    for c in result.changes:
        out.append(FileChange(path=str(c.destination), kind=c.kind, diff=c.unified_diff()))
    return out


async def run_patch(call: ToolCall, rt: TurnRuntime, text: str, cwd: Path) -> FunctionCallOutput | CustomToolCallOutput:
    from codex_core.apply_patch import apply_patch, preview_patch

    state = rt.state
    try:
        preview = preview_patch(text, cwd=cwd)
    except PatchError as exc:
        return tool_output(call, f"apply_patch verification failed: {exc}", success=False)
    changes = _changes(preview)
    touched = [c.path for c in preview.changes] + [c.move_path for c in preview.changes if c.move_path is not None]
    roots = writable_roots(rt)
    safety = assess_patch(
        touched=touched, roots=roots, sandbox_mode=rt.sandbox_mode, approval_policy=rt.approval_policy
    )
    item_id = state.next_item_id()
    allowed: list[Path] | None = roots if rt.sandbox_mode != "danger-full-access" else None
    if safety == "reject":
        await rt.emit(ItemCompleted(item=FileChangeItem(id=item_id, changes=changes, status="failed")))
        return tool_output(
            call,
            "patch rejected: it writes outside the writable roots and the approval policy is `never`",
            success=False,
        )
    if safety == "ask":
        decision = await rt.request_approval(
            ApprovalRequested(
                request_id=state.next_request_id(),
                kind="patch",
                item_id=item_id,
                cwd=str(cwd),
                changes=changes,
                reason="apply_patch wants to edit files",
            )
        )
        if decision in ("denied", "abort"):
            await rt.emit(ItemCompleted(item=FileChangeItem(id=item_id, changes=changes, status="failed")))
            if decision == "abort":
                raise _abort()
            return tool_output(call, "patch rejected by user", success=False)
        allowed = None
    try:
        result = apply_patch(text, cwd=cwd, allowed_roots=allowed)
    except PatchError as exc:
        await rt.emit(ItemCompleted(item=FileChangeItem(id=item_id, changes=changes, status="failed")))
        return tool_output(call, f"apply_patch failed: {exc}", success=False)
    await rt.emit(ItemCompleted(item=FileChangeItem(id=item_id, changes=_changes(result), status="completed")))
    state.record_event({"type": "patch_apply_end", "call_id": call.call_id, "success": True, "diff": result.diff})
    return tool_output(call, result.summary(), success=True)


def _abort() -> BaseException:
    import asyncio

    return asyncio.CancelledError("aborted by user")


async def handle_apply_patch(call: ToolCall, rt: TurnRuntime) -> FunctionCallOutput | CustomToolCallOutput:
    if call.kind == "custom":
        text = call.arguments
    else:
        raw = call.parse_arguments().get("input")
        if not isinstance(raw, str):
            return tool_output(call, "apply_patch requires a string `input` with the whole patch", success=False)
        text = raw
    return await run_patch(call, rt, text, rt.cwd)
