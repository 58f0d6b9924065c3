"""``apply_patch`` tool calls (function, freeform, or detected inside a shell call).

Every patch is judged against the same :class:`~codex_core.sandbox.SandboxPolicy` as the turn's
commands (``TurnRuntime.command_sandbox``), and a patch applied without asking is written by a
child process under that very policy (:mod:`codex_core.apply_patch.sandboxed`), so permission
profiles, carve-outs and ``none`` paths hold, and no symlink swap can redirect a write. Only a
patch the user approved (or any patch under ``danger-full-access``) is applied by this process.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from codex_core.agent.runtime import ToolCall, TurnRuntime, tool_output
from codex_core.config import ApprovalPolicy
from codex_core.errors import PatchError
from codex_core.protocol.events import ApprovalRequested, FileChange, FileChangeItem, ItemCompleted
from codex_core.protocol.items import CustomToolCallOutput, FunctionCallOutput

if TYPE_CHECKING:
    from codex_core.apply_patch import Patch, PatchResult
    from codex_core.sandbox import SandboxPolicy

__all__ = ["PatchSafety", "assess_patch", "handle_apply_patch", "patch_targets", "run_patch"]

PatchSafety = Literal["auto", "ask", "reject"]


def patch_targets(patch: Patch, cwd: Path) -> list[Path]:
    """Every directory entry ``patch`` would create, replace or remove, symlinks resolved.

    Read from the patch alone (no file contents are read). A deleted path (and a move's source)
    is the entry itself, so deleting a link is judged by where the link is, not its target.
    """
    from codex_core.apply_patch import DeleteFile, UpdateFile

    def entry(raw: str) -> Path:
        named = os.path.normpath(os.path.join(cwd, raw))
        return Path(os.path.realpath(os.path.dirname(named))) / os.path.basename(named)

    out: list[Path] = []
    for hunk in patch.hunks:
        if isinstance(hunk, DeleteFile):
            out.append(entry(hunk.path))
            continue
        out.append(Path(os.path.realpath(os.path.join(cwd, hunk.path))))
        if isinstance(hunk, UpdateFile) and hunk.move_path is not None:
            out.append(entry(hunk.path))
            out.append(Path(os.path.realpath(os.path.join(cwd, hunk.move_path))))
    return out


def assess_patch(*, targets: Sequence[Path], policy: SandboxPolicy, approval_policy: ApprovalPolicy) -> PatchSafety:
    """Pure decision for a patch: apply it in the sandbox without asking, ask the user, or refuse."""
    if approval_policy == "untrusted":
        return "ask"  # only known-safe read-only commands run unasked under `untrusted`
    if all(policy.allows_write(t) for t in targets):
        return "auto"
    return "reject" if approval_policy == "never" else "ask"


def _changes(result: PatchResult) -> list[FileChange]:
    return [FileChange(path=str(c.destination), kind=c.kind, diff=c.unified_diff()) for c in result.changes]


def _planned_changes(patch: Patch, cwd: Path) -> list[FileChange]:
    """What the patch names, without reading any file (for a refused patch)."""
    from codex_core.apply_patch import AddFile, DeleteFile

    out: list[FileChange] = []
    for hunk in patch.hunks:
        kind: Literal["add", "delete", "update"] = (
            "add" if isinstance(hunk, AddFile) else "delete" if isinstance(hunk, DeleteFile) else "update"
        )
        out.append(FileChange(path=os.path.normpath(os.path.join(cwd, hunk.path)), kind=kind))
    return out


async def _in_sandbox(text: str, cwd: Path, policy: SandboxPolicy, *, dry_run: bool) -> PatchResult:
    """Apply or preview ``text`` confined by ``policy``; in this process only for full access or
    where no sandbox exists (then limited to the writable roots by path checks, as before)."""
    from codex_core.apply_patch import apply_patch
    from codex_core.apply_patch.sandboxed import apply_patch_sandboxed
    from codex_core.sandbox import linux_sandbox_support

    if policy.is_unrestricted:
        return await asyncio.to_thread(apply_patch, text, cwd=cwd, dry_run=dry_run)
    if not linux_sandbox_support().available:
        roots = None if dry_run else list(policy.writable_roots)
        return await asyncio.to_thread(apply_patch, text, cwd=cwd, allowed_roots=roots, dry_run=dry_run)
    return await apply_patch_sandboxed(text, cwd=cwd, policy=policy, mode="preview" if dry_run else "apply")


def _failure_text(exc: PatchError) -> str:
    from codex_core.apply_patch import PatchConflictError, PatchSyntaxError

    if isinstance(exc, PatchSyntaxError | PatchConflictError):
        return f"apply_patch verification failed: {exc}"
    return f"apply_patch failed: {exc}"


async def run_patch(call: ToolCall, rt: TurnRuntime, text: str, cwd: Path) -> FunctionCallOutput | CustomToolCallOutput:
    from codex_core.apply_patch import apply_patch, parse_patch

    state = rt.state
    try:
        patch = parse_patch(text)
    except PatchError as exc:
        return tool_output(call, f"apply_patch verification failed: {exc}", success=False)
    policy = rt.command_sandbox(sandboxed=True)
    safety = assess_patch(targets=patch_targets(patch, cwd), policy=policy, approval_policy=rt.approval_policy)
    item_id = state.next_item_id()

    async def failed(changes: list[FileChange], message: str) -> FunctionCallOutput | CustomToolCallOutput:
        await rt.emit(ItemCompleted(item=FileChangeItem(id=item_id, changes=changes, status="failed")))
        return tool_output(call, message, success=False)

    if safety == "reject":
        return await failed(
            _planned_changes(patch, cwd),
            "patch rejected: it writes outside the writable roots (or into read-only paths such as .git) "
            "and the approval policy is `never`",
        )
    try:
        if safety == "auto":
            result = await _in_sandbox(text, cwd, policy, dry_run=False)
        else:
            preview = await _in_sandbox(text, cwd, policy, dry_run=True)  # reads confined like a command's
            changes = _changes(preview)
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
                output = await failed(changes, "patch rejected by user")
                if decision == "abort":
                    raise _abort()
                return output
            # approved: the user allowed exactly this edit outside the sandbox
            result = await asyncio.to_thread(apply_patch, text, cwd=cwd)
    except PatchError as exc:
        return await failed(_planned_changes(patch, cwd), _failure_text(exc))
    await rt.emit(ItemCompleted(item=FileChangeItem(id=item_id, changes=_changes(result), status="completed")))
    state.record_event({"type": "patch_apply_end", "call_id": call.call_id, "success": True, "diff": result.diff})
    return tool_output(call, result.summary(), success=True)


def _abort() -> BaseException:
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
