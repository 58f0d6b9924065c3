"""Turns end to end: streaming notifications, approvals as server requests, interrupts."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import (
    Gated,
    ScriptedResponsesServer,
    Stall,
    ev_completed,
    ev_created,
    ev_message,
    ev_reasoning,
    turn_message,
    turn_tool_call,
)

TEXT = [{"type": "text", "text": "go"}]


def start_thread(client: AppServerClient, **params: Any) -> str:
    client.initialize()
    result = client.call("thread/start", params)
    thread_id: str = result["thread"]["id"]
    return thread_id


def turn_methods(client: AppServerClient, turn_id: str) -> list[str]:
    return [
        m["method"]
        for m in client.messages
        if "method" in m
        and "id" not in m
        and (m["params"].get("turnId") == turn_id or m["params"].get("turn", {}).get("id") == turn_id)
    ]


def test_plain_answer_streams_notifications(
    client: AppServerClient, server: ScriptedResponsesServer, workspace: Path
) -> None:
    server.enqueue([ev_created(), *ev_reasoning("thinking hard"), *ev_message("The answer is 42."), ev_completed()])
    thread_id = start_thread(
        client, cwd=str(workspace), developerInstructions="Be brief.", config={"model_verbosity": "low"}
    )
    started = client.notification("thread/started")
    assert started["thread"]["id"] == thread_id and started["thread"]["status"] == {"type": "idle"}
    result = client.call("turn/start", {"threadId": thread_id, "input": TEXT})
    turn_id = result["turn"]["id"]
    assert result["turn"]["status"] == "inProgress"
    done = client.notification("turn/completed")
    assert done["turn"]["status"] == "completed" and done["turn"]["error"] is None
    methods = turn_methods(client, turn_id)
    assert methods[0] == "turn/started" and methods[-1] == "turn/completed"
    assert "item/reasoning/summaryTextDelta" in methods and "item/agentMessage/delta" in methods
    assert "thread/tokenUsage/updated" in methods
    # the response to turn/start precedes every notification of the turn
    index = {id(m): i for i, m in enumerate(client.messages)}
    reply = client.response(3)
    first = client.notification("turn/started")
    assert index[id(reply)] < next(i for i, m in enumerate(client.messages) if m.get("params") is first)
    deltas = "".join(m["params"]["delta"] for m in client.messages if m.get("method") == "item/agentMessage/delta")
    assert deltas == "The answer is 42."
    items = [i["type"] for i in done["turn"]["items"]]
    assert items == ["userMessage", "reasoning", "agentMessage"]
    assert done["turn"]["items"][-1]["text"] == "The answer is 42."
    usage = client.notification("thread/tokenUsage/updated")["tokenUsage"]
    assert usage["total"]["inputTokens"] > 0 and usage["total"]["totalTokens"] >= usage["total"]["inputTokens"]
    body = server.requests[0].body
    assert body["input"][-1]["content"][0]["text"] == "go"
    assert "Be brief." in str(body["input"])
    read = client.call("thread/read", {"threadId": thread_id, "includeTurns": True})["thread"]
    assert read["preview"] == "go" and [t["id"] for t in read["turns"]] == [turn_id]


def _approval_turn(
    client: AppServerClient, server: ScriptedResponsesServer, workspace: Path
) -> tuple[str, dict[str, Any]]:
    server.enqueue(turn_tool_call("shell", {"command": ["touch", "x"]}, call_id="c1"), turn_message("done"))
    thread_id = start_thread(client, approvalPolicy="untrusted", sandbox="danger-full-access", cwd=str(workspace))
    client.call("turn/start", {"threadId": thread_id, "input": TEXT})
    request = client.server_request("item/commandExecution/requestApproval")
    status = client.call("thread/read", {"threadId": thread_id})["thread"]["status"]
    assert status == {"type": "active", "activeFlags": ["waitingOnApproval"]}
    return thread_id, request


def test_command_approval_accept(client: AppServerClient, server: ScriptedResponsesServer, workspace: Path) -> None:
    thread_id, request = _approval_turn(client, server, workspace)
    params = request["params"]
    assert params["threadId"] == thread_id and params["command"] == "touch x" and params["cwd"] == str(workspace)
    assert params["itemId"] and params["startedAtMs"] > 0
    assert not (workspace / "x").exists()
    client.send({"id": request["id"], "result": {"decision": "accept"}})
    done = client.notification("turn/completed")
    assert done["turn"]["status"] == "completed"
    assert (workspace / "x").exists()
    cmd = next(i for i in done["turn"]["items"] if i["type"] == "commandExecution")
    assert cmd["status"] == "completed" and cmd["exitCode"] == 0 and cmd["command"] == "touch x"
    assert client.notification("item/started", lambda p: p["item"]["type"] == "commandExecution")
    assert "rejected" not in str(server.requests[1].body["input"][-1])


def test_command_approval_decline(client: AppServerClient, server: ScriptedResponsesServer, workspace: Path) -> None:
    _, request = _approval_turn(client, server, workspace)
    client.send({"id": request["id"], "result": {"decision": "decline"}})
    done = client.notification("turn/completed")
    assert done["turn"]["status"] == "completed"
    assert not (workspace / "x").exists()
    cmd = next(i for i in done["turn"]["items"] if i["type"] == "commandExecution")
    assert cmd["status"] == "declined"
    assert "rejected by user" in str(server.requests[1].body["input"])


def test_command_approval_cancel_interrupts(
    client: AppServerClient, server: ScriptedResponsesServer, workspace: Path
) -> None:
    _, request = _approval_turn(client, server, workspace)
    client.send({"id": request["id"], "result": {"decision": "cancel"}})
    done = client.notification("turn/completed")
    assert done["turn"]["status"] == "interrupted"
    assert not (workspace / "x").exists() and len(server.requests) == 1


def test_unusable_approval_answer_is_a_decline(
    client: AppServerClient, server: ScriptedResponsesServer, workspace: Path
) -> None:
    _, request = _approval_turn(client, server, workspace)
    client.send({"id": request["id"], "result": {"decision": "maybe"}})
    warning = client.notification("warning")
    assert "treating it as decline" in warning["message"]
    assert client.notification("turn/completed")["turn"]["status"] == "completed"
    assert not (workspace / "x").exists()


def test_interrupt_stalled_turn(client: AppServerClient, server: ScriptedResponsesServer) -> None:
    server.enqueue(Stall([ev_created(), *ev_message("partial")[:2]], n=3, max_seconds=30))
    thread_id = start_thread(client)
    turn_id = client.call("turn/start", {"threadId": thread_id, "input": TEXT})["turn"]["id"]
    client.notification("item/agentMessage/delta")
    busy = client.response(client.request("turn/start", {"threadId": thread_id, "input": TEXT}))
    assert busy["error"]["code"] == -32600 and "already running" in busy["error"]["message"]
    began = time.monotonic()
    assert client.call("turn/interrupt", {"threadId": thread_id, "turnId": turn_id}) == {}
    done = client.notification("turn/completed")
    assert time.monotonic() - began < 5
    assert done["turn"]["status"] == "interrupted" and done["turn"]["id"] == turn_id
    wrong = client.response(client.request("turn/interrupt", {"threadId": thread_id, "turnId": turn_id}))
    assert wrong["error"]["code"] == -32600
    # the thread is usable again
    server.enqueue(turn_message("back"))
    client.call("turn/start", {"threadId": thread_id, "input": TEXT})
    assert client.notification("turn/completed", lambda p: p["turn"]["id"] != turn_id)["turn"]["status"] == "completed"


def test_two_threads_stream_concurrently(client: AppServerClient, server: ScriptedResponsesServer) -> None:
    """Thread a's answer is held mid-stream until thread b's whole turn has completed. Thread b
    starts only once a's stream is flowing, so each thread gets its own scripted response."""
    held = Gated([ev_created(), *ev_message("slow one"), ev_completed()], n=3)  # through the first delta
    server.enqueue(held, turn_message("fast one", response_id="resp_2"))
    a = start_thread(client, ephemeral=True)
    b = client.call("thread/start", {"ephemeral": True})["thread"]["id"]
    turn_a = client.call("turn/start", {"threadId": a, "input": TEXT})["turn"]["id"]
    client.notification("item/agentMessage/delta", lambda p: p["threadId"] == a)
    turn_b = client.call("turn/start", {"threadId": b, "input": TEXT})["turn"]["id"]
    done_b = client.notification("turn/completed", lambda p: p["turn"]["id"] == turn_b)
    held.gate.set()
    done_a = client.notification("turn/completed", lambda p: p["turn"]["id"] == turn_a)
    order = [m["params"]["turn"]["id"] for m in client.messages if m.get("method") == "turn/completed"]
    assert order == [turn_b, turn_a]
    assert done_a["turn"]["items"][-1]["text"] == "slow one" and done_b["turn"]["items"][-1]["text"] == "fast one"


def test_failed_turn_reports_error(client: AppServerClient, server: ScriptedResponsesServer) -> None:
    from tests.support.sse_server import HttpErrorResponse

    server.enqueue(HttpErrorResponse(400, {"error": {"message": "bad model"}}))
    thread_id = start_thread(client, ephemeral=True)
    client.call("turn/start", {"threadId": thread_id, "input": TEXT})
    done = client.notification("turn/completed")
    assert done["turn"]["status"] == "failed" and done["turn"]["error"]["message"]
    error = client.notification("error")
    assert error["willRetry"] is False and error["threadId"] == thread_id


def test_closing_stdin_mid_turn_exits_cleanly(client: AppServerClient, server: ScriptedResponsesServer) -> None:
    server.enqueue(Stall([ev_created(), *ev_message("partial")[:2]], n=3, max_seconds=30))
    thread_id = start_thread(client)
    client.call("turn/start", {"threadId": thread_id, "input": TEXT})
    client.notification("item/agentMessage/delta")
    began = time.monotonic()
    code, stderr = client.close()
    assert code == 0 and "Traceback" not in stderr
    assert time.monotonic() - began < 5


def test_resume_of_loaded_thread_applies_overrides(client: AppServerClient, server: ScriptedResponsesServer) -> None:
    server.enqueue(turn_message("ok"))
    thread_id = start_thread(client)
    resumed = client.call("thread/resume", {"threadId": thread_id, "approvalPolicy": "never", "model": "m2"})
    assert resumed["thread"]["id"] == thread_id
    assert resumed["approvalPolicy"] == "never" and resumed["model"] == "m2"
    client.call("turn/start", {"threadId": thread_id, "input": TEXT})
    client.notification("turn/completed")
    assert server.requests[0].body["model"] == "m2"


PATCH = "*** Begin Patch\n*** Add File: notes.md\n+# Notes\n*** End Patch\n"


def _patch_turn(client: AppServerClient, server: ScriptedResponsesServer, workspace: Path) -> dict[str, Any]:
    server.enqueue(turn_tool_call("apply_patch", {"input": PATCH}, call_id="p1"), turn_message("patched"))
    thread_id = start_thread(client, approvalPolicy="untrusted", sandbox="workspace-write", cwd=str(workspace))
    client.call("turn/start", {"threadId": thread_id, "input": TEXT})
    request = client.server_request("item/fileChange/requestApproval")
    started = client.notification("item/started", lambda p: p["item"]["type"] == "fileChange")
    assert started["item"]["id"] == request["params"]["itemId"] and started["item"]["status"] == "inProgress"
    [change] = started["item"]["changes"]
    assert change["path"].endswith("notes.md") and change["kind"] == {"type": "add", "move_path": None}
    assert "+# Notes" in change["diff"]
    assert request["params"]["reason"]
    return request


def test_patch_approval_accept(client: AppServerClient, server: ScriptedResponsesServer, workspace: Path) -> None:
    request = _patch_turn(client, server, workspace)
    client.send({"id": request["id"], "result": {"decision": "accept"}})
    done = client.notification("turn/completed")
    assert (workspace / "notes.md").read_text() == "# Notes\n"
    change = next(i for i in done["turn"]["items"] if i["type"] == "fileChange")
    assert change["status"] == "completed"
    assert (
        len(
            [
                m
                for m in client.messages
                if m.get("method") == "item/started" and m["params"]["item"]["type"] == "fileChange"
            ]
        )
        == 1
    )


def test_patch_approval_decline(client: AppServerClient, server: ScriptedResponsesServer, workspace: Path) -> None:
    request = _patch_turn(client, server, workspace)
    client.send({"id": request["id"], "result": {"decision": "decline"}})
    done = client.notification("turn/completed")
    assert done["turn"]["status"] == "completed" and not (workspace / "notes.md").exists()
    assert "patch rejected by user" in str(server.requests[1].body["input"])


def test_steer_a_running_turn(client: AppServerClient, server: ScriptedResponsesServer) -> None:
    server.enqueue(turn_tool_call("shell", {"command": ["sleep", "0.5"]}, call_id="c1"), turn_message("did X and Y"))
    thread_id = start_thread(client, sandbox="danger-full-access", approvalPolicy="never")
    idle = client.response(
        client.request("turn/steer", {"threadId": thread_id, "input": TEXT, "expectedTurnId": "nope"})
    )
    assert idle["error"]["code"] == -32600 and "no turn is running" in idle["error"]["message"]
    turn_id = client.call("turn/start", {"threadId": thread_id, "input": TEXT})["turn"]["id"]
    client.notification("item/started", lambda p: p["item"]["type"] == "commandExecution")
    wrong = client.response(
        client.request("turn/steer", {"threadId": thread_id, "input": TEXT, "expectedTurnId": "other"})
    )
    assert wrong["error"]["message"] == f"expected active turn id `other` but found `{turn_id}`"
    steer = [{"type": "text", "text": "and also Y"}]
    assert client.call("turn/steer", {"threadId": thread_id, "input": steer, "expectedTurnId": turn_id}) == {
        "turnId": turn_id
    }
    done = client.notification("turn/completed")
    assert done["turn"]["status"] == "completed"
    users = [i["content"][0]["text"] for i in done["turn"]["items"] if i["type"] == "userMessage"]
    assert users == ["go", "and also Y"]
    sent = server.requests[1].body["input"]
    assert sent[-1]["role"] == "user" and sent[-1]["content"][-1]["text"] == "and also Y"
    assert sent[-2]["type"] == "function_call_output"
