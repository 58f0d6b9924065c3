"""thread/delete, thread/unsubscribe, thread/loaded/list, thread/turns/list, thread/items/list and
thread/status/changed over real stdio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call

TEXT = [{"type": "text", "text": "go"}]


def statuses(client: AppServerClient, thread_id: str) -> list[dict[str, Any]]:
    return [
        m["params"]["status"]
        for m in client.messages
        if m.get("method") == "thread/status/changed" and m["params"]["threadId"] == thread_id
    ]


def run_turn(client: AppServerClient, thread_id: str) -> str:
    turn_id: str = client.call("turn/start", {"threadId": thread_id, "input": TEXT})["turn"]["id"]
    client.notification("turn/completed", lambda p: p["turn"]["id"] == turn_id)
    return turn_id


def test_turn_and_item_listing_status_changes_unsubscribe_and_delete(
    client: AppServerClient, server: ScriptedResponsesServer, codex_home: Path
) -> None:
    server.enqueue(
        turn_message("first answer"),
        turn_tool_call("shell", {"command": ["touch", "y"]}, call_id="c1"),
        turn_message("second answer"),
    )
    client.initialize()
    tid = client.call("thread/start", {"approvalPolicy": "untrusted", "sandbox": "danger-full-access"})["thread"]["id"]
    first = run_turn(client, tid)
    assert statuses(client, tid) == [{"type": "active", "activeFlags": []}, {"type": "idle"}]
    second = client.call("turn/start", {"threadId": tid, "input": TEXT})["turn"]["id"]
    request = client.server_request("item/commandExecution/requestApproval")
    assert statuses(client, tid)[-1] == {"type": "active", "activeFlags": ["waitingOnApproval"]}
    client.send({"id": request["id"], "result": {"decision": "accept"}})
    client.notification("turn/completed", lambda p: p["turn"]["id"] == second)
    assert statuses(client, tid)[-3:] == [
        {"type": "active", "activeFlags": ["waitingOnApproval"]},
        {"type": "active", "activeFlags": []},
        {"type": "idle"},
    ]

    page = client.call("thread/turns/list", {"threadId": tid, "limit": 1})
    assert [t["id"] for t in page["data"]] == [second] and page["nextCursor"] is not None
    assert [i["type"] for i in page["data"][0]["items"]] == ["userMessage", "agentMessage"]  # summary view
    rest = client.call("thread/turns/list", {"threadId": tid, "limit": 1, "cursor": page["nextCursor"]})
    assert [t["id"] for t in rest["data"]] == [first] and rest["nextCursor"] is None
    back = client.call(
        "thread/turns/list", {"threadId": tid, "cursor": rest["backwardsCursor"], "sortDirection": "asc"}
    )
    assert [t["id"] for t in back["data"]] == [first, second]
    full = client.call("thread/turns/list", {"threadId": tid, "itemsView": "full", "sortDirection": "asc"})["data"]
    assert "commandExecution" in [i["type"] for i in full[1]["items"]]
    bare = client.call("thread/turns/list", {"threadId": tid, "itemsView": "notLoaded"})["data"]
    assert all(t["items"] == [] for t in bare)

    items = client.call("thread/items/list", {"threadId": tid, "turnId": second})
    assert {e["turnId"] for e in items["data"]} == {second}
    assert items["data"][0]["item"]["type"] == "userMessage"
    every = client.call("thread/items/list", {"threadId": tid, "limit": 2})
    assert len(every["data"]) == 2 and every["data"][0]["turnId"] == first and every["nextCursor"] == "2"
    anchor = client.response(
        client.request("thread/items/list", {"threadId": tid, "cursor": {"type": "item", "itemId": "x"}})
    )
    assert anchor["error"]["code"] == -32602

    assert client.call("thread/loaded/list", {}) == {"data": [tid], "nextCursor": None}
    assert client.call("thread/unsubscribe", {"threadId": tid}) == {"status": "unsubscribed"}
    assert client.notification("thread/closed") == {"threadId": tid}
    assert client.call("thread/loaded/list", {})["data"] == []
    assert client.call("thread/unsubscribe", {"threadId": tid}) == {"status": "notLoaded"}
    # a stored thread still lists its turns from the rollout
    stored = client.call("thread/turns/list", {"threadId": tid, "sortDirection": "asc"})["data"]
    assert len(stored) == 2 and stored[0]["items"][-1] == {
        "type": "agentMessage",
        "id": stored[0]["items"][-1]["id"],
        "text": "first answer",
    }

    rollout = next((codex_home / "sessions").rglob(f"*{tid}*.jsonl"))
    assert client.call("thread/delete", {"threadId": tid}) == {}
    assert client.notification("thread/deleted") == {"threadId": tid}
    assert not rollout.exists()
    gone = client.response(client.request("thread/delete", {"threadId": tid}))
    assert gone["error"]["code"] == -32600
