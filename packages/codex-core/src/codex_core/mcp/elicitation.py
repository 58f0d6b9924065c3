"""MCP elicitation: an MCP server asks the user for input (``elicitation/create``) while one of
its tools runs.

codex-py's MCP client always declares the elicitation capability (form and URL modes), as Codex
does. A request is answered by policy first, like Codex 0.169:

- with ``approval_policy = "never"`` and full disk access (``danger-full-access``), a form that
  asks for nothing (no schema properties) is accepted with ``{}``;
- ``approval_policy = "never"``, or a granular policy with ``mcp_elicitations = false``,
  declines it;
- otherwise the thread's frontend answers through its :data:`ElicitationHandler`
  (:func:`set_elicitation_handler`; the app-server's ``mcpServer/elicitation/request``). A
  thread without a handler (``codex exec``) declines.

The answer (``accept`` with content, ``decline``, ``cancel``) goes back to the MCP server, and
the tool call continues.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    from codex_core.agent.state import ThreadState
    from codex_core.config import Config
    from codex_core.sdk import Thread

__all__ = [
    "ElicitationAction",
    "ElicitationHandler",
    "ElicitationRequest",
    "ElicitationResponse",
    "answer_elicitation",
    "policy_answer",
    "set_elicitation_handler",
]

ElicitationAction = Literal["accept", "decline", "cancel"]


@attrs.frozen(kw_only=True)
class ElicitationRequest:
    """One ``elicitation/create`` request of the MCP server ``server_name``."""

    server_name: str
    request_id: str | int
    """The MCP server's JSON-RPC request id."""
    mode: Literal["form", "url"]
    message: str
    requested_schema: Mapping[str, Any] | None = None
    """Form mode: the flat JSON Schema of the answer (``{"type": "object", "properties": ...}``)."""
    url: str | None = None
    """URL mode: the page the user should open."""
    elicitation_id: str | None = None
    """URL mode: the server's id of this elicitation."""
    meta: Mapping[str, Any] | None = None
    """The request's ``_meta``."""


@attrs.frozen
class ElicitationResponse:
    """The answer sent back to the MCP server: ``content`` only with ``accept`` (form mode)."""

    action: ElicitationAction
    content: Mapping[str, Any] | None = None
    meta: Mapping[str, Any] | None = None


ElicitationHandler = Callable[[ElicitationRequest], Awaitable[ElicitationResponse]]
"""How a frontend answers an elicitation; raising means "declined"."""


def policy_answer(config: Config, request: ElicitationRequest) -> ElicitationResponse | None:
    """The answer the approval policy gives without asking anyone, or ``None`` (ask the user)."""
    never = config.approval_policy == "never"
    if never and config.sandbox_mode == "danger-full-access" and request.mode == "form":
        properties = (request.requested_schema or {}).get("properties")
        if not properties:  # a bare confirmation: nothing to fill in
            return ElicitationResponse(action="accept", content={})
    granular = config.approval_granular
    if never or (granular is not None and config.approval_policy == "on-request" and not granular.mcp_elicitations):
        return ElicitationResponse(action="decline")
    return None


async def answer_elicitation(state: ThreadState, request: ElicitationRequest) -> ElicitationResponse:
    """Answer ``request`` for the thread of ``state``: by policy, else through its handler (a
    handler that fails, or no handler at all, declines)."""
    from codex_core.logging import get_logger

    decided = policy_answer(state.config, request)
    if decided is not None:
        return decided
    handler: ElicitationHandler | None = state.elicitation_handler
    if handler is None:
        return ElicitationResponse(action="decline")
    try:
        return await handler(request)
    except Exception as exc:  # the frontend's failure must not break the MCP server's tool call
        get_logger("codex.mcp").warning("elicitation handler failed", server=request.server_name, error=str(exc))
        return ElicitationResponse(action="decline")


def set_elicitation_handler(thread: Thread, handler: ElicitationHandler | None) -> None:
    """Let the MCP elicitations of ``thread``'s servers reach the user through ``handler``
    (``None``: they are declined, unless the policy answers them)."""
    thread._state.elicitation_handler = handler
