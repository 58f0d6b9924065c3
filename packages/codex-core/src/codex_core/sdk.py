"""The public SDK: ``Codex`` -> ``Thread`` -> turns.

Async-first (works inside a running event loop, e.g. Jupyter's ``await thread.run(...)``) with
sync conveniences. Every turn yields one ordered stream of ``ThreadEvent`` values; frontends
answer ``approval.requested`` events with ``Thread.respond_approval`` and stop turns with
``Thread.interrupt``.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from codex_core.agent.context import user_instructions
from codex_core.agent.resume import refresh_context_after_resume, restore_usage
from codex_core.agent.runtime import TurnRuntime
from codex_core.agent.services import (
    load_exec_policy_once,
    run_notify,
    start_mcp,
    start_network_proxy,
    user_items,
)
from codex_core.agent.state import ApprovalDecision, ThreadState, usage_event
from codex_core.agent.turn import run_turn
from codex_core.client.types import ModelClient
from codex_core.config import (
    ApprovalPolicy,
    Config,
    ConfigError,
    ReasoningEffort,
    ReasoningSummary,
    SandboxMode,
    load_config,
)
from codex_core.config.requirements import require_allowed
from codex_core.errors import CodexError, UsageError
from codex_core.git import git_info
from codex_core.logging import get_logger
from codex_core.protocol.events import (
    AgentMessageItem,
    ErrorEvent,
    ItemCompleted,
    ThreadError,
    ThreadEvent,
    ThreadItem,
    ThreadStarted,
    TurnCompleted,
    TurnFailed,
    TurnStarted,
    Usage,
)
from codex_core.protocol.items import Message, ResponseItem

if TYPE_CHECKING:
    from codex_core.user_input import UserInputHandler

__all__ = ["Codex", "Thread", "TurnResult"]

log = get_logger(__name__)
VERSION = "0.1.0"


@attrs.frozen
class TurnResult:
    """What ``Thread.run`` returns."""

    final_response: str | None
    items: list[ThreadItem]
    usage: Usage
    error: str | None = None
    """Set when the turn failed (``turn.failed``) or was interrupted."""

    def _repr_markdown_(self) -> str:
        """Jupyter display: the answer, commands, diffs, usage (``codex_core.display``)."""
        from codex_core.display import turn_markdown

        return turn_markdown(self)


class Codex:
    """Entry point. ``Codex()`` loads config the way the CLI does; pass ``config=`` to control it."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        model_client: ModelClient | None = None,
        originator: str = "codex_sdk_py",
        source: str = "sdk",
    ) -> None:
        from codex_core.logging import ensure_default_logging

        ensure_default_logging()
        self.config = config if config is not None else load_config()
        self._model_client = model_client
        self._originator = originator
        self._source = source
        self._threads: list[Thread] = []

    def _make_client(self, config: Config, thread_id: str) -> ModelClient:
        if self._model_client is not None:
            return self._model_client
        from codex_core.client import api_key_for, make_model_client, resolve_provider

        provider = resolve_provider(
            config.model_provider_id, config.model_providers, openai_base_url=config.toml.openai_base_url
        )
        key = api_key_for(provider, codex_home=config.codex_home)
        return make_model_client(
            provider, model=config.model, auth=key, session_id=thread_id, originator=self._originator
        )

    def start_thread(self, *, ephemeral: bool = False) -> Thread:
        """A new thread; raises ``AuthError`` now if the provider has no credentials."""
        thread_id = str(uuid.uuid4())
        state = ThreadState(
            thread_id=thread_id, config=self.config, model_client=self._make_client(self.config, thread_id)
        )
        thread = Thread(self, state)
        thread._persist = not ephemeral  # the rollout file is created by the first turn
        self._threads.append(thread)
        return thread

    def resume_thread(self, thread_id: str | Path) -> Thread:
        """Continue a saved thread (by id, id prefix, or rollout path) with its exact history."""
        from codex_core.session import RolloutRecorder

        resumed = self._read_saved(thread_id)
        path = resumed.path
        state = ThreadState(
            thread_id=resumed.thread_id,
            config=self.config,
            model_client=self._make_client(self.config, resumed.thread_id),
            history=list(resumed.history),
            context_initialised=bool(resumed.history),
        )
        state.turn_counter = resumed.turns
        restore_usage(state, resumed.last_usage)
        state.recorder = RolloutRecorder.append_to(path)
        if state.context_initialised:
            refresh_context_after_resume(state, resumed.last_turn_context)
        thread = Thread(self, state)
        forked_from = resumed.meta.get("forked_from_id")
        thread._forked_from = forked_from if isinstance(forked_from, str) else None
        thread._name = resumed.name
        self._threads.append(thread)
        return thread

    def fork_thread(self, source: str | Path | Thread, *, turns: int | None = None, ephemeral: bool = False) -> Thread:
        """A new thread (new id, new rollout file) that continues a copy of ``source``'s history.

        ``source`` is a loaded ``Thread`` (not running a turn) or a saved one (id, id prefix or
        rollout path). ``turns=N`` keeps the first N turns: the history is rebuilt from the
        rollout up to the start of turn N+1, with the compactions made before that point (an
        ephemeral source has no rollout: its first N user prompts are kept). The source is untouched.
        """
        from codex_core.agent.resume import keep_user_turns

        if isinstance(source, Thread) and source._turn_task is not None and not source._turn_task.done():
            raise UsageError(f"cannot fork thread {source.id} while a turn is running")
        path = source.rollout_path if isinstance(source, Thread) else source
        resumed = None if path is None else self._read_saved(path, turns=turns)  # errors before any new thread
        thread = self.start_thread(ephemeral=ephemeral)
        state = thread._state
        if isinstance(source, Thread) and resumed is None:  # ephemeral source: no rollout to replay
            cfg = source.config
            origin, history, usage = source.id, keep_user_turns(source.history, turns), None
            state.turn_counter = source._state.turn_counter if turns is None else turns
            if turns is None:
                state.total_usage, state.last_usage = source._state.total_usage, source._state.last_usage
            last_ctx: dict[str, Any] | None = {
                "approval_policy": cfg.approval_policy,
                "sandbox_policy": cfg.sandbox_mode,
                "cwd": str(cfg.cwd),
            }
        else:
            assert resumed is not None
            origin, history, usage, last_ctx = (
                resumed.thread_id,
                resumed.history,
                resumed.last_usage,
                resumed.last_turn_context,
            )
            state.turn_counter = resumed.turns
            restore_usage(state, usage)
        state.history, state.context_initialised = list(history), bool(history)
        thread._forked_from = origin
        if not ephemeral:
            thread._ensure_rollout()
            if state.recorder is not None and resumed is not None:
                state.recorder.copy_from(resumed.path, turns=turns)  # the source's lines: turns survive
            elif state.recorder is not None:
                state.recorder.record_items(state.history)
        if state.context_initialised:
            refresh_context_after_resume(state, last_ctx)
        return thread

    def _read_saved(self, thread_id: str | Path, *, turns: int | None = None) -> Any:
        from codex_core.session import read_saved

        return read_saved(self.config.codex_home, thread_id, turns=turns)

    async def aclose(self) -> None:
        for t in self._threads:
            await t.aclose()

    async def __aenter__(self) -> Codex:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


_DONE = object()


class Thread:
    """A conversation. One turn runs at a time."""

    def __init__(self, codex: Codex, state: ThreadState) -> None:
        self._codex = codex
        self._state = state
        self._started_event_sent = False
        self._turn_task: asyncio.Task[Any] | None = None
        self._runtime: TurnRuntime | None = None
        self._lock = asyncio.Lock()
        self._mcp_loop: asyncio.AbstractEventLoop | None = None
        self._proxy_checked = False
        self._persist = False
        self._forked_from: str | None = None
        self._name: str | None = None
        self._proxy_thread: Any = None

    def __repr__(self) -> str:
        from codex_core.display import thread_repr

        return thread_repr(self)

    def _repr_markdown_(self) -> str:
        """Jupyter display: id, settings and the latest messages (``codex_core.display``)."""
        from codex_core.display import thread_markdown

        return thread_markdown(self)

    @property
    def id(self) -> str:
        return self._state.thread_id

    @property
    def config(self) -> Config:
        return self._state.config

    @property
    def rollout_path(self) -> Path | None:
        return self._state.recorder.path if self._state.recorder else None

    @property
    def name(self) -> str | None:
        """The name given with ``set_name`` (kept in the rollout, restored on resume)."""
        return self._name

    def set_name(self, name: str) -> str:
        """Name the thread (trimmed, one line, <= 200 chars; ``UsageError`` otherwise); returns the
        stored name. A persisted thread records it in its rollout (creating the file if needed)."""
        from codex_core.session.catalog import name_event

        payload = name_event(name)
        self._ensure_rollout()
        self._state.record_event(payload)
        self._name = payload["thread_name"]
        return self._name

    @property
    def forked_from(self) -> str | None:
        """The id of the thread this one was forked from (``Codex.fork_thread``)."""
        return self._forked_from

    @property
    def history(self) -> list[Any]:
        return list(self._state.history)

    def display_items(self) -> list[Message]:
        """The conversation as a user sees it: user prompts and assistant answers, in order
        (initial context, AGENTS.md and compaction summaries are left out)."""
        from codex_core.agent.resume import display_messages

        return display_messages(self._state.history)

    def _ensure_rollout(self) -> None:
        if not self._persist or self._state.recorder is not None:
            return
        from codex_core.session import RolloutRecorder

        cfg = self.config
        self._state.recorder = RolloutRecorder.create(
            cfg.codex_home,
            thread_id=self.id,
            cwd=cfg.cwd,
            originator=self._codex._originator,
            cli_version=VERSION,
            source=self._codex._source,
            model_provider=cfg.model_provider_id,
            instructions=user_instructions(cfg),
            git=git_info(cfg.cwd),
            forked_from=self._forked_from,
        )

    def override(
        self,
        *,
        model: str | None = None,
        approval_policy: ApprovalPolicy | None = None,
        sandbox_mode: SandboxMode | None = None,
        cwd: Path | None = None,
        reasoning_effort: ReasoningEffort | None = None,
        reasoning_summary: ReasoningSummary | None = None,
    ) -> None:
        """Change settings for the following turns (``/model``, ``/approvals``, app-server overrides).

        Raises ``ConfigError`` when managed requirements forbid the choice or ``cwd`` is not a directory.
        """
        cfg = self._state.config
        changes: dict[str, Any] = {}
        if approval_policy is not None:
            require_allowed(
                "approval_policy", approval_policy, cfg.requirements.allowed_approval_policies, cfg.requirements
            )
            changes["approval_policy"] = approval_policy
        if sandbox_mode is not None:
            require_allowed("sandbox_mode", sandbox_mode, cfg.requirements.allowed_sandbox_modes, cfg.requirements)
            changes["sandbox_mode"] = sandbox_mode
            changes["default_permissions"] = None  # an explicit mode leaves permission-profile mode
        if model is not None:
            changes["model"] = model
        if reasoning_effort is not None:
            changes["model_reasoning_effort"] = reasoning_effort
        if reasoning_summary is not None:
            changes["model_reasoning_summary"] = reasoning_summary
        if cwd is not None:
            resolved = Path(cwd).expanduser().resolve()
            if not resolved.is_dir():
                raise ConfigError(f"cwd: {resolved} is not a directory", key="cwd")
            if resolved != cfg.cwd:
                changes["cwd"] = resolved
        if not changes:
            return
        new_cfg = attrs.evolve(cfg, **changes)
        self._state.config = new_cfg
        if model is not None and self._codex._model_client is None:
            self._state.model_client = self._codex._make_client(new_cfg, self.id)
        # context changed: the next turn gets fresh permissions / environment messages (history is
        # never rewritten)
        if self._state.context_initialised:
            from codex_core.agent.context import environment_context, permissions_instructions

            if approval_policy is not None or sandbox_mode is not None or "cwd" in changes:
                self._state.record([Message.developer(permissions_instructions(new_cfg))])
            if "cwd" in changes:
                self._state.record([Message.user(environment_context(new_cfg.cwd))])

    def inject_items(self, items: Sequence[dict[str, Any]]) -> int:
        """Append raw Responses API items (``{"type": "message", ...}``) to the model-visible
        history (and the rollout); the model sees them with its next request. ``UsageError``
        naming the first item that is not one, before anything is added; returns the count."""
        from codex_core.protocol.items import item_from_api

        if self._lock.locked():
            raise UsageError("a turn is running on this thread; inject items between turns")
        parsed: list[Any] = []
        for n, raw in enumerate(items):
            try:
                parsed.append(item_from_api(raw))
            except (ValueError, TypeError) as exc:
                detail = " ".join(str(exc).split("\n")[:3])
                raise UsageError(f"items[{n}] is not a Responses API item: {detail}") from None
        self._ensure_rollout()
        self._state.record(parsed)
        return len(parsed)

    def set_user_input_handler(self, handler: UserInputHandler | None) -> None:
        """Let the model's ``request_user_input`` questions reach the user through ``handler``
        (with the ``default_mode_request_user_input`` feature on); see ``codex_core.user_input``."""
        self._state.user_input_handler = handler

    def select_skills(self, skills: Sequence[tuple[str, str]]) -> None:
        """Use these skills (``(name, path of SKILL.md)``) in the next turn, as if named in it."""
        self._state.selected_skills = list(skills)

    async def respond_approval(self, request_id: str, decision: ApprovalDecision) -> None:
        """Answer an ``approval.requested`` event."""
        fut = self._state.pending_approvals.get(request_id)
        if fut is None:
            if request_id in self._state.closed_approvals:
                return  # answered already, or its turn ended: nothing is waiting any more
            raise UsageError(f"no pending approval request {request_id}")
        if not fut.done():
            fut.set_result(decision)

    async def steer(self, prompt: str | Sequence[ResponseItem], *, images: Sequence[Path | str] = ()) -> None:
        """Add user input to the running turn: it goes to the model with the turn's next request
        (after any tool outputs). ``UsageError`` when no turn is running or it is already ending."""
        rt = self._runtime
        if rt is None or not rt.accepting_input:
            raise UsageError("no turn is running on this thread (or it is already ending)")
        items = user_items(prompt, images, cwd=self.config.cwd)
        rt.extra_input.extend(items)
        text = prompt if isinstance(prompt, str) else "\n".join(i.text for i in items if isinstance(i, Message))
        self._state.record_event({"type": "user_message", "message": text})

    def interrupt(self) -> None:
        """Stop the running turn: the model stream is dropped, running commands are killed."""
        task = self._turn_task
        if task is not None and not task.done():
            task.get_loop().call_soon_threadsafe(task.cancel)

    async def _ensure_mcp(self) -> None:
        loop = asyncio.get_running_loop()
        if self._mcp_loop is loop or not any(s.enabled for s in self.config.mcp_servers.values()):
            return
        # first turn, or a new event loop (run_sync): connections are bound to their loop
        self._mcp_loop = loop
        await start_mcp(self._state)

    def _ensure_network_proxy(self) -> None:
        """Start the managed network proxy for this thread when config enables it (once)."""
        if not self._proxy_checked:
            self._proxy_checked = True
            self._proxy_thread = start_network_proxy(self._state)

    async def run_streamed(
        self,
        prompt: str | Sequence[ResponseItem],
        *,
        images: Sequence[Path | str] = (),
        output_schema: dict[str, Any] | None = None,
    ) -> AsyncIterator[ThreadEvent]:
        """Run one turn, yielding its events in order. Leaving the loop early interrupts the turn."""
        stream = self._stream(lambda emit: self._turn(prompt, images, output_schema, emit))
        try:
            async for ev in stream:
                yield ev
        finally:
            await stream.aclose()

    async def _stream(self, body: Callable[[Any], Awaitable[None]]) -> AsyncGenerator[ThreadEvent, None]:
        """Run ``body(emit)`` as this thread's one running task, yielding what it emits in order;
        closing the iterator early cancels it (a turn, or a user shell command)."""
        if self._lock.locked():
            raise UsageError("a turn is already running on this thread")
        async with self._lock:
            queue: asyncio.Queue[Any] = asyncio.Queue()

            async def emit(ev: ThreadEvent) -> None:
                await queue.put(ev)

            async def run() -> None:
                try:
                    await body(emit)
                finally:
                    await queue.put(_DONE)

            self._turn_task = asyncio.create_task(run())
            try:
                while True:
                    ev = await queue.get()
                    if ev is _DONE:
                        break
                    yield ev
            finally:
                if not self._turn_task.done():
                    self._turn_task.cancel()
                await asyncio.gather(self._turn_task, return_exceptions=True)
                self._turn_task = None

    async def run_user_shell_command(self, command: str) -> AsyncIterator[ThreadEvent]:
        """Run ``command`` for the user (``!cmd``): outside the sandbox, through the user's shell,
        in the thread's cwd; yields its ``command_execution`` item events and records it in the
        history for the model's next turn (``codex_core.agent.user_shell``). ``interrupt`` kills it."""
        from codex_core.agent.user_shell import run_user_shell

        if not command.strip():
            raise UsageError("the shell command is empty")

        async def body(emit: Any) -> None:
            self._ensure_rollout()
            await run_user_shell(self._state, command, emit)

        stream = self._stream(body)
        try:
            async for ev in stream:
                yield ev
        finally:
            await stream.aclose()

    async def _turn(
        self,
        prompt: str | Sequence[ResponseItem],
        images: Sequence[Path | str],
        output_schema: dict[str, Any] | None,
        emit: Any,
    ) -> None:
        from codex_core.protocol.events import Warning

        state = self._state
        try:
            if not self._started_event_sent:
                self._started_event_sent = True
                await emit(ThreadStarted(thread_id=self.id))
            self._ensure_rollout()
            state.turn_counter += 1
            turn_id = f"{self.id}:{state.turn_counter}"
            rt = TurnRuntime(
                state=state,
                emit=emit,
                turn_id=turn_id,
                cwd=state.config.cwd,
                approval_policy=state.config.approval_policy,
                sandbox_mode=state.config.sandbox_mode,
                output_schema=output_schema,
            )
            self._runtime = rt
            items = user_items(prompt, images, cwd=self.config.cwd)
            text = prompt if isinstance(prompt, str) else "\n".join(i.text for i in items if isinstance(i, Message))
            # the turn_context line opens the turn in the rollout (forks cut at these lines); it is
            # written before `turn.started` is emitted, so a frontend that saw the event knows it
            state.record_turn_context(
                {
                    "cwd": str(state.config.cwd),
                    "approval_policy": state.config.approval_policy,
                    "sandbox_policy": state.config.sandbox_mode,
                    "model": state.config.model,
                    "effort": state.config.model_reasoning_effort,
                    "summary": state.config.model_reasoning_summary,
                }
            )
            state.record_event({"type": "user_message", "message": text})
            await emit(TurnStarted())
            try:
                for w in load_exec_policy_once(self._state):
                    await emit(Warning(message=w))
                self._ensure_network_proxy()
            except CodexError as exc:  # unreadable rules, invalid network rules: the turn cannot start
                await emit(ErrorEvent(message=str(exc)))
                await emit(TurnFailed(error=ThreadError(message=str(exc))))
                return
            try:
                await self._ensure_mcp()
            except CodexError as exc:
                await emit(Warning(message=f"MCP: {exc}"))
            if state.config.history.persistence != "none" and state.recorder is not None:
                from codex_core.session import append_history

                append_history(state.config.codex_home, state.config.history, session_id=self.id, text=text)
            try:
                outcome = await run_turn(state, rt, items)
            except asyncio.CancelledError:
                if state.unified_exec is not None:
                    state.unified_exec.terminate_all()
                state.record_event({"type": "turn_aborted", "reason": "interrupted"})
                await emit(TurnFailed(error=ThreadError(message="turn interrupted by the user")))
                raise
            except CodexError as exc:
                await self._end_unified_exec_turn(rt)
                await emit(ErrorEvent(message=str(exc)))
                await emit(TurnFailed(error=ThreadError(message=str(exc))))
                return
            await self._end_unified_exec_turn(rt)
            await emit(TurnCompleted(usage=usage_event(outcome.usage)))
            run_notify(state, turn_id, text, outcome.last_message)
        except Exception as exc:  # a bug must not hang the frontend: report it as a failed turn
            log.exception("turn crashed")
            await emit(ErrorEvent(message=f"internal error: {type(exc).__name__}: {exc}"))
            await emit(TurnFailed(error=ThreadError(message=f"internal error: {type(exc).__name__}: {exc}")))
        finally:
            self._close_input()

    def _close_input(self) -> None:
        """End of a turn, however it ended: no more steering, and input steered in but not yet
        sent joins the history (the model sees it next turn; the rollout records it)."""
        rt, self._runtime = self._runtime, None
        if rt is not None:
            rt.accepting_input = False
            if rt.extra_input:
                self._state.record(list(rt.extra_input))
                rt.extra_input.clear()

    async def _end_unified_exec_turn(self, rt: TurnRuntime) -> None:
        """Close the items of interactive processes still running when the turn ends."""
        if self._state.unified_exec is not None:
            await self._state.unified_exec.end_turn(rt)

    async def run(
        self,
        prompt: str | Sequence[ResponseItem],
        *,
        images: Sequence[Path | str] = (),
        output_schema: dict[str, Any] | None = None,
    ) -> TurnResult:
        """Run one turn to completion. Approval requests are denied (use ``run_streamed`` to answer them)."""
        items: dict[str, ThreadItem] = {}
        usage = Usage()
        error: str | None = None
        final: str | None = None
        async for ev in self.run_streamed(prompt, images=images, output_schema=output_schema):
            if ev.type == "item.completed":
                items[ev.item.id] = ev.item
                if isinstance(ev.item, AgentMessageItem):
                    final = ev.item.text
            elif ev.type == "approval.requested":
                await self.respond_approval(ev.request_id, "denied")
            elif ev.type == "turn.completed":
                usage = ev.usage
            elif ev.type == "turn.failed":
                error = ev.error.message
        return TurnResult(final_response=final, items=list(items.values()), usage=usage, error=error)

    def run_sync(self, prompt: str, **kwargs: Any) -> TurnResult:
        """Blocking ``run``; usable even when an event loop is already running in this thread."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.run(prompt, **kwargs))
        result: list[TurnResult] = []
        errors: list[BaseException] = []

        def target() -> None:
            try:
                result.append(asyncio.run(self.run(prompt, **kwargs)))
            except BaseException as exc:  # pragma: no cover - re-raised below
                errors.append(exc)

        t = threading.Thread(target=target)
        t.start()
        t.join()
        if errors:
            raise errors[0]
        return result[0]

    async def compact(self) -> None:
        """Summarise the history now (``/compact``); waits for a running turn, stops on ``interrupt``."""
        async with self._lock:
            self._turn_task = asyncio.create_task(self._compact())
            try:
                await self._turn_task
            finally:
                self._turn_task = None

    async def _compact(self) -> None:
        from codex_core.agent.compaction import compact
        from codex_core.agent.context import base_instructions

        async def emit(ev: ThreadEvent) -> None:
            return None

        rt = TurnRuntime(
            state=self._state,
            emit=emit,
            turn_id=f"{self.id}:compact",
            cwd=self.config.cwd,
            approval_policy=self.config.approval_policy,
            sandbox_mode=self.config.sandbox_mode,
        )
        await compact(self._state, rt, base_instructions(self.config))

    async def aclose(self) -> None:
        if self._state.unified_exec is not None:
            await self._state.unified_exec.aclose()
            self._state.unified_exec = None
        if self._proxy_thread is not None:
            await asyncio.to_thread(self._proxy_thread.stop)
            self._proxy_thread = None
        if self._state.mcp is not None:
            await self._state.mcp.aclose()
            self._state.mcp = None
        if self._state.recorder is not None:
            self._state.recorder.close()


_ = ItemCompleted  # re-exported names used by type checkers of frontends
