"""Shell tool calls through the loop: real commands, real sandbox, approvals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_core import Codex
from codex_core.testing import ScriptedModel, message, shell_call
from tests.support.sse_server import turn_message


@pytest.fixture
def make_config(make_config):  # type: ignore[no-untyped-def]
    """These tests drive the classic `shell` tool, which is offered only with unified exec off."""
    return lambda *overrides, **kw: make_config("features.unified_exec=false", *overrides, **kw)


def outputs(model: ScriptedModel, n: int) -> dict[str, str]:
    return {i.call_id: i.output for i in model.prompts[n].input if i.type == "function_call_output"}


async def test_shell_call_then_answer_full_access(make_config, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[shell_call("echo hello && echo err >&2 && exit 3", call_id="s1")], [message("done")]])
    thread = Codex(make_config(sandbox_mode="danger-full-access"), model_client=model).start_thread(ephemeral=True)
    events = [ev async for ev in thread.run_streamed("run it")]
    started = [e for e in events if e.type == "item.started" and e.item.type == "command_execution"]
    completed = [e for e in events if e.type == "item.completed" and e.item.type == "command_execution"]
    assert started and completed
    assert completed[0].item.exit_code == 3 and completed[0].item.status == "failed"
    assert "hello" in completed[0].item.aggregated_output
    deltas = "".join(e.delta for e in events if e.type == "item.delta" and e.kind == "command_output")
    assert "hello" in deltas
    out = json.loads(outputs(model, 1)["s1"])
    assert out["metadata"]["exit_code"] == 3
    assert "hello" in out["output"] and "err" in out["output"]


async def test_workspace_write_blocks_outside_write_and_says_so(make_config, workspace: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = Path("/var/tmp") / f"codex-escape-{tmp_path.name}"
    model = ScriptedModel([[shell_call(f"echo inside > in.txt && echo x > {target}", call_id="s1")], [message("done")]])
    cfg = make_config(sandbox_mode="workspace-write", approval_policy="never")
    thread = Codex(cfg, model_client=model).start_thread(ephemeral=True)
    await thread.run("write")
    assert (workspace / "in.txt").read_text() == "inside\n"
    assert not target.exists()
    out = json.loads(outputs(model, 1)["s1"])
    assert out["metadata"]["exit_code"] != 0
    assert "sandbox" in out["output"].lower()


async def test_forbidden_rule_rejects_command(make_config, workspace: Path, codex_home: Path) -> None:  # type: ignore[no-untyped-def]
    rules = codex_home / "rules"
    rules.mkdir()
    (rules / "default.rules").write_text(
        'prefix_rule(pattern=["rm"], decision="forbidden", justification="no deleting")\n'
    )
    (workspace / "keep.txt").write_text("x")
    model = ScriptedModel([[shell_call(["rm", "keep.txt"], call_id="s1")], [message("ok")]])
    thread = Codex(make_config(sandbox_mode="danger-full-access"), model_client=model).start_thread(ephemeral=True)
    events = [ev async for ev in thread.run_streamed("delete")]
    assert (workspace / "keep.txt").exists()
    assert "rejected" in outputs(model, 1)["s1"]
    declined = [e.item for e in events if e.type == "item.completed" and e.item.type == "command_execution"]
    assert declined[0].status == "declined"


async def test_untrusted_asks_and_session_approval_is_remembered(make_config, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel(
        [
            [shell_call(["touch", "a.txt"], call_id="s1")],
            [shell_call(["touch", "a.txt"], call_id="s2")],
            [message("ok")],
        ]
    )
    thread = Codex(
        make_config(sandbox_mode="workspace-write", approval_policy="untrusted"), model_client=model
    ).start_thread(ephemeral=True)
    asked = 0
    async for ev in thread.run_streamed("touch twice"):
        if ev.type == "approval.requested":
            asked += 1
            assert ev.command == ["touch", "a.txt"]
            await thread.respond_approval(ev.request_id, "approved_for_session")
    assert asked == 1
    assert (workspace / "a.txt").exists()


async def test_known_safe_command_runs_without_asking_under_untrusted(make_config, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[shell_call(["ls"], call_id="s1")], [message("ok")]])
    thread = Codex(make_config(sandbox_mode="read-only", approval_policy="untrusted"), model_client=model).start_thread(
        ephemeral=True
    )
    kinds = [ev.type async for ev in thread.run_streamed("list")]
    assert "approval.requested" not in kinds


async def test_shell_heredoc_apply_patch_is_intercepted(make_config, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    script = "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: h.txt\n+hi\n*** End Patch\nEOF\n"
    model = ScriptedModel([[shell_call(script, call_id="s1")], [message("ok")]])
    thread = Codex(make_config(sandbox_mode="workspace-write"), model_client=model).start_thread(ephemeral=True)
    events = [ev async for ev in thread.run_streamed("patch")]
    assert (workspace / "h.txt").read_text() == "hi\n"
    assert any(e.type == "item.completed" and e.item.type == "file_change" for e in events)


async def test_timeout(make_config, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[shell_call("sleep 30", call_id="s1", timeout_ms=300)], [message("ok")]])
    thread = Codex(make_config(sandbox_mode="danger-full-access"), model_client=model).start_thread(ephemeral=True)
    await thread.run("sleep")
    out = json.loads(outputs(model, 1)["s1"])
    assert out["output"].startswith("command timed out after 300 milliseconds")
    assert out["metadata"]["exit_code"] == 124


async def test_on_failure_asks_to_rerun_outside_sandbox(make_config, workspace: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = Path("/var/tmp") / f"codex-rerun-{tmp_path.name}"
    try:
        for decision, expect in (("denied", False), ("approved", True)):
            model = ScriptedModel([[shell_call(f"echo x > {target}", call_id="s1")], [message("ok")]])
            cfg = make_config(sandbox_mode="workspace-write", approval_policy="on-failure")
            thread = Codex(cfg, model_client=model).start_thread(ephemeral=True)
            asked = []
            async for ev in thread.run_streamed("write outside"):
                if ev.type == "approval.requested":
                    asked.append(ev.reason or "")
                    await thread.respond_approval(ev.request_id, decision)
            assert len(asked) == 1
            assert target.exists() is expect
    finally:
        target.unlink(missing_ok=True)


async def test_nul_byte_in_command_is_an_answer_not_a_crash(make_config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[shell_call(["echo", "a\x00b"], call_id="s1")], [message("ok")]])
    thread = Codex(make_config(sandbox_mode="workspace-write"), model_client=model).start_thread(ephemeral=True)
    result = await thread.run("nul")
    assert result.error is None
    assert "NUL" in outputs(model, 1)["s1"]


async def test_stream_drop_does_not_kill_running_tool(workspace: Path, codex_home: Path) -> None:
    import os

    from codex_core.config import ConfigOverrides, load_config
    from tests.support.provider import provider_overrides
    from tests.support.sse_server import DropAfter, ScriptedResponsesServer, ev_completed, ev_created, ev_function_call

    marker = workspace / "marker"
    call = ev_function_call("shell", {"command": ["bash", "-lc", f"sleep 0.5 && touch {marker}"]}, call_id="s1")
    with ScriptedResponsesServer() as server:
        server.enqueue(DropAfter([ev_created(), *call, ev_completed()], 1 + len(call)), turn_message("done"))
        os.environ["TEST_API_KEY"] = "k"
        cfg = load_config(
            ConfigOverrides(
                config_overrides=[*provider_overrides(server.base_url), "features.unified_exec=false"],
                sandbox_mode="danger-full-access",
            ),
            cwd=workspace,
        )
        thread = Codex(cfg).start_thread(ephemeral=True)
        events = [ev async for ev in thread.run_streamed("go")]
        await thread.aclose()
    assert marker.exists()  # the command finished although the stream dropped
    starts = [e.item.id for e in events if e.type == "item.started" and e.item.type == "command_execution"]
    ends = [e.item.id for e in events if e.type == "item.completed" and e.item.type == "command_execution"]
    assert starts == ends and len(starts) == 1
    assert events[-1].type == "turn.completed"
    outputs = [i for i in server.requests[1].body["input"] if i["type"] == "function_call_output"]
    assert len(outputs) == 1 and outputs[0]["call_id"] == "s1"


async def test_late_answer_to_abandoned_approval_is_ignored(make_config, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[shell_call(["touch", "x"], call_id="s1")], [message("ok")]])
    thread = Codex(
        make_config(sandbox_mode="workspace-write", approval_policy="untrusted"), model_client=model
    ).start_thread(ephemeral=True)
    request_id = None
    async for ev in thread.run_streamed("touch"):
        if ev.type == "approval.requested":
            request_id = ev.request_id
            thread.interrupt()
    assert request_id is not None
    await thread.respond_approval(request_id, "approved")  # no error: nothing waits any more
    assert not (workspace / "x").exists()
    from codex_core.errors import UsageError

    with pytest.raises(UsageError):
        await thread.respond_approval("approval_999", "approved")


async def test_unsavable_rule_still_runs_the_approved_command(make_config, workspace: Path, codex_home: Path) -> None:  # type: ignore[no-untyped-def]
    (codex_home / "rules" / "default.rules").mkdir(parents=True)  # a directory: the rule cannot be appended
    model = ScriptedModel([[shell_call(["touch", "y"], call_id="s1")], [message("ok")]])
    thread = Codex(
        make_config(sandbox_mode="workspace-write", approval_policy="untrusted"), model_client=model
    ).start_thread(ephemeral=True)
    warnings = []
    async for ev in thread.run_streamed("touch"):
        if ev.type == "approval.requested":
            await thread.respond_approval(ev.request_id, "approved_execpolicy_amendment")
        elif ev.type == "warning":
            warnings.append(ev.message)
    assert (workspace / "y").exists()
    assert any("could not save the approved rule" in w for w in warnings)


async def test_granular_policy_rejects_escalation_prompts(make_config, workspace: Path, codex_home: Path) -> None:  # type: ignore[no-untyped-def]
    (codex_home / "config.toml").write_text("[approval_policy.granular]\nsandbox_approval = false\n")
    model = ScriptedModel(
        [
            [
                shell_call(
                    ["touch", "/var/tmp/never"],
                    call_id="s1",
                    sandbox_permissions="require_escalated",
                    justification="x",
                )
            ],
            [message("ok")],
        ]
    )
    thread = Codex(make_config(sandbox_mode="workspace-write"), model_client=model).start_thread(ephemeral=True)
    kinds = [ev.type async for ev in thread.run_streamed("escalate")]
    assert "approval.requested" not in kinds
    assert "rejected" in outputs(model, 1)["s1"]
