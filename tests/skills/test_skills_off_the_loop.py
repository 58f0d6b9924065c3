"""Skill discovery reads the disk: a turn runs it off the event loop (other threads and JSON-RPC
requests keep being served meanwhile), and the sandbox policy is only computed (and logged) when
a skill is actually going to be read."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import pytest

from codex_core import Codex
from codex_core.config import ConfigOverrides, load_config
from codex_core.protocol.items import Message
from codex_core.sandbox import SandboxPolicy
from codex_core.skills import discover_skills
from codex_core.skills.mentions import turn_skill_messages
from tests.skills.test_discovery import write_skill
from tests.support.provider import provider_overrides
from tests.support.sse_server import ScriptedResponsesServer, turn_message


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TEST_API_KEY", "k")
    ws = tmp_path / "ws"
    ws.mkdir()
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    return ws


async def test_a_turn_scans_skills_without_stalling_the_event_loop(ws: Path, codex_home: Path) -> None:
    for i in range(600):
        write_skill(ws / ".agents" / "skills" / f"s{i:03}", f"s{i:03}")
    with ScriptedResponsesServer() as server:
        config = load_config(ConfigOverrides(config_overrides=provider_overrides(server.base_url)), cwd=ws)
        started = time.monotonic()
        assert len(discover_skills(config).skills) == 600
        one_scan = time.monotonic() - started
        assert one_scan > 0.1, "too few skills to measure a stall"
        server.enqueue(turn_message("warm"), turn_message("ok"))
        thread = Codex(config).start_thread()
        # a first turn imports the client and builds the context (the skills list: one scan, off
        # the loop too), so that the measured turn's only long step is the mention's scan
        await thread.run("hello")
        gaps: list[float] = []
        done = asyncio.Event()

        async def tick() -> None:
            last = time.monotonic()
            while not done.is_set():
                await asyncio.sleep(0.005)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        ticker = asyncio.create_task(tick())
        result = await thread.run("use $s007 please")
        done.set()
        await ticker
    assert result.final_response == "ok"
    texts = [p.get("text", "") for i in server.requests[1].body["input"] for p in i.get("content", [])]
    assert any(t.startswith("<skill>\n<name>s007</name>") for t in texts)
    # the mention's scan ran; the loop never waited for it
    assert max(gaps) < one_scan / 2, (max(gaps), one_scan)


def test_the_policy_is_computed_only_when_a_skill_may_be_read(ws: Path, codex_home: Path) -> None:
    write_skill(ws / ".agents" / "skills" / "tool", "tool")
    config = load_config(ConfigOverrides(), cwd=ws)
    calls: list[int] = []

    def policy() -> SandboxPolicy:
        calls.append(1)
        return SandboxPolicy.from_config(config)

    assert turn_skill_messages(config, [Message.user("no mention here")], policy=policy).messages == ()
    assert calls == []
    injected = turn_skill_messages(config, [Message.user("use $tool")], policy=policy)
    assert calls == [1]
    assert [m.text.split("\n")[1] for m in injected.messages] == ["<name>tool</name>"]
    assert os.path.isabs(injected.messages[0].text.split("<path>")[1].split("</path>")[0])
