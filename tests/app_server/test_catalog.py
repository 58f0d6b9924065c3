"""thread/name/set, thread/archive, thread/unarchive and thread/list?archived, over JSON-RPC and
through the official Python SDK."""

from __future__ import annotations

import json
from pathlib import Path

from openai_codex import Codex, CodexConfig

from tests.app_server.conftest import AppServerClient
from tests.app_server.test_sdk_compat import CODEX_BIN
from tests.support.sse_server import ScriptedResponsesServer, turn_message

TEXT = [{"type": "text", "text": "remember the milk"}]


def _run_turn(client: AppServerClient, thread_id: str) -> None:
    client.call("turn/start", {"threadId": thread_id, "input": TEXT})
    client.notification("turn/completed", lambda p: p["threadId"] == thread_id)


def test_name_archive_unarchive_round_trip(
    client: AppServerClient, server: ScriptedResponsesServer, codex_home: Path
) -> None:
    server.enqueue(turn_message("ok"))
    client.initialize()
    thread_id = client.call("thread/start", {})["thread"]["id"]
    _run_turn(client, thread_id)
    assert client.call("thread/name/set", {"threadId": thread_id, "name": "  Groceries  "}) == {}
    assert client.notification("thread/name/updated") == {"threadId": thread_id, "threadName": "Groceries"}
    assert client.call("thread/read", {"threadId": thread_id})["thread"]["name"] == "Groceries"
    bad = client.response(client.request("thread/name/set", {"threadId": thread_id, "name": " "}))
    assert bad["error"]["code"] == -32602 and "empty" in bad["error"]["message"]

    assert client.call("thread/archive", {"threadId": thread_id}) == {}
    assert client.notification("thread/archived") == {"threadId": thread_id}
    archived = list((codex_home / "archived_sessions").glob("*.jsonl"))
    assert len(archived) == 1 and not list((codex_home / "sessions").glob("*/*/*/*.jsonl"))
    assert [t["id"] for t in client.call("thread/list", {})["data"]] == []
    listed = client.call("thread/list", {"archived": True})["data"]
    assert [(t["id"], t["name"], t["preview"]) for t in listed] == [(thread_id, "Groceries", "remember the milk")]
    gone = client.response(client.request("turn/start", {"threadId": thread_id, "input": TEXT}))
    assert gone["error"]["code"] == -32600 and "not loaded" in gone["error"]["message"]

    restored = client.call("thread/unarchive", {"threadId": thread_id[:8]})["thread"]
    assert restored["id"] == thread_id and restored["name"] == "Groceries"
    assert client.notification("thread/unarchived") == {"threadId": thread_id}
    assert Path(restored["path"]).parent.parent.parent.parent == codex_home / "sessions"
    # the name travels with the file: a resumed thread still has it, and renaming a stored one works
    assert client.call("thread/resume", {"threadId": thread_id})["thread"]["name"] == "Groceries"
    lines = [json.loads(line) for line in Path(restored["path"]).read_text().splitlines()]
    assert any(line["payload"].get("type") == "thread_name_updated" for line in lines)


def test_renaming_a_stored_thread_and_errors(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_message("ok"))
    first = AppServerClient(app_env, workspace)
    first.initialize()
    thread_id = first.call("thread/start", {})["thread"]["id"]
    _run_turn(first, thread_id)
    assert first.close()[0] == 0
    second = AppServerClient(app_env, workspace)
    try:
        second.initialize()
        stored = second.call("thread/read", {"threadId": thread_id, "includeTurns": True})["thread"]
        assert stored["status"]["type"] == "notLoaded"
        assert [[i["type"] for i in t["items"]] for t in stored["turns"]] == [["userMessage", "agentMessage"]]
        second.call("thread/name/set", {"threadId": thread_id, "name": "Stored name"})
        assert second.call("thread/list", {})["data"][0]["name"] == "Stored name"
        missing = second.response(second.request("thread/archive", {"threadId": "00000000-dead"}))
        assert missing["error"]["code"] == -32600 and "no saved session" in missing["error"]["message"]
        not_archived = second.response(second.request("thread/unarchive", {"threadId": thread_id}))
        assert "archived_sessions" in not_archived["error"]["message"]
        ephemeral = second.call("thread/start", {"ephemeral": True})["thread"]["id"]
        refused = second.response(second.request("thread/archive", {"threadId": ephemeral}))
        assert "no rollout file" in refused["error"]["message"]
    finally:
        assert second.close()[0] == 0


def test_official_sdk_set_name_archive_unarchive(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_message("hello"))
    with Codex(CodexConfig(codex_bin=CODEX_BIN, env=app_env, cwd=str(workspace))) as codex:
        thread = codex.thread_start()
        thread.run("hi")
        thread.set_name("From the SDK")
        assert thread.read().thread.name == "From the SDK"
        codex.thread_archive(thread.id)
        assert codex.thread_list(archived=True).data[0].id == thread.id
        back = codex.thread_unarchive(thread.id)
        assert back.read().thread.name == "From the SDK"
