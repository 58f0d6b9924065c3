"""`codex exec` end to end against a real local HTTP server streaming SSE."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from pydantic import TypeAdapter

from codex_core.protocol import ThreadEvent
from tests.e2e.conftest import CODEX, run_codex
from tests.support.sse_server import (
    DropAfter,
    HttpErrorResponse,
    ScriptedResponsesServer,
    Stall,
    ev_completed,
    ev_created,
    ev_message,
    turn_message,
    turn_tool_call,
)

EVENTS: TypeAdapter[ThreadEvent] = TypeAdapter(ThreadEvent)
SHELL_TOOL = ["-c", "features.unified_exec=false"]
"""For tests that script the classic `shell` tool, which is offered only with unified exec off."""


def jsonl(stdout: str) -> list[ThreadEvent]:
    return [EVENTS.validate_json(line) for line in stdout.splitlines() if line.strip()]


def test_plain_answer_json(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    server.enqueue(turn_message("The answer is 42."))
    proc = run_codex(["exec", "--json", "what is the answer?"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    events = jsonl(proc.stdout)
    assert [e.type for e in events] == ["thread.started", "turn.started", "item.completed", "turn.completed"]
    assert events[2].item.type == "agent_message" and events[2].item.text == "The answer is 42."
    assert events[3].usage.input_tokens > 0
    req = server.requests[0]
    assert req.path.startswith("/v1/responses")
    assert req.headers["authorization"] == "Bearer sk-test"
    assert req.body["model"] == "test-model" and req.body["stream"] is True
    assert req.body["input"][-1]["content"][0]["text"] == "what is the answer?"


def test_human_output_and_last_message_file(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    server.enqueue(turn_message("Done!"))
    out = repo / "last.txt"
    proc = run_codex(["exec", "-o", str(out), "do it"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "Done!"
    assert "model: test-model" in proc.stderr and "tokens used" in proc.stderr
    assert out.read_text() == "Done!"


def test_prompt_from_stdin(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    server.enqueue(turn_message("ok"))
    proc = run_codex(["exec", "--json", "-"], cli_env, repo, input="from stdin\n")
    assert proc.returncode == 0, proc.stderr
    assert server.requests[0].body["input"][-1]["content"][0]["text"] == "from stdin\n"


def test_refuses_outside_git_repo(server: ScriptedResponsesServer, cli_env: dict[str, str], tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    proc = run_codex(["exec", "hi"], cli_env, plain)
    assert proc.returncode == 1
    assert "--skip-git-repo-check" in proc.stderr and "Traceback" not in proc.stderr
    server.enqueue(turn_message("ok"))
    assert run_codex(["exec", "--skip-git-repo-check", "hi"], cli_env, plain).returncode == 0


def test_patch_then_answer(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    patch = "*** Begin Patch\n*** Add File: notes.md\n+# Notes\n*** End Patch\n"
    server.enqueue(turn_tool_call("apply_patch", {"input": patch}, call_id="p1"), turn_message("Added notes."))
    proc = run_codex(["exec", "--json", "--full-auto", "add notes"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    assert (repo / "notes.md").read_text() == "# Notes\n"
    kinds = [(e.type, getattr(getattr(e, "item", None), "type", None)) for e in jsonl(proc.stdout)]
    assert ("item.completed", "file_change") in kinds
    outputs = [i for i in server.requests[1].body["input"] if i["type"] == "function_call_output"]
    assert outputs[0]["call_id"] == "p1" and "A notes.md" in outputs[0]["output"]


def test_429_then_success(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    server.enqueue(
        HttpErrorResponse(429, '{"error":{"message":"slow down"}}', {"Retry-After": "0"}), turn_message("after retry")
    )
    proc = run_codex(["exec", "--json", "hi"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    assert jsonl(proc.stdout)[-2].item.text == "after retry"
    assert len(server.requests) == 2


def test_mid_stream_disconnect_is_retried_without_duplicating_history(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    full = [ev_created(), *ev_message("partial answer that never completes"), ev_completed()]
    server.enqueue(DropAfter(full, 3), turn_message("complete answer"))
    proc = run_codex(["exec", "--json", "hi"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    events = jsonl(proc.stdout)
    texts = [e.item.text for e in events if e.type == "item.completed" and e.item.type == "agent_message"]
    assert texts == ["complete answer"]
    first, second = server.requests[0].body["input"], server.requests[1].body["input"]
    assert first == second  # the retry re-sent exactly the same history


def test_idle_stream_times_out_then_retries(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    server.enqueue(Stall([ev_created(), *ev_message("x"), ev_completed()], 1), turn_message("after stall"))
    proc = run_codex(["exec", "--json", "hi"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    assert jsonl(proc.stdout)[-2].item.text == "after stall"


def test_malformed_event_is_a_clear_error(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    server.enqueue([ev_created(), "data: {this is not json\n\n"])
    proc = run_codex(["exec", "--json", "hi"], cli_env, repo)
    assert proc.returncode == 1
    events = jsonl(proc.stdout)
    assert events[-1].type == "turn.failed"
    assert "Traceback" not in proc.stderr
    assert "json" in events[-1].error.message.lower() or "malformed" in events[-1].error.message.lower()


def test_missing_api_key_message(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    env = dict(cli_env)
    del env["TEST_API_KEY"]
    proc = run_codex(["exec", "hi"], env, repo)
    assert proc.returncode == 1
    assert "TEST_API_KEY" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_config_is_one_paragraph_error(cli_env: dict[str, str], repo: Path, codex_home: Path) -> None:
    cfg = codex_home / "config.toml"
    good = cfg.read_text()
    cfg.write_text('approval_policy = "sometimes"\n' + good)
    before = cfg.read_bytes()
    proc = run_codex(["exec", "hi"], cli_env, repo)
    assert proc.returncode == 1
    assert str(cfg) in proc.stderr and "approval_policy" in proc.stderr and "Traceback" not in proc.stderr
    assert cfg.read_bytes() == before
    assert "accepted values" in proc.stderr
    cfg.write_text(good)
    proc = run_codex(["exec", "-c", "model_reasoning_effort=huge", "hi"], cli_env, repo)
    assert proc.returncode == 1 and "model_reasoning_effort" in proc.stderr


def test_resume_after_kill_9(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path, codex_home: Path
) -> None:
    server.enqueue(turn_message("first answer"))
    proc = run_codex(["exec", "--json", "remember the word banana"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    thread_id = jsonl(proc.stdout)[0].thread_id
    # second run hangs mid-stream and is killed with SIGKILL
    server.enqueue(Stall([ev_created(), *ev_message("never finished")], 2))
    p = subprocess.Popen(
        [CODEX, "exec", "--json", "resume", thread_id, "second prompt"],
        env=cli_env,
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 20
    while len(server.requests) < 2 and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    os.kill(p.pid, signal.SIGKILL)
    p.communicate()
    # resume again: history has the first exchange exactly once, and the killed prompt
    server.enqueue(turn_message("third answer"))
    proc = run_codex(["exec", "--json", "resume", "--last", "what was the word?"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    body = server.requests[-1].body["input"]
    texts = [c.get("text") for i in body if i["type"] == "message" for c in i["content"]]
    assert texts.count("remember the word banana") == 1
    assert texts.count("first answer") == 1
    assert "second prompt" in texts and texts[-1] == "what was the word?"
    assert jsonl(proc.stdout)[0].thread_id == thread_id


def test_notify_command_receives_payload(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path, codex_home: Path
) -> None:
    out = repo / "notify.json"
    script = repo / "notify.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {out}\n')
    script.chmod(0o755)
    cfg = codex_home / "config.toml"
    cfg.write_text(f'notify = ["{script}"]\n' + cfg.read_text())
    server.enqueue(turn_message("notified"))
    assert run_codex(["exec", "hi"], cli_env, repo).returncode == 0
    deadline = time.time() + 10
    while not out.exists() and time.time() < deadline:
        time.sleep(0.05)
    payload = json.loads(out.read_text())
    assert payload["type"] == "agent-turn-complete"
    assert payload["last-assistant-message"] == "notified" and payload["input-messages"] == ["hi"]


def test_shell_call_then_answer(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    server.enqueue(
        turn_tool_call("shell", {"command": ["bash", "-lc", "echo from-the-shell"]}, call_id="s1"),
        turn_message("The shell said hi."),
    )
    proc = run_codex(["exec", *SHELL_TOOL, "--json", "--full-auto", "run echo"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    events = jsonl(proc.stdout)
    cmd = [e.item for e in events if e.type == "item.completed" and e.item.type == "command_execution"]
    assert cmd and cmd[0].exit_code == 0 and "from-the-shell" in cmd[0].aggregated_output
    assert cmd[0].command == "echo from-the-shell"
    started = [e for e in events if e.type == "item.started" and e.item.type == "command_execution"]
    assert started and started[0].item.status == "in_progress"
    out = next(i for i in server.requests[1].body["input"] if i["type"] == "function_call_output")
    assert json.loads(out["output"])["metadata"]["exit_code"] == 0


def test_output_schema_and_image(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    schema = repo / "schema.json"
    schema.write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {"n": {"type": "integer"}},
                "required": ["n"],
                "additionalProperties": False,
            }
        )
    )
    img = repo / "pic.png"
    img.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"))
    server.enqueue(turn_message('{"n": 3}'))
    proc = run_codex(["exec", "--json", "--output-schema", str(schema), "-i", str(img), "count"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    body = server.requests[0].body
    assert body["text"]["format"]["type"] == "json_schema" and body["text"]["format"]["strict"] is True
    assert body["text"]["format"]["schema"]["required"] == ["n"]
    parts = body["input"][-1]["content"]
    assert any(p["type"] == "input_image" and p["image_url"].startswith("data:image/png;base64,") for p in parts)
    bad = repo / "bad.json"
    bad.write_text("{nope")
    proc = run_codex(["exec", "--output-schema", str(bad), "x"], cli_env, repo)
    assert proc.returncode == 1 and "bad.json:1" in proc.stderr and "Traceback" not in proc.stderr


def test_codex_apply_reapplies_last_session_diff(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    (repo / "app.py").write_text("print('v1')\n")
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "init"], check=True
    )
    patch = "*** Begin Patch\n*** Update File: app.py\n@@\n-print('v1')\n+print('v2')\n*** Add File: new.txt\n+new\n*** End Patch\n"
    server.enqueue(turn_tool_call("apply_patch", {"input": patch}, call_id="p1"), turn_message("patched"))
    assert run_codex(["exec", "--full-auto", "patch it"], cli_env, repo).returncode == 0
    assert (repo / "app.py").read_text() == "print('v2')\n"
    # throw the working-tree change away, then let `codex apply` bring it back from the rollout
    subprocess.run(["git", "-C", str(repo), "checkout", "--", "app.py"], check=True)
    (repo / "new.txt").unlink()
    proc = run_codex(["apply"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    assert (repo / "app.py").read_text() == "print('v2')\n"
    assert (repo / "new.txt").read_text() == "new\n"


def test_human_output_sections(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    plan = {"plan": [{"step": "look", "status": "completed"}, {"step": "answer", "status": "in_progress"}]}
    server.enqueue(
        turn_tool_call("shell", {"command": ["bash", "-lc", "echo visible-output"]}, call_id="c1"),
        turn_tool_call("update_plan", plan, call_id="p1"),
        turn_message("All done."),
    )
    proc = run_codex(["exec", *SHELL_TOOL, "--full-auto", "go"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr
    assert f"echo visible-output in {repo.resolve()}" in err
    assert "echo visible-output succeeded" in err and "visible-output" in err
    assert err.index("[x] look") < err.index("All done.")
    assert proc.stdout.strip() == "All done."


def test_exec_forces_approval_never(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path, codex_home: Path
) -> None:
    cfg = codex_home / "config.toml"
    cfg.write_text('approval_policy = "untrusted"\n' + cfg.read_text())
    server.enqueue(turn_tool_call("shell", {"command": ["touch", "made.txt"]}, call_id="t1"), turn_message("ok"))
    proc = run_codex(["exec", *SHELL_TOOL, "--full-auto", "touch"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    assert "approval: never" in proc.stderr
    assert (repo / "made.txt").exists()  # ran sandboxed without asking instead of being auto-denied


def test_piped_stdin_is_appended_to_prompt(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    server.enqueue(turn_message("summary"))
    proc = run_codex(["exec", "--json", "summarize this"], cli_env, repo, input="line one\nline two\n")
    assert proc.returncode == 0, proc.stderr
    text = server.requests[0].body["input"][-1]["content"][0]["text"]
    assert text == "summarize this\n\n<stdin>\nline one\nline two\n</stdin>"
    # an open stdin that nobody writes to does not hang exec
    server.enqueue(turn_message("ok"))
    p = subprocess.Popen([CODEX, "exec", "--json", "hi"], env=cli_env, cwd=repo, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    _out, err = _wait_without_closing_stdin(p)
    assert p.returncode == 0, err
    assert server.requests[-1].body["input"][-1]["content"][0]["text"] == "hi"


def _wait_without_closing_stdin(p: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        p.wait(timeout=30)
    finally:
        assert p.stdin is not None
        p.stdin.close()
    assert p.stdout is not None and p.stderr is not None
    return p.stdout.read(), p.stderr.read()
