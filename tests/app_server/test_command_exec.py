"""`command/exec*` over real stdio: buffered and streamed output, stdin, a PTY, kill, timeout,
and the same exec policy and sandbox as the model's commands."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import pytest

from tests.app_server.conftest import AppServerClient
from tests.sandbox.conftest import needs_sandbox

NO_TMP = {
    "sandbox_workspace_write.exclude_slash_tmp": True,
    "sandbox_workspace_write.exclude_tmpdir_env_var": True,
}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def error_of(client: AppServerClient, method: str, params: dict[str, Any]) -> dict[str, Any]:
    reply = client.response(client.request(method, params))
    assert "error" in reply, reply
    error: dict[str, Any] = reply["error"]
    return error


def deltas(client: AppServerClient, process_id: str, stream: str = "stdout") -> bytes:
    return b"".join(
        base64.b64decode(m["params"]["deltaBase64"])
        for m in client.messages
        if m.get("method") == "command/exec/outputDelta"
        and m["params"]["processId"] == process_id
        and m["params"]["stream"] == stream
    )


def test_buffered_streamed_stdin_tty_kill_and_timeout(client: AppServerClient, workspace: Path) -> None:
    client.initialize()
    result = client.call(
        "command/exec",
        {"command": ["bash", "-c", 'echo out; echo err >&2; pwd; echo "$FOO-${HOME:-unset}"; exit 3'],
         "env": {"FOO": "bar", "HOME": None}},
    )  # fmt: skip
    assert result == {"exitCode": 3, "stdout": f"out\n{workspace}\nbar-unset\n", "stderr": "err\n"}

    request = client.request(
        "command/exec",
        {"command": ["bash", "-c", "echo one; echo two >&2"], "processId": "s1", "streamStdoutStderr": True},
    )
    reply = client.response(request)
    assert reply["result"] == {"exitCode": 0, "stdout": "", "stderr": ""}  # streamed, not repeated
    assert deltas(client, "s1") == b"one\n" and deltas(client, "s1", "stderr") == b"two\n"
    response_at = client.messages.index(reply)
    assert all(
        client.messages.index(m) < response_at
        for m in client.messages
        if m.get("method") == "command/exec/outputDelta" and m["params"]["processId"] == "s1"
    )

    capped = client.call(
        "command/exec",
        {"command": ["bash", "-c", "printf 'a%.0s' {1..100}"], "processId": "cap", "streamStdoutStderr": True,
         "outputBytesCap": 10},
    )  # fmt: skip
    assert capped["exitCode"] == 0 and deltas(client, "cap") == b"a" * 10
    last = [m["params"] for m in client.messages if m.get("method") == "command/exec/outputDelta"][-1]
    assert last["processId"] == "cap" and last["capReached"] is True
    assert (
        client.call("command/exec", {"command": ["bash", "-c", "printf 'b%.0s' {1..50}"], "outputBytesCap": 5})[
            "stdout"
        ]
        == "bbbbb"
    )

    cat = client.request("command/exec", {"command": ["cat"], "processId": "in", "streamStdin": True})
    assert client.call("command/exec/write", {"processId": "in", "deltaBase64": b64(b"hello\n")}) == {}
    client.call("command/exec/write", {"processId": "in", "closeStdin": True})
    assert client.response(cat)["result"] == {"exitCode": 0, "stdout": "hello\n", "stderr": ""}

    tty = client.request(
        "command/exec",
        {"command": ["bash", "-c", "read line; echo got:$line; stty size"], "processId": "t", "tty": True,
         "size": {"rows": 10, "cols": 50}},
    )  # fmt: skip
    client.call("command/exec/resize", {"processId": "t", "size": {"rows": 5, "cols": 7}})
    client.call("command/exec/write", {"processId": "t", "deltaBase64": b64(b"hi\n")})
    assert client.response(tty)["result"]["exitCode"] == 0
    assert b"got:hi" in deltas(client, "t") and b"5 7" in deltas(client, "t")

    started = time.monotonic()
    sleeper = client.request("command/exec", {"command": ["sleep", "30"], "processId": "z", "disableTimeout": True})
    no_stdin = error_of(client, "command/exec/write", {"processId": "z", "deltaBase64": b64(b"x")})
    assert no_stdin["code"] == -32600 and "stdin streaming is not enabled" in no_stdin["message"]
    not_tty = error_of(client, "command/exec/resize", {"processId": "z", "size": {"rows": 1, "cols": 1}})
    assert not_tty["code"] == -32600 and "not attached to a PTY" in not_tty["message"]
    duplicate = error_of(client, "command/exec", {"command": ["true"], "processId": "z"})
    assert duplicate["code"] == -32600 and "duplicate" in duplicate["message"]
    assert client.call("command/exec/terminate", {"processId": "z"}) == {}
    assert client.response(sleeper)["result"]["exitCode"] == 137
    assert time.monotonic() - started < 10
    gone = error_of(client, "command/exec/terminate", {"processId": "z"})
    assert gone["code"] == -32600 and 'no active command/exec for process id "z"' in gone["message"]

    assert client.call("command/exec", {"command": ["sleep", "5"], "timeoutMs": 100})["exitCode"] == 124

    for params, code, words in (
        ({"command": []}, -32600, "must not be empty"),
        ({"command": ["true"], "streamStdoutStderr": True}, -32600, "requires a client-supplied processId"),
        ({"command": ["true"], "timeoutMs": 1, "disableTimeout": True}, -32602, "both timeoutMs and disableTimeout"),
        ({"command": ["true"], "size": {"rows": 1, "cols": 1}}, -32602, "size requires tty"),
        ({"command": ["true"], "outputBytesCap": 1, "disableOutputCap": True}, -32602, "outputBytesCap"),
    ):
        error = error_of(client, "command/exec", params)
        assert error["code"] == code and words in error["message"], error


def test_exec_policy_forbidden_rule_refuses_the_command(client: AppServerClient, codex_home: Path) -> None:
    rules = codex_home / "rules"
    rules.mkdir()
    (rules / "default.rules").write_text('prefix_rule(pattern=["rm"], decision="forbidden", justification="no")\n')
    client.initialize()
    error = error_of(client, "command/exec", {"command": ["rm", "-f", "x"]})
    assert error["code"] == -32600 and "command refused" in error["message"] and "no" in error["message"]
    assert error["data"]["codexErrorCode"] == "command_refused"


@needs_sandbox
@pytest.mark.sandbox
def test_command_runs_in_the_thread_sandbox(client: AppServerClient, workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    client.initialize()
    tid = client.call("thread/start", {"cwd": str(workspace), "sandbox": "workspace-write", "config": NO_TMP})[
        "thread"
    ]["id"]
    script = f"touch {workspace}/inside; touch {outside}/escaped; mkdir -p {workspace}/.git/hooks"
    result = client.call("command/exec", {"threadId": tid, "command": ["bash", "-c", script]})
    assert result["exitCode"] != 0 and "Read-only file system" in result["stderr"], result
    assert (workspace / "inside").exists()
    assert not (outside / "escaped").exists()
    assert not (workspace / ".git" / "hooks").exists()
    # without threadId: the server's config, read-only in this untrusted directory
    server_default = client.call("command/exec", {"command": ["touch", f"{workspace}/second"]})
    assert server_default["exitCode"] != 0 and not (workspace / "second").exists()
    # an explicit sandboxPolicy still goes through the requirements (none here) and runs sandboxed
    ro = client.call(
        "command/exec",
        {"threadId": tid, "command": ["touch", f"{workspace}/third"], "sandboxPolicy": {"type": "readOnly"}},
    )
    assert ro["exitCode"] != 0 and not (workspace / "third").exists()
