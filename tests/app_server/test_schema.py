"""`codex app-server generate-json-schema`, and every message a real session emits validates against it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema

from codex_exec.app_server.schema import type_name
from tests.app_server.conftest import CODEX, AppServerClient
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call


def _load(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text())


def test_schema_files_and_live_messages_validate(
    app_env: dict[str, str], workspace: Path, server: ScriptedResponsesServer, tmp_path: Path
) -> None:
    out = tmp_path / "schema"
    proc = subprocess.run(
        [CODEX, "app-server", "generate-json-schema", "--out", str(out)], env=app_env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    for name in (
        "ClientRequest.json",
        "ServerNotification.json",
        "ServerRequest.json",
        "JSONRPCMessage.json",
        "v1/InitializeParams.json",
        "v2/ThreadStartParams.json",
        "v2/TurnStartResponse.json",
        "v2/AgentMessageDeltaNotification.json",
        "CommandExecutionRequestApprovalParams.json",
        "codex_app_server_protocol.v2.schemas.json",
        "codex_app_server_protocol.schemas.json",
        "v2/ThreadForkParams.json",
        "v2/ConfigValueWriteParams.json",
        "v2/LoginAccountParams.json",
    ):
        schema = _load(out, name)
        jsonschema.Draft202012Validator.check_schema(schema)
    start = _load(out, "v2/ThreadStartParams.json")["properties"]
    assert {"approvalPolicy", "baseInstructions", "developerInstructions", "modelProvider", "ephemeral"} <= set(start)
    client_requests = _load(out, "ClientRequest.json")
    members = [client_requests["$defs"][ref["$ref"].rsplit("/", 1)[1]] for ref in client_requests["anyOf"]]
    methods = {m["properties"]["method"]["const"] for m in members}
    assert {"initialize", "thread/start", "turn/start", "turn/interrupt", "config/read"} <= methods

    server.enqueue(turn_tool_call("shell", {"command": ["touch", "y"]}, call_id="c1"), turn_message("done"))
    client = AppServerClient(app_env, workspace)
    sent: dict[int, str] = {}

    def call(method: str, params: Any) -> Any:
        request_id = client.request(method, params)
        sent[request_id] = method
        return client.response(request_id)["result"]

    try:
        call("initialize", {"clientInfo": {"name": "schema_test", "version": "1"}})
        thread_id = call("thread/start", {"approvalPolicy": "untrusted", "sandbox": "danger-full-access"})["thread"][
            "id"
        ]
        call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "touch y"}]})
        request = client.server_request("item/commandExecution/requestApproval")
        client.send({"id": request["id"], "result": {"decision": "acceptForSession"}})
        client.notification("turn/completed")
        for method, params in (
            ("thread/read", {"threadId": thread_id, "includeTurns": True}),
            ("thread/list", {}),
            ("config/read", {}),
            ("configRequirements/read", None),
            ("account/read", {}),
            ("model/list", {}),
        ):
            call(method, params)
    finally:
        client.close()
    assert (workspace / "y").exists()

    notifications = jsonschema.Draft202012Validator(_load(out, "ServerNotification.json"))
    requests = jsonschema.Draft202012Validator(_load(out, "ServerRequest.json"))
    envelope = jsonschema.Draft202012Validator(_load(out, "JSONRPCMessage.json"))
    checked = 0
    for msg in client.messages:
        envelope.validate(msg)
        if "method" in msg:
            (requests if "id" in msg else notifications).validate(msg)
        elif msg.get("id") in sent:
            method = sent[msg["id"]]
            folder = "v1" if method == "initialize" else "v2"
            name = type_name(method) + "Response.json"
            jsonschema.validate(msg["result"], _load(out, f"{folder}/{name}"))
        checked += 1
    assert checked > 20
    bad = {"method": "turn/completed", "params": {"threadId": "t", "turn": {"id": "x", "status": "done"}}}
    assert not notifications.is_valid(bad)


def test_network_requirements_wire_model_accepts_legacy_only_input() -> None:
    import pytest
    from pydantic import ValidationError

    from codex_exec.app_server import wire

    legacy = wire.NetworkRequirements.model_validate(
        {"allowedDomains": ["a.example.com"], "deniedDomains": ["b.example.com"], "allowUnixSockets": ["/tmp/s.sock"]}
    )
    assert legacy.domains == {"a.example.com": "allow", "b.example.com": "deny"}
    assert legacy.unix_sockets == {"/tmp/s.sock": "allow"}
    canonical = wire.NetworkRequirements.model_validate(
        {"domains": {"z.example.com": "deny", "a.example.com": "allow"}, "unixSockets": {"/tmp/x.sock": "none"}}
    ).dump()
    assert list(canonical["domains"]) == ["a.example.com", "z.example.com"]  # sorted keys
    assert canonical["allowedDomains"] == ["a.example.com"] and canonical["deniedDomains"] == ["z.example.com"]
    assert canonical["allowUnixSockets"] is None
    with pytest.raises(ValidationError):
        wire.NetworkRequirements.model_validate({"domains": {"a.example.com": "maybe"}})
