"""Mapping MCP ``CallToolResult`` values to what the model and the frontends see (spec 3.5).

The model's ``function_call_output`` follows the reference client: non-null structured content
is sent as its JSON text; otherwise, when the result holds an image, the content becomes a list
of ``input_text`` / ``input_image`` parts (images as ``data:`` URLs); otherwise the content
blocks are sent as their JSON text. ``success`` is ``not isError``. Transport failures
(timeouts, dead servers) become a plain error string with ``success=False``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from codex_core.protocol.events import McpToolCallResult
from codex_core.protocol.items import InputImage, InputText

__all__ = ["McpCallOutcome", "error_outcome", "outcome_from_result"]


@attrs.frozen
class McpCallOutcome:
    """The result of one MCP tool call, ready for the model and for an ``mcp_tool_call`` item.

    ``output`` goes into the ``function_call_output``; ``result`` (on success or a tool-reported
    error) or ``error`` (transport/timeout failure) goes into the ``McpToolCallItem``.
    """

    output: str | list[InputText | InputImage]
    success: bool
    result: McpToolCallResult | None = None
    error: str | None = None


def error_outcome(message: str) -> McpCallOutcome:
    """An outcome for a call that did not produce a ``CallToolResult`` at all."""
    return McpCallOutcome(output=message, success=False, result=None, error=message)


def outcome_from_result(
    content: Sequence[Mapping[str, Any]], structured_content: Any, is_error: bool
) -> McpCallOutcome:
    """Map the wire form (camelCase JSON) of a ``CallToolResult`` to an outcome."""
    blocks = [dict(b) for b in content]
    result = McpToolCallResult(content=blocks, structured_content=structured_content)
    output: str | list[InputText | InputImage]
    if structured_content is not None:
        output = json.dumps(structured_content, ensure_ascii=False, separators=(",", ":"))
    elif any(b.get("type") == "image" for b in blocks):
        output = _content_items(blocks)
    else:
        output = json.dumps(blocks, ensure_ascii=False, separators=(",", ":"))
    return McpCallOutcome(output=output, success=not is_error, result=result, error=None)


def _content_items(blocks: list[dict[str, Any]]) -> list[InputText | InputImage]:
    items: list[InputText | InputImage] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "text":
            items.append(InputText(text=str(block.get("text", ""))))
        elif kind == "image":
            mime = block.get("mimeType") or "image/png"
            items.append(InputImage(image_url=f"data:{mime};base64,{block.get('data', '')}"))
        elif kind == "resource":
            resource = block.get("resource") or {}
            if "text" in resource:
                items.append(InputText(text=str(resource["text"])))
            else:
                items.append(InputText(text=json.dumps(block, ensure_ascii=False)))
        else:
            items.append(InputText(text=json.dumps(block, ensure_ascii=False)))
    return items
