"""``ScriptedModel``: an in-process :class:`~codex_core.client.ModelClient` for tests.

Each call to ``stream`` consumes one step. A step is a list of output items, a callable
``(Prompt) -> list of items`` (to answer based on what was sent), or an exception to raise.
The double synthesises the same event sequence the HTTP client produces (``Created``,
``OutputItemAdded``, text/reasoning deltas, ``OutputItemDone``, ``Completed``), so streaming
code paths in the loop and frontends run unchanged.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, TypeAlias

from codex_core.client.types import (
    Completed,
    Created,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    Prompt,
    ReasoningSummaryDelta,
    ReasoningSummaryPartAdded,
    ResponseEvent,
    TokenUsage,
)
from codex_core.errors import UsageError
from codex_core.protocol.items import (
    CustomToolCall,
    FunctionCall,
    Message,
    OutputText,
    Reasoning,
    ReasoningSummary,
    ResponseItem,
    item_to_api,
)

__all__ = [
    "ScriptedModel",
    "Step",
    "custom_tool_call",
    "function_call",
    "message",
    "reasoning",
    "shell_call",
]

Step: TypeAlias = Sequence[ResponseItem] | Callable[[Prompt], Sequence[ResponseItem]] | BaseException
"""One scripted model response."""

_counter = itertools.count(1)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{next(_counter)}"


def message(text: str) -> Message:
    """An assistant message item."""
    return Message(id=_new_id("msg"), role="assistant", content=[OutputText(text=text)])


def reasoning(summary: str) -> Reasoning:
    """A reasoning item with one summary section."""
    return Reasoning(id=_new_id("rs"), summary=[ReasoningSummary(text=summary)], encrypted_content="opaque")


def function_call(name: str, args: dict[str, Any] | str, call_id: str | None = None) -> FunctionCall:
    """A function tool call; dict ``args`` are JSON-encoded as the API does."""
    arguments = args if isinstance(args, str) else json.dumps(args)
    return FunctionCall(id=_new_id("fc"), name=name, arguments=arguments, call_id=call_id or _new_id("call"))


def shell_call(
    cmd: list[str] | str,
    *,
    workdir: str | None = None,
    timeout_ms: int | None = None,
    call_id: str | None = None,
    tool_name: str = "shell",
    **extra: Any,
) -> FunctionCall:
    """A ``shell`` tool call; a string ``cmd`` becomes ``["bash", "-lc", cmd]``.

    ``extra`` adds approval fields such as ``sandbox_permissions`` / ``justification``.
    """
    command = ["bash", "-lc", cmd] if isinstance(cmd, str) else list(cmd)
    args: dict[str, Any] = {"command": command}
    if workdir is not None:
        args["workdir"] = workdir
    if timeout_ms is not None:
        args["timeout_ms"] = timeout_ms
    args.update(extra)
    return function_call(tool_name, args, call_id)


def custom_tool_call(name: str, input: str, call_id: str | None = None) -> CustomToolCall:
    """A freeform tool call (e.g. ``apply_patch`` with the patch text as ``input``)."""
    return CustomToolCall(
        id=_new_id("ctc"), status="completed", call_id=call_id or _new_id("call"), name=name, input=input
    )


def _estimate_tokens(payload: Any) -> int:
    return (len(json.dumps(payload)) + 3) // 4


class ScriptedModel:
    """A scripted :class:`~codex_core.client.ModelClient`; records every :class:`Prompt` in ``prompts``.

    ``usage`` fixes the usage reported on every ``Completed``; by default it is estimated
    as ceil(chars/4) of the JSON input and output.
    """

    __test__ = False

    def __init__(self, steps: Sequence[Step] = (), *, usage: TokenUsage | None = None) -> None:
        self._steps: list[Step] = list(steps)
        self.usage = usage
        self.prompts: list[Prompt] = []

    def add_step(self, step: Step) -> None:
        """Append one more response to the script."""
        self._steps.append(step)

    @property
    def remaining(self) -> int:
        """Steps not yet consumed."""
        return len(self._steps)

    def assert_complete(self) -> None:
        """Fail if some scripted steps were never requested."""
        if self._steps:
            raise AssertionError(
                f"ScriptedModel: {len(self._steps)} scripted step(s) were never requested "
                f"(after {len(self.prompts)} request(s))"
            )

    async def stream(self, prompt: Prompt) -> AsyncIterator[ResponseEvent]:
        """Play the next step as a stream of events."""
        self.prompts.append(prompt)
        if not self._steps:
            raise UsageError(f"ScriptedModel: no scripted step left for request #{len(self.prompts)}")
        step = self._steps.pop(0)
        if isinstance(step, BaseException):
            raise step
        items = list(step(prompt)) if callable(step) else list(step)
        response_id = _new_id("resp")
        yield Created()
        for item in items:
            async for event in _item_events(item):
                yield event
        usage = self.usage
        if usage is None:
            input_tokens = _estimate_tokens([item_to_api(i) for i in prompt.input]) + _estimate_tokens(
                prompt.instructions
            )
            output_tokens = _estimate_tokens([item_to_api(i) for i in items]) if items else 0
            total = input_tokens + output_tokens
            usage = TokenUsage(input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=total)
        yield Completed(response_id=response_id, usage=usage)


def _split(text: str, parts: int = 3) -> list[str]:
    if not text:
        return []
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)]


async def _item_events(item: ResponseItem) -> AsyncIterator[ResponseEvent]:
    if isinstance(item, Message) and item.role == "assistant":
        yield OutputItemAdded(item.model_copy(update={"content": []}))
        for chunk in _split(item.text):
            yield OutputTextDelta(delta=chunk, item_id=item.id)
    elif isinstance(item, Reasoning):
        yield OutputItemAdded(item.model_copy(update={"summary": []}))
        for index, part in enumerate(item.summary):
            yield ReasoningSummaryPartAdded(summary_index=index)
            for chunk in _split(part.text):
                yield ReasoningSummaryDelta(delta=chunk, summary_index=index)
    else:
        yield OutputItemAdded(item)
    yield OutputItemDone(item)
