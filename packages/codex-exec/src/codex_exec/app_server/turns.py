"""Turn methods: ``turn/start``, ``turn/steer``, ``turn/interrupt``, ``thread/shellCommand``,
``review/start`` and ``thread/compact/start``.

A turn runs in its own task that consumes the SDK's event stream (``Thread.run_streamed``, a
user shell command, a review) and forwards translated notifications; ``approval.requested``
events become server -> client requests answered concurrently (``ClientPrompts``), so a waiting
approval never blocks ``turn/interrupt`` or other threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import TYPE_CHECKING, Any

from codex_core.errors import CodexError, UsageError
from codex_core.logging import get_logger
from codex_core.protocol.events import ApprovalRequested, TurnStarted
from codex_core.sdk import Thread
from codex_exec.app_server import wire
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, INVALID_REQUEST, RpcError
from codex_exec.app_server.loaded import ActiveTurn, After, LoadedThread, plain_policy, resolve_path
from codex_exec.app_server.translate import TurnTranslator, now_ms, turn_prompt

if TYPE_CHECKING:
    from codex_exec.app_server.threads import ThreadManager

__all__ = ["TurnMethods"]

log = get_logger("codex.app_server")

_SANDBOX_FROM_POLICY = {
    "readOnly": "read-only",
    "workspaceWrite": "workspace-write",
    "dangerFullAccess": "danger-full-access",
}


class TurnMethods:
    """Runs the turns of the threads loaded by ``manager``."""

    def __init__(self, manager: ThreadManager) -> None:
        self.manager = manager

    # --- turn/start -----------------------------------------------------------------------

    async def turn_start(self, p: wire.TurnStartParams) -> tuple[wire.Wire, After]:
        lt = self.manager.loaded(p.thread_id)
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
            thread.override(model=p.model, approval_policy=plain_policy(p.approval_policy), sandbox_mode=sandbox)  # type: ignore[arg-type]
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
                self.manager.notify("warning", wire.WarningNotification(message=msg, thread_id=thread.id))
            active.task = asyncio.create_task(self._run_turn(lt, active, p, prompt, images))
            self.manager.publish_status(lt)

        return wire.TurnStartResponse(turn=turn), launch

    async def _run_turn(
        self, lt: LoadedThread, active: ActiveTurn, p: wire.TurnStartParams, prompt: Any, images: list[str]
    ) -> None:
        thread = lt.thread
        tr = active.translator = TurnTranslator(thread.id, active.id, str(thread.config.cwd))
        turn = wire.Turn(id=active.id, status="inProgress", started_at=active.started_at)
        self.manager.notify("turn/started", wire.TurnNotification(thread_id=thread.id, turn=turn))
        user = wire.UserMessageItem(id=f"{active.id}-input", content=p.input)
        ids = {"thread_id": thread.id, "turn_id": active.id}
        self.manager.notify("item/started", wire.ItemStartedNotification(**ids, item=user, started_at_ms=now_ms()))
        self.manager.notify(
            "item/completed", wire.ItemCompletedNotification(**ids, item=user, completed_at_ms=now_ms())
        )
        thread.select_skills([(i.name, i.path) for i in p.input if isinstance(i, wire.SkillInput)])
        events = thread.run_streamed(prompt, images=images, output_schema=p.output_schema)
        error = await self.drive(lt, active, tr, events)
        self.finish_turn(lt, active, tr, [user, *tr.items.values()], error)

    async def drive(self, lt: LoadedThread, active: ActiveTurn, tr: TurnTranslator, events: Any) -> str | None:
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
                        task = asyncio.create_task(self.manager.prompts.approval(lt, active, tr, event))
                        approvals.add(task)
                        task.add_done_callback(approvals.discard)
                        continue
                    for method, params in tr.translate(event):
                        self.manager.notify(method, params)
        except Exception as exc:  # a failure must end the turn visibly, never leave it running
            error = _failure(exc)
        finally:
            if hasattr(events, "aclose"):
                await events.aclose()
            for task in list(approvals):
                task.cancel()
            await asyncio.gather(*approvals, return_exceptions=True)
        return error

    def finish_turn(
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
        self.manager.publish_status(lt)
        self.manager.notify("turn/completed", wire.TurnNotification(thread_id=lt.thread.id, turn=final))
        return final

    # --- thread/shellCommand, thread/inject_items -------------------------------------------

    async def shell_command(self, p: wire.ThreadShellCommandParams) -> tuple[wire.Wire, After]:
        """The user's own shell command (``!cmd``), as a turn of the thread: through the user's
        shell in the thread's cwd, without the sandbox (like a terminal; ``codex_core.agent.
        user_shell``), recorded for the model's next turn. ``timeoutMs`` (default one hour)
        interrupts it."""
        lt = self.manager.loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(INVALID_REQUEST, f"a turn is already running on thread {p.thread_id} ({lt.active.id})")
        if not p.command.strip():
            raise RpcError(INVALID_PARAMS, "Invalid params for thread/shellCommand: `command` must not be empty")
        active = ActiveTurn(id=str(uuid.uuid4()), started_at=int(time.time()))
        lt.active = active

        def launch() -> None:
            active.task = asyncio.create_task(self._run_shell(lt, active, p))
            self.manager.publish_status(lt)

        return wire.Empty(), launch

    async def _run_shell(self, lt: LoadedThread, active: ActiveTurn, p: wire.ThreadShellCommandParams) -> None:
        tid = lt.thread.id
        tr = active.translator = TurnTranslator(tid, active.id, str(lt.thread.config.cwd))
        turn = wire.Turn(id=active.id, status="inProgress", started_at=active.started_at)
        self.manager.notify("turn/started", wire.TurnNotification(thread_id=tid, turn=turn))
        timeout_s = (p.timeout_ms if p.timeout_ms is not None else _SHELL_TIMEOUT_MS) / 1000
        timer = asyncio.get_running_loop().call_later(timeout_s, lambda: active.interrupt(lt.thread))
        try:
            error = await self.drive(lt, active, tr, lt.thread.run_user_shell_command(p.command))
        finally:
            timer.cancel()
        if error is None and not active.interrupted:
            tr.outcome = ("completed", None)
        self.finish_turn(lt, active, tr, list(tr.items.values()), error)

    # --- review/start -----------------------------------------------------------------------

    async def review_start(self, p: wire.ReviewStartParams) -> tuple[wire.Wire, After]:
        """A review turn on the thread: run by an ephemeral reviewer thread (the review guidelines
        as base instructions, ``review_model`` if set, the thread's settings), its events reported
        under this thread between ``enteredReviewMode`` and ``exitedReviewMode`` items."""
        from codex_core.review import review_request, start_review_thread

        lt = self.manager.loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(INVALID_REQUEST, f"a turn is already running on thread {p.thread_id} ({lt.active.id})")
        target = _review_target(p.target)
        request = await asyncio.to_thread(review_request, target, lt.thread.config.cwd)
        if lt.active is not None:  # a turn started while git ran
            raise RpcError(INVALID_REQUEST, f"a turn is already running on thread {p.thread_id} ({lt.active.id})")
        reviewer = start_review_thread(lt.codex, lt.thread.config)
        self.manager.prompts.attach(lt, reviewer)
        active = ActiveTurn(id=str(uuid.uuid4()), started_at=int(time.time()), runner=reviewer)
        lt.active = active
        turn = wire.Turn(id=active.id, status="inProgress", started_at=active.started_at)

        def launch() -> None:
            active.task = asyncio.create_task(self._run_review(lt, active, reviewer, request))
            self.manager.publish_status(lt)

        return wire.ReviewStartResponse(turn=turn, review_thread_id=lt.thread.id), launch

    async def _run_review(self, lt: LoadedThread, active: ActiveTurn, reviewer: Thread, request: Any) -> None:
        from codex_core.review import REVIEW_INTERRUPTED_MESSAGE, review_events

        tid = lt.thread.id
        tr = active.translator = TurnTranslator(tid, active.id, str(lt.thread.config.cwd))
        ids: dict[str, Any] = {"thread_id": tid, "turn_id": active.id}
        self.manager.notify(
            "turn/started", wire.TurnNotification(thread_id=tid, turn=wire.Turn(id=active.id, status="inProgress"))
        )
        entered = wire.EnteredReviewModeItem(id=f"{active.id}-review", review=request.display)
        self.manager.notify("item/started", wire.ItemStartedNotification(**ids, item=entered, started_at_ms=now_ms()))
        self.manager.notify(
            "item/completed", wire.ItemCompletedNotification(**ids, item=entered, completed_at_ms=now_ms())
        )
        try:
            error = await self.drive(lt, active, tr, review_events(reviewer, request))
        finally:
            with contextlib.suppress(Exception):
                await reviewer.aclose()
        messages = [i for i in tr.items.values() if isinstance(i, wire.AgentMessageItem)]
        text = messages[-1].text if messages else REVIEW_INTERRUPTED_MESSAGE
        exited = wire.ExitedReviewModeItem(id=f"{active.id}-review-done", review=text)
        self.manager.notify("item/started", wire.ItemStartedNotification(**ids, item=exited, started_at_ms=now_ms()))
        self.manager.notify(
            "item/completed", wire.ItemCompletedNotification(**ids, item=exited, completed_at_ms=now_ms())
        )
        self.finish_turn(lt, active, tr, [entered, *tr.items.values(), exited], error)

    # --- turn/steer ------------------------------------------------------------------------

    async def turn_steer(self, p: wire.TurnSteerParams) -> wire.Wire:
        lt = self.manager.loaded(p.thread_id)
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
        self.manager.notify("item/started", wire.ItemStartedNotification(**ids, item=user, started_at_ms=now_ms()))
        self.manager.notify(
            "item/completed", wire.ItemCompletedNotification(**ids, item=user, completed_at_ms=now_ms())
        )
        return wire.TurnSteerResponse(turn_id=active.id)

    # --- turn/interrupt, thread/compact/start ---------------------------------------------

    async def turn_interrupt(self, p: wire.TurnInterruptParams) -> wire.Wire:
        lt = self.manager.loaded(p.thread_id)
        if lt.active is None or lt.active.id != p.turn_id:
            raise RpcError(INVALID_REQUEST, f"turn {p.turn_id} is not running on thread {p.thread_id}")
        lt.active.interrupt(lt.thread)
        return wire.Empty()

    async def compact_start(self, p: wire.ThreadCompactStartParams) -> tuple[wire.Wire, After]:
        lt = self.manager.loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(INVALID_REQUEST, f"a turn is already running on thread {p.thread_id} ({lt.active.id})")
        active = ActiveTurn(id=str(uuid.uuid4()), started_at=int(time.time()), compaction=True)
        lt.active = active

        def launch() -> None:
            active.task = asyncio.create_task(self._run_compact(lt, active))
            self.manager.publish_status(lt)

        return wire.Empty(), launch

    async def _run_compact(self, lt: LoadedThread, active: ActiveTurn) -> None:
        tid = lt.thread.id
        ids: dict[str, Any] = {"thread_id": tid, "turn_id": active.id}
        item = wire.ContextCompactionItem(id=f"{active.id}-compaction")
        self.manager.notify(
            "turn/started", wire.TurnNotification(thread_id=tid, turn=wire.Turn(id=active.id, status="inProgress"))
        )
        self.manager.notify("item/started", wire.ItemStartedNotification(**ids, item=item, started_at_ms=now_ms()))
        error: str | None = None
        try:
            await lt.thread.compact()
        except asyncio.CancelledError:
            error = "compaction interrupted"
        except Exception as exc:
            error = _failure(exc)
        if error is None:
            self.manager.notify(
                "item/completed", wire.ItemCompletedNotification(**ids, item=item, completed_at_ms=now_ms())
            )
            self.manager.notify("thread/compacted", wire.ContextCompactedNotification(**ids))
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
        self.manager.publish_status(lt)
        self.manager.notify("turn/completed", wire.TurnNotification(thread_id=tid, turn=final))


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
