"""Handlers of the small built-in tools: ``update_plan`` and ``view_image``."""

from __future__ import annotations

from pathlib import Path

from codex_core.agent.image_read import MAX_IMAGE_BYTES, image_data_url
from codex_core.agent.runtime import ToolCall, TurnRuntime, tool_output
from codex_core.errors import CodexError
from codex_core.protocol.events import TodoEntry
from codex_core.protocol.items import CustomToolCallOutput, FunctionCallOutput, InputImage, InputText, Message

__all__ = ["MAX_IMAGE_BYTES", "handle_update_plan", "handle_view_image", "image_data_url"]

_STATUSES = {"pending", "in_progress", "completed"}


async def handle_update_plan(call: ToolCall, rt: TurnRuntime) -> FunctionCallOutput | CustomToolCallOutput:
    try:
        args = call.parse_arguments()
        plan = args.get("plan")
        if not isinstance(plan, list):
            raise ValueError("`plan` must be an array of {step, status}")
        entries: list[TodoEntry] = []
        in_progress = 0
        for i, step in enumerate(plan):
            if not isinstance(step, dict) or not isinstance(step.get("step"), str):
                raise ValueError(f"plan[{i}] must be an object with a string `step`")
            status = step.get("status")
            if status not in _STATUSES:
                raise ValueError(f"plan[{i}].status must be one of pending, in_progress, completed")
            in_progress += status == "in_progress"
            entries.append(TodoEntry(text=step["step"], completed=status == "completed"))
        if in_progress > 1:
            raise ValueError("at most one step can be in_progress")
    except ValueError as exc:
        return tool_output(call, str(exc), success=False)
    await rt.update_todo(entries)
    return tool_output(call, "Plan updated", success=True)


async def handle_view_image(call: ToolCall, rt: TurnRuntime) -> FunctionCallOutput | CustomToolCallOutput:
    try:
        args = call.parse_arguments()
        raw = args.get("path")
        if not isinstance(raw, str) or not raw:
            raise ValueError("`path` is required")
        path = Path(raw)
        if not path.is_absolute():
            path = rt.cwd / path
        # view_image reads on the host: it may only see what this turn's commands could read
        url = image_data_url(path, policy=rt.command_sandbox(sandboxed=True))
    except (ValueError, CodexError) as exc:
        return tool_output(call, str(exc), success=False)
    rt.extra_input.append(
        Message(
            role="user",
            content=[
                InputText(text=f"<image name={path.name}>"),
                InputImage(image_url=url),
                InputText(text="</image>"),
            ],
        )
    )
    return tool_output(call, "attached local image path", success=True)
