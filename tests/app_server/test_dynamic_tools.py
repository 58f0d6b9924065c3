"""Dynamic tools over real stdio: a client registers tools with ``thread/start``
``dynamicTools`` (experimental API), the scripted model calls them, the server asks the client
with ``item/tool/call`` and the client's content items reach the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call

LOOKUP = {
    "type": "function",
    "name": "lookup_ticket",
    "description": "Look up a ticket by id.",
    "inputSchema": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
}
NAMESPACE = {
    "type": "namespace",
    "name": "crm",
    "description": "The customer database.",
    "tools": [
        {
            "type": "function",
            "name": "find_customer",
            "description": "Find a customer.",
            "inputSchema": {"type": "object", "properties": {"email": {"type": "string"}}},
        },
        {
            "type": "function",
            "name": "export_all",
            "description": "Export everything.",
            "inputSchema": {"type": "object"},
            "deferLoading": True,
        },
    ],
}
PNG = "data:image/png;base64,iVBORw0KGgo="


def _client(app_env: dict[str, str], workspace: Path, *, experimental: bool = True) -> AppServerClient:
    client = AppServerClient(app_env, workspace)
    client.call(
        "initialize",
        {"clientInfo": {"name": "pytest_client", "version": "1.0"}, "capabilities": {"experimentalApi": experimental}},
    )
    client.send({"method": "initialized"})
    return client


def _output(server: ScriptedResponsesServer, call_id: str) -> Any:
    for request in server.requests:
        for item in request.body["input"]:
            if item.get("type") == "function_call_output" and item.get("call_id") == call_id:
                return item["output"]
    raise AssertionError(f"no output for {call_id}")


def _namespaced(call: list[dict[str, Any]], namespace: str) -> list[dict[str, Any]]:
    """A scripted function call naming ``namespace``, as the Responses API sends it."""
    out = []
    for event in call:
        item = event.get("item")
        if isinstance(item, dict) and item.get("type") == "function_call":
            event = {**event, "item": {**item, "namespace": namespace}}
        out.append(event)
    return out


def test_dynamic_tools_are_offered_called_through_the_client_and_answered(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(
        turn_tool_call("lookup_ticket", {"id": "ABC-1"}, call_id="t1"),
        _namespaced(turn_tool_call("find_customer", {"email": "a@b.c"}, call_id="t2"), "crm"),
        turn_message("Ticket ABC-1 is open."),
    )
    client = _client(app_env, workspace)
    try:
        thread = client.call("thread/start", {"dynamicTools": [LOOKUP, NAMESPACE]})["thread"]
        turn = client.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "ticket?"}]})
        turn_id = turn["turn"]["id"]

        request = client.server_request("item/tool/call")
        assert request["params"] == {
            "threadId": thread["id"],
            "turnId": turn_id,
            "callId": "t1",
            "namespace": None,
            "tool": "lookup_ticket",
            "arguments": {"id": "ABC-1"},
        }
        started = client.notification("item/started", lambda p: p["item"]["type"] == "dynamicToolCall")
        assert started["item"] == {
            "type": "dynamicToolCall",
            "id": "t1",
            "tool": "lookup_ticket",
            "namespace": None,
            "arguments": {"id": "ABC-1"},
            "status": "inProgress",
            "contentItems": None,
            "success": None,
            "durationMs": None,
        }
        answer = [{"type": "inputText", "text": "ABC-1: open"}, {"type": "inputImage", "imageUrl": PNG}]
        client.send({"id": request["id"], "result": {"contentItems": answer, "success": True}})

        second = client.wait_for(lambda m: m.get("method") == "item/tool/call" and m["id"] != request["id"])
        assert (second["params"]["namespace"], second["params"]["tool"]) == ("crm", "find_customer")
        client.send({"id": second["id"], "error": {"code": -32000, "message": "database offline"}})

        done = client.notification("turn/completed")
        assert done["turn"]["status"] == "completed"
        calls = [i for i in done["turn"]["items"] if i["type"] == "dynamicToolCall"]
        assert [(c["id"], c["status"], c["success"]) for c in calls] == [
            ("t1", "completed", True),
            ("t2", "failed", False),
        ]
        assert calls[0]["contentItems"] == answer and calls[0]["durationMs"] >= 0

        tools = server.requests[0].body["tools"]
        lookup = next(t for t in tools if t.get("name") == "lookup_ticket")
        assert lookup == {
            "type": "function",
            "name": "lookup_ticket",
            "description": "Look up a ticket by id.",
            "strict": False,
            "parameters": LOOKUP["inputSchema"],
        }
        crm = next(t for t in tools if t.get("type") == "namespace")
        assert crm["name"] == "crm" and crm["description"] == "The customer database."
        assert [t["name"] for t in crm["tools"]] == ["find_customer"]  # export_all is deferred
        assert _output(server, "t1") == [
            {"type": "input_text", "text": "ABC-1: open"},
            {"type": "input_image", "image_url": PNG},
        ]
        assert _output(server, "t2") == [{"type": "input_text", "text": "dynamic tool request failed"}]
        history = server.requests[-1].body["input"]
        call = next(i for i in history if i.get("type") == "function_call" and i["call_id"] == "t2")
        assert call["namespace"] == "crm"  # the call goes back to the model as it was made
        resolved = [m["params"]["requestId"] for m in client.messages if m.get("method") == "serverRequest/resolved"]
        assert resolved == [request["id"], second["id"]]
    finally:
        client.close()


def test_dynamic_tools_need_the_experimental_api_and_valid_names(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer
) -> None:
    plain = _client(app_env, workspace, experimental=False)
    try:
        error = plain.response(plain.request("thread/start", {"dynamicTools": [LOOKUP]}))["error"]
        assert error == {"code": -32600, "message": "thread/start.dynamicTools requires experimentalApi capability"}
    finally:
        plain.close()
    client = _client(app_env, workspace)
    try:
        for tools, expected in (
            ([LOOKUP, LOOKUP], "duplicate dynamic tool 'lookup_ticket'"),
            ([{**LOOKUP, "name": "shell"}], "'shell' is the name of a built-in tool"),
            ([{**LOOKUP, "name": "mcp__x__y"}], "reserved for MCP tools"),
            ([{**LOOKUP, "name": "bad name"}], "tool name 'bad name' must be non-empty"),
            ([{**LOOKUP, "inputSchema": {"type": "string"}}], "must be a JSON Schema of type object"),
        ):
            error = client.response(client.request("thread/start", {"dynamicTools": tools}))["error"]
            assert error["code"] == -32602 and expected in error["message"], (tools, error)
        assert client.call("thread/loaded/list", {})["data"] == []
        bad_type = client.response(client.request("thread/start", {"dynamicTools": [{**LOOKUP, "type": "magic"}]}))
        assert bad_type["error"]["code"] == -32602 and "dynamicTools" in bad_type["error"]["message"]
    finally:
        client.close()


def test_an_invalid_answer_fails_the_call_and_the_model_is_told(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_tool_call("lookup_ticket", {"id": "X"}, call_id="t1"), turn_message("sorry"))
    client = _client(app_env, workspace)
    try:
        thread = client.call("thread/start", {"dynamicTools": [LOOKUP]})["thread"]
        client.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "go"}]})
        request = client.server_request("item/tool/call")
        client.send({"id": request["id"], "result": {"contentItems": "not a list"}})
        client.notification("turn/completed")
        assert _output(server, "t1") == [{"type": "input_text", "text": "dynamic tool response was invalid"}]
        completed = client.notification("item/completed", lambda p: p["item"]["type"] == "dynamicToolCall")
        assert completed["item"]["status"] == "failed" and completed["item"]["success"] is False
        assert json.dumps(completed["item"]["arguments"]) == '{"id": "X"}'
    finally:
        client.close()


def test_an_interrupted_call_is_completed_as_failed(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_tool_call("lookup_ticket", {"id": "ABC-1"}, call_id="t9"))
    client = _client(app_env, workspace)
    try:
        thread = client.call("thread/start", {"dynamicTools": [LOOKUP]})["thread"]
        turn = client.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "ticket?"}]})
        client.server_request("item/tool/call")  # never answered: the turn is interrupted meanwhile
        client.call("turn/interrupt", {"threadId": thread["id"], "turnId": turn["turn"]["id"]})
        assert client.notification("turn/completed")["turn"]["status"] == "interrupted"
        completed = client.notification("item/completed", lambda p: p["item"]["type"] == "dynamicToolCall")
        assert (completed["item"]["id"], completed["item"]["status"]) == ("t9", "failed")
        assert completed["item"]["success"] is False
    finally:
        client.close()
