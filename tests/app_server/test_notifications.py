"""turn/diff/updated, deprecationNotice and reasoning summary sections over real stdio."""

from __future__ import annotations

from pathlib import Path

from tests.app_server.conftest import AppServerClient
from tests.support.sse_server import (
    ScriptedResponsesServer,
    ev_completed,
    ev_created,
    ev_message,
    turn_message,
    turn_tool_call,
)

ADD = "*** Begin Patch\n*** Add File: notes.md\n+# Notes\n*** End Patch\n"
UPDATE = "*** Begin Patch\n*** Update File: notes.md\n@@\n-# Notes\n+# Notes v2\n*** End Patch\n"


def test_turn_diff_updated_aggregates_the_turns_file_changes(
    client: AppServerClient, server: ScriptedResponsesServer, workspace: Path
) -> None:
    server.enqueue(
        turn_tool_call("apply_patch", {"input": ADD}, call_id="p1"),
        turn_tool_call("apply_patch", {"input": UPDATE}, call_id="p2"),
        turn_message("patched twice"),
    )
    client.initialize()
    thread_id = client.call(
        "thread/start", {"cwd": str(workspace), "sandbox": "workspace-write", "approvalPolicy": "never"}
    )["thread"]["id"]
    turn_id = client.call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "go"}]})["turn"][
        "id"
    ]
    client.notification("turn/completed")
    diffs = [m["params"] for m in client.messages if m.get("method") == "turn/diff/updated"]
    assert len(diffs) == 2 and all(d["threadId"] == thread_id and d["turnId"] == turn_id for d in diffs)
    assert "+# Notes\n" in diffs[0]["diff"] and "notes.md" in diffs[0]["diff"]
    assert diffs[1]["diff"].startswith(diffs[0]["diff"]) and "+# Notes v2" in diffs[1]["diff"]
    # each follows the item/completed of its fileChange
    methods = [m.get("method") for m in client.messages]
    first_diff = methods.index("turn/diff/updated")
    assert any(
        m.get("method") == "item/completed" and m["params"]["item"]["type"] == "fileChange"
        for m in client.messages[:first_diff]
    )
    assert (workspace / "notes.md").read_text() == "# Notes v2\n"


def test_deprecated_feature_flags_get_a_deprecation_notice(
    app_env: dict[str, str], codex_home: Path, workspace: Path
) -> None:
    config = codex_home / "config.toml"
    config.write_text("features.apply_patch_freeform = true\n" + config.read_text())
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        notice = client.notification("deprecationNotice")
        assert notice["summary"].startswith("`[features].apply_patch_freeform` is removed")
        assert str(config) in notice["summary"] and "no longer has any effect" in notice["details"]
        response_at = next(i for i, m in enumerate(client.messages) if m.get("id") == 1)
        assert (
            client.messages.index(next(m for m in client.messages if m.get("method") == "deprecationNotice"))
            > response_at
        )
    finally:
        client.close()


def test_reasoning_summary_sections_are_announced_and_indexed(
    client: AppServerClient, server: ScriptedResponsesServer
) -> None:
    rs = {"type": "reasoning", "id": "rs_1", "summary": []}
    events: list[dict[str, object]] = [
        ev_created(),
        {"type": "response.output_item.added", "item": rs},
        {"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "summary_index": 0},
        {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "summary_index": 0, "delta": "First."},
        {"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "summary_index": 1},
        {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "summary_index": 1, "delta": "Second"},
        {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "summary_index": 1, "delta": " part."},
        {
            "type": "response.output_item.done",
            "item": {
                **rs,
                "summary": [
                    {"type": "summary_text", "text": "First."},
                    {"type": "summary_text", "text": "Second part."},
                ],
            },
        },
        *ev_message("done"),
        ev_completed(),
    ]
    server.enqueue(events)
    client.initialize()
    thread_id = client.call("thread/start", {})["thread"]["id"]
    client.call("turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": "go"}]})
    client.notification("turn/completed")
    reasoning = [
        (m["method"], m["params"].get("summaryIndex"), m["params"].get("delta"))
        for m in client.messages
        if m.get("method", "").startswith("item/reasoning/")
    ]
    assert reasoning == [
        ("item/reasoning/summaryPartAdded", 0, None),
        ("item/reasoning/summaryTextDelta", 0, "First."),
        ("item/reasoning/summaryPartAdded", 1, None),
        ("item/reasoning/summaryTextDelta", 1, "Second"),
        ("item/reasoning/summaryTextDelta", 1, " part."),
    ]
