"""``CODEX_LOG`` on a real ``codex exec`` run against the scripted SSE server: request timing,
tool calls, sandbox decisions, MCP start-up and config layers on stderr; per-target filters;
JSON lines to a file; secrets never written."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tests.e2e.conftest import run_codex
from tests.mcp.conftest import FIXTURE_SERVER
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call

API_KEY = "sk-test-secret-0123456789"
HEADER_SECRET = "hdr-secret-value-987654"
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,6}Z"


def log_env(cli_env: dict[str, str], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in cli_env.items() if k not in ("CODEX_LOG", "RUST_LOG", "CODEX_LOG_FORMAT", "CODEX_LOG_FILE")}
    env["TEST_API_KEY"] = API_KEY
    env.update(extra)
    return env


def add_to_config(env: dict[str, str], text: str) -> Path:
    path = Path(env["CODEX_HOME"]) / "config.toml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return path


def script_tool_turn(server: ScriptedResponsesServer) -> None:
    server.enqueue(turn_tool_call("exec_command", {"cmd": "echo logged"}, call_id="call_log1"))
    server.enqueue(turn_message("all done"))


def log_lines(text: str, target: str, event: str) -> list[str]:
    pattern = re.compile(rf"^{STAMP} [A-Z]+ +{re.escape(target)}: {re.escape(event)}(?: |$)")
    return [line for line in text.splitlines() if pattern.match(line)]


def fields(line: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S+)', line))


def test_debug_shows_requests_tools_sandbox_and_config(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    env = log_env(cli_env, CODEX_LOG="debug")
    script_tool_turn(server)
    proc = run_codex(["exec", "--sandbox", "workspace-write", "run it"], env, repo)
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr

    requests = log_lines(err, "codex_core.client.responses", "model request")
    assert len(requests) == 2, err
    first = fields(requests[0])
    assert first["url"] == f"{server.base_url}/responses" and first["model"] == "test-model"
    assert first["attempt"] == "0"
    responses = [fields(line) for line in log_lines(err, "codex_core.client.responses", "model response")]
    assert [r["status"] for r in responses] == ["200", "200"]
    assert all(float(r["ttfb_ms"]) >= 0 for r in responses)
    ends = [fields(line) for line in log_lines(err, "codex_core.client.responses", "model stream end")]
    assert [e["outcome"] for e in ends] == ["completed", "completed"]
    assert all(float(e["total_ms"]) >= float(e["first_event_ms"]) for e in ends)

    (tool,) = log_lines(err, "codex_core.agent.router", "tool call")
    tool_fields = fields(tool)
    assert tool_fields["name"] == "exec_command" and tool_fields["call_id"] == "call_log1"
    assert tool_fields["outcome"] == "success" and float(tool_fields["duration_ms"]) > 0

    (assessed,) = log_lines(err, "codex_core.sandbox.decision", "command assessed")
    assert fields(assessed)["action"] == "run-sandboxed" and fields(assessed)["sandbox_mode"] == "workspace-write"
    (policy,) = log_lines(err, "codex_core.sandbox.decision", "sandbox policy")
    assert fields(policy)["kind"] == "workspace-write" and str(repo) in fields(policy)["writable_roots"]
    assert len(log_lines(err, "codex_core.sandbox.decision", "command launch")) == 1

    (layers,) = log_lines(err, "codex_core.config.loader", "config layers loaded")
    assert f"user:{env['CODEX_HOME']}/config.toml" in layers
    assert API_KEY not in err
    assert "logged" in err and proc.stdout.strip() == "all done"  # the human output is still there


def test_default_level_writes_no_log_lines(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    script_tool_turn(server)
    proc = run_codex(["exec", "run it"], log_env(cli_env), repo)
    assert proc.returncode == 0, proc.stderr
    assert not re.search(rf"^{STAMP} ", proc.stderr, re.MULTILINE), proc.stderr


def test_filter_directives_pick_targets_and_levels(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    env = log_env(cli_env, CODEX_LOG="warn,codex_core.client=debug,codex_core::sandbox=trace")
    script_tool_turn(server)
    proc = run_codex(["exec", "--sandbox", "workspace-write", "run it"], env, repo)
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr
    assert len(log_lines(err, "codex_core.client.responses", "model request")) == 2
    assert log_lines(err, "codex_core.sandbox.decision", "command assessed")
    spawned = log_lines(err, "codex_core.sandbox.zygote_client", "sandbox fork-server spawned")
    assert spawned and " TRACE " in spawned[0]
    assert not log_lines(err, "codex_core.agent.router", "tool call")  # codex_core.agent stays at warn
    assert not log_lines(err, "codex_core.config.loader", "config layers loaded")
    assert not log_lines(err, "codex_core.client.responses", "model event")  # trace is not on for the client


def test_bad_directive_is_reported_and_the_rest_applies(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    server.enqueue(turn_message("ok"))
    proc = run_codex(["exec", "hi"], log_env(cli_env, CODEX_LOG="codex_core.client=loud,debug"), repo)
    assert proc.returncode == 0, proc.stderr
    assert "ignoring the log directive 'codex_core.client=loud' (expected LEVEL or TARGET=LEVEL)" in proc.stderr
    assert log_lines(proc.stderr, "codex_core.client.responses", "model request")


def test_json_format_goes_to_a_file(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    env = log_env(cli_env, CODEX_LOG="debug", CODEX_LOG_FORMAT="json")
    script_tool_turn(server)
    proc = run_codex(["exec", "run it"], env, repo)
    assert proc.returncode == 0, proc.stderr
    assert not re.search(rf"^{STAMP} |^\{{", proc.stderr, re.MULTILINE), proc.stderr  # stderr: human output only
    path = Path(env["CODEX_HOME"]) / "log" / "codex-exec.log"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert records and all({"timestamp", "level", "target", "event"} <= r.keys() for r in records)
    by_event = {r["event"]: r for r in records}
    request = by_event["model request"]
    assert request["target"] == "codex_core.client.responses" and request["level"] == "debug"
    assert request["model"] == "test-model" and request["attempt"] == 0
    assert isinstance(by_event["model response"]["ttfb_ms"], float) and by_event["model response"]["status"] == 200
    tool = by_event["tool call"]
    assert (tool["name"], tool["call_id"], tool["outcome"]) == ("exec_command", "call_log1", "success")
    assert isinstance(by_event["sandbox policy"]["writable_roots"], list)


def test_codex_log_file_takes_the_lines_off_stderr(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path, tmp_path: Path
) -> None:
    target = tmp_path / "logs" / "exec.txt"
    server.enqueue(turn_message("ok"))
    proc = run_codex(["exec", "hi"], log_env(cli_env, CODEX_LOG="debug", CODEX_LOG_FILE=str(target)), repo)
    assert proc.returncode == 0, proc.stderr
    assert not re.search(rf"^{STAMP} ", proc.stderr, re.MULTILINE)
    assert log_lines(target.read_text(encoding="utf-8"), "codex_core.client.responses", "model request")


def test_secrets_in_env_and_config_are_never_logged(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    """At trace the request headers are logged: the Authorization header (the env key) and a
    secret-named configured header are redacted, in text on stderr and in the JSON file."""
    for fmt in ("text", "json"):
        env = log_env(cli_env, CODEX_LOG="trace", CODEX_LOG_FORMAT=fmt)
        if fmt == "text":
            add_to_config(env, f'http_headers = {{ "X-Api-Key" = "{HEADER_SECRET}", "X-Plain" = "visible" }}\n')
        server.enqueue(turn_message("ok"))
        proc = run_codex(["exec", "hi"], env, repo)
        assert proc.returncode == 0, proc.stderr
        written = proc.stderr
        if fmt == "json":
            written = (Path(env["CODEX_HOME"]) / "log" / "codex-exec.log").read_text(encoding="utf-8")
        assert "model request headers" in written
        assert API_KEY not in written and HEADER_SECRET not in written
        assert "visible" in written and "[REDACTED]" in written
    sent = server.requests[-1].headers
    assert sent["authorization"] == f"Bearer {API_KEY}" and sent["x-api-key"] == HEADER_SECRET  # really sent


def test_mcp_start_up_is_logged(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    env = log_env(cli_env, CODEX_LOG="warn,codex_core.mcp=debug")
    add_to_config(
        env,
        f"[mcp_servers.fx]\ncommand = {json.dumps(sys.executable)}\nargs = [{json.dumps(str(FIXTURE_SERVER))}]\n"
        "startup_timeout_sec = 20\n"
        f"[mcp_servers.broken]\ncommand = {json.dumps(str(repo / 'no-such-server'))}\n",
    )
    server.enqueue(turn_message("ok"))
    proc = run_codex(["exec", "hi"], env, repo)
    assert proc.returncode == 0, proc.stderr
    (ready,) = log_lines(proc.stderr, "codex_core.mcp.connection", "mcp server ready")
    assert (
        fields(ready)["server"] == "fx" and int(fields(ready)["tools"]) > 0 and float(fields(ready)["duration_ms"]) > 0
    )
    (failed,) = log_lines(proc.stderr, "codex_core.mcp.connection", "mcp server failed")
    assert fields(failed)["server"] == "broken" and "failed to start" in fields(failed)["error"]
    starting = [
        fields(line)["server"] for line in log_lines(proc.stderr, "codex_core.mcp.connection", "mcp server starting")
    ]
    assert sorted(starting) == ["broken", "fx"]


def test_sandbox_denial_is_logged(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    server.enqueue(turn_tool_call("shell", {"command": ["bash", "-c", f"echo x > {outside}"]}, call_id="call_deny"))
    server.enqueue(turn_message("done"))
    env = log_env(cli_env, CODEX_LOG="codex_core.sandbox=debug")
    no_tmp = [
        "-c",
        "sandbox_workspace_write.exclude_slash_tmp=true",
        "-c",
        "sandbox_workspace_write.exclude_tmpdir_env_var=true",
    ]
    args = ["exec", "-c", "features.unified_exec=false", *no_tmp, "--sandbox", "workspace-write", "go"]
    proc = run_codex(args, env, repo)
    assert proc.returncode == 0, proc.stderr
    assert not outside.exists()  # tmp_path is outside the writable roots: the repo only
    (end,) = log_lines(proc.stderr, "codex_core.sandbox.decision", "command end")
    assert fields(end)["exit_code"] != "0" and "blocked by sandbox" in fields(end)["denied"]
    (denied,) = log_lines(proc.stderr, "codex_core.sandbox.decision", "sandbox denied")
    assert " INFO " in denied and fields(denied)["call_id"] == "call_deny"
    assert fields(denied)["retry"] == "report-failure"  # exec cannot ask: no escalation
    assert not log_lines(proc.stderr, "codex_core.sandbox.decision", "escalating: rerun without the sandbox")
