"""config/value/write, config/batchWrite, account login/logout, thread/fork errors, disconnect mid-turn."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, Stall, ev_created, ev_message, turn_message

TEXT = [{"type": "text", "text": "go"}]


def error_of(client: AppServerClient, method: str, params: Any) -> dict[str, Any]:
    reply = client.response(client.request(method, params))
    assert "error" in reply, reply
    error: dict[str, Any] = reply["error"]
    return error


def test_config_value_write_keeps_comments_and_reloads(client: AppServerClient, codex_home: Path) -> None:
    cfg = codex_home / "config.toml"
    cfg.write_text("# my precious comment\n" + cfg.read_text(), encoding="utf-8")
    client.initialize()
    version = client.call("config/read", {"includeLayers": True})["origins"]["model"]["version"]
    written = client.call(
        "config/value/write",
        {"keyPath": "model", "value": "other-model", "mergeStrategy": "replace", "expectedVersion": version},
    )
    assert written["status"] == "ok" and written["filePath"] == str(cfg)
    assert written["version"].startswith("sha256:") and written["version"] != version
    text = cfg.read_text()
    assert "# my precious comment" in text and 'model = "other-model"' in text
    # the server's config was reloaded: new threads use the new model
    assert client.call("thread/start", {"ephemeral": True})["model"] == "other-model"
    # a stale version is refused, naming the conflict, and the file is untouched
    before = cfg.read_bytes()
    err = error_of(
        client,
        "config/value/write",
        {"keyPath": "model", "value": "x", "mergeStrategy": "replace", "expectedVersion": version},
    )
    assert err["data"]["configWriteErrorCode"] == "configVersionConflict" and "changed since" in err["message"]
    assert cfg.read_bytes() == before


def test_config_batch_write_upsert_delete_and_validation(client: AppServerClient, codex_home: Path) -> None:
    cfg = codex_home / "config.toml"
    client.initialize()
    client.call(
        "config/batchWrite",
        {
            "edits": [
                {"keyPath": "tools.web_search", "value": True, "mergeStrategy": "replace"},
                {"keyPath": "model_providers.test", "value": {"name": "Renamed"}, "mergeStrategy": "upsert"},
            ]
        },
    )
    text = cfg.read_text()
    assert "web_search = true" in text and 'name = "Renamed"' in text and "base_url" in text  # upsert kept keys
    client.call("config/value/write", {"keyPath": "tools", "value": None, "mergeStrategy": "replace"})
    assert "[tools]" not in cfg.read_text()
    before = cfg.read_bytes()
    err = error_of(
        client, "config/value/write", {"keyPath": "approval_policy", "value": "sometimes", "mergeStrategy": "replace"}
    )
    assert err["data"]["configWriteErrorCode"] == "configValidationError"
    assert "approval_policy" in err["message"] and "was not changed" in err["message"]
    assert cfg.read_bytes() == before
    err = error_of(client, "config/value/write", {"keyPath": "a..b", "value": 1, "mergeStrategy": "replace"})
    assert err["data"]["configWriteErrorCode"] == "configPathNotFound"
    err = error_of(
        client,
        "config/value/write",
        {"keyPath": "model", "value": "m", "mergeStrategy": "replace", "filePath": "/etc/codex/config.toml"},
    )
    assert err["data"]["configWriteErrorCode"] == "configLayerReadonly"
    err = error_of(client, "config/value/write", {"keyPath": "model", "mergeStrategy": "replace"})
    assert err["code"] == -32602 and "value" in err["message"]
    # valid TOML for the model, but the config would no longer load: refused and rolled back
    err = error_of(client, "config/value/write", {"keyPath": "profile", "value": "nope", "mergeStrategy": "replace"})
    assert err["data"]["configWriteErrorCode"] == "configValidationError" and "nope" in err["message"]
    assert cfg.read_bytes() == before
    assert client.call("thread/start", {"ephemeral": True})["model"] == "test-model"


def test_config_write_reports_an_overriding_layer(app_env: dict[str, str], workspace: Path) -> None:
    client = AppServerClient(app_env, workspace, ("-c", 'model="from-cli"'))
    try:
        client.initialize()
        written = client.call("config/value/write", {"keyPath": "model", "value": "m2", "mergeStrategy": "replace"})
        assert written["status"] == "okOverridden"
        meta = written["overriddenMetadata"]
        assert meta["effectiveValue"] == "from-cli" and meta["overridingLayer"]["name"]["type"] == "sessionFlags"
    finally:
        assert client.close()[0] == 0


def test_api_key_login_logout(client: AppServerClient, codex_home: Path) -> None:
    client.initialize()
    assert client.call("account/login/start", {"type": "apiKey", "apiKey": "sk-abc"}) == {"type": "apiKey"}
    assert client.notification("account/updated") == {"authMode": "apikey", "planType": None}
    auth = codex_home / "auth.json"
    assert json.loads(auth.read_text()) == {"auth_mode": "apikey", "OPENAI_API_KEY": "sk-abc"}
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    assert error_of(client, "account/login/start", {"type": "apiKey"})["code"] == -32602
    assert error_of(client, "account/login/start", {"type": "apiKey", "apiKey": "sk bad"})["code"] == -32602
    unsupported = error_of(client, "account/login/start", {"type": "chatgpt"})
    assert unsupported["code"] == -32600 and "not supported" in unsupported["message"]
    assert "in progress" in error_of(client, "account/login/cancel", {"loginId": "x"})["message"]
    assert json.loads(auth.read_text()) == {
        "auth_mode": "apikey",
        "OPENAI_API_KEY": "sk-abc",
    }  # failed attempts changed nothing
    assert client.call("account/logout", None) == {}
    assert not auth.exists()


def test_fork_errors_and_fork_by_path(client: AppServerClient, server: ScriptedResponsesServer) -> None:
    server.enqueue(turn_message("one"), Stall([ev_created(), *ev_message("slow")[:2]], n=3, max_seconds=30))
    client.initialize()
    thread = client.call("thread/start", {})["thread"]
    client.call("turn/start", {"threadId": thread["id"], "input": TEXT})
    client.notification("turn/completed")
    assert error_of(client, "thread/fork", {})["code"] == -32602
    assert "no turn" in error_of(client, "thread/fork", {"threadId": thread["id"], "lastTurnId": "nope"})["message"]
    path = client.call("thread/read", {"threadId": thread["id"]})["thread"]["path"]
    assert error_of(client, "thread/fork", {"threadId": ""})["code"] == -32602
    not_a_rollout = error_of(client, "thread/fork", {"threadId": "x", "path": "/etc/hostname"})
    assert not_a_rollout["code"] == -32602 and "not a Codex session file" in not_a_rollout["message"]
    forked = client.call("thread/fork", {"threadId": "ignored-when-path-is-set", "path": path, "ephemeral": True})
    assert forked["thread"]["forkedFromId"] == thread["id"] and forked["thread"]["path"] is None
    assert [i["type"] for i in forked["thread"]["turns"][0]["items"]] == ["userMessage", "agentMessage"]
    started = client.notification("thread/started", lambda p: p["thread"]["id"] == forked["thread"]["id"])
    assert started["thread"]["ephemeral"] is True
    turn = client.call("turn/start", {"threadId": thread["id"], "input": TEXT})["turn"]
    client.notification("item/agentMessage/delta", lambda p: p["turnId"] == turn["id"])
    busy = error_of(client, "thread/fork", {"threadId": thread["id"]})
    assert busy["code"] == -32600 and turn["id"] in busy["message"]
    client.call("turn/interrupt", {"threadId": thread["id"], "turnId": turn["id"]})


def test_disconnect_mid_turn_leaves_a_consistent_rollout(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_message("first"), Stall([ev_created(), *ev_message("cut off")[:2]], n=3, max_seconds=30))
    client = AppServerClient(app_env, workspace)
    client.initialize()
    thread = client.call("thread/start", {})["thread"]
    client.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "one"}]})
    client.notification("turn/completed")
    path = Path(client.call("thread/read", {"threadId": thread["id"]})["thread"]["path"])
    second = client.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "two"}]})
    client.notification("item/agentMessage/delta", lambda p: p["turnId"] == second["turn"]["id"])
    code, stderr = client.close()  # the client goes away in the middle of the second turn
    assert code == 0 and "Traceback" not in stderr
    lines = path.read_text().splitlines()
    assert lines and all(json.loads(line) for line in lines)  # every line complete, no torn write

    server.enqueue(turn_message("resumed fine"))
    again = AppServerClient(app_env, workspace)
    try:
        again.initialize()
        resumed = again.call("thread/resume", {"threadId": thread["id"]})["thread"]
        prompts = [t["items"][0]["content"][0]["text"] for t in resumed["turns"] if t["items"]]
        assert prompts[:2] == ["one", "two"]
        again.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "three"}]})
        assert again.notification("turn/completed")["turn"]["status"] == "completed"
    finally:
        assert again.close()[0] == 0


def test_fork_by_turn_after_steered_and_failed_turns(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer, codex_home: Path
) -> None:
    from tests.support.sse_server import turn_tool_call

    server.enqueue(
        turn_tool_call("shell", {"command": ["sleep", "0.5"]}, call_id="c1"),
        turn_message("ans-one"),
        turn_message("ans-three"),
    )
    (codex_home / "rules").write_text("not a directory", encoding="utf-8")  # the next turn fails at once
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        thread_id = client.call("thread/start", {"sandbox": "danger-full-access", "approvalPolicy": "never"})["thread"][
            "id"
        ]

        def turn(text: str, steer: str | None = None) -> str:
            turn_id: str = client.call(
                "turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": text}]}
            )["turn"]["id"]
            if steer is not None:
                client.notification("item/started", lambda p: p["item"]["type"] == "commandExecution")
                params = {"threadId": thread_id, "input": [{"type": "text", "text": steer}], "expectedTurnId": turn_id}
                client.call("turn/steer", params)
            client.notification("turn/completed", lambda p: p["turn"]["id"] == turn_id)
            return turn_id

        failed = turn("ask-zero")
        (codex_home / "rules").unlink()
        one = turn("ask-one", steer="steer-one")
        turn("ask-three")
        statuses = [
            t["status"]
            for t in client.call("thread/read", {"threadId": thread_id, "includeTurns": True})["thread"]["turns"]
        ]
        assert statuses == ["failed", "completed", "completed"]

        def prompts(fork: dict[str, Any]) -> list[list[str]]:
            return [
                [i["content"][0]["text"] for i in t["items"] if i["type"] == "userMessage"]
                for t in fork["thread"]["turns"]
            ]

        assert prompts(client.call("thread/fork", {"threadId": thread_id, "lastTurnId": failed})) == [["ask-zero"]]
        through_one = client.call("thread/fork", {"threadId": thread_id, "lastTurnId": one})
        assert prompts(through_one) == [["ask-zero"], ["ask-one", "steer-one"]]
        # forking the fork by its own turn ids works the same way
        fork_turns = through_one["thread"]["turns"]
        again = client.call("thread/fork", {"threadId": through_one["thread"]["id"], "lastTurnId": fork_turns[0]["id"]})
        assert prompts(again) == [["ask-zero"]]
    finally:
        assert client.close()[0] == 0


def test_archive_racing_turn_start_never_breaks_the_turn(
    client: AppServerClient, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_message("first"), turn_message("second"))
    client.initialize()
    thread_id = client.call("thread/start", {})["thread"]["id"]
    client.call("turn/start", {"threadId": thread_id, "input": TEXT})
    client.notification("turn/completed")
    archive = {"id": 900, "method": "thread/archive", "params": {"threadId": thread_id}}
    start = {"id": 901, "method": "turn/start", "params": {"threadId": thread_id, "input": TEXT}}
    client.send_raw((json.dumps(archive) + "\n" + json.dumps(start) + "\n").encode())
    replies = {r["id"]: r for r in (client.response(900), client.response(901))}
    if "result" in replies[901]:  # the turn won: archiving was refused while it ran
        assert "running turn" in replies[900]["error"]["message"]
        done = client.notification("turn/completed", lambda p: p["turn"]["id"] == replies[901]["result"]["turn"]["id"])
        assert done["turn"]["status"] == "completed"
    else:  # the archive won: the turn was refused cleanly
        assert replies[900]["result"] == {} and "not loaded" in replies[901]["error"]["message"]
