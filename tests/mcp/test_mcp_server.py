"""``codex mcp-server``: the SDK's own client drives Codex-as-an-MCP-server.

In-process tests (a ``ScriptedModel``) cover tools/list, ``codex`` / ``codex-reply``, event
notifications, approvals via elicitation and argument errors; one test runs the real
``codex mcp-server`` subprocess against the scripted Responses server over HTTP.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.client.extension import ClientExtension, NotificationBinding
from pydantic import BaseModel, ConfigDict, Field

from codex_core.config import ConfigOverrides
from codex_core.mcp.server import CodexMcpServer
from codex_core.mcp.server_tools import json_to_toml_value
from codex_core.testing import ScriptedModel, message, shell_call
from mcp import Client, StdioServerParameters, types
from tests.support.sse_server import ScriptedResponsesServer, turn_message


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = tmp_path / "project"
    p.mkdir()
    return p


class _EventParams(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    meta: dict[str, Any] = Field(alias="_meta")
    id: str
    msg: dict[str, Any]


class Recorder(ClientExtension):
    """Client-side observer: ``codex/event`` notifications (an SDK notification binding) and elicitations."""

    identifier = "com.openai/codex-test"

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.elicitations: list[types.ElicitRequestParams] = []
        self.decision = "approved"

    def notifications(self) -> list[NotificationBinding[Any]]:  # type: ignore[override]
        return [NotificationBinding(method="codex/event", params_type=_EventParams, handler=self._on_event)]

    async def _on_event(self, params: _EventParams) -> None:
        self.received.append(params.model_dump(by_alias=True))

    async def on_elicit(self, context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.elicitations.append(params)
        return types.ElicitResult(action="accept", content={"decision": self.decision})

    def events(self) -> list[dict[str, Any]]:
        return self.received


SHELL_TOOL = ("features.unified_exec=false",)
"""`shell_call` drives the classic `shell` tool, which is offered only with unified exec off."""


def make_server(model: ScriptedModel, home: Path, project: Path, **ov: Any) -> CodexMcpServer:
    overrides = ConfigOverrides(cwd=project, **ov)
    return CodexMcpServer(overrides, model_client=model, codex_home=home, cwd=project)


async def test_tools_list_and_codex_then_reply(home: Path, project: Path) -> None:
    model = ScriptedModel([[message("first answer")], [message("second answer")]])
    server = make_server(model, home, project)
    rec = Recorder()
    async with Client(server.lowlevel_server(), mode="legacy", extensions=[rec]) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == {"codex", "codex-reply"}
        props = tools["codex"].input_schema["properties"]
        for key in ("prompt", "model", "profile", "cwd", "approval-policy", "sandbox", "config", "base-instructions"):
            assert key in props
        assert tools["codex"].input_schema["required"] == ["prompt"]
        assert tools["codex-reply"].title == "Codex Reply"
        assert tools["codex"].output_schema is not None

        result = await client.call_tool("codex", {"prompt": "hello", "sandbox": "read-only"})
        assert not result.is_error
        assert result.content[0].text == "first answer"  # type: ignore[union-attr]
        thread_id = result.structured_content["threadId"]  # type: ignore[index]
        assert result.structured_content == {"threadId": thread_id, "content": "first answer"}

        reply = await client.call_tool("codex-reply", {"threadId": thread_id, "prompt": "more"})
        assert not reply.is_error and reply.structured_content == {"threadId": thread_id, "content": "second answer"}
    model.assert_complete()
    # the second request carried the first turn's history
    kinds = [e["msg"]["type"] for e in rec.events()]
    assert "thread.started" in kinds and kinds.count("turn.completed") == 2
    assert all(e["_meta"]["requestId"] is not None and e["id"] for e in rec.events())


async def test_argument_and_thread_errors_are_tool_errors(home: Path, project: Path) -> None:
    server = make_server(ScriptedModel([]), home, project)
    async with Client(server.lowlevel_server(), mode="legacy") as client:
        for args, text in [
            ({}, "`prompt` is required"),
            ({"prompt": "x", "sandbox": "bogus"}, "`sandbox` must be one of"),
            ({"prompt": "x", "approval-policy": "sometimes"}, "`approval-policy` must be one of"),
            ({"prompt": "x", "nonsense": 1}, "unknown argument(s) for `codex`: nonsense"),
            ({"prompt": "x", "config": {"model_reasoning_effort": "enormous"}}, "model_reasoning_effort"),
        ]:
            result = await client.call_tool("codex", args)
            assert result.is_error, args
            assert text in result.content[0].text, (args, result.content[0].text)  # type: ignore[union-attr]
        missing = await client.call_tool("codex-reply", {"threadId": "no-such-thread", "prompt": "x"})
        assert missing.is_error and "no-such-thread" in missing.content[0].text  # type: ignore[union-attr]
        no_id = await client.call_tool("codex-reply", {"prompt": "x"})
        assert no_id.is_error and "`threadId` is required" in no_id.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize(("decision", "created"), [("approved", True), ("denied", False)])
async def test_approval_via_elicitation(home: Path, project: Path, decision: str, created: bool) -> None:
    model = ScriptedModel([[shell_call(["touch", "made-by-codex"])], [message("done")]])
    server = make_server(model, home, project, config_overrides=SHELL_TOOL)
    rec = Recorder()
    rec.decision = decision
    async with Client(server.lowlevel_server(), mode="legacy", elicitation_callback=rec.on_elicit) as client:
        result = await client.call_tool(
            "codex", {"prompt": "make a file", "approval-policy": "untrusted", "sandbox": "danger-full-access"}
        )
    (params,) = rec.elicitations
    assert "touch made-by-codex" in params.message  # type: ignore[union-attr]
    assert params.requested_schema["properties"]["decision"]["enum"][0] == "approved"  # type: ignore[union-attr]
    assert not result.is_error, result
    assert (project / "made-by-codex").exists() is created


async def test_without_elicitation_capability_approvals_are_denied(home: Path, project: Path) -> None:
    model = ScriptedModel([[shell_call(["touch", "nope"])], [message("ok")]])
    server = make_server(model, home, project, config_overrides=SHELL_TOOL)
    async with Client(server.lowlevel_server(), mode="legacy") as client:
        result = await client.call_tool(
            "codex", {"prompt": "x", "approval-policy": "untrusted", "sandbox": "danger-full-access"}
        )
    assert not result.is_error
    assert not (project / "nope").exists()


class StallsOnceModel:
    """A model double whose first response never arrives; later ones delegate to a ScriptedModel."""

    def __init__(self, after: ScriptedModel) -> None:
        self.after = after
        self.calls = 0
        self.stalled = anyio.Event()

    async def stream(self, prompt: Any) -> AsyncIterator[Any]:
        self.calls += 1
        if self.calls == 1:
            self.stalled.set()
            await anyio.sleep_forever()
        async for ev in self.after.stream(prompt):
            yield ev


async def test_cancelled_call_interrupts_the_turn(home: Path, project: Path) -> None:
    model = StallsOnceModel(ScriptedModel([[message("after the interrupt")]]))
    server = make_server(model, home, project)  # type: ignore[arg-type]
    rec = Recorder()
    async with Client(server.lowlevel_server(), mode="legacy", extensions=[rec]) as client:
        with anyio.move_on_after(20) as scope:
            async with anyio.create_task_group() as tg:

                async def call() -> None:
                    await client.call_tool("codex", {"prompt": "never answered"})

                tg.start_soon(call)
                await model.stalled.wait()
                tg.cancel_scope.cancel()  # the SDK client sends notifications/cancelled
        assert not scope.cancelled_caught
        started = [e["msg"] for e in rec.events() if e["msg"]["type"] == "thread.started"]
        thread_id = started[0]["thread_id"]
        with anyio.fail_after(20):
            while True:  # the server-side turn winds down asynchronously
                reply = await client.call_tool("codex-reply", {"threadId": thread_id, "prompt": "again"})
                text = reply.content[0].text  # type: ignore[union-attr]
                if "already running" not in text:
                    break
                await anyio.sleep(0.05)
        assert not reply.is_error, text
        assert reply.structured_content == {"threadId": thread_id, "content": "after the interrupt"}


def test_json_to_toml_values() -> None:
    import tomllib

    for value in ['a"b\\c\n\x7f', 1, 2.5, True, [1, "x"], {"a": {"b": [True]}}, "é😀"]:
        text = json_to_toml_value(value, where="k")
        assert tomllib.loads(f"x = {text}")["x"] == value


@pytest.mark.slow
async def test_codex_mcp_server_subprocess(home: Path, project: Path) -> None:
    with ScriptedResponsesServer() as responses:
        responses.enqueue(turn_message("hi from the model"))
        params = StdioServerParameters(
            command=sys.executable,
            args=[
                "-c",
                "from codex_exec.multitool.main import main; main()",
                "mcp-server",
                "-c",
                "model_provider=test",
                "-c",
                f"model_providers.test.base_url={responses.base_url}",
                "-c",
                "model_providers.test.env_key=CODEX_MCP_TEST_KEY",
                "-c",
                "model_providers.test.request_max_retries=0",
            ],
            env={"CODEX_HOME": str(home), "CODEX_MCP_TEST_KEY": "sk-test", "PYTHONPATH": os.getcwd()},
            cwd=project,
        )
        rec = Recorder()
        async with Client(params, mode="legacy", extensions=[rec]) as client:
            assert client.server_info is not None and client.server_info.name == "codex-mcp-server"
            names = [t.name for t in (await client.list_tools()).tools]
            assert names == ["codex", "codex-reply"]
            result = await client.call_tool("codex", {"prompt": "say hi", "cwd": str(project)})
            assert not result.is_error, result.content
            assert result.structured_content["content"] == "hi from the model"  # type: ignore[index]
        assert responses.requests and responses.requests[0].path.endswith("/responses")
        assert any(e["msg"]["type"] == "turn.completed" for e in rec.events())


def test_mcp_server_refuses_broken_config(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from codex_exec.mcp_server import mcp_server_command

    monkeypatch.setenv("CODEX_HOME", str(home))
    (home / "config.toml").write_text("[mcp_servers.x]\ncommand = 1\n")
    result = CliRunner().invoke(mcp_server_command, [], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "mcp_servers" in result.stderr
    assert "Traceback" not in result.stderr
