"""Codex.fork_thread: a new id and rollout file with a (possibly truncated) copy of the history."""

from __future__ import annotations

import json

import pytest

from codex_core import Codex
from codex_core.protocol.items import Message
from codex_core.testing import ScriptedModel, function_call, message


def user_texts(history: list[object]) -> list[str]:
    from codex_core.agent.compaction import is_real_user_message

    return [
        "".join(getattr(p, "text", "") for p in item.content)
        for item in history
        if isinstance(item, Message) and item.role == "user" and is_real_user_message(item)
    ]


async def test_fork_saved_thread_copies_history_into_new_rollout(make_config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[message("one")], [message("two")], [message("three")]])
    codex = Codex(make_config(sandbox_mode="danger-full-access"), model_client=model)
    src = codex.start_thread()
    await src.run("first")
    await src.run("second")
    src_lines = src.rollout_path.read_text().splitlines()  # type: ignore[union-attr]

    fork = codex.fork_thread(src.id, turns=1)
    assert fork.id != src.id and fork.forked_from == src.id
    assert user_texts(fork.history) == ["first"]
    assert fork.rollout_path is not None and fork.rollout_path != src.rollout_path
    meta = json.loads(fork.rollout_path.read_text().splitlines()[0])["payload"]
    assert meta["id"] == fork.id and meta["forked_from_id"] == src.id
    # the fork continues on its own; the source file is untouched
    result = await fork.run("again")
    assert result.final_response == "three"
    assert src.rollout_path.read_text().splitlines() == src_lines  # type: ignore[union-attr]
    last_request = model.prompts[-1]
    sent = [i for i in last_request.input if isinstance(i, Message) and i.role == "user"]
    texts = "".join(p.text for m in sent for p in m.content if hasattr(p, "text"))
    assert "first" in texts and "again" in texts and "second" not in texts
    # the fork resumes like any saved thread
    resumed = Codex(make_config(), model_client=model).resume_thread(fork.id)
    assert user_texts(resumed.history) == ["first", "again"]


async def test_fork_loaded_thread_whole_history_ephemeral(make_config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[message("one")]])
    codex = Codex(make_config(sandbox_mode="danger-full-access"), model_client=model)
    src = codex.start_thread(ephemeral=True)
    await src.run("only")
    fork = codex.fork_thread(src, ephemeral=True)
    assert fork.rollout_path is None
    assert user_texts(fork.history) == ["only"]
    assert fork.display_items()[-1].role == "assistant"


def test_fork_unknown_thread_is_a_clear_error(make_config) -> None:  # type: ignore[no-untyped-def]
    from codex_core.errors import CodexError

    codex = Codex(make_config(), model_client=ScriptedModel([]))
    with pytest.raises(CodexError, match="no saved session"):
        codex.fork_thread("0000dead")


def test_keep_user_turns_bounds() -> None:
    from codex_core.agent.resume import keep_user_turns

    hist = [Message.user("a"), Message.assistant("x"), Message.user("b"), Message.assistant("y")]
    assert keep_user_turns(hist, None) == hist
    assert keep_user_turns(hist, 0) == []
    assert keep_user_turns(hist, 1) == hist[:2]
    assert keep_user_turns(hist, 5) == hist
    with pytest.raises(ValueError):
        keep_user_turns(hist, -1)


async def test_fork_of_a_compacted_thread_replays_the_rollout_up_to_the_cut(make_config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel(
        [[message("ans-alpha")], [message("ans-bravo")], [message("SUMMARYXYZ")], [message("ans-charlie")]]
    )
    codex = Codex(make_config(sandbox_mode="danger-full-access"), model_client=model)
    src = codex.start_thread()
    await src.run("ask-alpha")
    await src.run("ask-bravo")
    await src.compact()
    await src.run("ask-charlie")

    def texts(thread) -> str:  # type: ignore[no-untyped-def]
        return " ".join(getattr(p, "text", "") for m in thread.history if isinstance(m, Message) for p in m.content)

    # through turn two: the compaction happened before turn three, so its summary is kept
    through_two = codex.fork_thread(src, turns=2)
    assert "SUMMARYXYZ" in texts(through_two) and "charlie" not in texts(through_two)
    # through turn one: from before the compaction, with turn one's own answer
    through_one = codex.fork_thread(src.id, turns=1)
    one = texts(through_one)
    assert "ans-alpha" in one and "SUMMARYXYZ" not in one and "bravo" not in one
    assert user_texts(through_one.history) == ["ask-alpha"]
    # a resumed fork knows where it came from
    resumed = Codex(make_config(), model_client=model).resume_thread(through_one.id)
    assert resumed.forked_from == src.id and user_texts(resumed.history) == ["ask-alpha"]


async def test_steered_input_survives_an_interrupt_and_forks_cut_at_turns(make_config) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    model = ScriptedModel(
        [
            [function_call("shell", {"command": ["sleep", "5"]}, call_id="c1")],
            [message("ans-two")],
            [message("ans-three")],
        ]
    )
    codex = Codex(make_config("features.unified_exec=false", sandbox_mode="danger-full-access"), model_client=model)
    src = codex.start_thread()
    async for ev in src.run_streamed("ask-one"):
        if ev.type == "item.started" and ev.item.type == "command_execution":
            await src.steer("steer-one")
            await asyncio.sleep(0.1)
            src.interrupt()
    # the interrupted turn's steered input was never sent; it joins the history instead of vanishing
    assert user_texts(src.history) == ["ask-one", "steer-one"]
    await src.run("ask-two")
    assert "steer-one" in str(model.prompts[1].input)
    await src.run("ask-three")
    # turn 1 holds two user messages: a fork through turn 2 keeps both turns, not just two prompts
    through_two = codex.fork_thread(src.id, turns=2)
    assert user_texts(through_two.history) == ["ask-one", "steer-one", "ask-two"]
    assert through_two._state.turn_counter == 2
    resumed = Codex(make_config(), model_client=model).resume_thread(through_two.id)
    assert user_texts(resumed.history) == ["ask-one", "steer-one", "ask-two"]
    from codex_core.session import rollout_turns

    assert [t.user for t in rollout_turns(resumed.rollout_path)] == [("ask-one", "steer-one"), ("ask-two",)]  # type: ignore[arg-type]
