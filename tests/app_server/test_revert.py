"""thread/revert over real stdio: the saved history is cut before a turn and the thread reloaded."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message


def _turn(client: AppServerClient, thread_id: str, text: str) -> str:
    turn_id: str = client.call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": text}]})[
        "turn"
    ]["id"]
    client.notification("turn/completed", lambda p: p["turn"]["id"] == turn_id)
    return turn_id


def test_revert_drops_the_turn_and_later_ones_from_history(
    client: AppServerClient, server: ScriptedResponsesServer, codex_home: Path
) -> None:
    server.enqueue(turn_message("one"), turn_message("two"), turn_message("three"), turn_message("after revert"))
    client.initialize()
    tid = client.call("thread/start", {"model": "reverted-model"})["thread"]["id"]
    first = _turn(client, tid, "first prompt")
    second = _turn(client, tid, "second prompt")
    _turn(client, tid, "third prompt")
    client.call("thread/name/set", {"threadId": tid, "name": "keep my name"})

    result = client.call("thread/revert", {"threadId": tid, "beforeTurnId": second})
    assert (
        result["thread"]["id"] == tid and result["thread"]["turns"] == [] and result["thread"]["name"] == "keep my name"
    )
    assert result["turnsBackwardsCursor"] == "0" and result["itemsBackwardsCursor"] is not None
    assert client.notification("thread/reverted") == {"threadId": tid}
    turns = client.call("thread/turns/list", {"threadId": tid, "cursor": result["turnsBackwardsCursor"]})["data"]
    assert len(turns) == 1 and "first prompt" in json.dumps(turns[0]["items"])

    rollout = next((codex_home / "sessions").rglob(f"*{tid}*.jsonl"))
    lines = [json.loads(line) for line in rollout.read_text().splitlines()]
    assert sum(1 for line in lines if line["type"] == "turn_context") == 1
    assert "second prompt" not in rollout.read_text() and "keep my name" in rollout.read_text()

    _turn(client, tid, "fourth prompt")
    sent = json.dumps(server.requests[-1].body["input"])
    assert "first prompt" in sent and "one" in sent and "fourth prompt" in sent
    assert "second prompt" not in sent and "third prompt" not in sent
    assert server.requests[-1].body["model"] == "reverted-model"  # the thread's settings survive

    unknown = client.response(client.request("thread/revert", {"threadId": tid, "beforeTurnId": first}))
    assert unknown["error"]["code"] == -32602  # its id changed: reloaded turns are renumbered
    ephemeral = client.call("thread/start", {"ephemeral": True})["thread"]["id"]
    server.enqueue(turn_message("e"))
    eturn = _turn(client, ephemeral, "x")
    refused = client.response(client.request("thread/revert", {"threadId": ephemeral, "beforeTurnId": eturn}))
    assert refused["error"]["code"] == -32600 and "no saved history" in refused["error"]["message"]
