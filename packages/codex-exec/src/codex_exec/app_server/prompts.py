"""Server -> client requests made while a turn runs: approvals (``item/commandExecution/
requestApproval``, ``item/fileChange/requestApproval``), the model's questions
(``item/tool/requestUserInput``), MCP elicitations (``mcpServer/elicitation/request``) and
calls of the client's dynamic tools (``item/tool/call``).

Each is answered concurrently with other requests; while one is pending the thread's status
carries ``waitingOnApproval`` / ``waitingOnUserInput``, and once it is answered (or dropped
because its turn ended) ``serverRequest/resolved`` names it."""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from codex_core.dynamic_tools import DynamicToolCall, DynamicToolResult, set_dynamic_tools
from codex_core.errors import UsageError
from codex_core.mcp.elicitation import ElicitationRequest, ElicitationResponse, set_elicitation_handler
from codex_core.protocol.events import ApprovalRequested
from codex_core.protocol.items import InputImage, InputText
from codex_core.sdk import Thread
from codex_core.user_input import UserInputQuestion
from codex_exec.app_server import wire
from codex_exec.app_server.jsonrpc import RpcError
from codex_exec.app_server.loaded import ActiveTurn, LoadedThread
from codex_exec.app_server.translate import TurnTranslator, now_ms

if TYPE_CHECKING:
    from codex_exec.app_server.threads import ThreadManager

__all__ = ["ClientPrompts"]

_DECISIONS: dict[str, Any] = {
    "accept": "approved",
    "acceptForSession": "approved_for_session",
    "decline": "denied",
    "cancel": "abort",
}


class ClientPrompts:
    """Asks this connection's client on behalf of the loaded threads of ``manager``."""

    def __init__(self, manager: ThreadManager) -> None:
        self.manager = manager

    def attach(self, lt: LoadedThread, thread: Thread | None = None) -> None:
        """Route the questions and MCP elicitations of ``thread`` (default: the loaded thread
        itself; a reviewer runs as its own SDK thread) to this client, reported under ``lt``;
        the loaded thread also gets the client's dynamic tools."""

        async def ask(call_id: str, questions: Sequence[UserInputQuestion]) -> dict[str, list[str]]:
            return await self.ask_user(lt, call_id, questions)

        async def elicit(request: ElicitationRequest) -> ElicitationResponse:
            return await self.elicit(lt, request)

        async def call_tool(call: DynamicToolCall) -> DynamicToolResult:
            return await self.call_dynamic_tool(lt, call)

        target = thread or lt.thread
        target.set_user_input_handler(ask)
        set_elicitation_handler(target, elicit)
        if thread is None and lt.dynamic_tools:
            set_dynamic_tools(target, lt.dynamic_tools, call_tool)

    async def _request(
        self,
        lt: LoadedThread,
        active: ActiveTurn | None,
        method: str,
        params: wire.Wire,
        waiting: Literal["approval", "user_input"] | None,
    ) -> Any:
        """Send ``method`` to the client and wait for its result (``RpcError`` on an error reply);
        meanwhile the thread's status shows what it waits for. ``serverRequest/resolved`` follows
        the answer, or the turn's end when that comes first (the task is cancelled then)."""
        request_id = self.manager.conn.next_request_id()
        if active is not None and waiting is not None:
            if waiting == "approval":
                active.waiting_approvals += 1
            else:
                active.waiting_user_input += 1
            self.manager.publish_status(lt)
        try:
            return await self.manager.conn.request(method, params.dump(), request_id)
        finally:
            note = wire.ServerRequestResolvedNotification(thread_id=lt.thread.id, request_id=request_id)
            self.manager.notify("serverRequest/resolved", note)
            if active is not None and waiting is not None:
                if waiting == "approval":
                    active.waiting_approvals -= 1
                else:
                    active.waiting_user_input -= 1
                if lt.active is active:
                    self.manager.publish_status(lt)

    def _warn(self, lt: LoadedThread, message: str) -> None:
        self.manager.notify("warning", wire.WarningNotification(message=message, thread_id=lt.thread.id))

    async def ask_user(
        self, lt: LoadedThread, call_id: str, questions: Sequence[UserInputQuestion]
    ) -> dict[str, list[str]]:
        """``item/tool/requestUserInput`` to the client; its answers by question id."""
        active = lt.active
        if active is None:
            raise RuntimeError("no turn is running")
        request = wire.ToolRequestUserInputParams(
            thread_id=lt.thread.id,
            turn_id=active.id,
            item_id=call_id,
            questions=[
                wire.ToolRequestUserInputQuestion(
                    id=q.id, header=q.header, question=q.question, is_other=q.is_other, is_secret=q.is_secret,
                    options=None if q.options is None else [
                        wire.ToolRequestUserInputOption(label=o.label, description=o.description) for o in q.options
                    ],
                )
                for q in questions
            ],
        )  # fmt: skip
        try:
            result = await self._request(lt, active, "item/tool/requestUserInput", request, "user_input")
            answers = wire.ToolRequestUserInputResponse.model_validate(result).answers
        except RpcError as exc:
            raise RuntimeError(f"the client answered with an error: {exc.message}") from None
        except ValidationError:
            raise RuntimeError("the client's answer was not a valid ToolRequestUserInputResponse") from None
        return {qid: list(answer.answers) for qid, answer in answers.items()}

    async def approval(
        self, lt: LoadedThread, active: ActiveTurn, tr: TurnTranslator, event: ApprovalRequested
    ) -> None:
        ids: dict[str, Any] = {
            "thread_id": lt.thread.id,
            "turn_id": active.id,
            "item_id": event.item_id,
            "started_at_ms": now_ms(),
            "reason": event.reason,
        }
        request: wire.Wire
        if event.kind == "exec":
            method = "item/commandExecution/requestApproval"
            request = wire.CommandExecutionRequestApprovalParams(
                **ids,
                approval_id=event.request_id,
                command=shlex.join(event.command or []),
                cwd=event.cwd,
                proposed_execpolicy_amendment=event.proposed_rule,
            )
        else:
            method = "item/fileChange/requestApproval"
            request = wire.FileChangeRequestApprovalParams(**ids)
            for note_method, note in tr.patch_approval_started(event):
                self.manager.notify(note_method, note)
        response_model = wire.SERVER_REQUESTS[method][1]
        try:
            result = await self._request(lt, active, method, request, "approval")
            decision_value = response_model.model_validate(result).decision  # type: ignore[attr-defined]
        except (RpcError, ValidationError) as exc:
            detail = exc.message if isinstance(exc, RpcError) else "invalid `decision`"
            self._warn(lt, f"{method}: the client's answer was not usable ({detail}); treating it as decline")
            decision_value = "decline"
        if isinstance(decision_value, wire.AcceptWithExecpolicyAmendment):
            decision: Any = "approved_execpolicy_amendment"
        else:
            decision = _DECISIONS[decision_value]
        if decision == "abort":
            active.interrupted = True
        with contextlib.suppress(UsageError):  # the turn may have ended meanwhile
            await (active.runner or lt.thread).respond_approval(event.request_id, decision)

    async def elicit(self, lt: LoadedThread, request: ElicitationRequest) -> ElicitationResponse:
        """``mcpServer/elicitation/request`` to the client; its answer for the MCP server (an
        error reply or an unusable answer declines, with a ``warning``)."""
        method = "mcpServer/elicitation/request"
        active = lt.active
        shape: dict[str, Any] = {"mode": request.mode, "message": request.message}
        if request.mode == "form":
            shape["requestedSchema"] = dict(request.requested_schema or {})
        else:
            shape.update(url=request.url, elicitationId=request.elicitation_id or "")
        if request.meta is not None:
            shape["_meta"] = dict(request.meta)
        params = wire.McpServerElicitationRequestParams(
            thread_id=lt.thread.id, turn_id=active.id if active else None, server_name=request.server_name, **shape
        )
        try:
            result = await self._request(lt, active, method, params, "approval")
            answer = wire.McpServerElicitationRequestResponse.model_validate(result)
        except (RpcError, ValidationError) as exc:
            detail = exc.message if isinstance(exc, RpcError) else "invalid `action`"
            self._warn(lt, f"{method}: the client's answer was not usable ({detail}); treating it as decline")
            return ElicitationResponse(action="decline")
        content = answer.content if answer.action == "accept" else None
        if content is not None and not isinstance(content, dict):
            self._warn(lt, f"{method}: `content` must be an object of the form's values; treating it as decline")
            return ElicitationResponse(action="decline")
        meta = answer.meta if isinstance(answer.meta, dict) else None
        return ElicitationResponse(action=answer.action, content=content, meta=meta)

    async def call_dynamic_tool(self, lt: LoadedThread, call: DynamicToolCall) -> DynamicToolResult:
        """``item/tool/call`` to the client, between the ``item/started`` and ``item/completed`` of
        a ``dynamicToolCall`` item; the returned content goes to the model. An error reply or an
        invalid answer is a failed call (``success: false``), as in the reference."""
        active = lt.active
        if active is None:
            raise RuntimeError("no turn is running")
        ids: dict[str, Any] = {"thread_id": lt.thread.id, "turn_id": active.id}
        item = wire.DynamicToolCallItem(
            id=call.call_id, tool=call.tool, namespace=call.namespace, arguments=call.arguments, status="inProgress"
        )
        if active.translator is not None:
            active.translator.items[item.id] = item
        self.manager.notify("item/started", wire.ItemStartedNotification(**ids, item=item, started_at_ms=now_ms()))
        started = now_ms()
        params = wire.DynamicToolCallParams(
            **ids, call_id=call.call_id, namespace=call.namespace, tool=call.tool, arguments=call.arguments
        )
        interrupted = wire.InputTextContentItem(type="inputText", text="dynamic tool call was interrupted")
        response = wire.DynamicToolCallResponse(content_items=[interrupted], success=False)
        try:
            result = await self._request(lt, active, "item/tool/call", params, None)
            response = wire.DynamicToolCallResponse.model_validate(result)
        except (RpcError, ValidationError) as exc:
            failure = (
                "dynamic tool request failed" if isinstance(exc, RpcError) else "dynamic tool response was invalid"
            )
            text = wire.InputTextContentItem(type="inputText", text=failure)
            response = wire.DynamicToolCallResponse(content_items=[text], success=False)
        finally:  # also when the turn is interrupted meanwhile: the item never stays in progress
            done = item.model_copy(
                update={
                    "status": "completed" if response.success else "failed",
                    "content_items": response.content_items,
                    "success": response.success,
                    "duration_ms": now_ms() - started,
                }
            )
            if active.translator is not None:
                active.translator.items[item.id] = done
            self.manager.notify(
                "item/completed", wire.ItemCompletedNotification(**ids, item=done, completed_at_ms=now_ms())
            )
        content: list[InputText | InputImage] = []
        for part in response.content_items:
            if isinstance(part, wire.InputTextContentItem):
                content.append(InputText(text=part.text))
            elif isinstance(part, wire.InputImageContentItem):
                content.append(InputImage(image_url=part.image_url))
            else:  # the Responses API takes no audio in a function call output
                self._warn(
                    lt, f"item/tool/call: {call.tool} returned audio ({part.audio_url}), which the model cannot read"
                )
        return DynamicToolResult(tuple(content), response.success)
