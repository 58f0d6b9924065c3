"""``codex_core.session.transcript``: a saved thread as its user saw it (issue 16, point 8)."""

from __future__ import annotations

import json
from pathlib import Path

from codex_core.agent.user_shell import parse_user_shell_message, user_shell_message
from codex_core.session.transcript import read_transcript


def _write(path: Path, lines: list[tuple[str, dict]]) -> Path:  # type: ignore[type-arg]
    meta = {"timestamp": "t", "type": "session_meta", "payload": {"id": "s1", "cwd": "/w"}}
    rows = [meta] + [{"timestamp": "t", "type": kind, "payload": payload} for kind, payload in lines]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"torn": ')
    return path


def _msg(role: str, text: str) -> dict:  # type: ignore[type-arg]
    kind = "output_text" if role == "assistant" else "input_text"
    return {"type": "message", "role": role, "content": [{"type": kind, "text": text}]}


def test_user_shell_message_round_trip() -> None:
    text = user_shell_message("ls -l", 2, 0.01234, "a\nb\n")
    assert text.startswith("<user_shell_command>\n<command>\nls -l\n</command>\n<result>\nExit code: 2\n")
    assert "Duration: 0.0123 seconds\nOutput:\na\nb\n\n</result>\n</user_shell_command>" in text
    assert parse_user_shell_message(text) == ("ls -l", 2, "a\nb\n")
    assert parse_user_shell_message("ls -l") is None


def test_transcript_keeps_what_compaction_drops(tmp_path: Path) -> None:
    patch = "*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch\n"
    diff = "diff --git a/a.txt b/a.txt\nnew file mode 100644\n--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+x\n"
    exec_out = {"output": "hi\n", "metadata": {"exit_code": 0, "duration_seconds": 0.0}}
    lines = [
        ("turn_context", {"cwd": "/w"}),
        ("response_item", _msg("user", "<environment_context>\n</environment_context>")),
        ("response_item", _msg("user", "first")),
        ("response_item", {"type": "reasoning", "summary": [{"type": "summary_text", "text": "**Plan**"}]}),
        (
            "response_item",
            {
                "type": "function_call",
                "name": "shell",
                "call_id": "c1",
                "arguments": '{"command": ["bash", "-lc", "echo hi"]}',
            },
        ),
        ("response_item", {"type": "function_call_output", "call_id": "c1", "output": json.dumps(exec_out)}),
        (
            "response_item",
            {"type": "function_call", "name": "exec_command", "call_id": "c2", "arguments": '{"cmd": "false"}'},
        ),
        (
            "response_item",
            {
                "type": "function_call_output",
                "call_id": "c2",
                "output": "Chunk ID: 1\nWall time: 0.1 seconds\nProcess exited with code 1\nOutput:\n",
            },
        ),
        (
            "response_item",
            {"type": "function_call", "name": "shell", "call_id": "c3", "arguments": '{"command": ["rm", "-rf", "/"]}'},
        ),
        ("response_item", {"type": "function_call_output", "call_id": "c3", "output": "command rejected by user"}),
        ("response_item", {"type": "custom_tool_call", "name": "apply_patch", "call_id": "c4", "input": patch}),
        ("event_msg", {"type": "patch_apply_end", "call_id": "c4", "success": True, "diff": diff}),
        ("response_item", {"type": "custom_tool_call_output", "call_id": "c4", "output": "Done"}),
        ("response_item", _msg("assistant", "answer one")),
        ("compacted", {"message": "sum", "replacement_history": [_msg("user", "first")]}),
        ("response_item", _msg("user", user_shell_message("pwd", 0, 0.0, "/w\n"))),
        ("turn_context", {"cwd": "/w"}),
        ("response_item", _msg("user", "second")),
        (
            "response_item",
            {"type": "function_call", "name": "shell", "call_id": "c5", "arguments": '{"command": ["sleep", "9"]}'},
        ),
        ("response_item", {"type": "function_call_output", "call_id": "c5", "output": "aborted"}),
        ("event_msg", {"type": "turn_aborted", "reason": "interrupted"}),
    ]
    entries = read_transcript(_write(tmp_path / "rollout.jsonl", lines))
    shown = []
    for e in entries:
        item = e.item
        if e.kind != "item" or item is None:
            shown.append((e.kind, e.text))
        elif item.type == "command_execution":
            shown.append(("command", item.command, item.exit_code, item.status, item.aggregated_output, e.by_user))
        elif item.type == "file_change":
            shown.append(("patch", [(c.path, c.kind) for c in item.changes], item.status, bool(item.changes[0].diff)))
        else:
            shown.append((item.type, getattr(item, "text", "")))
    assert shown == [
        ("user", "first"),
        ("reasoning", "**Plan**"),
        ("command", "echo hi", 0, "completed", "hi\n", False),
        ("command", "false", 1, "failed", "", False),
        ("command", "rm -rf /", None, "declined", "", False),
        ("patch", [("a.txt", "add")], "completed", True),
        ("agent_message", "answer one"),
        ("compacted", ""),
        ("command", "pwd", 0, "completed", "/w\n", True),
        ("user", "second"),
        ("command", "sleep 9", None, "failed", "", False),
        ("interrupted", ""),
    ]
