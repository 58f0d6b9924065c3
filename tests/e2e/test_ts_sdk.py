"""The official TypeScript SDK (``@openai/codex-sdk`` 0.163.0) drives our ``codex exec`` unchanged.

The SDK spawns ``codex exec --experimental-json ...`` with the prompt on stdin and reads the JSONL
events; ``tests/compat/ts-sdk/sdk_driver.mjs`` runs it with ``codexPathOverride`` pointing at our
console script, against the scripted SSE server.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from codex_core.client.providers import ProviderInfo, api_key_for, builtin_providers, codex_api_key_env
from tests.compat.node import run_sdk
from tests.e2e.conftest import CODEX, run_codex
from tests.support.sse_server import (
    HttpErrorResponse,
    ScriptedResponsesServer,
    ev_created,
    ev_failed,
    turn_message,
)

# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _spec(env: dict[str, str], repo: Path, steps: list[dict[str, Any]], **codex: Any) -> dict[str, Any]:
    return {
        "codex": {"codexPathOverride": CODEX, "env": env, **codex},
        "thread": {"workingDirectory": str(repo), "skipGitRepoCheck": True},
        "steps": steps,
    }


def _texts(body: dict[str, Any]) -> list[str]:
    return [c.get("text", "") for item in body["input"] for c in item.get("content", []) if isinstance(c, dict)]


def test_run_then_resume_with_every_thread_option(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path, codex_home: Path
) -> None:
    server.enqueue(turn_message("first", input_tokens=12, output_tokens=3), turn_message("second"))
    (repo / "pixel.png").write_bytes(PNG)
    spec = _spec(
        cli_env,
        repo,
        [
            {"input": "hello", "turn": {"outputSchema": {"type": "object", "properties": {}}}},
            {"input": [{"type": "text", "text": "look"}, {"type": "local_image", "path": str(repo / "pixel.png")}]},
        ],
        config={"model_verbosity": "low"},
    )
    spec["thread"].update(
        model="sdk-model",
        threadSource="user",
        sandboxMode="workspace-write",
        modelReasoningEffort="high",
        networkAccessEnabled=True,
        webSearchMode="live",
        approvalPolicy="on-request",
        additionalDirectories=[str(repo.parent)],
    )
    first, second = run_sdk(spec, repo)
    assert first["ok"] and second["ok"], (first, second)
    assert first["finalResponse"] == "first"
    assert first["items"] == [{"id": first["items"][0]["id"], "type": "agent_message", "text": "first"}]
    assert first["usage"]["input_tokens"] == 12 and first["usage"]["output_tokens"] == 3
    assert second["finalResponse"] == "second" and second["threadId"] == first["threadId"]

    req1, req2 = (r.body for r in server.requests)
    assert server.requests[0].headers["originator"] == "codex_sdk_ts"
    assert req1["model"] == "sdk-model" and req1["reasoning"]["effort"] == "high"
    assert req1["text"]["format"]["type"] == "json_schema"
    assert any(t["type"] == "web_search" for t in req1["tools"])
    # The second run resumed the thread (`resume <id>`): the first exchange is in its input.
    assert {"hello", "first", "look"} <= set(_texts(req2))
    assert any(c.get("type") == "input_image" for item in req2["input"] for c in item.get("content", []))
    rollouts = list((codex_home / "sessions").rglob(f"rollout-*-{first['threadId']}.jsonl"))
    assert len(rollouts) == 1
    meta = json.loads(rollouts[0].read_text().splitlines()[0])["payload"]
    assert meta["originator"] == "codex_sdk_ts"


def test_run_streamed_yields_events(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    server.enqueue(turn_message("streamed answer"))
    [result] = run_sdk(_spec(cli_env, repo, [{"input": "stream it", "streamed": True}]), repo)
    assert result["ok"], result
    events = result["events"]
    assert [e["type"] for e in events] == ["thread.started", "turn.started", "item.completed", "turn.completed"]
    assert events[0]["thread_id"] == result["threadId"]
    assert events[2]["item"]["text"] == "streamed answer"
    assert events[3]["usage"]["cache_write_input_tokens"] == 0


def test_turn_failures_reject_run(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    server.enqueue(
        [ev_created(), ev_failed("insufficient_quota", "You exceeded your current quota")],
        HttpErrorResponse(400, {"error": {"message": "bad request body", "type": "invalid_request_error"}}),
        turn_message("recovered"),
    )
    steps = [{"input": "one"}, {"input": "two"}, {"input": "three"}]
    quota, http, ok = run_sdk(_spec(cli_env, repo, steps), repo)
    assert not quota["ok"] and "You exceeded your current quota" in quota["error"]
    assert not http["ok"] and "bad request body" in http["error"]
    assert ok["ok"] and ok["finalResponse"] == "recovered"


def test_api_key_and_base_url_options(server: ScriptedResponsesServer, repo: Path) -> None:
    """``baseUrl`` points the built-in openai provider at the server; ``apiKey`` (CODEX_API_KEY) wins."""
    env = dict(os.environ, OPENAI_API_KEY="sk-from-env", CODEX_RETRY_BASE_MS="10")
    server.enqueue(turn_message("authorized"))
    [result] = run_sdk(_spec(env, repo, [{"input": "hi"}], baseUrl=server.base_url, apiKey="sk-from-sdk"), repo)
    assert result["ok"] and result["finalResponse"] == "authorized", result
    [request] = server.requests
    assert request.route == "/v1/responses"
    assert request.headers["authorization"] == "Bearer sk-from-sdk"


# --- the same contract without node -------------------------------------------------------


def test_exec_uses_codex_api_key(server: ScriptedResponsesServer, repo: Path) -> None:
    env = dict(os.environ, CODEX_API_KEY="sk-codex", CODEX_RETRY_BASE_MS="10")
    server.enqueue(turn_message("ok"))
    proc = run_codex(
        ["exec", "--experimental-json", "-c", f'openai_base_url="{server.base_url}"', "--thread-source", "user"],
        env,
        repo,
        input="hi",
    )
    assert proc.returncode == 0, proc.stderr
    assert server.requests[0].headers["authorization"] == "Bearer sk-codex"


def test_codex_api_key_precedence(tmp_path: Path) -> None:
    openai = builtin_providers({})["openai"]
    custom = ProviderInfo(id="azure", name="Azure", env_key="AZURE_KEY", requires_openai_auth=True)
    plain = ProviderInfo(id="plain", name="Plain", env_key="PLAIN_KEY")
    env = {"OPENAI_API_KEY": "sk-openai", "CODEX_API_KEY": "sk-codex", "AZURE_KEY": "sk-azure", "PLAIN_KEY": "sk-p"}
    assert api_key_for(openai, codex_home=tmp_path, env=env) == "sk-openai"  # other frontends ignore it
    with codex_api_key_env():
        assert api_key_for(openai, codex_home=tmp_path, env=env) == "sk-codex"
        assert api_key_for(custom, codex_home=tmp_path, env=env) == "sk-azure"
        assert api_key_for(custom, codex_home=tmp_path, env={"CODEX_API_KEY": "sk-codex"}) == "sk-codex"
        assert api_key_for(plain, codex_home=tmp_path, env=env) == "sk-p"
        assert api_key_for(openai, codex_home=tmp_path, env={"OPENAI_API_KEY": "sk-openai"}) == "sk-openai"
    assert api_key_for(openai, codex_home=tmp_path, env=env) == "sk-openai"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--thread-source", " "], "--thread-source: expected a non-empty source name"),
        (["--cyber-access-program", "bogus"], "Invalid value for '--cyber-access-program'"),
    ],
)
def test_sdk_options_are_validated(cli_env: dict[str, str], repo: Path, args: list[str], message: str) -> None:
    proc = run_codex(["exec", "--experimental-json", *args], cli_env, repo, input="hi")
    assert proc.returncode != 0 and message in proc.stderr, proc.stderr
