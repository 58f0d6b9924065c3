"""One turn of the agent loop: user input -> model stream -> tools -> repeat until an answer.

Items completed by the model are committed to history as they arrive; tool calls start
executing immediately (serialised, in call order) and their outputs are appended in call
order once the response completes. A retryable stream failure re-sends the request with the
committed items kept exactly once (partial deltas are dropped), so no history is duplicated.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from codex_core.agent import compaction
from codex_core.agent.context import base_instructions, initial_context_items, installation_id
from codex_core.agent.router import build_tool_specs, dispatch_tool_call, offered_tool_names, to_tool_call
from codex_core.agent.runtime import ToolCall, TurnRuntime
from codex_core.agent.state import ThreadState, usage_event
from codex_core.client import (
    ContextWindowExceeded,
    ModelConnectionError,
    backoff_delay,
    is_retryable,
    retry_after_of,
)
from codex_core.client.providers import model_info
from codex_core.client.request import TURN_METADATA_KEY, WINDOW_ID_KEY
from codex_core.client.types import (
    Completed,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    Prompt,
    RateLimits,
    ReasoningContentDelta,
    ReasoningSummaryDelta,
    TokenUsage,
)
from codex_core.errors import CodexError
from codex_core.logging import get_logger
from codex_core.protocol.events import (
    AgentMessageItem,
    ItemCompleted,
    ItemDelta,
    ReasoningItem,
    TodoListItem,
    TokenCount,
    Warning,
    WebSearchItem,
)
from codex_core.protocol.items import (
    CustomToolCall,
    FunctionCall,
    FunctionCallOutput,
    LocalShellCall,
    Message,
    OtherItem,
    Reasoning,
    ResponseItem,
    WebSearchCall,
)

if TYPE_CHECKING:
    from codex_core.sandbox import SandboxPolicy

__all__ = ["TurnOutcome", "run_turn"]

log = get_logger(__name__)


class TurnOutcome:
    def __init__(self, last_message: str | None, usage: TokenUsage) -> None:
        self.last_message = last_message
        self.usage = usage


async def _record_skills(state: ThreadState, rt: TurnRuntime, user_items: Sequence[ResponseItem]) -> None:
    """The skills this turn's input names (``$name``, ``skill`` items): each ``SKILL.md`` as a user
    message after the user's (``codex_core.skills.mentions``)."""
    from codex_core.skills.mentions import turn_skill_messages

    picked, state.selected_skills = state.selected_skills, []

    def policy() -> SandboxPolicy:  # computed (and logged) only when a skill may be read
        result: SandboxPolicy = rt.command_sandbox(sandboxed=True)
        return result

    # the scan reads the disk: off the event loop, so other threads and requests keep going
    injected = await asyncio.to_thread(turn_skill_messages, state.config, user_items, picked=picked, policy=policy)
    state.record(list(injected.messages))
    for w in injected.warnings:
        await rt.emit(Warning(message=w))


def _normalised_history(history: Sequence[ResponseItem | OtherItem]) -> list[ResponseItem]:
    """Drop unknown items and make every call have an output (``aborted`` if missing)."""
    out: list[ResponseItem] = []
    outputs = {
        getattr(i, "call_id", None) for i in history if i.type in ("function_call_output", "custom_tool_call_output")
    }
    calls: set[str | None] = set()
    for item in history:
        if isinstance(item, OtherItem):
            continue
        if item.type in ("function_call_output", "custom_tool_call_output"):
            if item.call_id not in calls:
                continue  # orphan output
        out.append(item)
        if isinstance(item, FunctionCall | CustomToolCall | LocalShellCall):
            cid = item.call_id
            calls.add(cid)
            if cid is not None and cid not in outputs:
                from codex_core.protocol.items import CustomToolCallOutput

                if isinstance(item, CustomToolCall):
                    out.append(CustomToolCallOutput(call_id=cid, output="aborted"))
                else:
                    out.append(FunctionCallOutput(call_id=cid, output="aborted", success=False))
    return out


async def run_turn(state: ThreadState, rt: TurnRuntime, user_items: Sequence[ResponseItem]) -> TurnOutcome:
    config = state.config
    if state.mcp is not None:
        # Codex waits for its MCP servers (in parallel, each up to its startup_timeout_sec) so
        # their tools are in the first request; a `required` server that failed fails the turn.
        await state.mcp.wait_startup()
    if not state.context_initialised:
        warnings: list[str] = []
        # the skills list scans the disk: off the event loop
        state.record(list(await asyncio.to_thread(initial_context_items, config, warnings=warnings)))
        state.context_initialised = True
        for w in warnings:
            await rt.emit(Warning(message=w))
    state.record(list(user_items))
    await _record_skills(state, rt, user_items)
    instructions = base_instructions(config)
    turn_usage = TokenUsage()
    last_message: str | None = None
    provider = config.model_providers.get(config.model_provider_id)
    max_stream_retries = min(
        provider.stream_max_retries if provider and provider.stream_max_retries is not None else 5, 100
    )
    info = model_info(config.model)
    effort = config.model_reasoning_effort or info.default_reasoning_effort
    summary = config.model_reasoning_summary or info.default_reasoning_summary
    verbosity = (config.model_verbosity or info.default_verbosity) if info.default_verbosity is not None else None
    metadata = _client_metadata(state, rt, effort=effort, started_ms=int(time.time() * 1000))

    compacted_for_overflow = False
    while True:
        limit = config.model_auto_compact_token_limit
        if limit is None and config.model_context_window is not None:
            limit = int(config.model_context_window * 0.9)  # spec 5.6: about 90% of the window
        if limit is not None and state.last_usage.total_tokens >= limit:
            await compaction.compact(state, rt, instructions)
        if state.mcp is not None:
            for w in state.mcp.drain_warnings():
                await rt.emit(Warning(message=w))
        tools = build_tool_specs(state)
        prompt = Prompt(
            input=_normalised_history(state.history),
            instructions=instructions,
            tools=tools,
            parallel_tool_calls=True,
            output_schema=rt.output_schema,
            reasoning_effort=effort,
            reasoning_summary=None if summary == "none" else summary,
            verbosity=verbosity,
            prompt_cache_key=state.thread_id,
            turn_id=rt.turn_id,
            client_metadata=metadata,
            service_tier=config.service_tier,
        )
        attempt = 0
        while True:
            try:
                calls, message, usage = await _sample(state, rt, prompt)
                break
            except ContextWindowExceeded:
                # the history no longer fits: summarise it once, then re-send
                if compacted_for_overflow:
                    raise
                compacted_for_overflow = True
                await compaction.compact(state, rt, instructions)
                prompt = Prompt(**{**_prompt_fields(prompt), "input": _normalised_history(state.history)})
                continue
            except CodexError as exc:
                # a provider that cannot be reached was already retried by the request layer
                if not is_retryable(exc) or isinstance(exc, ModelConnectionError) or attempt >= max_stream_retries:
                    raise
                attempt += 1
                delay = backoff_delay(attempt, retry_after_of(exc))
                await rt.emit(Warning(message=f"Reconnecting... {attempt}/{max_stream_retries} ({exc})", retry=True))
                log.info("stream retry", attempt=attempt, max_retries=max_stream_retries, delay_s=delay, error=str(exc))
                await asyncio.sleep(delay)
                prompt = Prompt(**{**_prompt_fields(prompt), "input": _normalised_history(state.history)})
        if message is not None:
            last_message = message
        if usage is not None:
            turn_usage = turn_usage + usage
            state.total_usage = state.total_usage + usage
            state.last_usage = usage
            await rt.emit(
                TokenCount(
                    total=usage_event(state.total_usage),
                    last=usage_event(usage),
                    total_tokens=usage.total_tokens,
                    context_window=config.model_context_window,
                    rate_limits=state.rate_limits,
                )
            )
            token_count: dict[str, Any] = {
                "type": "token_count",
                "info": {
                    "total_token_usage": _usage_dict(state.total_usage),
                    "last_token_usage": _usage_dict(usage),
                },
            }
            if state.rate_limits is not None:
                token_count["rate_limits"] = state.rate_limits.model_dump()
            state.record_event(token_count)
        if not calls and not rt.extra_input:
            rt.accepting_input = False  # decided in the same step as the check: no steer is lost
            break
        if rt.extra_input:
            state.record(list(rt.extra_input))
            rt.extra_input.clear()
    if rt.todo_item_id is not None:
        await rt.emit(ItemCompleted(item=TodoListItem(id=rt.todo_item_id, items=rt.todo_entries)))
    return TurnOutcome(last_message, turn_usage)


def _client_metadata(state: ThreadState, rt: TurnRuntime, *, effort: str | None, started_ms: int) -> dict[str, str]:
    """The request's ``client_metadata`` (and ``x-codex-*`` headers): who is asking, for which
    thread and turn, as Codex 0.169 sends it. codex-py has one context window per thread id and no
    sub-agents, so the window is ``<thread>:0`` and the root turn is the turn itself."""
    thread = state.thread_id
    window = f"{thread}:0"
    install = installation_id(state.config.codex_home)
    turn: dict[str, Any] = {
        "installation_id": install,
        "session_id": thread,
        "thread_id": thread,
        "turn_id": rt.turn_id,
        "window_id": window,
        "window_number": 0,
        "request_kind": "turn",
        "root_turn_id": rt.turn_id,
        "sandbox_mode": rt.sandbox_mode,
        "turn_started_at_unix_ms": started_ms,
        "model": state.config.model,
    }
    if effort is not None:
        turn["reasoning_effort"] = effort
    return {
        "x-codex-installation-id": install,
        "session_id": thread,
        "thread_id": thread,
        "turn_id": rt.turn_id,
        "root_turn_id": rt.turn_id,
        WINDOW_ID_KEY: window,
        TURN_METADATA_KEY: json.dumps(turn, separators=(",", ":")),
    }


def _prompt_fields(p: Prompt) -> dict[str, Any]:
    import attrs

    return attrs.asdict(p, recurse=False)


def _usage_dict(u: TokenUsage) -> dict[str, int]:
    import attrs

    return attrs.asdict(u)


async def _sample(
    state: ThreadState, rt: TurnRuntime, prompt: Prompt
) -> tuple[list[ToolCall], str | None, TokenUsage | None]:
    """Stream one response, committing finished items and running tool calls as they arrive."""
    calls: list[ToolCall] = []
    tasks: list[asyncio.Task[Any]] = []
    chain: asyncio.Task[Any] | None = None
    last_message: str | None = None
    usage: TokenUsage | None = None
    live_ids: dict[str, str] = {}  # model item id -> our item id
    current_text_item: str | None = None
    current_reasoning_item: str | None = None
    offered = offered_tool_names(prompt.tools)

    async def run_after(prev: asyncio.Task[Any] | None, call: ToolCall) -> Any:
        if prev is not None:
            await asyncio.gather(prev, return_exceptions=True)
        return await dispatch_tool_call(state, rt, call, offered)

    try:
        async for ev in state.model_client.stream(prompt):
            if isinstance(ev, OutputItemAdded):
                item = ev.item
                if isinstance(item, Message) and item.role == "assistant":
                    current_text_item = state.next_item_id()
                    if item.id:
                        live_ids[item.id] = current_text_item
                elif isinstance(item, Reasoning):
                    current_reasoning_item = state.next_item_id()
                    if item.id:
                        live_ids[item.id] = current_reasoning_item
            elif isinstance(ev, OutputTextDelta):
                if current_text_item is None:
                    current_text_item = state.next_item_id()
                await rt.emit(ItemDelta(item_id=current_text_item, kind="agent_message", delta=ev.delta))
            elif isinstance(ev, ReasoningSummaryDelta):
                if current_reasoning_item is None:
                    current_reasoning_item = state.next_item_id()
                await rt.emit(
                    ItemDelta(item_id=current_reasoning_item, kind="reasoning", delta=ev.delta, index=ev.summary_index)
                )
            elif isinstance(ev, RateLimits):
                state.rate_limits = ev.snapshot
            elif isinstance(ev, ReasoningContentDelta) and state.config.show_raw_agent_reasoning:
                if current_reasoning_item is None:
                    current_reasoning_item = state.next_item_id()
                delta = ItemDelta(
                    item_id=current_reasoning_item, kind="reasoning_content", delta=ev.delta, index=ev.content_index
                )
                await rt.emit(delta)
            elif isinstance(ev, OutputItemDone):
                item = ev.item
                state.record([item])
                if isinstance(item, Message) and item.role == "assistant":
                    iid = live_ids.get(item.id or "") or current_text_item or state.next_item_id()
                    current_text_item = None
                    last_message = item.text
                    await rt.emit(ItemCompleted(item=AgentMessageItem(id=iid, text=item.text)))
                    state.record_event({"type": "agent_message", "message": item.text})
                elif isinstance(item, Reasoning):
                    iid = live_ids.get(item.id or "") or current_reasoning_item or state.next_item_id()
                    current_reasoning_item = None
                    text = item.summary_text
                    if not text and state.config.show_raw_agent_reasoning:  # e.g. gpt-oss: raw text only
                        text = "\n\n".join(c.text for c in item.content or ())
                    if text and not state.config.hide_agent_reasoning:
                        await rt.emit(ItemCompleted(item=ReasoningItem(id=iid, text=text)))
                elif isinstance(item, WebSearchCall):
                    query = str((item.action or {}).get("query", ""))
                    await rt.emit(ItemCompleted(item=WebSearchItem(id=state.next_item_id(), query=query)))
                else:
                    call = to_tool_call(item)
                    if call is not None:
                        calls.append(call)
                        chain = asyncio.create_task(run_after(chain, call))
                        tasks.append(chain)
            elif isinstance(ev, Completed):
                usage = ev.usage
        outputs = [await t for t in tasks]
    except BaseException as exc:
        # A dropped stream is retried: tool calls the model already made keep running and their
        # outputs are committed once. Anything else (interrupt, fatal error) cancels them.
        if not (isinstance(exc, CodexError) and is_retryable(exc)):
            for t in tasks:
                if not t.done():
                    t.cancel()
        for t in tasks:
            try:
                out = await t
            except BaseException:
                continue
            state.record([out])
        raise
    state.record(outputs)
    return calls, last_message, usage
