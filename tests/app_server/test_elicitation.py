"""MCP elicitation over real stdio: a real MCP server (``elicit_server.py``, official SDK) calls
``ctx.elicit`` inside a tool the scripted model calls; the app-server asks the client with
``mcpServer/elicitation/request`` and the client's answer reaches the MCP server, whose tool
result reaches the model."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call

ELICIT_SERVER = Path(__file__).with_name("elicit_server.py")


def _output(server: ScriptedResponsesServer, call_id: str) -> Any:
    for request in server.requests:
        for item in request.body["input"]:
            if item.get("type") == "function_call_output" and item.get("call_id") == call_id:
                return item["output"]
    raise AssertionError(f"no output for {call_id}")


def _client(app_env: dict[str, str], codex_home: Path, workspace: Path) -> AppServerClient:
    config = codex_home / "config.toml"
    config.write_text(
        config.read_text()
        + f"[mcp_servers.elicit]\ncommand = {json.dumps(sys.executable)}\nargs = [{json.dumps(str(ELICIT_SERVER))}]\n"
        + "startup_timeout_sec = 20\n"
    )
    client = AppServerClient(app_env, workspace)
    client.initialize()
    return client


def _run(client: AppServerClient, approval: Any = "on-request", sandbox: str = "workspace-write") -> tuple[str, str]:
    thread_id: str = client.call("thread/start", {"approvalPolicy": approval, "sandbox": sandbox})["thread"]["id"]
    turn = client.call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "book"}]})
    return thread_id, turn["turn"]["id"]


def _completed(client: AppServerClient) -> None:
    done = client.notification("turn/completed")
    assert done["turn"]["status"] == "completed", done


def test_form_elicitation_reaches_the_client_and_its_answer_the_mcp_server(
    app_env: dict[str, str], codex_home: Path, workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(
        turn_tool_call("mcp__elicit__book_table", {"restaurant": "Chez Py"}, call_id="b1"),
        turn_tool_call("mcp__elicit__book_table", {"restaurant": "Chez Py"}, call_id="b2"),
        turn_message("Booked."),
    )
    client = _client(app_env, codex_home, workspace)
    try:
        thread_id, turn_id = _run(client)
        request = client.server_request("mcpServer/elicitation/request")
        params = request["params"]
        assert params["threadId"] == thread_id and params["turnId"] == turn_id
        assert params["serverName"] == "elicit"
        assert params["mode"] == "form" and params["message"] == "Book a table at Chez Py?"
        schema = params["requestedSchema"]
        assert schema["type"] == "object" and set(schema["properties"]) == {"name", "guests"}
        assert schema["properties"]["guests"]["type"] == "integer"
        status = client.notification(
            "thread/status/changed", lambda p: "waitingOnApproval" in (p["status"].get("activeFlags") or [])
        )
        assert status["threadId"] == thread_id
        client.send({"id": request["id"], "result": {"action": "accept", "content": {"name": "Ada", "guests": 3}}})
        resolved = client.notification("serverRequest/resolved", lambda p: p["requestId"] == request["id"])
        assert resolved == {"threadId": thread_id, "requestId": request["id"]}

        second = client.wait_for(
            lambda m: m.get("method") == "mcpServer/elicitation/request" and m["id"] != request["id"]
        )
        client.send({"id": second["id"], "result": {"action": "decline", "content": None}})
        _completed(client)
        assert "booked Chez Py for Ada (3 guests)" in _output(server, "b1")
        assert "booking decline" in _output(server, "b2")
        completed = [
            m["params"]["item"]
            for m in client.messages
            if m.get("method") == "item/completed" and m["params"]["item"]["type"] == "mcpToolCall"
        ]
        assert [i["status"] for i in completed] == ["completed", "completed"]
    finally:
        client.close()


def test_cancel_url_elicitation_and_an_error_reply_declines(
    app_env: dict[str, str], codex_home: Path, workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(
        turn_tool_call("mcp__elicit__sign_in", {}, call_id="s1"),
        turn_tool_call("mcp__elicit__confirm", {}, call_id="c1"),
        turn_message("ok"),
    )
    client = _client(app_env, codex_home, workspace)
    try:
        thread_id, turn_id = _run(client)
        request = client.server_request("mcpServer/elicitation/request")
        assert request["params"] == {
            "threadId": thread_id,
            "turnId": turn_id,
            "serverName": "elicit",
            "mode": "url",
            "message": "Sign in to continue",
            "url": "https://example.com/login",
            "elicitationId": "login-1",
        }
        client.send({"id": request["id"], "result": {"action": "cancel"}})
        confirm = client.wait_for(
            lambda m: m.get("method") == "mcpServer/elicitation/request" and m["id"] != request["id"]
        )
        assert confirm["params"]["requestedSchema"]["properties"] == {}
        client.send({"id": confirm["id"], "error": {"code": -32000, "message": "dialog closed"}})
        warning = client.notification("warning", lambda p: "mcpServer/elicitation/request" in p["message"])
        assert "dialog closed" in warning["message"] and warning["threadId"] == thread_id
        _completed(client)
        assert "sign-in: cancel" in _output(server, "s1")
        assert "confirm: decline" in _output(server, "c1")
    finally:
        client.close()


@pytest.mark.parametrize(
    ("approval", "sandbox", "expected"),
    [
        ("never", "workspace-write", "confirm: decline"),
        ({"granular": {"mcp_elicitations": False}}, "workspace-write", "confirm: decline"),
        ("never", "danger-full-access", "confirm: accept"),
    ],
)
def test_the_approval_policy_answers_without_asking(
    app_env: dict[str, str],
    codex_home: Path,
    workspace: Path,
    server: ScriptedResponsesServer,
    approval: Any,
    sandbox: str,
    expected: str,
) -> None:
    server.enqueue(turn_tool_call("mcp__elicit__confirm", {}, call_id="c1"), turn_message("ok"))
    client = _client(app_env, codex_home, workspace)
    try:
        _run(client, approval, sandbox)
        _completed(client)
        assert expected in _output(server, "c1")
        assert not any(m.get("method") == "mcpServer/elicitation/request" for m in client.messages)
    finally:
        client.close()
