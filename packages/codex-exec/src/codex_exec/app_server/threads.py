"""Thread and turn methods: ``thread/*`` and ``turn/*`` over ``codex_core.Codex`` / ``Thread``.

Each loaded thread owns one SDK ``Thread`` (and the ``Codex`` built from its config). A turn runs
in its own task that consumes ``Thread.run_streamed`` and forwards translated notifications;
``approval.requested`` events become server -> client requests answered concurrently, so a
waiting approval never blocks ``turn/interrupt`` or other threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import attrs
from pydantic import ValidationError

from codex_core.config import Config, ConfigOverrides, load_config
from codex_core.errors import CodexError, UsageError
from codex_core.logging import get_logger
from codex_core.protocol.events import ApprovalRequested, TurnStarted
from codex_core.sdk import VERSION, Codex, Thread
from codex_core.user_input import UserInputQuestion
from codex_exec.app_server import wire
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, INVALID_REQUEST, Connection, RpcError
from codex_exec.app_server.translate import TurnTranslator, history_turns, now_ms, turn_prompt

__all__ = ["LoadedThread", "ThreadManager", "ask_for_approval", "resolve_path", "sandbox_policy"]

log = get_logger("codex.app_server")

_DECISIONS: dict[str, Any] = {
    "accept": "approved",
    "acceptForSession": "approved_for_session",
    "decline": "denied",
    "cancel": "abort",
}
_SANDBOX_FROM_POLICY = {
    "readOnly": "read-only",
    "workspaceWrite": "workspace-write",
    "dangerFullAccess": "danger-full-access",
}


def resolve_path(raw: str) -> Path:
    """A client-given path, absolute (relative ones are taken from the server's cwd)."""
    return (Path.cwd() / Path(raw).expanduser()).resolve()


def ask_for_approval(config: Config) -> Any:
    """The config's approval policy as the protocol's ``AskForApproval`` (granular form included)."""
    flags = config.approval_granular
    if flags is None:
        return config.approval_policy
    return wire.GranularApproval(granular=wire.GranularApprovalSettings.model_validate(flags.model_dump()))


def _plain(policy: Any) -> Any:
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


class ThreadManager:
    """Implements the thread and turn methods for one connection."""

    def __init__(self, conn: Connection, base: ConfigOverrides, base_config: Config) -> None:
        self.conn = conn
        self.base = base
        self.base_config = base_config
        self.originator = "codex_app_server"
        self.threads: dict[str, LoadedThread] = {}

    # --- helpers --------------------------------------------------------------------------

    def _overrides(self, s: wire.ThreadSettings, *, default_cwd: Path | None = None) -> ConfigOverrides:
        from codex_core.mcp.server_tools import json_to_toml_value

        extra: list[str] = []
        try:
            for key, value in (s.config or {}).items():
                extra.append(f"{key}={json_to_toml_value(value, where=f'config.{key}')}")
            for key, text in (
                ("base_instructions", s.base_instructions),
                ("developer_instructions", s.developer_instructions),
            ):
                if text is not None:
                    extra.append(f"{key}={json_to_toml_value(text, where=key)}")
            approval = s.approval_policy
            if isinstance(approval, wire.GranularApproval):  # a config value, like -c approval_policy=...
                value = {"granular": approval.granular.model_dump()}
                extra.append(f"approval_policy={json_to_toml_value(value, where='approvalPolicy')}")
                approval = None
        except UsageError as exc:
            raise RpcError(INVALID_PARAMS, f"Invalid params: {exc}") from None
        cwd = resolve_path(s.cwd) if s.cwd else (default_cwd or self.base.cwd)
        return attrs.evolve(
            self.base,
            config_overrides=(*self.base.config_overrides, *extra),
            model=s.model or self.base.model,
            model_provider=s.model_provider or self.base.model_provider,
            approval_policy=approval or self.base.approval_policy,
            sandbox_mode=s.sandbox or self.base.sandbox_mode,
            cwd=cwd,
        )

    def _loaded(self, thread_id: str) -> LoadedThread:
        lt = self.threads.get(thread_id)
        if lt is None:
            raise RpcError(INVALID_REQUEST, f"thread {thread_id} is not loaded (start it or call thread/resume)")
        return lt

    def _notify(self, method: str, params: wire.Wire) -> None:
        self.conn.notify(method, params.dump())

    def _register(self, lt: LoadedThread) -> LoadedThread:
        """Route the thread's ``request_user_input`` questions to this client."""

        async def ask(call_id: str, questions: Sequence[UserInputQuestion]) -> dict[str, list[str]]:
            return await self._ask_user(lt, call_id, questions)

        lt.thread.set_user_input_handler(ask)
        return lt

    async def _ask_user(
        self, lt: LoadedThread, call_id: str, questions: Sequence[UserInputQuestion]
    ) -> dict[str, list[str]]:
        """``item/tool/requestUserInput`` to the client; its answers by question id."""
        active = lt.active
        if active is None:
            raise RuntimeError("no turn is running")
        request = wire.ToolRequestUserInputParams(
            thread_id=lt.thread.id,
            turn_id=active.id,
            item_id=call_id,
            questions=[
                wire.ToolRequestUserInputQuestion(
                    id=q.id, header=q.header, question=q.question, is_other=q.is_other, is_secret=q.is_secret,
                    options=None if q.options is None else [
                        wire.ToolRequestUserInputOption(label=o.label, description=o.description) for o in q.options
                    ],
                )
                for q in questions
            ],
        )  # fmt: skip
        active.waiting_user_input += 1
        self._publish_status(lt)
        try:
            result = await self.conn.request("item/tool/requestUserInput", request.dump())
            answers = wire.ToolRequestUserInputResponse.model_validate(result).answers
        except RpcError as exc:
            raise RuntimeError(f"the client answered with an error: {exc.message}") from None
        except ValidationError:
            raise RuntimeError("the client's answer was not a valid ToolRequestUserInputResponse") from None
        finally:
            active.waiting_user_input -= 1
            if lt.active is active:
                self._publish_status(lt)
        return {qid: list(answer.answers) for qid, answer in answers.items()}

    def _publish_status(self, lt: LoadedThread) -> None:
        """``thread/status/changed`` when the thread's status differs from the last one sent."""
        status = lt.info(include_turns=False).status
        dumped = status.dump()
        if dumped == (lt.last_status or {"type": "idle"}):
            return
        lt.last_status = dumped
        self._notify(
            "thread/status/changed", wire.ThreadStatusChangedNotification(thread_id=lt.thread.id, status=status)
        )

    async def unload(self, lt: LoadedThread) -> None:
        """Forget a loaded thread: its running turn is interrupted (and ends), its services close."""
        active = lt.active
        if active is not None and active.task is not None:
            self._interrupt(active, lt.thread)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(active.task), 5)
        self.threads.pop(lt.thread.id, None)
        with contextlib.suppress(Exception):
            await lt.codex.aclose()

    # --- thread/start, thread/resume ------------------------------------------------------

    async def start(self, p: wire.ThreadStartParams) -> tuple[wire.Wire, After]:
        overrides = self._overrides(p)

        def build() -> tuple[Codex, Thread]:
            config = load_config(overrides, codex_home=self.base_config.codex_home)
            codex = Codex(config, originator=self.originator, source="vscode")
            return codex, codex.start_thread(ephemeral=bool(p.ephemeral))

        codex, thread = await asyncio.to_thread(build)
        lt = LoadedThread(thread=thread, codex=codex, ephemeral=bool(p.ephemeral), created_at=int(time.time()))
        self.threads[thread.id] = self._register(lt)
        response = lt.start_response(include_turns=False)
        return response, lambda: self._notify("thread/started", wire.ThreadStartedNotification(thread=response.thread))

    async def resume(self, p: wire.ThreadResumeParams) -> wire.Wire:
        lt = self.threads.get(p.thread_id)
        if lt is None:
            fresh = await asyncio.to_thread(self._resume_from_disk, p)
            lt = self.threads.setdefault(fresh.thread.id, self._register(fresh))
            if lt is not fresh:  # loaded meanwhile (or resumed by an id prefix of a loaded thread)
                await fresh.codex.aclose()
        else:  # already loaded: settings that can change on a live thread are applied
            try:
                lt.thread.override(model=p.model, approval_policy=_plain(p.approval_policy), sandbox_mode=p.sandbox)
            except CodexError as exc:
                raise RpcError(INVALID_REQUEST, str(exc)) from None
        return lt.start_response(include_turns=not p.exclude_turns)

    def _resume_from_disk(self, p: wire.ThreadResumeParams) -> LoadedThread:
        from codex_core.session import find_rollout, session_info

        home = self.base_config.codex_home
        path = find_rollout(home, p.thread_id)
        info = session_info(path)
        if info is None:
            raise RpcError(INVALID_REQUEST, f"{path} is not a readable session file")
        loaded = self.threads.get(info.id)
        if loaded is not None:
            return loaded
        default_cwd = Path(info.cwd) if info.cwd and Path(info.cwd).is_dir() else None
        config = load_config(self._overrides(p, default_cwd=default_cwd), codex_home=home)
        codex = Codex(config, originator=self.originator, source="vscode")
        thread = codex.resume_thread(path)
        updated = int(info.updated_at.timestamp())
        return LoadedThread(
            thread=thread,
            codex=codex,
            ephemeral=False,
            created_at=int(info.created_at.timestamp()) if info.created_at else updated,
            preview=info.preview,
            updated_at=updated,
        ).with_saved_turns(path)

    # --- thread/fork ----------------------------------------------------------------------

    async def fork(self, p: wire.ThreadForkParams) -> tuple[wire.Wire, After]:
        source = None if p.path else self.threads.get(p.thread_id)
        if source is not None and source.active is not None:
            raise RpcError(
                INVALID_REQUEST,
                f"thread {source.thread.id} is running turn {source.active.id}; fork it after the turn ends",
            )
        if source is None and not p.path and not p.thread_id:
            raise RpcError(INVALID_PARAMS, "Invalid params for thread/fork: `threadId` (or a `path`) must not be empty")
        lt = await asyncio.to_thread(self._fork, p, source)
        self.threads[lt.thread.id] = self._register(lt)
        response = lt.start_response(include_turns=not p.exclude_turns)
        return response, lambda: self._notify("thread/started", wire.ThreadStartedNotification(thread=response.thread))

    def _fork(self, p: wire.ThreadForkParams, source: LoadedThread | None) -> LoadedThread:
        from codex_core.session import rollout_turns

        home = self.base_config.codex_home
        origin: Thread | Path
        cwd: Path | None
        if source is not None:
            origin, turns, recorded = source.thread, source.turns, source.recorded
            cwd, preview = source.thread.config.cwd, source.preview
        else:
            from codex_core.session import find_rollout, session_info

            origin = resolve_path(p.path) if p.path else find_rollout(home, p.thread_id)
            info = session_info(origin)
            if info is None:
                raise RpcError(INVALID_PARAMS, f"Invalid params for thread/fork: {origin} is not a Codex session file")
            cwd = Path(info.cwd) if info.cwd and Path(info.cwd).is_dir() else None
            turns = history_turns(info.id, rollout_turns(origin))
            recorded, preview = {t.id for t in turns}, info.preview
        keep = None
        if p.last_turn_id:
            ids = [t.id for t in turns]
            if p.last_turn_id not in ids:
                raise RpcError(
                    INVALID_PARAMS, f"Invalid params for thread/fork: no turn {p.last_turn_id!r} in the thread"
                )
            keep = sum(1 for t in turns[: ids.index(p.last_turn_id) + 1] if t.id in recorded)
        config = load_config(self._overrides(p, default_cwd=cwd), codex_home=home)
        codex = Codex(config, originator=self.originator, source="vscode")
        thread = codex.fork_thread(origin, turns=keep, ephemeral=p.ephemeral)
        fork = LoadedThread(
            thread=thread, codex=codex, ephemeral=p.ephemeral, created_at=int(time.time()), preview=preview
        )
        if thread.rollout_path is not None:
            return fork.with_saved_turns(thread.rollout_path)
        kept = turns if keep is None else [t for t in turns if t.id in recorded][:keep]
        fork.turns = [t.model_copy(update={"id": f"{thread.id}-history-{n}"}) for n, t in enumerate(kept)]
        fork.recorded = {t.id for t in fork.turns}
        return fork

    # --- turn/start -----------------------------------------------------------------------

    async def turn_start(self, p: wire.TurnStartParams) -> tuple[wire.Wire, After]:
        lt = self._loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(INVALID_REQUEST, f"a turn is already running on thread {p.thread_id} ({lt.active.id})")
        prompt, images = turn_prompt(p.input)
        thread = lt.thread
        if p.cwd is not None and resolve_path(p.cwd) != thread.config.cwd.resolve():
            raise RpcError(
                INVALID_PARAMS, "Invalid params: changing `cwd` per turn is not supported; start a new thread"
            )
        sandbox = _SANDBOX_FROM_POLICY.get(p.sandbox_policy.type) if p.sandbox_policy else None
        if p.sandbox_policy is not None and sandbox is None:
            raise RpcError(
                INVALID_PARAMS, f"Invalid params: sandboxPolicy type {p.sandbox_policy.type!r} is not supported"
            )
        try:
            thread.override(model=p.model, approval_policy=_plain(p.approval_policy), sandbox_mode=sandbox)  # type: ignore[arg-type]
        except CodexError as exc:
            raise RpcError(INVALID_REQUEST, str(exc)) from None
        ignored = [name for name, value in (("effort", p.effort), ("summary", p.summary)) if value is not None]
        active = ActiveTurn(id=str(uuid.uuid4()), started_at=int(time.time()))
        lt.active = active
        if not lt.preview:
            lt.preview = next((i.text for i in p.input if isinstance(i, wire.TextInput)), "")[:200]
        turn = wire.Turn(id=active.id, status="inProgress", started_at=active.started_at)

        def launch() -> None:
            for name in ignored:
                msg = f"turn/start: `{name}` cannot be changed per turn yet and was ignored"
                self._notify("warning", wire.WarningNotification(message=msg, thread_id=thread.id))
            active.task = asyncio.create_task(self._run_turn(lt, active, p, prompt, images))
            self._publish_status(lt)

        return wire.TurnStartResponse(turn=turn), launch

    async def _run_turn(
        self, lt: LoadedThread, active: ActiveTurn, p: wire.TurnStartParams, prompt: Any, images: list[str]
    ) -> None:
        thread = lt.thread
        tr = active.translator = TurnTranslator(thread.id, active.id, str(thread.config.cwd))
        turn = wire.Turn(id=active.id, status="inProgress", started_at=active.started_at)
        self._notify("turn/started", wire.TurnNotification(thread_id=thread.id, turn=turn))
        user = wire.UserMessageItem(id=f"{active.id}-input", content=p.input)
        ids = {"thread_id": thread.id, "turn_id": active.id}
        self._notify("item/started", wire.ItemStartedNotification(**ids, item=user, started_at_ms=now_ms()))
        self._notify("item/completed", wire.ItemCompletedNotification(**ids, item=user, completed_at_ms=now_ms()))
        events = thread.run_streamed(prompt, images=images, output_schema=p.output_schema)
        error = await self._drive(lt, active, tr, events)
        self._finish_turn(lt, active, tr, [user, *tr.items.values()], error)

    async def _drive(self, lt: LoadedThread, active: ActiveTurn, tr: TurnTranslator, events: Any) -> str | None:
        """Forward a turn's SDK events as notifications (approvals as server requests); the
        failure message, if the stream broke."""
        runner = active.runner or lt.thread
        approvals: set[asyncio.Task[None]] = set()
        error: str | None = None
        try:
            if not active.interrupted:
                async for event in events:
                    if active.interrupted:
                        runner.interrupt()
                    if isinstance(event, TurnStarted) and active.runner is None:  # in the rollout from here on
                        lt.recorded.add(active.id)
                    if isinstance(event, ApprovalRequested):
                        task = asyncio.create_task(self._approval(lt, active, tr, event))
                        approvals.add(task)
                        task.add_done_callback(approvals.discard)
                        continue
                    for method, params in tr.translate(event):
                        self._notify(method, params)
        except Exception as exc:  # a failure must end the turn visibly, never leave it running
            error = _failure(exc)
        finally:
            if hasattr(events, "aclose"):
                await events.aclose()
            for task in list(approvals):
                task.cancel()
            await asyncio.gather(*approvals, return_exceptions=True)
        return error

    def _finish_turn(
        self, lt: LoadedThread, active: ActiveTurn, tr: TurnTranslator, items: list[Any], error: str | None
    ) -> wire.Turn:
        """Record the ended turn and send ``turn/completed``."""
        if tr.outcome is not None and tr.outcome[0] == "completed":
            status: Any = "completed"
        elif active.interrupted:
            status, error = "interrupted", None
        else:
            status = "failed"
            error = error or (tr.outcome[1] if tr.outcome else "turn ended without a result")
        done = int(time.time())
        final = wire.Turn(
            id=active.id,
            items=items,
            status=status,
            error=wire.TurnError(message=error) if error else None,
            started_at=active.started_at,
            completed_at=done,
            duration_ms=now_ms() - active.started_ms,
        )
        lt.turns.append(final)
        lt.updated_at = done
        lt.active = None
        self._publish_status(lt)
        self._notify("turn/completed", wire.TurnNotification(thread_id=lt.thread.id, turn=final))
        return final

    async def _approval(
        self, lt: LoadedThread, active: ActiveTurn, tr: TurnTranslator, event: ApprovalRequested
    ) -> None:
        ids: dict[str, Any] = {
            "thread_id": lt.thread.id,
            "turn_id": active.id,
            "item_id": event.item_id,
            "started_at_ms": now_ms(),
            "reason": event.reason,
        }
        request: wire.Wire
        if event.kind == "exec":
            method = "item/commandExecution/requestApproval"
            request = wire.CommandExecutionRequestApprovalParams(
                **ids,
                approval_id=event.request_id,
                command=shlex.join(event.command or []),
                cwd=event.cwd,
                proposed_execpolicy_amendment=event.proposed_rule,
            )
        else:
            method = "item/fileChange/requestApproval"
            request = wire.FileChangeRequestApprovalParams(**ids)
            for note_method, note in tr.patch_approval_started(event):
                self._notify(note_method, note)
        response_model = wire.SERVER_REQUESTS[method][1]
        active.waiting_approvals += 1
        self._publish_status(lt)
        try:
            result = await self.conn.request(method, request.dump())
            decision_value = response_model.model_validate(result).decision  # type: ignore[attr-defined]
        except (RpcError, ValidationError) as exc:
            detail = exc.message if isinstance(exc, RpcError) else "invalid `decision`"
            msg = f"{method}: the client's answer was not usable ({detail}); treating it as decline"
            self._notify("warning", wire.WarningNotification(message=msg, thread_id=lt.thread.id))
            decision_value = "decline"
        finally:
            active.waiting_approvals -= 1
            if lt.active is active:
                self._publish_status(lt)
        if isinstance(decision_value, wire.AcceptWithExecpolicyAmendment):
            decision: Any = "approved_execpolicy_amendment"
        else:
            decision = _DECISIONS[decision_value]
        if decision == "abort":
            active.interrupted = True
        with contextlib.suppress(UsageError):  # the turn may have ended meanwhile
            await (active.runner or lt.thread).respond_approval(event.request_id, decision)

    # --- thread/shellCommand, thread/inject_items -------------------------------------------

    async def shell_command(self, p: wire.ThreadShellCommandParams) -> tuple[wire.Wire, After]:
        """The user's own shell command (``!cmd``), as a turn of the thread: through the user's
        shell in the thread's cwd, without the sandbox (like a terminal; ``codex_core.agent.
        user_shell``), recorded for the model's next turn. ``timeoutMs`` (default one hour)
        interrupts it."""
        lt = self._loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(INVALID_REQUEST, f"a turn is already running on thread {p.thread_id} ({lt.active.id})")
        if not p.command.strip():
            raise RpcError(INVALID_PARAMS, "Invalid params for thread/shellCommand: `command` must not be empty")
        active = ActiveTurn(id=str(uuid.uuid4()), started_at=int(time.time()))
        lt.active = active

        def launch() -> None:
            active.task = asyncio.create_task(self._run_shell(lt, active, p))
            self._publish_status(lt)

        return wire.Empty(), launch

    async def _run_shell(self, lt: LoadedThread, active: ActiveTurn, p: wire.ThreadShellCommandParams) -> None:
        tid = lt.thread.id
        tr = active.translator = TurnTranslator(tid, active.id, str(lt.thread.config.cwd))
        turn = wire.Turn(id=active.id, status="inProgress", started_at=active.started_at)
        self._notify("turn/started", wire.TurnNotification(thread_id=tid, turn=turn))
        timeout_s = (p.timeout_ms if p.timeout_ms is not None else _SHELL_TIMEOUT_MS) / 1000
        timer = asyncio.get_running_loop().call_later(timeout_s, lambda: self._interrupt(active, lt.thread))
        try:
            error = await self._drive(lt, active, tr, lt.thread.run_user_shell_command(p.command))
        finally:
            timer.cancel()
        if error is None and not active.interrupted:
            tr.outcome = ("completed", None)
        self._finish_turn(lt, active, tr, list(tr.items.values()), error)

    async def inject_items(self, p: wire.ThreadInjectItemsParams) -> wire.Wire:
        lt = self._loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(
                INVALID_REQUEST, f"thread {p.thread_id} is running turn {lt.active.id}; inject items between turns"
            )
        try:
            lt.thread.inject_items(p.items)
        except UsageError as exc:
            raise RpcError(INVALID_PARAMS, f"Invalid params for thread/inject_items: {exc}") from None
        return wire.Empty()

    # --- thread/revert ----------------------------------------------------------------------

    async def revert(self, p: wire.ThreadRevertParams) -> tuple[wire.Wire, After]:
        """Cut the loaded thread's saved history before ``beforeTurnId`` and reload it from the
        cut rollout (same id, same settings); files the dropped turns changed are not touched."""
        from codex_core.rollout_revert import truncate_rollout

        lt = self._loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(INVALID_REQUEST, f"thread {p.thread_id} is running turn {lt.active.id}")
        ids = [t.id for t in lt.turns]
        if p.before_turn_id not in ids:
            raise RpcError(
                INVALID_PARAMS, f"Invalid params for thread/revert: no turn {p.before_turn_id!r} in the thread"
            )
        path = lt.thread.rollout_path
        if path is None:
            raise RpcError(
                INVALID_REQUEST, f"thread {p.thread_id} has no saved history to revert (ephemeral, or no turn yet)"
            )
        keep = sum(1 for t in lt.turns[: ids.index(p.before_turn_id)] if t.id in lt.recorded)
        cfg = lt.thread.config
        await lt.thread.aclose()

        def reload() -> LoadedThread:
            thread = lt.codex.resume_thread(path)
            thread.override(model=cfg.model, approval_policy=cfg.approval_policy, sandbox_mode=cfg.sandbox_mode)
            return LoadedThread(
                thread=thread, codex=lt.codex, ephemeral=False, created_at=lt.created_at, preview=lt.preview
            ).with_saved_turns(path)

        try:
            await asyncio.to_thread(truncate_rollout, path, turns=keep)
        finally:  # reloaded either way: cut, or as it was when the file could not be rewritten
            fresh = self._register(await asyncio.to_thread(reload))
            self.threads[fresh.thread.id] = fresh
        items = sum(len(t.items) for t in fresh.turns)
        response = wire.ThreadRevertResponse(
            thread=fresh.info(include_turns=False),
            turns_backwards_cursor=str(len(fresh.turns) - 1) if fresh.turns else None,
            items_backwards_cursor=str(items - 1) if items else None,
        )
        note = wire.ThreadIdNotification(thread_id=fresh.thread.id)
        return response, lambda: self._notify("thread/reverted", note)

    # --- review/start -----------------------------------------------------------------------

    async def review_start(self, p: wire.ReviewStartParams) -> tuple[wire.Wire, After]:
        """A review turn on the thread: run by an ephemeral reviewer thread (the review guidelines
        as base instructions, ``review_model`` if set, the thread's settings), its events reported
        under this thread between ``enteredReviewMode`` and ``exitedReviewMode`` items."""
        from codex_core.review import review_request, start_review_thread

        lt = self._loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(INVALID_REQUEST, f"a turn is already running on thread {p.thread_id} ({lt.active.id})")
        target = _review_target(p.target)
        request = await asyncio.to_thread(review_request, target, lt.thread.config.cwd)
        if lt.active is not None:  # a turn started while git ran
            raise RpcError(INVALID_REQUEST, f"a turn is already running on thread {p.thread_id} ({lt.active.id})")
        reviewer = start_review_thread(lt.codex, lt.thread.config)
        reviewer.set_user_input_handler(lambda call_id, questions: self._ask_user(lt, call_id, questions))
        active = ActiveTurn(id=str(uuid.uuid4()), started_at=int(time.time()), runner=reviewer)
        lt.active = active
        turn = wire.Turn(id=active.id, status="inProgress", started_at=active.started_at)

        def launch() -> None:
            active.task = asyncio.create_task(self._run_review(lt, active, reviewer, request))
            self._publish_status(lt)

        return wire.ReviewStartResponse(turn=turn, review_thread_id=lt.thread.id), launch

    async def _run_review(self, lt: LoadedThread, active: ActiveTurn, reviewer: Thread, request: Any) -> None:
        from codex_core.review import REVIEW_INTERRUPTED_MESSAGE, review_events

        tid = lt.thread.id
        tr = active.translator = TurnTranslator(tid, active.id, str(lt.thread.config.cwd))
        ids: dict[str, Any] = {"thread_id": tid, "turn_id": active.id}
        self._notify(
            "turn/started", wire.TurnNotification(thread_id=tid, turn=wire.Turn(id=active.id, status="inProgress"))
        )
        entered = wire.EnteredReviewModeItem(id=f"{active.id}-review", review=request.display)
        self._notify("item/started", wire.ItemStartedNotification(**ids, item=entered, started_at_ms=now_ms()))
        self._notify("item/completed", wire.ItemCompletedNotification(**ids, item=entered, completed_at_ms=now_ms()))
        try:
            error = await self._drive(lt, active, tr, review_events(reviewer, request))
        finally:
            with contextlib.suppress(Exception):
                await reviewer.aclose()
        messages = [i for i in tr.items.values() if isinstance(i, wire.AgentMessageItem)]
        text = messages[-1].text if messages else REVIEW_INTERRUPTED_MESSAGE
        exited = wire.ExitedReviewModeItem(id=f"{active.id}-review-done", review=text)
        self._notify("item/started", wire.ItemStartedNotification(**ids, item=exited, started_at_ms=now_ms()))
        self._notify("item/completed", wire.ItemCompletedNotification(**ids, item=exited, completed_at_ms=now_ms()))
        self._finish_turn(lt, active, tr, [entered, *tr.items.values(), exited], error)

    # --- turn/steer ------------------------------------------------------------------------

    async def turn_steer(self, p: wire.TurnSteerParams) -> wire.Wire:
        lt = self._loaded(p.thread_id)
        active = lt.active
        if active is None or active.compaction or active.translator is None:
            raise RpcError(INVALID_REQUEST, f"no turn is running on thread {p.thread_id} to steer")
        if active.id != p.expected_turn_id:
            raise RpcError(INVALID_REQUEST, f"expected active turn id `{p.expected_turn_id}` but found `{active.id}`")
        prompt, images = turn_prompt(p.input)
        try:
            await lt.thread.steer(prompt, images=images)
        except UsageError as exc:
            raise RpcError(INVALID_REQUEST, f"turn {active.id} cannot take more input: {exc}") from None
        item_id = p.client_user_message_id or f"{active.id}-steer-{len(active.translator.items)}"
        user = wire.UserMessageItem(id=item_id, content=p.input)
        active.translator.items[item_id] = user
        ids = {"thread_id": lt.thread.id, "turn_id": active.id}
        self._notify("item/started", wire.ItemStartedNotification(**ids, item=user, started_at_ms=now_ms()))
        self._notify("item/completed", wire.ItemCompletedNotification(**ids, item=user, completed_at_ms=now_ms()))
        return wire.TurnSteerResponse(turn_id=active.id)

    # --- turn/interrupt, thread/compact/start ---------------------------------------------

    async def turn_interrupt(self, p: wire.TurnInterruptParams) -> wire.Wire:
        lt = self._loaded(p.thread_id)
        if lt.active is None or lt.active.id != p.turn_id:
            raise RpcError(INVALID_REQUEST, f"turn {p.turn_id} is not running on thread {p.thread_id}")
        self._interrupt(lt.active, lt.thread)
        return wire.Empty()

    @staticmethod
    def _interrupt(active: ActiveTurn, thread: Thread) -> None:
        active.interrupted = True
        if active.compaction:
            if active.task is not None:
                active.task.cancel()
        else:
            (active.runner or thread).interrupt()

    async def compact_start(self, p: wire.ThreadCompactStartParams) -> tuple[wire.Wire, After]:
        lt = self._loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(INVALID_REQUEST, f"a turn is already running on thread {p.thread_id} ({lt.active.id})")
        active = ActiveTurn(id=str(uuid.uuid4()), started_at=int(time.time()), compaction=True)
        lt.active = active

        def launch() -> None:
            active.task = asyncio.create_task(self._run_compact(lt, active))
            self._publish_status(lt)

        return wire.Empty(), launch

    async def _run_compact(self, lt: LoadedThread, active: ActiveTurn) -> None:
        tid = lt.thread.id
        ids: dict[str, Any] = {"thread_id": tid, "turn_id": active.id}
        item = wire.ContextCompactionItem(id=f"{active.id}-compaction")
        self._notify(
            "turn/started", wire.TurnNotification(thread_id=tid, turn=wire.Turn(id=active.id, status="inProgress"))
        )
        self._notify("item/started", wire.ItemStartedNotification(**ids, item=item, started_at_ms=now_ms()))
        error: str | None = None
        try:
            await lt.thread.compact()
        except asyncio.CancelledError:
            error = "compaction interrupted"
        except Exception as exc:
            error = _failure(exc)
        if error is None:
            self._notify("item/completed", wire.ItemCompletedNotification(**ids, item=item, completed_at_ms=now_ms()))
            self._notify("thread/compacted", wire.ContextCompactedNotification(**ids))
        done = int(time.time())
        final = wire.Turn(
            id=active.id,
            items=[item] if error is None else [],
            status="completed" if error is None else ("interrupted" if active.interrupted else "failed"),
            error=wire.TurnError(message=error) if error else None,
            started_at=active.started_at,
            completed_at=done,
            duration_ms=now_ms() - active.started_ms,
        )
        lt.active = None
        lt.updated_at = done
        self._publish_status(lt)
        self._notify("turn/completed", wire.TurnNotification(thread_id=tid, turn=final))

    async def aclose(self) -> None:
        """Interrupt running turns and close every loaded thread (end of the connection)."""
        tasks = []
        for lt in self.threads.values():
            if lt.active is not None and lt.active.task is not None:
                self._interrupt(lt.active, lt.thread)
                tasks.append(lt.active.task)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=5)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for lt in self.threads.values():
            with contextlib.suppress(Exception):
                await lt.codex.aclose()


_SHELL_TIMEOUT_MS = 3_600_000
"""``thread/shellCommand``'s default time limit (one hour, as in the reference)."""


def _review_target(target: Any) -> Any:
    """The ``codex_core.review.ReviewTarget`` of a wire target (``-32602`` when it is empty)."""
    from codex_core.review import ReviewTarget

    try:
        if isinstance(target, wire.BaseBranchTarget):
            return ReviewTarget.base_branch(target.branch)
        if isinstance(target, wire.CommitTarget):
            return ReviewTarget.commit(target.sha, target.title)
        if isinstance(target, wire.CustomTarget):
            return ReviewTarget.custom(target.instructions)
    except UsageError as exc:
        raise RpcError(INVALID_PARAMS, f"Invalid params for review/start: {exc}") from None
    return ReviewTarget.uncommitted()


def _failure(exc: Exception) -> str:
    if isinstance(exc, CodexError):
        return str(exc)
    log.exception("turn task failed")
    return f"internal error: {type(exc).__name__}: {exc}"
