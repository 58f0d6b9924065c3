"""Thread lifecycle across processes (resume, list, read), per-turn overrides, compaction, images."""

from __future__ import annotations

import base64
import time
from pathlib import Path

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message

# 1x1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def test_resume_list_and_read_across_processes(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_message("first answer"), turn_message("second answer"))
    first = AppServerClient(app_env, workspace)
    first.initialize()
    thread = first.call("thread/start", {"cwd": str(workspace)})["thread"]
    first.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "remember 7"}]})
    assert first.notification("turn/completed")["turn"]["status"] == "completed"
    assert first.close()[0] == 0

    second = AppServerClient(app_env, workspace)
    try:
        second.initialize()
        listed = second.call("thread/list", {})
        assert [t["id"] for t in listed["data"]] == [thread["id"]]
        entry = listed["data"][0]
        assert entry["preview"] == "remember 7" and entry["status"] == {"type": "notLoaded"}
        assert entry["modelProvider"] == "test" and entry["cwd"] == str(workspace)
        assert entry["path"].endswith(thread["id"] + ".jsonl")
        assert second.call("thread/list", {"cwd": "/elsewhere"})["data"] == []
        read = second.call("thread/read", {"threadId": thread["id"]})["thread"]
        assert read["id"] == thread["id"] and read["preview"] == "remember 7"

        resumed = second.call("thread/resume", {"threadId": thread["id"]})
        assert resumed["thread"]["id"] == thread["id"] and resumed["cwd"] == str(workspace)
        assert resumed["thread"]["status"]["type"] == "idle"
        [old] = resumed["thread"]["turns"]
        assert [(i["type"], i.get("text") or i["content"][0]["text"]) for i in old["items"]] == [
            ("userMessage", "remember 7"),
            ("agentMessage", "first answer"),
        ]
        assert second.call("thread/resume", {"threadId": thread["id"], "excludeTurns": True})["thread"]["turns"] == []
        second.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "what number?"}]})
        assert second.notification("turn/completed")["turn"]["status"] == "completed"
        history = str(server.requests[1].body["input"])
        assert "remember 7" in history and "first answer" in history and "what number?" in history
        again = second.call("thread/list", {})["data"][0]
        assert again["status"]["type"] == "idle" and again["id"] == thread["id"]
    finally:
        assert second.close()[0] == 0


def test_list_paginates(app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer) -> None:
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        ids = {client.call("thread/start", {})["thread"]["id"] for _ in range(3)}
        for thread_id in ids:  # a rollout is listed once it has a user message
            server.enqueue(turn_message("ok"))
            client.call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "hi"}]})
            client.notification("turn/completed", lambda p, t=thread_id: p["threadId"] == t)
        page1 = client.call("thread/list", {"limit": 2})
        page2 = client.call("thread/list", {"limit": 2, "cursor": page1["nextCursor"]})
        assert len(page1["data"]) == 2 and page2["nextCursor"] is None
        assert {t["id"] for t in page1["data"] + page2["data"]} == ids
        bad = client.response(client.request("thread/list", {"cursor": "zzz"}))
        assert bad["error"]["code"] == -32602
    finally:
        client.close()


def test_per_turn_overrides_and_images(
    client: AppServerClient, server: ScriptedResponsesServer, workspace: Path
) -> None:
    (workspace / "dot.png").write_bytes(PNG)
    server.enqueue(turn_message("a"), turn_message("b"))
    client.initialize()
    thread_id = client.call("thread/start", {"cwd": str(workspace)})["thread"]["id"]
    client.call(
        "turn/start",
        {
            "threadId": thread_id,
            "model": "other-model",
            "approvalPolicy": "never",
            "sandboxPolicy": {"type": "readOnly"},
            "effort": "high",
            "input": [{"type": "text", "text": "look"}, {"type": "localImage", "path": "dot.png"}],
        },
    )
    assert "`effort`" in client.notification("warning")["message"]
    client.notification("turn/completed")
    body = server.requests[0].body
    assert body["model"] == "other-model"
    parts = body["input"][-1]["content"]
    assert any(p.get("type") == "input_image" and p["image_url"].startswith("data:image/png") for p in parts)
    client.call(
        "turn/start",
        {
            "threadId": thread_id,
            "input": [{"type": "image", "url": "https://example.com/a.png"}, {"type": "text", "text": "and this"}],
        },
    )
    client.notification("turn/completed", lambda p: len(server.requests) == 2)
    parts = server.requests[1].body["input"][-1]["content"]
    assert parts[0] == {"type": "input_image", "image_url": "https://example.com/a.png"}
    assert server.requests[1].body["model"] == "other-model"  # overrides stick for later turns
    bad_cwd = client.response(
        client.request("turn/start", {"threadId": thread_id, "cwd": "/", "input": [{"type": "text", "text": "x"}]})
    )
    assert bad_cwd["error"]["code"] == -32602 and "cwd" in bad_cwd["error"]["message"]
    empty = client.response(client.request("turn/start", {"threadId": thread_id, "input": []}))
    assert empty["error"]["code"] == -32602


def test_compact(client: AppServerClient, server: ScriptedResponsesServer) -> None:
    server.enqueue(turn_message("hello"), turn_message("SUMMARY OF THINGS"))
    client.initialize()
    thread_id = client.call("thread/start", {"ephemeral": True})["thread"]["id"]
    client.call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "hi"}]})
    first = client.notification("turn/completed")["turn"]["id"]
    assert client.call("thread/compact/start", {"threadId": thread_id}) == {}
    done = client.notification("turn/completed", lambda p: p["turn"]["id"] != first)
    assert done["turn"]["status"] == "completed"
    assert [i["type"] for i in done["turn"]["items"]] == ["contextCompaction"]
    assert client.notification("thread/compacted")["threadId"] == thread_id
    assert len(server.requests) == 2


def test_interrupt_stalled_compaction(client: AppServerClient, server: ScriptedResponsesServer) -> None:
    from tests.support.sse_server import Stall, ev_created

    server.enqueue(turn_message("hello"), Stall([ev_created()], n=1, max_seconds=30))
    client.initialize()
    thread_id = client.call("thread/start", {})["thread"]["id"]
    client.call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "hi"}]})
    first = client.notification("turn/completed")["turn"]["id"]
    client.call("thread/compact/start", {"threadId": thread_id})
    compaction = client.notification("turn/started", lambda p: p["turn"]["id"] != first)["turn"]["id"]
    deadline = time.monotonic() + 10
    while len(server.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    busy = client.response(
        client.request("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "x"}]})
    )
    assert "already running" in busy["error"]["message"]
    assert client.call("turn/interrupt", {"threadId": thread_id, "turnId": compaction}) == {}
    done = client.notification("turn/completed", lambda p: p["turn"]["id"] == compaction)
    assert done["turn"]["status"] == "interrupted"
    # resuming a loaded thread by an id prefix returns the same live thread
    again = client.call("thread/resume", {"threadId": thread_id[:13]})
    assert again["thread"]["id"] == thread_id and again["thread"]["status"]["type"] == "idle"
