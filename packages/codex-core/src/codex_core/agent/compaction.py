"""Local compaction: summarise the history with the model and replace it (spec 5.6)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from codex_core.agent.context import initial_context_items
from codex_core.client.types import Completed, OutputItemDone, Prompt
from codex_core.protocol.events import Warning
from codex_core.protocol.items import Message, OtherItem, ResponseItem

if TYPE_CHECKING:
    from codex_core.agent.runtime import TurnRuntime
    from codex_core.agent.state import ThreadState

__all__ = ["SUMMARY_PREFIX", "SUMMARY_PROMPT", "compact", "is_real_user_message"]

SUMMARY_PROMPT = (
    "You are performing a CONTEXT CHECKPOINT COMPACTION. Write a handoff summary for another LLM that "
    "will resume this task. Include: the user's goals and constraints, what has been done (files "
    "changed, commands run and their results), decisions made, and the exact next steps. Be concise "
    "and concrete; keep paths, identifiers and error messages verbatim."
)
SUMMARY_PREFIX = (
    "Another language model started to solve this problem and produced a summary of its thinking "
    "process. Use it to continue the work without redoing what is done:"
)
_USER_BUDGET_BYTES = 20_000 * 4


def is_real_user_message(item: ResponseItem | OtherItem) -> bool:
    if not isinstance(item, Message) or item.role != "user":
        return False
    text = item.text
    return not (
        text.startswith("<environment_context>")
        or text.startswith("# AGENTS.md instructions")
        or text.startswith(SUMMARY_PREFIX)
        or text.startswith("<user_instructions>")
    )


async def compact(state: ThreadState, rt: TurnRuntime, instructions: str) -> str:
    """Replace the thread history by initial context + recent user messages + a summary."""
    from codex_core.agent.turn import _normalised_history

    prompt_text = state.config.compact_prompt or SUMMARY_PROMPT
    history = _normalised_history(state.history)
    summary = ""
    prompt = Prompt(
        input=[*history, Message.user(prompt_text)],
        instructions=instructions,
        tools=(),
        prompt_cache_key=state.thread_id,
    )
    async for ev in state.model_client.stream(prompt):
        if isinstance(ev, OutputItemDone) and isinstance(ev.item, Message) and ev.item.role == "assistant":
            summary = ev.item.text
        elif isinstance(ev, Completed) and ev.usage is not None:
            state.total_usage = state.total_usage + ev.usage
    if not summary.strip():
        await rt.emit(Warning(message="Compaction produced no summary; the history was kept as it was."))
        return ""
    user_msgs: list[Message] = [m for m in state.history if isinstance(m, Message) and is_real_user_message(m)]
    kept: list[Message] = []
    budget = _USER_BUDGET_BYTES
    for m in reversed(user_msgs):
        size = len(m.text.encode())
        if size > budget:
            break
        kept.insert(0, m)
        budget -= size
    # the skills list scans the disk: off the event loop
    context = await asyncio.to_thread(initial_context_items, state.config)
    new_history: list[ResponseItem | OtherItem] = [
        *context,
        *kept,
        Message.user(f"{SUMMARY_PREFIX}\n{summary}"),
    ]
    state.history = new_history
    state.last_usage = type(state.last_usage)()
    if state.recorder is not None:
        state.recorder.record_compacted(summary, [i for i in new_history if not isinstance(i, OtherItem)])
    state.record_event({"type": "context_compacted"})
    await rt.emit(
        Warning(message="Context compacted. Long threads and repeated compactions can make the model less accurate.")
    )
    return summary
