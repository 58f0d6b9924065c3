"""Conversation items exchanged with the Responses API (``ResponseItem``).

These are the wire/history items: what the model sends (messages, reasoning, tool calls)
and what we send back (user messages, tool outputs). They are stored verbatim in rollouts.
Fields marked *local* are kept in history but not sent to the API (see ``to_api``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "ContentItem",
    "CustomToolCall",
    "CustomToolCallOutput",
    "FunctionCall",
    "FunctionCallOutput",
    "InputImage",
    "InputText",
    "LocalShellAction",
    "LocalShellCall",
    "Message",
    "OtherItem",
    "OutputText",
    "Reasoning",
    "ReasoningContent",
    "ReasoningSummary",
    "ResponseItem",
    "WebSearchCall",
    "item_from_api",
    "item_to_api",
    "items_adapter",
]


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class InputText(_Item):
    type: Literal["input_text"] = "input_text"
    text: str


class InputImage(_Item):
    type: Literal["input_image"] = "input_image"
    image_url: str
    """A ``data:`` URL or an http(s) URL."""


class OutputText(_Item):
    type: Literal["output_text"] = "output_text"
    text: str


ContentItem = Annotated[InputText | InputImage | OutputText, Field(discriminator="type")]


class Message(_Item):
    type: Literal["message"] = "message"
    id: str | None = None
    role: Literal["user", "assistant", "developer", "system"]
    content: list[ContentItem]

    @property
    def text(self) -> str:
        """Concatenated text of all text parts."""
        return "".join(p.text for p in self.content if not isinstance(p, InputImage))

    @classmethod
    def user(cls, text: str) -> Message:
        return cls(role="user", content=[InputText(text=text)])

    @classmethod
    def developer(cls, text: str) -> Message:
        return cls(role="developer", content=[InputText(text=text)])

    @classmethod
    def assistant(cls, text: str) -> Message:
        return cls(role="assistant", content=[OutputText(text=text)])


class ReasoningSummary(_Item):
    type: Literal["summary_text"] = "summary_text"
    text: str


class ReasoningContent(_Item):
    type: Literal["reasoning_text", "text"] = "reasoning_text"
    text: str


class Reasoning(_Item):
    type: Literal["reasoning"] = "reasoning"
    id: str | None = None
    summary: list[ReasoningSummary] = Field(default_factory=list)
    content: list[ReasoningContent] | None = None
    encrypted_content: str | None = None

    @property
    def summary_text(self) -> str:
        return "\n\n".join(s.text for s in self.summary)


class FunctionCall(_Item):
    type: Literal["function_call"] = "function_call"
    id: str | None = None
    name: str
    arguments: str
    """JSON text of the arguments, parsed by the tool handler."""
    call_id: str
    namespace: str | None = None
    """The namespace tool ``name`` belongs to, when it is inside one (dynamic tools)."""


class FunctionCallOutput(_Item):
    type: Literal["function_call_output"] = "function_call_output"
    call_id: str
    output: str | list[ContentItem]
    success: bool | None = None
    """*local*: whether the tool succeeded."""


class CustomToolCall(_Item):
    type: Literal["custom_tool_call"] = "custom_tool_call"
    id: str | None = None
    status: str | None = None
    call_id: str
    name: str
    input: str


class CustomToolCallOutput(_Item):
    type: Literal["custom_tool_call_output"] = "custom_tool_call_output"
    call_id: str
    output: str


class LocalShellAction(_Item):
    type: Literal["exec"] = "exec"
    command: list[str]
    timeout_ms: int | None = None
    working_directory: str | None = None
    env: dict[str, str] | None = None
    user: str | None = None


class LocalShellCall(_Item):
    type: Literal["local_shell_call"] = "local_shell_call"
    id: str | None = None
    call_id: str | None = None
    status: Literal["completed", "in_progress", "incomplete"] = "completed"
    action: LocalShellAction


class WebSearchCall(_Item):
    type: Literal["web_search_call"] = "web_search_call"
    id: str | None = None
    status: str | None = None
    action: dict[str, Any] | None = None


class OtherItem(BaseModel):
    """Any item type we do not model; kept so rollouts round-trip, never sent."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)
    type: str


ResponseItem = Annotated[
    Message
    | Reasoning
    | FunctionCall
    | FunctionCallOutput
    | CustomToolCall
    | CustomToolCallOutput
    | LocalShellCall
    | WebSearchCall,
    Field(discriminator="type"),
]

_KNOWN = {
    "message",
    "reasoning",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "local_shell_call",
    "web_search_call",
}
_adapter: TypeAdapter[Any] = TypeAdapter(ResponseItem, config=ConfigDict(defer_build=True))
items_adapter: TypeAdapter[list[Any]] = TypeAdapter(list[ResponseItem], config=ConfigDict(defer_build=True))


def item_from_api(data: dict[str, Any]) -> ResponseItem | OtherItem:
    """Parse one item as the API (or a rollout line) spells it; unknown types become ``OtherItem``."""
    if data.get("type") not in _KNOWN:
        return OtherItem.model_validate(data)
    item: ResponseItem = _adapter.validate_python(data)
    return item


_LOCAL_ONLY = {"id", "success"}


def item_to_api(item: ResponseItem) -> dict[str, Any]:
    """Serialise an item for a request body: drops local-only fields and ``None`` values."""
    data: dict[str, Any] = item.model_dump(mode="json", exclude_none=True)
    for key in _LOCAL_ONLY:
        data.pop(key, None)
    if isinstance(item, Reasoning):
        data.setdefault("summary", [])
        if item.content and any(c.type == "reasoning_text" for c in item.content):
            data.pop("content", None)
    return data
