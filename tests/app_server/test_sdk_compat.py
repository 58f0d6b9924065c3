"""The official Python SDK (`openai-codex` 0.163.0 from PyPI) drives our `codex app-server` unchanged.

The SDK launches ``<codex_bin> app-server --listen stdio://`` itself; here ``codex_bin`` is our
console script, talking to the scripted SSE model server. A second test validates every message
our server sends against the SDK's generated protocol models, so a shape drift fails loudly
instead of degrading into the SDK's "unknown notification" fallback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from openai_codex import AsyncCodex, Codex, CodexConfig
from openai_codex.generated import v2_all
from openai_codex.generated.notification_registry import NOTIFICATION_MODELS
from openai_codex.models import InitializeResponse
from pydantic import BaseModel

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import (
    ScriptedResponsesServer,
    ev_completed,
    ev_created,
    ev_function_call,
    ev_message,
    ev_reasoning,
    turn_message,
    turn_tool_call,
)

CODEX_BIN = str(Path(sys.executable).parent / "codex")


@pytest.fixture
def sdk_config(app_env: dict[str, str], workspace: Path) -> CodexConfig:
    return CodexConfig(codex_bin=CODEX_BIN, env=app_env, cwd=str(workspace))


def test_quickstart_fork_resume_models_and_login(
    sdk_config: CodexConfig, server: ScriptedResponsesServer, codex_home: Path, workspace: Path
) -> None:
    server.enqueue(
        turn_message("Hello from the scripted model.", input_tokens=10, output_tokens=5),
        turn_message("Second answer."),
        turn_message("Answer on the fork."),
    )
    with Codex(sdk_config) as codex:
        assert codex.metadata.serverInfo is not None and codex.metadata.serverInfo.version == "0.169.0"
        assert "(codex_python_sdk; 0.163.0)" in (codex.metadata.userAgent or "")
        thread = codex.thread_start()
        result = thread.run("Say hello")
        assert result.final_response == "Hello from the scripted model."
        assert result.status.value == "completed" and result.usage is not None
        assert result.usage.total.total_tokens == 15
        assert [i.root.type for i in result.items] == ["userMessage", "agentMessage"]
        assert thread.run("And again").final_response == "Second answer."

        # fork through the first turn only; `include_turns=False` sends `excludeTurns`, which
        # the SDK allows only after checking the runtime version we report
        first_turn = thread.read(include_turns=True).thread.turns[0].id
        forked = codex._client.thread_fork(thread.id, {"lastTurnId": first_turn, "excludeTurns": True})
        assert forked.thread.forked_from_id == thread.id and forked.thread.turns == []
        fork = codex.thread_fork(thread.id, include_turns=False)
        assert fork.id != thread.id
        assert fork.run("On the fork").final_response == "Answer on the fork."
        sent = json.dumps(server.requests[-1].body["input"])
        assert "Say hello" in sent and "And again" in sent and "On the fork" in sent
        fork_turns = codex._client.thread_read(forked.thread.id, include_turns=True).thread.turns
        assert len(fork_turns) == 1

        listed = {t.id for t in codex.thread_list().data}
        assert {thread.id, fork.id, forked.thread.id} <= listed
        models = codex.models()
        assert models.data[0].model == "test-model" and models.data[0].is_default

        codex.login_api_key("sk-from-sdk")
        assert json.loads((codex_home / "auth.json").read_text()) == {
            "auth_mode": "apikey",
            "OPENAI_API_KEY": "sk-from-sdk",
        }
        assert (codex_home / "auth.json").stat().st_mode & 0o777 == 0o600
        assert codex.account().account is not None and codex.account().account.root.type == "apiKey"

    # a new server process resumes the saved thread with its history
    with Codex(sdk_config) as codex:
        resumed = codex.thread_resume(thread.id)
        turns = resumed.read(include_turns=True).thread.turns
        assert len(turns) == 2


def test_approval_round_trip_through_sdk_handler(
    sdk_config: CodexConfig, server: ScriptedResponsesServer, workspace: Path
) -> None:
    """The SDK's default `auto_review` mode (on-request) accepts an escalation request."""
    args = {
        "command": ["touch", "escalated.txt"],
        "sandbox_permissions": "require_escalated",
        "justification": "create a file outside the read-only sandbox",
    }
    server.enqueue(turn_tool_call("shell", args, call_id="c1"), turn_message("created"))
    from openai_codex import Sandbox

    with Codex(sdk_config) as codex:
        thread = codex.thread_start(sandbox=Sandbox.read_only)
        result = thread.run("create it")
    assert result.final_response == "created"
    assert (workspace / "escalated.txt").exists()
    cmd = next(i.root for i in result.items if i.root.type == "commandExecution")
    assert cmd.exit_code == 0


async def test_async_client_and_interrupt(sdk_config: CodexConfig, server: ScriptedResponsesServer) -> None:
    from tests.support.sse_server import Stall

    server.enqueue(turn_message("async answer"), Stall([ev_created(), *ev_message("slow")[:2]], n=3, max_seconds=30))
    async with AsyncCodex(sdk_config) as codex:
        thread = await codex.thread_start()
        assert (await thread.run("hi")).final_response == "async answer"
        handle = await thread.turn("take your time")
        stream = handle.stream()
        async for event in stream:
            if event.method == "item/agentMessage/delta":
                await handle.interrupt()
            if event.method == "turn/completed":
                assert event.payload.turn.status.value == "interrupted"
                break


# --- protocol conformance -------------------------------------------------------------------

_RESPONSES: dict[str, type[BaseModel]] = {
    "initialize": InitializeResponse,
    "thread/start": v2_all.ThreadStartResponse,
    "thread/resume": v2_all.ThreadResumeResponse,
    "thread/fork": v2_all.ThreadForkResponse,
    "thread/list": v2_all.ThreadListResponse,
    "thread/read": v2_all.ThreadReadResponse,
    "turn/start": v2_all.TurnStartResponse,
    "model/list": v2_all.ModelListResponse,
    "account/read": v2_all.GetAccountResponse,
    "account/login/start": v2_all.LoginAccountResponse,
    "config/read": v2_all.ConfigReadResponse,
    "config/value/write": v2_all.ConfigWriteResponse,
    "configRequirements/read": v2_all.ConfigRequirementsReadResponse,
}


def test_every_message_validates_against_the_official_models(
    app_env: dict[str, str], server: ScriptedResponsesServer, workspace: Path, codex_home: Path
) -> None:
    patch = "*** Begin Patch\n*** Add File: notes.md\n+# Notes\n*** End Patch\n"
    plan = {"plan": [{"step": "look", "status": "completed"}, {"step": "fix", "status": "in_progress"}]}
    server.enqueue(
        [ev_created(), *ev_reasoning("thinking"), *ev_function_call("update_plan", plan, "p1"), ev_completed()],
        turn_tool_call("shell", {"command": ["sh", "-c", "echo out; touch x"]}, call_id="c1"),
        turn_tool_call("apply_patch", {"input": patch}, call_id="c2"),
        turn_message("all done"),
    )
    req = codex_home / "requirements.toml"
    req.write_text(
        'allowed_approval_policies = ["untrusted", "on-request"]\n'
        "[experimental_network]\n"
        'allowed_domains = ["api.example.com"]\n'
        'denied_domains = ["evil.example.com"]\n',
        encoding="utf-8",
    )
    client = AppServerClient({**app_env, "CODEX_REQUIREMENTS_PATH": str(req)}, workspace)
    sent: dict[Any, str] = {}

    def call(method: str, params: Any) -> Any:
        request_id = client.request(method, params)
        sent[request_id] = method
        reply = client.response(request_id)
        assert "result" in reply, reply
        return reply["result"]

    try:
        call("initialize", {"clientInfo": {"name": "conformance", "version": "1"}})
        thread_id = call("thread/start", {"approvalPolicy": "untrusted", "sandbox": "danger-full-access"})["thread"][
            "id"
        ]
        call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "go"}]})
        for method in ("item/commandExecution/requestApproval", "item/fileChange/requestApproval"):
            request = client.server_request(method)  # (the SDK has no models for these; see test_turns)
            client.send({"id": request["id"], "result": {"decision": "accept"}})
        client.notification("turn/completed")
        call("thread/read", {"threadId": thread_id, "includeTurns": True})
        call("thread/fork", {"threadId": thread_id})
        call("thread/list", {})
        call("thread/resume", {"threadId": thread_id})
        call("model/list", {})
        call("config/read", {"includeLayers": True})
        call("config/value/write", {"keyPath": "model_verbosity", "value": "low", "mergeStrategy": "replace"})
        call("configRequirements/read", None)
        call("account/login/start", {"type": "apiKey", "apiKey": "sk-x"})
        call("account/read", {})
    finally:
        code, stderr = client.close()
    assert code == 0, stderr

    seen = set()
    for message in client.messages:
        if "method" in message and "id" not in message:
            model_for = NOTIFICATION_MODELS.get(message["method"])
            assert model_for is not None, f"the SDK does not know notification {message['method']}"
            model_for.model_validate(message["params"])
            seen.add(message["method"])
        elif "id" in message and "method" not in message:
            _RESPONSES[sent[message["id"]]].model_validate(message["result"])
    assert {"turn/plan/updated", "item/commandExecution/outputDelta", "account/updated", "thread/started"} <= seen
    requirements = next(m["result"] for m in client.messages if sent.get(m.get("id")) == "configRequirements/read")
    network = requirements["requirements"]["network"]
    assert network["domains"] == {"api.example.com": "allow", "evil.example.com": "deny"}
    assert network["allowedDomains"] == ["api.example.com"] and network["deniedDomains"] == ["evil.example.com"]
    assert os.path.exists(workspace / "notes.md") and (workspace / "x").exists()


def test_turn_handle_steer(sdk_config: CodexConfig, server: ScriptedResponsesServer) -> None:
    server.enqueue(turn_tool_call("shell", {"command": ["sleep", "0.5"]}, call_id="c1"), turn_message("both done"))
    from openai_codex import Sandbox

    with Codex(sdk_config) as codex:
        thread = codex.thread_start(sandbox=Sandbox.full_access)
        handle = thread.turn("do X")
        for event in handle.stream():
            if event.method == "item/started" and event.payload.item.root.type == "commandExecution":
                assert handle.steer("and Y").turn_id == handle.id
            if event.method == "turn/completed":
                assert event.payload.turn.status.value == "completed"
    assert "and Y" in json.dumps(server.requests[1].body["input"])
