"""Handlers of the small built-in tools: ``update_plan`` and ``view_image``."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from codex_core.agent.runtime import ToolCall, TurnRuntime, tool_output
from codex_core.protocol.events import TodoEntry
from codex_core.protocol.items import CustomToolCallOutput, FunctionCallOutput, InputImage, InputText, Message

__all__ = ["MAX_IMAGE_BYTES", "handle_update_plan", "handle_view_image", "image_data_url"]

MAX_IMAGE_BYTES = 20 * 1024 * 1024
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


def image_data_url(path: Path) -> str:
    """Read an image file into a ``data:`` URL; raises ``ValueError`` with a readable reason."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValueError(f"unable to locate image at `{path}`: {exc.strerror}") from None
    if not path.is_file():
        raise ValueError(f"image path `{path}` is not a file")
    if size > MAX_IMAGE_BYTES:
        raise ValueError(f"image `{path}` is too large ({size} bytes)")
    mime, _ = mimetypes.guess_type(path.name)
    if mime is None or not mime.startswith("image/"):
        raise ValueError(f"`{path}` does not look like an image (unsupported type {mime or 'unknown'})")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{mime};base64,{data}"


async def handle_view_image(call: ToolCall, rt: TurnRuntime) -> FunctionCallOutput | CustomToolCallOutput:
    try:
        args = call.parse_arguments()
        raw = args.get("path")
        if not isinstance(raw, str) or not raw:
            raise ValueError("`path` is required")
        path = Path(raw)
        if not path.is_absolute():
            path = rt.cwd / path
        url = image_data_url(path)
    except ValueError as exc:
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
