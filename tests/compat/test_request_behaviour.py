"""Behaviour around the model request that Codex 0.169 showed on the same scripted turns.

Every test runs ``codex exec`` (or the core) against the real local SSE server; the expected
strings and event streams are what the reference printed or sent for the same script
(``record_reference.py`` recorded ``fixtures/reference_exec_events.jsonl``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codex_core.exec.user_shell_path import default_user_shell
from codex_exec.json_output import ExecJsonl
from tests.compat.record_reference import EVENTS_FIXTURE, exec_events_script, scripted_config
from tests.compat.request_shape import normalise_events
from tests.support.sse_server import ScriptedResponsesServer, ev_completed, ev_created, ev_function_call, turn_message

CODEX = str(Path(sys.executable).parent / "codex")
FIXTURE_SERVER = Path(__file__).resolve().parents[1] / "mcp" / "fixture_server.py"


@pytest.fixture
def server() -> Iterator[ScriptedResponsesServer]:
    with ScriptedResponsesServer() as srv:
        yield srv


@pytest.fixture
def work(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


def _exec(
    codex_home: Path,
    server: ScriptedResponsesServer,
    work: Path,
    *args: str,
    config: str = "",
    shell_env: str | None = "keep",
) -> subprocess.CompletedProcess[str]:
    (codex_home / "config.toml").write_text(scripted_config(server.base_url) + config, encoding="utf-8")
    env = dict(os.environ, TEST_API_KEY="sk-test")
    if shell_env != "keep":
        env.pop("SHELL", None)
        if shell_env is not None:
            env["SHELL"] = shell_env
    return subprocess.run(
        [CODEX, "exec", "--skip-git-repo-check", "--json", *args, "go"],
        cwd=work,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _outputs(server: ScriptedResponsesServer) -> dict[str, Any]:
    return {
        item["call_id"]: item["output"]
        for request in server.requests
        for item in request.body["input"]
        if item["type"].endswith("_output")
    }


def _call(name: str, args: dict[str, Any], call_id: str) -> list[Any]:
    return [ev_created(f"r-{call_id}"), *ev_function_call(name, args, call_id), ev_completed(f"r-{call_id}")]


def test_a_tool_that_was_not_offered_is_answered_not_run(
    codex_home: Path, server: ScriptedResponsesServer, work: Path
) -> None:
    server.enqueue(
        _call("shell", {"command": ["touch", "pwned"]}, "c1"),  # not offered: unified exec is on
        _call("nonexistent_tool", {"x": 1}, "c2"),
        turn_message("done"),
    )
    proc = _exec(codex_home, server, work, "-s", "workspace-write")
    assert proc.returncode == 0, proc.stderr
    assert not (work / "pwned").exists()
    assert _outputs(server) == {"c1": "unsupported call: shell", "c2": "unsupported call: nonexistent_tool"}
    assert "command_execution" not in proc.stdout


def test_request_user_input_is_offered_and_unavailable_in_default_mode(
    codex_home: Path, server: ScriptedResponsesServer, work: Path
) -> None:
    question = {"id": "q", "header": "H", "question": "Which?", "options": [{"label": "A", "description": "a"}]}
    server.enqueue(_call("request_user_input", {"questions": [question]}, "c1"), turn_message("done"))
    proc = _exec(codex_home, server, work)
    assert proc.returncode == 0, proc.stderr
    assert "request_user_input" in [t.get("name") for t in server.requests[0].body["tools"]]
    assert _outputs(server) == {"c1": "request_user_input is unavailable in Default mode"}


def _mcp_server(name: str, *, delay: float = 0.0, command: str | None = None, required: bool = False) -> str:
    args = "" if command else f"args = [{json.dumps(str(FIXTURE_SERVER))}]\n"
    return (
        f"[mcp_servers.{name}]\n"
        f"command = {json.dumps(command or sys.executable)}\n{args}"
        f'env = {{ FIXTURE_STARTUP_DELAY = "{delay}" }}\n'
        f"startup_timeout_sec = 20\nrequired = {'true' if required else 'false'}\n"
    )


def test_mcp_tools_of_a_slow_server_are_in_the_first_request(
    codex_home: Path, server: ScriptedResponsesServer, work: Path
) -> None:
    server.enqueue(turn_message("hi"))
    proc = _exec(codex_home, server, work, config=_mcp_server("slow", delay=1.0))
    assert proc.returncode == 0, proc.stderr
    names = [t.get("name") for t in server.requests[0].body["tools"]]
    assert "mcp__slow__echo" in names and "list_mcp_resources" in names


def test_a_required_mcp_server_that_fails_fails_the_turn(
    codex_home: Path, server: ScriptedResponsesServer, work: Path
) -> None:
    server.enqueue(turn_message("never sent"))
    config = _mcp_server("broken", command="/nonexistent/mcp-server", required=True)
    proc = _exec(codex_home, server, work, config=config)
    assert proc.returncode == 1
    failed = [json.loads(line) for line in proc.stdout.splitlines() if '"turn.failed"' in line]
    message = failed[0]["error"]["message"]
    assert message.startswith("required MCP servers failed to initialize: broken: ") and "/nonexistent" in message
    assert server.requests == []  # the model never saw a request without the required tools


@pytest.mark.parametrize("shell_env", [None, "/bin/sh", "/usr/bin/fish"])
def test_exec_json_events_match_the_reference(
    codex_home: Path, server: ScriptedResponsesServer, work: Path, shell_env: str | None
) -> None:
    """A shell command, an apply_patch and a message: the same JSONL as 0.169 (``item.started``
    for the file change, usage with cached and reasoning tokens). Like the reference, the command
    runs through the login shell from the password database whatever ``$SHELL`` says (CI runners
    often have none); the fixture was recorded where that shell is ``/bin/bash``."""
    server.enqueue(*exec_events_script())
    proc = _exec(codex_home, server, work, "-s", "workspace-write", shell_env=shell_env)
    assert proc.returncode == 0, proc.stderr
    shell = default_user_shell()
    lines = [line.replace(json.dumps(shell)[1:-1] + " -lc", "/bin/bash -lc") for line in proc.stdout.splitlines()]
    ours = normalise_events(lines, cwd=str(work))
    reference = [json.loads(line) for line in EVENTS_FIXTURE.read_text(encoding="utf-8").splitlines()]
    assert ours == reference
    assert (work / "b.txt").read_text() == "bee\n"


def test_exec_jsonl_starts_a_file_change_once() -> None:
    """The mapping adds ``item.started`` only for a file change the core did not start."""
    from codex_core.protocol.events import FileChange, FileChangeItem, ItemCompleted, ItemStarted

    jsonl = ExecJsonl()
    change = [FileChange(path="/w/x", kind="update", diff="@@")]
    started = jsonl.lines(ItemStarted(item=FileChangeItem(id="item_0", changes=change, status="in_progress")))
    done = jsonl.lines(ItemCompleted(item=FileChangeItem(id="item_0", changes=change)))
    assert [json.loads(line)["type"] for line in (*started, *done)] == ["item.started", "item.completed"]
    assert "diff" not in started[0] and "diff" not in done[0]
    fresh = jsonl.lines(ItemCompleted(item=FileChangeItem(id="item_1", changes=change, status="failed")))
    assert [json.loads(line)["item"]["status"] for line in fresh] == ["in_progress", "failed"]


def test_exec_jsonl_numbers_items_itself_and_prints_warnings_as_the_reference() -> None:
    """Measured on 0.169: items are numbered in the order printed (a message cut by a dropped
    stream takes no number), a reconnect is a top-level ``error`` line, any other warning and each
    config warning (after ``thread.started``) a completed ``error`` item."""
    from codex_core.protocol.events import AgentMessageItem, ItemCompleted, ThreadStarted, Warning

    jsonl = ExecJsonl(config_warnings=["Codex is ignoring 1 unrecognized configuration setting."])
    lines = [
        *jsonl.lines(ThreadStarted(thread_id="t")),
        *jsonl.lines(Warning(message="Reconnecting... 1/5 (dropped)", retry=True)),
        *jsonl.lines(ItemCompleted(item=AgentMessageItem(id="item_7", text="hi"))),
        *jsonl.lines(Warning(message="could not save the approved rule")),
    ]
    assert [json.loads(line) for line in lines] == [
        {"type": "thread.started", "thread_id": "t"},
        {
            "type": "item.completed",
            "item": {
                "id": "item_0",
                "type": "error",
                "message": "Codex is ignoring 1 unrecognized configuration setting.",
            },
        },
        {"type": "error", "message": "Reconnecting... 1/5 (dropped)"},
        {"type": "item.completed", "item": {"id": "item_1", "type": "agent_message", "text": "hi"}},
        {
            "type": "item.completed",
            "item": {"id": "item_2", "type": "error", "message": "could not save the approved rule"},
        },
    ]


def test_exec_json_reports_config_warnings_and_reconnects_in_the_stream(
    codex_home: Path, server: ScriptedResponsesServer, work: Path
) -> None:
    from tests.support.sse_server import DropAfter, ev_message

    server.enqueue(DropAfter([ev_created(), *ev_message("partial")], n=3), turn_message("hi"))
    config = "bogus_key = 1\n"  # a typo'd key (it lands in the last table: model_providers.test)
    proc = _exec(codex_home, server, work, "-c", "model_providers.test.stream_max_retries=2", config=config)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["type"] for e in events] == [
        "thread.started",
        "item.completed",
        "turn.started",
        "error",
        "item.completed",
        "turn.completed",
    ]
    assert events[1]["item"]["type"] == "error" and "bogus_key` is ignored" in events[1]["item"]["message"]
    assert events[3]["message"].startswith("Reconnecting... 1/2 (")
    assert events[4]["item"] == {"id": "item_1", "type": "agent_message", "text": "hi"}
    assert "bogus_key" not in proc.stderr  # in the stream instead, as the reference prints it
