"""The agent loop (``codex_core.Codex`` with a scripted model) calling a real stdio MCP server."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from codex_core import Codex
from codex_core.client.types import Prompt
from codex_core.config import ConfigOverrides, load_config
from codex_core.protocol.items import FunctionCallOutput, InputImage, ResponseItem
from codex_core.testing import ScriptedModel, function_call, message

from .conftest import FIXTURE_SERVER


def _config(tmp_path: Path) -> Any:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f"[mcp_servers.fx]\ncommand = {json.dumps(sys.executable)}\n"
        f"args = [{json.dumps(str(FIXTURE_SERVER))}]\nstartup_timeout_sec = 20\ntool_timeout_sec = 5\n"
    )
    return load_config(ConfigOverrides(cwd=tmp_path), codex_home=home)


def _outputs(prompt: Prompt) -> list[FunctionCallOutput]:
    return [i for i in prompt.input if isinstance(i, FunctionCallOutput)]


async def test_model_calls_mcp_tools_through_the_agent_loop(tmp_path: Path) -> None:
    """MCP servers start in the background, so the first turns may not offer the tools yet: the
    scripted model answers plainly until ``mcp__fx__add`` is offered, then calls two MCP tools."""
    model = ScriptedModel()
    codex = Codex(config=_config(tmp_path), model_client=model)
    thread = codex.start_thread(ephemeral=True)
    seen: dict[str, Any] = {}

    def respond(prompt: Prompt) -> list[ResponseItem]:
        names = [t.get("name") for t in prompt.tools]
        seen["tools"] = names
        outputs = _outputs(prompt)
        if outputs:
            seen["outputs"] = outputs
            return [message("the sum is 5")]
        if "mcp__fx__add" not in names:
            return [message("tools not ready yet")]
        return [function_call("mcp__fx__add", {"a": 2, "b": 3}, "c1"), function_call("mcp__fx__picture", {}, "c2")]

    events: list[Any] = []
    try:
        deadline = time.monotonic() + 20
        while "outputs" not in seen:
            assert time.monotonic() < deadline, "MCP tools never reached the model"
            model.add_step(respond)
            model.add_step(respond)
            events = [ev async for ev in thread.run_streamed("add 2 and 3")]
            await asyncio.sleep(0.1)
        assert "list_mcp_resources" in seen["tools"]
        outputs = {o.call_id: o for o in seen["outputs"]}
        assert json.loads(outputs["c1"].output) == {"result": 5}  # type: ignore[arg-type]
        assert isinstance(outputs["c2"].output, list) and isinstance(outputs["c2"].output[0], InputImage)
        completed = [e.item for e in events if e.type == "item.completed" and e.item.type == "mcp_tool_call"]
        assert {(i.server, i.tool, i.status) for i in completed} == {
            ("fx", "add", "completed"),
            ("fx", "picture", "completed"),
        }
        add_item = next(i for i in completed if i.tool == "add")
        assert add_item.arguments == {"a": 2, "b": 3} and add_item.result is not None
        assert add_item.result.structured_content == {"result": 5}
        assert [e for e in events if e.type == "turn.completed"]
    finally:
        await codex.aclose()
