"""thread/shellCommand and thread/inject_items over real stdio."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message


def test_shell_command_runs_as_a_turn_and_the_model_sees_it(
    app_env: dict[str, str], server: ScriptedResponsesServer, workspace: Path, tmp_path: Path
) -> None:
    # the user's login shell, kept away from this machine's profile: killing a login shell
    # while it runs the profile (pyenv's rehash) can leave a lock that hangs later shells
    home = tmp_path / "home"
    home.mkdir()
    client = AppServerClient({**app_env, "HOME": str(home), "SHELL": "/bin/sh"}, workspace)
    try:
        _shell_command_turns(client, server, workspace)
    finally:
        client.close()


def _shell_command_turns(client: AppServerClient, server: ScriptedResponsesServer, workspace: Path) -> None:
    server.enqueue(turn_message("I saw it."))
    client.initialize()
    tid = client.call("thread/start", {"cwd": str(workspace)})["thread"]["id"]
    assert (
        client.call(
            "thread/shellCommand", {"threadId": tid, "command": "echo hello | tr a-z A-Z > out.txt; cat out.txt"}
        )
        == {}
    )
    done = client.notification("turn/completed")
    assert done["turn"]["status"] == "completed"
    [item] = done["turn"]["items"]
    assert item["type"] == "commandExecution" and item["exitCode"] == 0 and "HELLO" in item["aggregatedOutput"]
    assert (workspace / "out.txt").read_text() == "HELLO\n"  # the user's shell, not the sandbox
    assert any(m.get("method") == "item/commandExecution/outputDelta" for m in client.messages)
    client.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "what did I run?"}]})
    client.notification("turn/completed", lambda p: p["turn"]["id"] != done["turn"]["id"])
    assert "<user_shell_command>" in json.dumps(server.requests[-1].body["input"])

    started = time.monotonic()
    client.call("thread/shellCommand", {"threadId": tid, "command": "sleep 30", "timeoutMs": 200})
    stopped = client.notification("turn/completed", lambda p: p["turn"]["status"] == "interrupted")
    assert time.monotonic() - started < 10 and stopped["threadId"] == tid
    empty = client.response(client.request("thread/shellCommand", {"threadId": tid, "command": "  "}))
    assert empty["error"]["code"] == -32602


def test_inject_items_reach_the_model_with_the_next_turn(
    client: AppServerClient, server: ScriptedResponsesServer
) -> None:
    server.enqueue(turn_message("noted"))
    client.initialize()
    tid = client.call("thread/start", {})["thread"]["id"]
    note = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "INJECTED CONTEXT 42"}]}
    assert client.call("thread/inject_items", {"threadId": tid, "items": [note]}) == {}
    bad = client.response(client.request("thread/inject_items", {"threadId": tid, "items": [{"type": "message"}]}))
    assert bad["error"]["code"] == -32602 and "items[0]" in bad["error"]["message"]
    client.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "go"}]})
    client.notification("turn/completed")
    sent = json.dumps(server.requests[-1].body["input"])
    assert sent.count("INJECTED CONTEXT 42") == 1 and sent.index("INJECTED CONTEXT 42") < sent.index('"go"')
