"""Thread sections and attachments over real stdio: stored under ``$CODEX_HOME`` (shared by
app-servers of the same home), reported in ``Thread.section`` and filterable in ``thread/list``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message


def _saved_thread(client: AppServerClient, text: str) -> str:
    """A thread with one completed turn (so it has a rollout and shows in thread/list)."""
    thread_id: str = client.call("thread/start", {})["thread"]["id"]
    client.call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": text}]})
    client.wait_for(
        lambda m: m.get("method") == "turn/completed" and m["params"]["threadId"] == thread_id and "id" not in m
    )
    return thread_id


def _error(client: AppServerClient, method: str, params: Any) -> dict[str, Any]:
    reply = client.response(client.request(method, params))
    assert "error" in reply, reply
    error: dict[str, Any] = reply["error"]
    return error


def test_sections_group_threads_across_servers(
    app_env: dict[str, str], codex_home: Path, workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_message("one"), turn_message("two"), turn_message("three"))
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        a, b, c = (_saved_thread(client, t) for t in ("alpha", "beta", "gamma"))
        work = client.call("threadSection/create", {"name": " Work ", "appearance": {"color": "#00f", "icon": "star"}})
        section = work["section"]
        assert section["name"] == "Work" and section["appearance"] == {"color": "#00f", "icon": "star"}
        sid = section["id"]
        client.call("thread/section/move", {"threadId": a, "sectionId": sid})
        client.call("thread/section/move", {"threadId": c, "sectionId": sid, "beforeThreadId": a})
        changed = [m["params"] for m in client.messages if m.get("method") == "thread/section/changed"]
        assert changed == [{"threadId": a, "sectionId": sid}, {"threadId": c, "sectionId": sid}]

        in_work = client.call("thread/list", {"sectionId": sid})["data"]
        assert [t["id"] for t in in_work] == [c, a]  # the section's order
        assert in_work[0]["section"] == section and isinstance(in_work[0]["sectionEnteredAt"], int)
        assert [t["id"] for t in client.call("thread/list", {"sectionId": None})["data"]] == [b]
        assert len(client.call("thread/list", {})["data"]) == 3
        assert client.call("thread/read", {"threadId": a})["thread"]["section"] == section
        assert client.call("thread/read", {"threadId": b})["thread"]["section"] is None

        renamed = client.call("threadSection/update", {"sectionId": sid, "name": "Job"})["section"]
        assert renamed == {**section, "name": "Job"}  # appearance kept when not given
        assert _error(client, "threadSection/update", {"sectionId": "nope", "name": "x"})["code"] == -32600
        assert _error(client, "threadSection/create", {"name": "  "})["code"] == -32602
        bad_before = _error(client, "thread/section/move", {"threadId": b, "sectionId": sid, "beforeThreadId": b})
        assert bad_before["code"] == -32602 and "is not in section" in bad_before["message"]
        assert _error(client, "thread/section/move", {"threadId": "missing", "sectionId": sid})["code"] == -32600
    finally:
        client.close()

    other = AppServerClient(app_env, workspace)  # a second server over the same CODEX_HOME
    try:
        other.initialize()
        assert [s["name"] for s in other.call("threadSection/list", {})["data"]] == ["Job"]
        other.call("threadSection/delete", {"sectionId": sid})
        cleared = [m["params"] for m in other.messages if m.get("method") == "thread/section/changed"]
        assert sorted(n["threadId"] for n in cleared) == sorted([a, c]) and {n["sectionId"] for n in cleared} == {None}
        assert other.call("threadSection/list", {})["data"] == []
        assert other.call("thread/read", {"threadId": c})["thread"]["section"] is None
    finally:
        other.close()
    stored = json.loads((codex_home / "app_server" / "thread_metadata.json").read_text())
    assert stored["sections"] == [] and stored["members"] == {}


def test_attachments_are_kept_per_thread_and_key(
    app_env: dict[str, str], codex_home: Path, workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_message("one"), turn_message("two"))
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        a, b = _saved_thread(client, "alpha"), _saved_thread(client, "beta")
        pr = {"attachmentType": "pullRequest", "identityKey": "github.com/o/r#7", "payload": {"title": "Fix"}}
        added = client.call("thread/attachment/add", {"threadId": a, **pr})
        attachment = added["attachment"]
        assert added["outcome"] == "created"
        assert {k: attachment[k] for k in ("attachmentType", "identityKey", "payload")} == pr
        again = client.call("thread/attachment/add", {"threadId": a, **pr, "payload": {"title": "other"}})
        assert again == {"attachment": attachment, "outcome": "existing"}
        client.call("thread/attachment/add", {"threadId": b, **pr})
        assert client.call("thread/attachment/list", {"threadId": a})["data"] == [attachment]

        client.call("thread/archive", {"threadId": b})
        owners = client.call(
            "thread/attachmentOwner/list", {"attachmentType": "pullRequest", "identityKey": pr["identityKey"]}
        )
        assert owners["data"] == [{"threadId": a, "archived": False}, {"threadId": b, "archived": True}]
        only_archived = client.call(
            "thread/attachmentOwner/list",
            {"attachmentType": "pullRequest", "identityKey": pr["identityKey"], "archived": True},
        )
        assert only_archived["data"] == [{"threadId": b, "archived": True}]

        client.call(
            "thread/attachment/remove",
            {"threadId": a, "attachmentType": "pullRequest", "identityKey": pr["identityKey"]},
        )
        assert client.call("thread/attachment/list", {"threadId": a})["data"] == []
        updates = [m["params"] for m in client.messages if m.get("method") == "thread/attachment/updated"]
        assert [(u["threadId"], u["operation"]) for u in updates] == [(a, "created"), (b, "created"), (a, "deleted")]
        assert updates[0]["attachmentId"] == attachment["id"] == updates[2]["attachmentId"]

        client.call("thread/delete", {"threadId": b})
        owners = client.call(
            "thread/attachmentOwner/list", {"attachmentType": "pullRequest", "identityKey": pr["identityKey"]}
        )
        assert owners["data"] == []
        assert _error(client, "thread/attachment/list", {"threadId": "missing"})["code"] == -32600
    finally:
        client.close()
