"""approvalPolicy in the reference's granular form ``{"granular": {...}}`` over real stdio."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call

GRANULAR = {
    "granular": {
        "sandbox_approval": True,
        "rules": False,
        "skill_approval": False,
        "request_permissions": False,
        "mcp_elicitations": True,
    }
}


def test_granular_policy_is_applied_and_reported(
    client: AppServerClient, server: ScriptedResponsesServer, codex_home: Path, workspace: Path
) -> None:
    rules = codex_home / "rules"
    rules.mkdir()
    (rules / "default.rules").write_text('prefix_rule(pattern=["touch"], decision="prompt", justification="ask")\n')
    server.enqueue(turn_tool_call("shell", {"command": ["touch", "x"]}, call_id="c1"), turn_message("ok"))
    client.initialize()
    started = client.call("thread/start", {"cwd": str(workspace), "approvalPolicy": GRANULAR})
    assert started["approvalPolicy"] == GRANULAR
    tid = started["thread"]["id"]
    client.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "go"}]})
    client.notification("turn/completed")
    # rules = false: the rule's prompt is rejected at once, the client is never asked
    assert not any(m.get("method") == "item/commandExecution/requestApproval" for m in client.messages)
    assert "rejected" in json.dumps(server.requests[1].body["input"]) and not (workspace / "x").exists()
    resumed = client.call("thread/resume", {"threadId": tid})
    assert resumed["approvalPolicy"] == GRANULAR
    per_turn = client.response(
        client.request(
            "turn/start", {"threadId": tid, "input": [{"type": "text", "text": "x"}], "approvalPolicy": GRANULAR}
        )
    )
    assert per_turn["error"]["code"] == -32602 and "granular" in per_turn["error"]["message"]
    bad = client.response(client.request("thread/start", {"approvalPolicy": {"granular": {}, "other": 1}}))
    assert bad["error"]["code"] == -32602
