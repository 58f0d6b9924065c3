"""Translation of the SDK's ``ThreadEvent`` stream into app-server v2 notifications.

Pure mapping, no I/O: ``TurnTranslator.translate`` turns one SDK event into the notifications
to send (method, params model) and keeps the turn's completed items for ``turn/completed``.
Approval requests are not handled here (they need a round trip to the client).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from codex_core.protocol import events as ev
from codex_core.session.rollout import RolloutTurn
from codex_exec.app_server import wire
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, RpcError

__all__ = [
    "TurnTranslator",
    "convert_item",
    "history_turns",
    "now_ms",
    "rate_limit_snapshot",
    "token_breakdown",
    "turn_prompt",
]


def now_ms() -> int:
    return int(time.time() * 1000)


def _status(value: str) -> Any:
    return {"in_progress": "inProgress"}.get(value, value)


def convert_item(item: Any, cwd: str) -> Any:
    """An SDK ``ThreadItem`` as a v2 ``ThreadItem``; ``None`` for kinds with no v2 item (todo list, error)."""
    if isinstance(item, ev.AgentMessageItem):
        return wire.AgentMessageItem(id=item.id, text=item.text)
    if isinstance(item, ev.ReasoningItem):
        return wire.ReasoningItem(id=item.id, summary=[item.text] if item.text else [])
    if isinstance(item, ev.CommandExecutionItem):
        return wire.CommandExecutionItem(
            id=item.id,
            command=item.command,
            cwd=cwd,
            status=_status(item.status),
            aggregated_output=item.aggregated_output or None,
            exit_code=item.exit_code,
        )
    if isinstance(item, ev.FileChangeItem):
        return wire.FileChangeItem(
            id=item.id,
            changes=_changes(item.changes),
            status=_status(item.status),
        )
    if isinstance(item, ev.McpToolCallItem):
        return wire.McpToolCallItem(
            id=item.id,
            server=item.server,
            tool=item.tool,
            status=_status(item.status),
            arguments=item.arguments,
            result=wire.McpToolCallResult(
                content=item.result.content, structured_content=item.result.structured_content
            )
            if item.result
            else None,
            error=wire.McpToolCallError(message=item.error.message) if item.error else None,
        )
    if isinstance(item, ev.WebSearchItem):
        return wire.WebSearchItem(id=item.id, query=item.query)
    return None


def _changes(changes: list[ev.FileChange]) -> list[wire.FileUpdateChange]:
    return [
        wire.FileUpdateChange(path=c.path, kind=wire.PatchChangeKind(type=c.kind), diff=c.diff or "") for c in changes
    ]


def rate_limit_snapshot(limits: ev.RateLimitSnapshot) -> wire.RateLimitSnapshot:
    """The SDK's rate limits as the protocol's ``RateLimitSnapshot`` (percentages rounded, as
    the reference sends whole numbers; ``limitId`` is the header family, ``codex``)."""

    def window(w: ev.RateLimitWindow | None) -> wire.RateLimitWindow | None:
        if w is None:
            return None
        return wire.RateLimitWindow(
            used_percent=round(w.used_percent), window_duration_mins=w.window_minutes, resets_at=w.resets_at
        )

    credits = limits.credits
    return wire.RateLimitSnapshot(
        limit_id="codex",
        primary=window(limits.primary),
        secondary=window(limits.secondary),
        credits=wire.CreditsSnapshot(
            has_credits=credits.has_credits, unlimited=credits.unlimited, balance=credits.balance
        )
        if credits
        else None,
    )


def token_breakdown(usage: ev.Usage) -> wire.TokenUsageBreakdown:
    return wire.TokenUsageBreakdown(
        total_tokens=usage.input_tokens + usage.output_tokens,
        input_tokens=usage.input_tokens,
        cached_input_tokens=usage.cached_input_tokens,
        output_tokens=usage.output_tokens,
    )


Outgoing = list[tuple[str, wire.Wire]]


class TurnTranslator:
    """Maps the events of one turn; ``outcome`` is set once the turn ended."""

    def __init__(self, thread_id: str, turn_id: str, cwd: str) -> None:
        self.thread_id = thread_id
        self.turn_id = turn_id
        self.cwd = cwd
        self.items: dict[str, Any] = {}
        self._started: set[str] = set()
        self.outcome: tuple[str, str | None] | None = None
        """``("completed", None)`` or ``("failed", message)``."""
        self._summary_parts: dict[str, int] = {}
        """The summary section each reasoning item is streaming (``summaryPartAdded``)."""
        self._diffs: list[str] = []
        """Diffs of the file changes applied in this turn, in order (``turn/diff/updated``)."""
        self._raw_reasoning: dict[str, dict[int, str]] = {}
        """Raw reasoning text streamed per reasoning item, by content part (``item/reasoning/textDelta``)."""

    def _item_started(self, item: Any) -> Outgoing:
        self._started.add(item.id)
        note = wire.ItemStartedNotification(
            thread_id=self.thread_id, turn_id=self.turn_id, item=item, started_at_ms=now_ms()
        )
        return [("item/started", note)]

    def patch_approval_started(self, event: ev.ApprovalRequested) -> Outgoing:
        """``item/started`` of the ``fileChange`` a patch approval is about (the request itself has no diff)."""
        if event.item_id in self._started:
            return []
        item = wire.FileChangeItem(id=event.item_id, changes=_changes(event.changes or []), status="inProgress")
        return self._item_started(item)

    def _plan(self, item: ev.TodoListItem) -> Outgoing:
        steps = [wire.TurnPlanStep(step=e.text, status="completed" if e.completed else "pending") for e in item.items]
        first_open = next((s for s in steps if s.status == "pending"), None)
        if first_open is not None:
            first_open.status = "inProgress"
        note = wire.TurnPlanUpdatedNotification(thread_id=self.thread_id, turn_id=self.turn_id, plan=steps)
        return [("turn/plan/updated", note)]

    def _delta(self, event: ev.ItemDelta) -> Outgoing:
        out: Outgoing = []
        ids = {"thread_id": self.thread_id, "turn_id": self.turn_id, "item_id": event.item_id, "delta": event.delta}
        if event.kind == "agent_message":
            if event.item_id not in self._started:
                out += self._item_started(wire.AgentMessageItem(id=event.item_id, text=""))
            out.append(("item/agentMessage/delta", wire.DeltaNotification(**ids)))
        elif event.kind == "reasoning":
            if event.item_id not in self._started:
                out += self._item_started(wire.ReasoningItem(id=event.item_id))
            if self._summary_parts.get(event.item_id) != event.index:  # a new summary section
                self._summary_parts[event.item_id] = event.index
                part = {k: ids[k] for k in ("thread_id", "turn_id", "item_id")}
                note = wire.ReasoningSummaryPartAddedNotification(**part, summary_index=event.index)
                out.append(("item/reasoning/summaryPartAdded", note))
            delta = wire.ReasoningSummaryTextDeltaNotification(**ids, summary_index=event.index)
            out.append(("item/reasoning/summaryTextDelta", delta))
        elif event.kind == "reasoning_content":
            if event.item_id not in self._started:
                out += self._item_started(wire.ReasoningItem(id=event.item_id))
            parts = self._raw_reasoning.setdefault(event.item_id, {})
            parts[event.index] = parts.get(event.index, "") + event.delta
            out.append(
                ("item/reasoning/textDelta", wire.ReasoningTextDeltaNotification(**ids, content_index=event.index))
            )
        else:
            out.append(("item/commandExecution/outputDelta", wire.DeltaNotification(**ids)))
        return out

    def _diff_update(self, item: Any) -> Outgoing:
        """``turn/diff/updated`` after an applied file change: the turn's diffs so far, joined."""
        if not isinstance(item, wire.FileChangeItem) or item.status != "completed":
            return []
        added = [c.diff if c.diff.endswith("\n") else c.diff + "\n" for c in item.changes if c.diff]
        if not added:
            return []
        self._diffs += added
        note = wire.TurnDiffUpdatedNotification(
            thread_id=self.thread_id, turn_id=self.turn_id, diff="".join(self._diffs)
        )
        return [("turn/diff/updated", note)]

    def _with_raw_content(self, item: wire.ReasoningItem) -> wire.ReasoningItem:
        """A reasoning item whose raw text was streamed: that text is its ``content`` (and not its
        summary, which the SDK falls back to when a model sends raw reasoning only)."""
        parts = self._raw_reasoning[item.id]
        content = [parts[i] for i in sorted(parts)]
        summary = [] if item.summary == ["\n\n".join(content)] else item.summary
        return item.model_copy(update={"summary": summary, "content": content})

    def _error(self, message: str, *, will_retry: bool) -> Outgoing:
        note = wire.ErrorNotification(
            error=wire.TurnError(message=message),
            thread_id=self.thread_id,
            turn_id=self.turn_id,
            will_retry=will_retry,
        )
        return [("error", note)]

    def translate(self, event: Any) -> Outgoing:
        """The notifications for one SDK event (approval requests and turn start/end excluded)."""
        if isinstance(event, ev.ItemStarted | ev.ItemUpdated | ev.ItemCompleted):
            if isinstance(event.item, ev.TodoListItem):
                return self._plan(event.item)
            if isinstance(event.item, ev.ErrorItem):
                return [("warning", wire.WarningNotification(message=event.item.message, thread_id=self.thread_id))]
            item = convert_item(event.item, self.cwd)
            if item is None:
                return []
            if isinstance(item, wire.ReasoningItem) and item.id in self._raw_reasoning:
                item = self._with_raw_content(item)
            if isinstance(event, ev.ItemCompleted):
                out = [] if item.id in self._started else self._item_started(_as_started(item))
                self.items[item.id] = item
                note = wire.ItemCompletedNotification(
                    thread_id=self.thread_id, turn_id=self.turn_id, item=item, completed_at_ms=now_ms()
                )
                return [*out, ("item/completed", note), *self._diff_update(item)]
            if isinstance(event, ev.ItemStarted) and item.id not in self._started:
                return self._item_started(item)
            return []
        if isinstance(event, ev.ItemDelta):
            return self._delta(event)
        if isinstance(event, ev.TokenCount):
            usage = wire.ThreadTokenUsage(
                total=token_breakdown(event.total),
                last=token_breakdown(event.last),
                model_context_window=event.context_window,
            )
            update = wire.ThreadTokenUsageUpdatedNotification(
                thread_id=self.thread_id, turn_id=self.turn_id, token_usage=usage
            )
            if event.rate_limits is None:
                return [("thread/tokenUsage/updated", update)]
            limits = wire.AccountRateLimitsUpdatedNotification(rate_limits=rate_limit_snapshot(event.rate_limits))
            return [("thread/tokenUsage/updated", update), ("account/rateLimits/updated", limits)]
        if isinstance(event, ev.Warning):
            if event.retry:  # a stream reconnect attempt: ``error`` with ``willRetry``
                return self._error(event.message, will_retry=True)
            return [("warning", wire.WarningNotification(message=event.message, thread_id=self.thread_id))]
        if isinstance(event, ev.ErrorEvent):
            return self._error(event.message, will_retry=False)
        if isinstance(event, ev.TurnCompleted):
            self.outcome = ("completed", None)
        elif isinstance(event, ev.TurnFailed):
            self.outcome = ("failed", event.error.message)
        return []


def _as_started(item: Any) -> Any:
    """The ``item/started`` view of an item first seen completed (command/patch items keep their status)."""
    if isinstance(item, wire.CommandExecutionItem | wire.FileChangeItem | wire.McpToolCallItem):
        return item.model_copy(update={"status": "inProgress"}) if item.status != "declined" else item
    return item


def history_turns(thread_id: str, turns: Sequence[RolloutTurn]) -> list[wire.Turn]:
    """A saved thread's turns (one per turn of its rollout) as completed protocol turns: the
    user's inputs (prompt, then steered input) and the assistant's messages."""
    out: list[wire.Turn] = []
    for index, turn in enumerate(turns):
        turn_id = f"{thread_id}-history-{index}"
        items: list[Any] = [
            wire.UserMessageItem(id=f"{turn_id}-input-{n}", content=[wire.TextInput(type="text", text=text)])
            for n, text in enumerate(turn.user)
        ]
        items += [wire.AgentMessageItem(id=f"{turn_id}-{n}", text=text) for n, text in enumerate(turn.assistant)]
        out.append(wire.Turn(id=turn_id, status="completed", items=items))
    return out


def turn_prompt(inputs: list[Any]) -> tuple[Any, list[str]]:
    """The SDK prompt for a ``turn/start`` input list: text (+ local image paths), or items for URL images."""
    if not inputs:
        raise RpcError(INVALID_PARAMS, "Invalid params: `input` must contain at least one item")
    text = "\n".join(i.text for i in inputs if isinstance(i, wire.TextInput))
    local = [i.path for i in inputs if isinstance(i, wire.LocalImageInput)]
    urls = [i.url for i in inputs if isinstance(i, wire.ImageInput)]
    if not urls:
        return text, local
    if local:
        raise RpcError(
            INVALID_PARAMS, "Invalid params: mixing `image` (URL) and `localImage` inputs in one turn is not supported"
        )
    from codex_core.protocol.items import InputImage, InputText, Message

    parts: list[InputText | InputImage] = [InputImage(image_url=u) for u in urls]
    if text:
        parts.append(InputText(text=text))
    return [Message(role="user", content=parts)], []
