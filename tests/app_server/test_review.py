"""`review/start` over real stdio: a review turn on the thread, with the reference's review items."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call

REVIEW_JSON = json.dumps(
    {
        "findings": [
            {
                "title": "[P1] Off by one",
                "body": "The loop skips the last item.",
                "confidence_score": 0.9,
                "priority": 1,
                "code_location": {"absolute_file_path": "/ws/app.py", "line_range": {"start": 3, "end": 4}},
            }
        ],
        "overall_correctness": "patch is incorrect",
        "overall_explanation": "One bug.",
        "overall_confidence_score": 0.8,
    }
)


def _items(client: AppServerClient, turn_id: str, method: str) -> list[dict[str, object]]:
    return [
        m["params"]["item"]
        for m in client.messages
        if m.get("method") == method and m["params"].get("turnId") == turn_id
    ]


def test_review_start_runs_a_review_turn_with_review_items(
    client: AppServerClient, server: ScriptedResponsesServer, workspace: Path
) -> None:
    server.enqueue(
        turn_tool_call("shell", {"command": ["git", "status"]}, call_id="c1"),
        turn_message(REVIEW_JSON),
    )
    client.initialize()
    thread_id = client.call("thread/start", {"cwd": str(workspace), "approvalPolicy": "untrusted"})["thread"]["id"]
    result = client.call(
        "review/start", {"threadId": thread_id, "target": {"type": "custom", "instructions": "Check app.py"}}
    )
    turn_id = result["turn"]["id"]
    assert result["reviewThreadId"] == thread_id and result["turn"]["status"] == "inProgress"
    approval = client.server_request("item/commandExecution/requestApproval")
    assert approval["params"]["threadId"] == thread_id and approval["params"]["turnId"] == turn_id
    client.send({"id": approval["id"], "result": {"decision": "decline"}})
    done = client.notification("turn/completed", lambda p: p["turn"]["id"] == turn_id)
    assert done["threadId"] == thread_id and done["turn"]["status"] == "completed"
    kinds = [item["type"] for item in done["turn"]["items"]]
    assert kinds[0] == "enteredReviewMode" and kinds[-1] == "exitedReviewMode"
    assert "commandExecution" in kinds
    entered, exited = done["turn"]["items"][0], done["turn"]["items"][-1]
    assert entered["review"] == "Check app.py"
    assert exited["review"].startswith("One bug.") and "[P1] Off by one — /ws/app.py:3-4" in exited["review"]
    started = [i["type"] for i in _items(client, turn_id, "item/started")]
    assert started[0] == "enteredReviewMode" and started[-1] == "exitedReviewMode"
    # the reviewer ran with the review guidelines as its instructions; the thread itself is untouched
    first = json.dumps(server.requests[0].body)
    assert "Check app.py" in first and "You are acting as a reviewer" in first, first[:3000]
    read = client.call("thread/read", {"threadId": thread_id, "includeTurns": True})["thread"]
    assert [t["id"] for t in read["turns"]] == [turn_id]

    busy_turn = client.call(
        "review/start", {"threadId": thread_id, "target": {"type": "baseBranch", "branch": "main"}}
    )["turn"]["id"]
    again = client.response(
        client.request("review/start", {"threadId": thread_id, "target": {"type": "uncommittedChanges"}})
    )
    assert again["error"]["code"] == -32600 and "already running" in again["error"]["message"]
    client.notification("turn/completed", lambda p: p["turn"]["id"] == busy_turn)
    empty = client.response(
        client.request("review/start", {"threadId": thread_id, "target": {"type": "commit", "sha": " "}})
    )
    assert empty["error"]["code"] == -32602 and "commit SHA" in empty["error"]["message"]
