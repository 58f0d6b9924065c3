"""A scripted stand-in for ``codex_core.Thread`` yielding real ``protocol.events`` models.

Each turn script is a list of events and control steps: ``AwaitApproval(event, then={decision:
[events]})`` yields the approval request, waits for ``respond_approval`` and continues with the
events for the chosen decision; ``AwaitInterrupt()`` blocks until ``interrupt()`` and then ends the
turn with ``turn.failed: interrupted`` (as core does).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import attrs

from codex_core.protocol.events import (
    AgentMessageItem,
    ItemCompleted,
    ItemDelta,
    ItemStarted,
    ThreadError,
    TurnCompleted,
    TurnFailed,
    TurnStarted,
    Usage,
)


@dataclass
class AwaitApproval:
    request: Any
    then: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class AwaitInterrupt:
    pass


@dataclass
class Gate:
    """Pause the turn until the test sets ``event``."""

    event: asyncio.Event


def message_turn(text: str, item_id: str = "msg_1", chunks: int = 3) -> list[Any]:
    """turn.started, streamed agent message, turn.completed."""
    size = max(1, len(text) // chunks)
    parts = [text[i : i + size] for i in range(0, len(text), size)]
    return [
        TurnStarted(),
        ItemStarted(item=AgentMessageItem(id=item_id, text="")),
        *[ItemDelta(item_id=item_id, kind="agent_message", delta=p) for p in parts],
        ItemCompleted(item=AgentMessageItem(id=item_id, text=text)),
        TurnCompleted(usage=Usage(input_tokens=10, output_tokens=5)),
    ]


class FakeThread:
    def __init__(self, config: Any, turns: Sequence[list[Any]] = (), thread_id: str = "thread-1") -> None:
        self._config = config
        self.turns = list(turns)
        self.id = thread_id
        self.inputs: list[tuple[str, list[Path]]] = []
        self.approvals: list[tuple[str, str]] = []
        self.overrides: list[dict[str, Any]] = []
        self.compactions = 0
        self.interrupted = asyncio.Event()
        self._approval: asyncio.Future[str] | None = None

    @property
    def config(self) -> Any:
        return self._config

    async def run_streamed(self, text: str, *, images: Sequence[Path] = ()) -> AsyncIterator[Any]:
        self.inputs.append((text, list(images)))
        self.interrupted.clear()
        script = self.turns.pop(0) if self.turns else message_turn(f"echo: {text}")
        async for ev in self._play(script):
            yield ev

    async def _play(self, script: list[Any]) -> AsyncIterator[Any]:
        for step in script:
            if isinstance(step, AwaitApproval):
                self._approval = asyncio.get_running_loop().create_future()
                yield step.request
                decision = await self._approval
                for ev in step.then.get(decision, []):
                    yield ev
                if decision == "abort":
                    yield TurnFailed(error=ThreadError(message="turn aborted by user"))
                    return
            elif isinstance(step, Gate):
                await step.event.wait()
            elif isinstance(step, AwaitInterrupt):
                await self.interrupted.wait()
                yield TurnFailed(error=ThreadError(message="interrupted"))
                return
            else:
                yield step
                await asyncio.sleep(0)

    async def respond_approval(self, request_id: str, decision: str) -> None:
        self.approvals.append((request_id, decision))
        assert self._approval is not None
        self._approval.set_result(decision)

    def interrupt(self) -> None:
        self.interrupted.set()

    def override(self, **kwargs: Any) -> None:
        self.overrides.append({k: v for k, v in kwargs.items() if v is not None})
        changes = {k: v for k, v in kwargs.items() if v is not None}
        self._config = attrs.evolve(self._config, **changes)

    async def compact(self) -> None:
        self.compactions += 1


class FakeCodex:
    def __init__(self, config: Any, turns: Sequence[list[Any]] = ()) -> None:
        self.config = config
        self.threads: list[FakeThread] = []
        self.turns = list(turns)

    def start_thread(self) -> FakeThread:
        thread = FakeThread(self.config, self.turns, thread_id=f"thread-{len(self.threads) + 1}")
        self.turns = []
        self.threads.append(thread)
        return thread

    def resume_thread(self, thread_id: str) -> FakeThread:
        thread = FakeThread(self.config, [], thread_id=thread_id)
        self.threads.append(thread)
        return thread
