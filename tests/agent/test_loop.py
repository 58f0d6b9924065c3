"""Agent loop through the public SDK with the in-process ScriptedModel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_core import Codex
from codex_core.protocol import ThreadEvent
from codex_core.session import read_rollout
from codex_core.testing import ScriptedModel, custom_tool_call, function_call, message


async def collect(thread, prompt: str, **kw) -> list[ThreadEvent]:  # type: ignore[no-untyped-def]
    return [ev async for ev in thread.run_streamed(prompt, **kw)]


async def test_plain_answer(make_config, codex_home: Path) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[message("Hello there")]])
    codex = Codex(make_config(), model_client=model)
    thread = codex.start_thread()
    events = await collect(thread, "hi")
    types = [e.type for e in events]
    assert types[0] == "thread.started" and types[1] == "turn.started"
    assert types[-1] == "turn.completed"
    done = [e for e in events if e.type == "item.completed"]
    assert done[-1].item.type == "agent_message" and done[-1].item.text == "Hello there"
    # the prompt carried initial context then the user message
    sent = model.prompts[0].input
    assert sent[0].role == "developer" and "<permissions instructions>" in sent[0].text
    assert "<environment_context>" in sent[-2].text
    assert sent[-1].text == "hi"
    model.assert_complete()
    # rollout written and resumable with the same history
    path = thread.rollout_path
    assert path is not None and path.is_file()
    resumed = read_rollout(path)
    assert resumed.thread_id == thread.id
    assert [i.type for i in resumed.history] == [i.type for i in thread.history]
    await codex.aclose()


async def test_agents_md_is_sent(make_config, workspace: Path, codex_home: Path) -> None:  # type: ignore[no-untyped-def]
    (workspace / "AGENTS.md").write_text("Always answer in French.\n")
    sub = workspace / "pkg"
    sub.mkdir()
    (sub / "AGENTS.override.md").write_text("Use tabs.\n")
    (sub / "AGENTS.md").write_text("ignored because override exists\n")
    (codex_home / "AGENTS.md").write_text("Global rule.\n")
    from codex_core.config import ConfigOverrides, load_config

    cfg = load_config(ConfigOverrides(), cwd=sub)
    model = ScriptedModel([[message("ok")]])
    thread = Codex(cfg, model_client=model).start_thread(ephemeral=True)
    await collect(thread, "x")
    agents = [i for i in model.prompts[0].input if "AGENTS.md instructions" in getattr(i, "text", "")]
    assert len(agents) == 1
    text = agents[0].text
    assert (
        text.index("Global rule.")
        < text.index("--- project-doc ---")
        < text.index("Always answer in French.")
        < text.index("Use tabs.")
    )
    assert "ignored because" not in text


async def test_apply_patch_then_answer(make_config, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello world\n*** End Patch\n"
    model = ScriptedModel([[custom_tool_call("apply_patch", patch, call_id="c1")], [message("Created hello.txt")]])
    codex = Codex(make_config(sandbox_mode="workspace-write"), model_client=model)
    thread = codex.start_thread(ephemeral=True)
    events = await collect(thread, "make a file")
    assert (workspace / "hello.txt").read_text() == "hello world\n"
    fc = [e.item for e in events if e.type == "item.completed" and e.item.type == "file_change"]
    assert fc and fc[0].status == "completed" and fc[0].changes[0].kind == "add"
    outputs = [i for i in model.prompts[1].input if i.type == "custom_tool_call_output"]
    assert outputs[0].output.startswith("Success. Updated the following files:\nA hello.txt")


async def test_patch_outside_roots_rejected_under_never(make_config, workspace: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "outside.txt"
    patch = f"*** Begin Patch\n*** Add File: {outside}\n+x\n*** End Patch\n"
    model = ScriptedModel([[function_call("apply_patch", {"input": patch}, call_id="c1")], [message("done")]])
    # /tmp (where pytest's tmp_path lives) is a writable root of commands unless excluded, and
    # patches follow the commands' policy
    config = make_config(
        "sandbox_workspace_write.exclude_slash_tmp=true",
        "sandbox_workspace_write.exclude_tmpdir_env_var=true",
        sandbox_mode="workspace-write",
        approval_policy="never",
    )
    codex = Codex(config, model_client=model)
    thread = codex.start_thread(ephemeral=True)
    await collect(thread, "write outside")
    assert not outside.exists()
    out = next(i for i in model.prompts[1].input if i.type == "function_call_output")
    assert "rejected" in out.output


async def test_patch_needs_approval_and_is_denied(make_config, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    patch = "*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch\n"
    model = ScriptedModel([[function_call("apply_patch", {"input": patch}, call_id="c1")], [message("ok")]])
    codex = Codex(make_config(sandbox_mode="read-only", approval_policy="on-request"), model_client=model)
    thread = codex.start_thread(ephemeral=True)
    seen = []
    async for ev in thread.run_streamed("go"):
        seen.append(ev.type)
        if ev.type == "approval.requested":
            assert ev.kind == "patch" and ev.changes and ev.changes[0].kind == "add"
            await thread.respond_approval(ev.request_id, "denied")
    assert "approval.requested" in seen
    assert not (workspace / "a.txt").exists()
    # approved this time
    model.add_step([function_call("apply_patch", {"input": patch}, call_id="c2")])
    model.add_step([message("ok")])
    async for ev in thread.run_streamed("again"):
        if ev.type == "approval.requested":
            await thread.respond_approval(ev.request_id, "approved")
    assert (workspace / "a.txt").read_text() == "x\n"


async def test_update_plan_todo_list(make_config) -> None:  # type: ignore[no-untyped-def]
    plan = {"plan": [{"step": "read", "status": "completed"}, {"step": "write", "status": "in_progress"}]}
    model = ScriptedModel([[function_call("update_plan", plan, call_id="p1")], [message("planned")]])
    thread = Codex(make_config(), model_client=model).start_thread(ephemeral=True)
    events = await collect(thread, "plan it")
    todo = [e for e in events if getattr(getattr(e, "item", None), "type", None) == "todo_list"]
    assert [e.type for e in todo] == ["item.started", "item.completed"]
    assert todo[-1].item.items[0].completed is True
    out = next(i for i in model.prompts[1].input if i.type == "function_call_output")
    assert out.output == "Plan updated"


async def test_bad_arguments_and_unknown_tool_go_back_to_model(make_config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel(
        [
            [function_call("update_plan", "{not json", call_id="a"), function_call("no_such_tool", {}, call_id="b")],
            [message("ok")],
        ]
    )
    thread = Codex(make_config(), model_client=model).start_thread(ephemeral=True)
    events = await collect(thread, "x")
    assert events[-1].type == "turn.completed"
    outs = {i.call_id: i.output for i in model.prompts[1].input if i.type == "function_call_output"}
    assert outs["a"].startswith("failed to parse function arguments")
    assert outs["b"] == "unsupported call: no_such_tool"


async def test_model_error_fails_turn_and_thread_goes_on(make_config) -> None:  # type: ignore[no-untyped-def]
    from codex_core.errors import ModelHTTPError

    model = ScriptedModel([ModelHTTPError("bad request: nope", status=400), [message("recovered")]])
    thread = Codex(make_config(), model_client=model).start_thread(ephemeral=True)
    events = await collect(thread, "x")
    assert events[-1].type == "turn.failed" and "nope" in events[-1].error.message
    result = await thread.run("again")
    assert result.final_response == "recovered"


async def test_output_schema_and_view_image(make_config, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    png = workspace / "dot.png"
    png.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"))
    model = ScriptedModel([[function_call("view_image", {"path": "dot.png"}, call_id="v")], [message('{"ok": true}')]])
    thread = Codex(make_config(), model_client=model).start_thread(ephemeral=True)
    schema = {
        "type": "object",
        "properties": {"ok": {"type": "boolean"}},
        "required": ["ok"],
        "additionalProperties": False,
    }
    result = await thread.run("look", output_schema=schema)
    assert json.loads(result.final_response or "") == {"ok": True}
    assert model.prompts[0].output_schema == schema
    images = [p for i in model.prompts[1].input if i.type == "message" for p in i.content if p.type == "input_image"]
    assert images and images[0].image_url.startswith("data:image/png;base64,")


def test_run_sync_outside_loop(make_config) -> None:  # type: ignore[no-untyped-def]
    thread = Codex(make_config(), model_client=ScriptedModel([[message("sync ok")]])).start_thread(ephemeral=True)
    assert thread.run_sync("x").final_response == "sync ok"


async def test_run_sync_inside_running_loop(make_config) -> None:  # type: ignore[no-untyped-def]
    thread = Codex(make_config(), model_client=ScriptedModel([[message("nested ok")]])).start_thread(ephemeral=True)
    assert thread.run_sync("x").final_response == "nested ok"


async def test_auto_compaction(make_config) -> None:  # type: ignore[no-untyped-def]
    from codex_core.client import TokenUsage

    model = ScriptedModel(
        [[message("first")], [message("SUMMARY: did first")], [message("second")]],
        usage=TokenUsage(input_tokens=900, output_tokens=200, total_tokens=1100),
    )
    thread = Codex(make_config("model_auto_compact_token_limit=1000"), model_client=model).start_thread()
    await thread.run("one")
    result = await thread.run("two")
    assert result.final_response == "second"
    last_input = model.prompts[2].input
    assert any("SUMMARY: did first" in getattr(i, "text", "") for i in last_input)
    assert not any(getattr(i, "text", "") == "first" for i in last_input if getattr(i, "role", "") == "assistant")
    # resume rebuilds the compacted history
    resumed = read_rollout(thread.rollout_path)
    assert any("SUMMARY: did first" in getattr(i, "text", "") for i in resumed.history)


@pytest.mark.parametrize("ephemeral", [True, False])
async def test_ephemeral_writes_no_rollout(make_config, codex_home: Path, ephemeral: bool) -> None:  # type: ignore[no-untyped-def]
    thread = Codex(make_config(), model_client=ScriptedModel([[message("x")]])).start_thread(ephemeral=ephemeral)
    await thread.run("x")
    files = list((codex_home / "sessions").rglob("*.jsonl")) if (codex_home / "sessions").exists() else []
    assert (len(files) == 0) == ephemeral


async def test_override_cwd_effort_and_url_images(make_config, workspace: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from codex_core.config import ConfigError

    other = tmp_path / "other"
    other.mkdir()
    model = ScriptedModel([[message("one")], [message("two")]])
    thread = Codex(make_config(), model_client=model).start_thread(ephemeral=True)
    await thread.run("first")
    thread.override(cwd=other, reasoning_effort="high", reasoning_summary="concise")
    assert thread.config.cwd == other.resolve()
    await thread.run("second", images=["https://example.com/cat.png"])
    prompt = model.prompts[1]
    assert prompt.reasoning_effort == "high" and prompt.reasoning_summary == "concise"
    texts = [getattr(i, "text", "") for i in prompt.input]
    assert any(f"<cwd>{other.resolve()}</cwd>" in t for t in texts)
    urls = [p.image_url for i in prompt.input if i.type == "message" for p in i.content if p.type == "input_image"]
    assert urls == ["https://example.com/cat.png"]
    with pytest.raises(ConfigError, match="not a directory"):
        thread.override(cwd=tmp_path / "missing")


async def test_compact_is_serialised_with_turns(make_config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[message("a")], [message("SUMMARY")], [message("b")]])
    thread = Codex(make_config(), model_client=model).start_thread(ephemeral=True)
    await thread.run("x")
    await thread.compact()
    result = await thread.run("y")
    assert result.final_response == "b"
    assert any("SUMMARY" in getattr(i, "text", "") for i in model.prompts[2].input)


async def test_untrusted_asks_for_patches_even_with_full_access(make_config, workspace: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "p.txt"
    patch = f"*** Begin Patch\n*** Add File: {target}\n+x\n*** End Patch\n"
    model = ScriptedModel([[function_call("apply_patch", {"input": patch}, call_id="c1")], [message("ok")]])
    thread = Codex(
        make_config(sandbox_mode="danger-full-access", approval_policy="untrusted"), model_client=model
    ).start_thread(ephemeral=True)
    asked = 0
    async for ev in thread.run_streamed("go"):
        if ev.type == "approval.requested":
            asked += 1
            await thread.respond_approval(ev.request_id, "denied")
    assert asked == 1 and not target.exists()


async def test_resume_with_other_permissions_refreshes_context_and_usage(
    make_config, workspace: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from codex_core.config import ConfigOverrides, load_config

    model = ScriptedModel([[message("one")], [message("two")]])
    first = Codex(
        make_config(sandbox_mode="danger-full-access", approval_policy="on-request"), model_client=model
    ).start_thread()
    await first.run("hello")
    other = tmp_path / "elsewhere"
    other.mkdir()
    cfg2 = load_config(ConfigOverrides(sandbox_mode="read-only", approval_policy="never"), cwd=other)
    resumed = Codex(cfg2, model_client=model).resume_thread(first.id)
    assert resumed._state.total_usage.total_tokens > 0  # restored from the rollout
    await resumed.run("again")
    sent = model.prompts[1].input
    dev = [i.text for i in sent if getattr(i, "role", "") == "developer"]
    assert "No filesystem sandboxing" in dev[0] and "only permits reading" in dev[-1]
    assert any(f"<cwd>{other.resolve()}</cwd>" in getattr(i, "text", "") for i in sent[-3:])
    assert resumed._state.turn_counter == 2


async def test_context_window_exceeded_compacts_and_retries(make_config) -> None:  # type: ignore[no-untyped-def]
    from codex_core.client import ContextWindowExceeded

    model = ScriptedModel(
        [
            [message("first")],
            ContextWindowExceeded("Your input exceeds the context window of this model."),
            [message("SUMMARY of the first turn")],
            [message("fits now")],
        ]
    )
    thread = Codex(make_config(), model_client=model).start_thread(ephemeral=True)
    await thread.run("one")
    result = await thread.run("two")
    assert result.final_response == "fits now"
    assert any("SUMMARY of the first turn" in getattr(i, "text", "") for i in model.prompts[3].input)


async def test_empty_summary_keeps_history(make_config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[message("a")], [message("")]])
    thread = Codex(make_config(), model_client=model).start_thread(ephemeral=True)
    await thread.run("x")
    before = len(thread.history)
    await thread.compact()
    assert len(thread.history) == before


async def test_steer_adds_input_to_the_running_turn(make_config) -> None:  # type: ignore[no-untyped-def]
    from codex_core.errors import UsageError

    model = ScriptedModel(
        [[function_call("shell", {"command": ["sleep", "0.3"]}, call_id="c1")], [message("did both")]]
    )
    thread = Codex(
        make_config("features.unified_exec=false", sandbox_mode="danger-full-access"), model_client=model
    ).start_thread(ephemeral=True)
    with pytest.raises(UsageError, match="no turn is running"):
        await thread.steer("too early")
    async for ev in thread.run_streamed("do X"):
        if ev.type == "item.started" and ev.item.type == "command_execution":
            await thread.steer("and also Y")
    second = model.prompts[1].input
    kinds = [(i.type, getattr(i, "role", None)) for i in second[-2:]]
    assert kinds == [("function_call_output", None), ("message", "user")]
    assert second[-1].content[-1].text == "and also Y"
    with pytest.raises(UsageError):
        await thread.steer("too late")
