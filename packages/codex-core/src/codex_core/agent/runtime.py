"""Per-turn runtime handed to tool handlers: settings, event emission, approval round trips."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Literal

import attrs

from codex_core.agent.state import ApprovalDecision, Emit, ThreadState
from codex_core.config import ApprovalPolicy, SandboxMode
from codex_core.logging import get_logger
from codex_core.protocol.events import ApprovalRequested, ItemStarted, ItemUpdated, TodoEntry, TodoListItem
from codex_core.protocol.items import CustomToolCallOutput, FunctionCallOutput, InputImage, InputText

__all__ = ["ToolCall", "TurnRuntime", "tool_output"]


@attrs.frozen
class ToolCall:
    call_id: str
    name: str
    kind: Literal["function", "custom", "local_shell"]
    arguments: str
    """JSON text for function calls, raw input for custom calls."""
    local_shell_argv: tuple[str, ...] | None = None
    local_shell_workdir: str | None = None
    local_shell_timeout_ms: int | None = None
    namespace: str | None = None
    """The namespace the model named with a function call (a namespaced dynamic tool)."""

    def parse_arguments(self) -> dict[str, Any]:
        """Parse JSON arguments; raises ``ValueError`` with a message meant for the model."""
        try:
            value = json.loads(self.arguments or "{}")
        except json.JSONDecodeError as exc:
            raise ValueError(f"failed to parse function arguments: {exc}") from None
        if not isinstance(value, dict):
            raise ValueError("failed to parse function arguments: expected a JSON object")
        return value


sandbox_log = get_logger("codex_core.sandbox.decision")
"""Sandbox decisions of model commands: the policy, the approval verdict, launches, denials."""


def tool_output(
    call: ToolCall, output: str | list[InputText | InputImage], *, success: bool
) -> FunctionCallOutput | CustomToolCallOutput:
    if call.kind == "custom":
        text = output if isinstance(output, str) else "\n".join(p.text for p in output if isinstance(p, InputText))
        return CustomToolCallOutput(call_id=call.call_id, output=text)
    return FunctionCallOutput(
        call_id=call.call_id, output=list(output) if not isinstance(output, str) else output, success=success
    )


@attrs.define(kw_only=True)
class TurnRuntime:
    state: ThreadState
    emit: Emit
    turn_id: str
    cwd: Path
    approval_policy: ApprovalPolicy
    sandbox_mode: SandboxMode
    output_schema: dict[str, Any] | None = None
    todo_item_id: str | None = None
    todo_entries: list[TodoEntry] = attrs.field(factory=list)
    extra_input: list[Any] = attrs.field(factory=list)
    """Items to send with the next request: a tool's additions after its output (e.g. ``view_image``
    images) and user input steered into the running turn (``Thread.steer``)."""
    accepting_input: bool = True
    """False once the turn has decided to end: steered input would no longer be sent."""

    @property
    def approval_setting(self) -> Any:
        """``approval_policy`` for ``codex_core.approvals``: a ``GranularApproval`` when configured."""
        from codex_core.approvals import approval_setting

        return approval_setting(self.approval_policy, self.state.config.approval_granular)

    def command_sandbox(self, *, sandboxed: bool) -> Any:
        """The ``SandboxPolicy`` for a model command: this turn's mode and cwd, or full access
        (an approved escalation); the thread's network proxy is routed in when it runs."""
        from codex_core.sandbox import SandboxPolicy

        if not sandboxed:
            policy = SandboxPolicy.danger_full_access()
        else:
            cfg = attrs.evolve(self.state.config, sandbox_mode=self.sandbox_mode, cwd=self.cwd)
            policy = SandboxPolicy.from_config(cfg, proxy=self.state.proxy)
        sandbox_log.debug(
            "sandbox policy", sandboxed=sandboxed, kind=policy.kind, network=policy.network_mode_name,
            writable_roots=policy.writable_roots, permissions=self.state.config.default_permissions,
        )  # fmt: skip
        return policy

    def command_env(self) -> dict[str, str]:
        """The environment of a model command: ``shell_environment_policy`` plus the proxy variables."""
        import os

        from codex_core.exec import build_env

        state = self.state
        env = build_env(state.config.shell_environment_policy, os.environ, thread_id=state.thread_id)
        env.update(state.proxy_env)
        return env

    async def request_approval(self, event: ApprovalRequested) -> ApprovalDecision:
        """Emit ``approval.requested`` and wait for ``Thread.respond_approval``."""
        fut: asyncio.Future[ApprovalDecision] = asyncio.get_running_loop().create_future()
        self.state.pending_approvals[event.request_id] = fut
        try:
            await self.emit(event)
            return await fut
        finally:
            self.state.pending_approvals.pop(event.request_id, None)
            self.state.closed_approvals.add(event.request_id)

    async def update_todo(self, entries: list[TodoEntry]) -> None:
        self.todo_entries = entries
        if self.todo_item_id is None:
            self.todo_item_id = self.state.next_item_id()
            await self.emit(ItemStarted(item=TodoListItem(id=self.todo_item_id, items=entries)))
        else:
            await self.emit(ItemUpdated(item=TodoListItem(id=self.todo_item_id, items=entries)))
