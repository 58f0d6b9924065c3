"""JSON-RPC framing and the handshake: errors are responses, never a crash."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.app_server.conftest import CODEX, AppServerClient


def test_request_before_initialize_then_handshake(client: AppServerClient) -> None:
    early = client.response(client.request("thread/list", {}))
    assert early["error"]["code"] == -32600
    assert "initialize" in early["error"]["message"]
    result = client.initialize()
    assert result["platformFamily"] == "unix" and result["codexHome"]
    assert result["userAgent"].startswith("pytest_client/")
    again = client.response(client.request("initialize", {"clientInfo": {"name": "x", "version": "1"}}))
    assert again["error"]["code"] == -32600 and "once" in again["error"]["message"]


def test_bad_json_unknown_method_and_invalid_params(client: AppServerClient) -> None:
    client.initialize()
    client.send_raw(b"{this is not json\n")
    parse = client.wait_for(lambda m: m.get("error", {}).get("code") == -32700)
    assert parse["id"] is None and "Parse error" in parse["error"]["message"]
    client.send_raw(b"[1, 2]\n")
    assert client.wait_for(lambda m: m.get("error", {}).get("code") == -32600 and m["id"] is None)
    unknown = client.response(client.request("thread/teleport", {}))
    assert unknown["error"] == {"code": -32601, "message": "Method not found: thread/teleport"}
    bad = client.response(client.request("thread/start", {"approvalPolicy": "sometimes"}))
    assert bad["error"]["code"] == -32602
    assert "`approvalPolicy`" in bad["error"]["message"] and "thread/start" in bad["error"]["message"]
    missing = client.response(client.request("turn/start", {"threadId": "t"}))
    assert missing["error"]["code"] == -32602 and "`input`" in missing["error"]["message"]
    not_object = client.response(client.request("thread/read", [1]))
    assert not_object["error"]["code"] == -32602
    # the server is still healthy, tolerates a `jsonrpc` member and string ids
    client.send({"jsonrpc": "2.0", "id": "abc", "method": "model/list", "params": {}})
    ok = client.response("abc")
    assert ok["result"]["data"][0]["id"] == "test-model"
    assert all(b"jsonrpc" not in line for line in client.raw_lines)
    code, stderr = client.close()
    assert code == 0 and "Traceback" not in stderr


def test_unknown_thread_and_notifications_are_harmless(client: AppServerClient) -> None:
    client.initialize()
    client.send({"method": "some/unknownNotification", "params": {}})
    client.send({"id": "srv-999", "result": {}})  # a response to nothing: ignored
    reply = client.response(
        client.request("turn/start", {"threadId": "nope", "input": [{"type": "text", "text": "x"}]})
    )
    assert reply["error"]["code"] == -32600 and "not loaded" in reply["error"]["message"]
    missing = client.response(client.request("thread/read", {"threadId": "00000000-dead"}))
    assert missing["error"]["code"] == -32600 and "no saved session" in missing["error"]["message"]
    code, _ = client.close()
    assert code == 0


def test_listen_other_than_stdio_is_a_clear_error(app_env: dict[str, str], workspace: Path) -> None:
    for url, text in (("ws://127.0.0.1:9", "only stdio://"), ("carrier-pigeon", "not a valid listen URL")):
        proc = subprocess.run(
            [CODEX, "app-server", "--listen", url], env=app_env, cwd=workspace, capture_output=True, text=True
        )
        assert proc.returncode == 1 and text in proc.stderr and "Traceback" not in proc.stderr
        assert proc.stdout == ""


def test_info_methods(client: AppServerClient, codex_home: Path) -> None:
    client.initialize()
    account = client.call("account/read", {})
    assert account == {"account": {"type": "apiKey"}, "userId": None, "requiresOpenaiAuth": False}
    models = client.call("model/list", {})
    assert [m["model"] for m in models["data"]] == ["test-model"] and models["data"][0]["isDefault"]
    assert client.call("model/list", {"modelProvider": "other"})["data"] == []
    cfg = client.call("config/read", {"includeLayers": True})
    assert cfg["config"]["model"] == "test-model" and cfg["config"]["model_provider"] == "test"
    user = cfg["origins"]["model"]
    assert user["name"] == {"type": "user", "file": str(codex_home / "config.toml"), "profile": None}
    assert user["version"].startswith("sha256:")
    assert any(layer["name"]["type"] == "user" for layer in cfg["layers"])
    assert client.call("configRequirements/read") == {"requirements": None}


def test_requirements_and_missing_api_key(app_env: dict[str, str], workspace: Path, codex_home: Path) -> None:
    req = codex_home / "requirements.toml"
    req.write_text('allowed_approval_policies = ["untrusted", "on-request"]\n', encoding="utf-8")
    env = {**app_env, "CODEX_REQUIREMENTS_PATH": str(req)}
    env.pop("TEST_API_KEY")
    c = AppServerClient(env, workspace, ("-a", "untrusted"))
    try:
        c.initialize()
        got = c.call("configRequirements/read")["requirements"]
        assert got["allowedApprovalPolicies"] == ["untrusted", "on-request"]
        assert c.call("account/read", {})["account"] is None
        start = c.response(c.request("thread/start", {}))
        assert start["error"]["code"] == -32600 and "TEST_API_KEY" in start["error"]["message"]
        assert start["error"]["data"]["codexErrorCode"]
    finally:
        code, stderr = c.close()
    assert code == 0, stderr


def test_opt_out_notifications(client: AppServerClient) -> None:
    client.call(
        "initialize",
        {
            "clientInfo": {"name": "c", "version": "1"},
            "capabilities": {"optOutNotificationMethods": ["thread/started"]},
        },
    )
    client.call("thread/start", {"ephemeral": True})
    client.call("model/list", {})
    assert "thread/started" not in client.methods()
    assert json.loads(client.raw_lines[-1])["result"]["data"]


def test_requests_piped_then_eof_still_answered(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys
    from pathlib import Path

    codex = str(Path(sys.executable).parent / "codex")
    lines = (
        '{"id":1,"method":"initialize","params":{"clientInfo":{"name":"t","version":"1"}}}\n'
        '{"id":2,"method":"thread/start","params":{"cwd":123}}\n'
    )
    proc = subprocess.run([codex, "app-server"], input=lines, capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, CODEX_HOME=str(tmp_path)))  # fmt: skip
    assert proc.returncode == 0
    out = proc.stdout.splitlines()
    assert len(out) == 2 and '"id":2' in out[1] and "-32602" in out[1]
