"""`request_user_input` over real stdio: the model's questions become `item/tool/requestUserInput`
server requests (with the `default_mode_request_user_input` feature, as in Codex's Default mode),
and the client's answers go back to the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call

QUESTIONS = {
    "questions": [
        {
            "id": "color",
            "header": "Color",
            "question": "Which color should the button be?",
            "options": [
                {"label": "Red (Recommended)", "description": "Matches the logo."},
                {"label": "Blue", "description": "Calmer."},
            ],
        }
    ]
}


def _output(server: ScriptedResponsesServer, call_id: str) -> Any:
    for request in server.requests:
        for item in request.body["input"]:
            if item.get("type") == "function_call_output" and item.get("call_id") == call_id:
                return item["output"]
    raise AssertionError(f"no output for {call_id}")


def _client(app_env: dict[str, str], codex_home: Path, workspace: Path, *, enabled: bool) -> AppServerClient:
    config = codex_home / "config.toml"
    config.write_text(f"features.default_mode_request_user_input = {str(enabled).lower()}\n" + config.read_text())
    client = AppServerClient(app_env, workspace)
    client.initialize()
    return client


def _start(client: AppServerClient) -> tuple[str, str]:
    thread_id: str = client.call("thread/start", {})["thread"]["id"]
    turn_id: str = client.call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "go"}]})[
        "turn"
    ]["id"]
    return thread_id, turn_id


def test_questions_reach_the_client_and_answers_reach_the_model(
    app_env: dict[str, str], codex_home: Path, workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(
        turn_tool_call("request_user_input", QUESTIONS, call_id="u1"),
        turn_tool_call("request_user_input", QUESTIONS, call_id="u2"),
        turn_message("Blue it is."),
    )
    client = _client(app_env, codex_home, workspace, enabled=True)
    try:
        thread_id, turn_id = _start(client)
        request = client.server_request("item/tool/requestUserInput")
        assert request["params"] == {
            "threadId": thread_id,
            "turnId": turn_id,
            "itemId": "u1",
            "questions": [
                {
                    "id": "color",
                    "header": "Color",
                    "question": "Which color should the button be?",
                    "isOther": True,
                    "isSecret": False,
                    "options": [
                        {"label": "Red (Recommended)", "description": "Matches the logo."},
                        {"label": "Blue", "description": "Calmer."},
                    ],
                }
            ],
            "isBlocking": True,
            "autoResolutionMs": None,
        }
        status = client.notification(
            "thread/status/changed", lambda p: "waitingOnUserInput" in (p["status"].get("activeFlags") or [])
        )
        assert status["threadId"] == thread_id
        client.send({"id": request["id"], "result": {"answers": {"color": {"answers": ["Blue"]}}}})
        second = client.wait_for(lambda m: m.get("method") == "item/tool/requestUserInput" and m["id"] != request["id"])
        client.send({"id": second["id"], "error": {"code": -32000, "message": "user closed the dialog"}})
        done = client.notification("turn/completed")
        assert done["turn"]["status"] == "completed"
        assert json.loads(_output(server, "u1")) == {"answers": {"color": {"answers": ["Blue"]}}}
        assert "not answered" in _output(server, "u2") and "user closed the dialog" in _output(server, "u2")
    finally:
        client.close()


def test_without_the_feature_the_tool_stays_unavailable(
    app_env: dict[str, str], codex_home: Path, workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_tool_call("request_user_input", QUESTIONS, call_id="u1"), turn_message("ok"))
    client = _client(app_env, codex_home, workspace, enabled=False)
    try:
        _start(client)
        client.notification("turn/completed")
        assert not any(m.get("method") == "item/tool/requestUserInput" for m in client.messages)
        assert _output(server, "u1") == "request_user_input is unavailable in Default mode"
    finally:
        client.close()
