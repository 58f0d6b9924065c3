"""A thread loaded by the app-server (``LoadedThread``), its running turn (``ActiveTurn``), and
the conversions between a thread's config and the protocol's settings objects."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codex_core.config import Config
from codex_core.dynamic_tools import DynamicTool
from codex_core.sdk import VERSION, Codex, Thread
from codex_exec.app_server import wire
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, RpcError
from codex_exec.app_server.translate import TurnTranslator, history_turns, now_ms

__all__ = [
    "ActiveTurn",
    "After",
    "LoadedThread",
    "ask_for_approval",
    "plain_policy",
    "resolve_path",
    "sandbox_policy",
]


def resolve_path(raw: str) -> Path:
    """A client-given path, absolute (relative ones are taken from the server's cwd)."""
    return (Path.cwd() / Path(raw).expanduser()).resolve()


def ask_for_approval(config: Config) -> Any:
    """The config's approval policy as the protocol's ``AskForApproval`` (granular form included)."""
    flags = config.approval_granular
    if flags is None:
        return config.approval_policy
    return wire.GranularApproval(granular=wire.GranularApprovalSettings.model_validate(flags.model_dump()))


def plain_policy(policy: Any) -> Any:
    """A policy a loaded thread can switch to: a name (``-32602`` for the granular form, which is
    part of the thread's config: set it with ``thread/start``)."""
    if isinstance(policy, wire.GranularApproval):
        raise RpcError(
            INVALID_PARAMS,
            "Invalid params: a granular `approvalPolicy` can only be set when a thread is started "
            "(thread/start, thread/fork, or thread/resume of a thread that is not loaded)",
        )
    return policy


def sandbox_policy(config: Config) -> wire.SandboxPolicy:
    """The v2 ``SandboxPolicy`` object of a config's sandbox mode."""
    if config.sandbox_mode == "danger-full-access":
        return wire.SandboxPolicy(type="dangerFullAccess")
    if config.sandbox_mode == "read-only":
        return wire.SandboxPolicy(type="readOnly", network_access=False)
    ww = config.sandbox_workspace_write
    return wire.SandboxPolicy(
        type="workspaceWrite", network_access=ww.network_access, writable_roots=[str(r) for r in ww.writable_roots]
    )


@dataclass
class ActiveTurn:
    id: str
    started_at: int
    compaction: bool = False
    started_ms: int = field(default_factory=now_ms)
    interrupted: bool = False
    waiting_approvals: int = 0
    waiting_user_input: int = 0
    task: asyncio.Task[None] | None = None
    translator: TurnTranslator | None = None
    runner: Thread | None = None
    """The SDK thread running this turn when it is not the loaded thread itself (a review)."""

    def interrupt(self, thread: Thread) -> None:
        """Stop the turn: a compaction's task is cancelled, otherwise the SDK thread running it
        (``thread``, or the reviewer) is interrupted and the turn ends as ``interrupted``."""
        self.interrupted = True
        if self.compaction:
            if self.task is not None:
                self.task.cancel()
        else:
            (self.runner or thread).interrupt()


@dataclass
class LoadedThread:
    """A thread this server holds in memory (started or resumed on this connection)."""

    thread: Thread
    codex: Codex
    ephemeral: bool
    created_at: int
    preview: str = ""
    updated_at: int = field(default_factory=lambda: int(time.time()))
    turns: list[wire.Turn] = field(default_factory=list)
    """Turns of the conversation: rebuilt from the rollout on resume, then every turn run here."""
    recorded: set[str] = field(default_factory=set)
    """Ids of the turns the rollout records (all rebuilt ones; a live one once the SDK started it):
    ``thread/fork``'s ``lastTurnId`` counts these, as the rollout does."""
    active: ActiveTurn | None = None
    dynamic_tools: tuple[DynamicTool, ...] = ()
    """The client's tools (``thread/start`` ``dynamicTools``), kept when the thread is reloaded."""
    last_status: dict[str, Any] | None = None
    """The status last reported by ``thread/status/changed`` (``None``: the initial idle one)."""

    def info(self, *, include_turns: bool) -> wire.ThreadInfo:
        cfg = self.thread.config
        if self.active is None:
            status: Any = wire.IdleThreadStatus()
        else:
            flags: list[Any] = ["waitingOnApproval"] if self.active.waiting_approvals else []
            if self.active.waiting_user_input:
                flags.append("waitingOnUserInput")
            status = wire.ActiveThreadStatus(active_flags=flags)
        path = self.thread.rollout_path
        return wire.ThreadInfo(
            id=self.thread.id,
            session_id=self.thread.id,
            preview=self.preview,
            ephemeral=self.ephemeral,
            model_provider=cfg.model_provider_id,
            model=cfg.model,
            created_at=self.created_at,
            updated_at=self.updated_at,
            status=status,
            path=str(path) if path else None,
            cwd=str(cfg.cwd),
            cli_version=VERSION,
            forked_from_id=self.thread.forked_from,
            name=self.thread.name,
            turns=list(self.turns) if include_turns else [],
        )

    def with_saved_turns(self, path: Path | None) -> LoadedThread:
        """Fill ``turns`` from the thread's rollout (resumed and forked threads)."""
        if path is not None:
            from codex_core.session import rollout_turns

            self.turns = history_turns(self.thread.id, rollout_turns(path))
            self.recorded = {t.id for t in self.turns}
        return self

    def start_response(self, *, include_turns: bool) -> wire.ThreadStartResponse:
        cfg = self.thread.config
        return wire.ThreadStartResponse(
            thread=self.info(include_turns=include_turns),
            model=cfg.model,
            model_provider=cfg.model_provider_id,
            cwd=str(cfg.cwd),
            approval_policy=ask_for_approval(cfg),
            sandbox=sandbox_policy(cfg),
            reasoning_effort=cfg.model_reasoning_effort,
        )


After = Callable[[], None]
"""Work to start once a response has been queued (so notifications follow the response)."""
