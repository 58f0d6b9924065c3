"""McpConnectionManager against real MCP servers (stdio subprocess and loopback streamable HTTP)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

import pytest

from codex_core.config.models import McpServerToml
from codex_core.mcp import McpConnectionManager
from codex_core.protocol.items import InputImage, InputText

from .conftest import stdio_config


def _names(mgr: McpConnectionManager) -> list[str]:
    return [spec["name"] for spec in mgr.tool_specs()]


async def test_stdio_tools_and_result_mapping(tmp_path: Path) -> None:
    async with await McpConnectionManager.start({"fx": stdio_config()}, cwd=tmp_path) as mgr:
        await mgr.wait_ready(20)
        names = _names(mgr)
        for tool in ("echo", "add", "picture", "weather", "fail", "slow", "crash", "getenv", "pid", "headers"):
            assert f"mcp__fx__{tool}" in names
        assert names[-3:] == ["list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource"]
        add_spec = next(s for s in mgr.tool_specs() if s["name"] == "mcp__fx__add")
        assert add_spec["type"] == "function" and add_spec["strict"] is False
        assert add_spec["description"] == "Add two integers."
        assert add_spec["parameters"]["properties"]["a"]["type"] == "integer"
        assert add_spec["parameters"]["required"] == ["a", "b"]
        assert mgr.resolve("mcp__fx__add") == ("fx", "add")
        assert mgr.resolve("mcp__fx__nope") is None

        echo = await mgr.call_tool("fx", "echo", {"text": "hi"})
        assert echo.success and echo.error is None
        assert json.loads(echo.output) == {"result": "echo: hi"}  # type: ignore[arg-type]
        assert echo.result is not None and echo.result.content == [{"type": "text", "text": "echo: hi"}]

        pic = await mgr.call_tool("fx", "picture", None)
        assert pic.success and isinstance(pic.output, list)
        assert isinstance(pic.output[0], InputImage)
        assert pic.output[0].image_url.startswith("data:image/png;base64,iVBOR")

        weather = await mgr.call_tool("fx", "weather", {"city": "Oslo"})
        assert weather.success
        assert json.loads(weather.output) == {"city": "Oslo", "temperature_c": 21.5}  # type: ignore[arg-type]
        assert weather.result is not None and weather.result.structured_content["city"] == "Oslo"

        fail = await mgr.call_tool("fx", "fail", {"reason": "nope"})
        assert not fail.success and fail.error is None and fail.result is not None
        assert "tool failed: nope" in fail.result.content[0]["text"]
        assert "tool failed: nope" in str(fail.output)

        via_dispatch = await mgr.dispatch("mcp__fx__add", {"a": 2, "b": 3})
        assert via_dispatch is not None and json.loads(via_dispatch.output) == {"result": 5}  # type: ignore[arg-type]
        assert await mgr.dispatch("shell", {}) is None
        assert mgr.drain_warnings() == []


async def test_start_returns_immediately_and_slow_start_times_out(tmp_path: Path) -> None:
    slow = stdio_config(startup_timeout_sec=0.5, env={"FIXTURE_STARTUP_DELAY": "5"})
    t0 = time.monotonic()
    mgr = await McpConnectionManager.start({"slowpoke": slow, "fx": stdio_config()}, cwd=tmp_path)
    assert time.monotonic() - t0 < 0.3
    assert mgr.server_state("slowpoke") == "starting"
    try:
        await mgr.wait_ready(20)
        assert mgr.server_state("slowpoke") == "failed"
        assert mgr.server_state("fx") == "ready"
        warnings = mgr.drain_warnings()
        assert len(warnings) == 1 and "slowpoke" in warnings[0] and "timed out after 0.5s" in warnings[0]
        assert not any(n.startswith("mcp__slowpoke__") for n in _names(mgr))
        out = await mgr.call_tool("slowpoke", "echo", {"text": "x"})
        assert not out.success and "not available" in str(out.output) and out.error == out.output
    finally:
        await mgr.aclose()


async def test_wait_ready_is_bounded(tmp_path: Path) -> None:
    slow = stdio_config(startup_timeout_sec=10, env={"FIXTURE_STARTUP_DELAY": "5"})
    mgr = await McpConnectionManager.start({"slowpoke": slow}, cwd=tmp_path)
    try:
        t0 = time.monotonic()
        await mgr.wait_ready(0.3)
        assert time.monotonic() - t0 < 1.0
        assert mgr.server_state("slowpoke") == "starting"
        assert _names(mgr) == ["list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource"]
    finally:
        t0 = time.monotonic()
        await mgr.aclose()
        assert time.monotonic() - t0 < 5
    assert mgr.server_state("slowpoke") == "failed"


async def test_missing_command_is_a_warning(tmp_path: Path) -> None:
    bad = McpServerToml(command="definitely-not-a-real-mcp-server-xyz")
    async with await McpConnectionManager.start({"ghost": bad, "fx": stdio_config()}, cwd=tmp_path) as mgr:
        await mgr.wait_ready(20)
        (warning,) = mgr.drain_warnings()
        assert "ghost" in warning and "failed to start" in warning
        assert "definitely-not-a-real-mcp-server-xyz" in warning
        assert "mcp__fx__echo" in _names(mgr)


async def test_server_stderr_in_startup_error(tmp_path: Path) -> None:
    cfg = McpServerToml(command=sys.executable, args=["-c", "import sys; sys.stderr.write('kaboom config\\n')"])
    async with await McpConnectionManager.start({"dies": cfg}, cwd=tmp_path) as mgr:
        await mgr.wait_ready(20)
        (warning,) = mgr.drain_warnings()
        assert "dies" in warning and "kaboom config" in warning


async def test_tool_timeout_then_server_still_usable(tmp_path: Path) -> None:
    async with await McpConnectionManager.start({"fx": stdio_config(tool_timeout_sec=0.5)}, cwd=tmp_path) as mgr:
        await mgr.wait_ready(20)
        t0 = time.monotonic()
        out = await mgr.call_tool("fx", "slow", {"seconds": 10})
        assert time.monotonic() - t0 < 3
        assert not out.success and "timed out after 0.5s" in str(out.output)
        again = await mgr.call_tool("fx", "echo", {"text": "still here"})
        assert again.success


async def test_crash_mid_session_is_a_tool_error_and_warning(tmp_path: Path) -> None:
    async with await McpConnectionManager.start({"fx": stdio_config()}, cwd=tmp_path) as mgr:
        await mgr.wait_ready(20)
        out = await mgr.call_tool("fx", "crash", None)
        assert not out.success and out.result is None
        assert "not available" in str(out.output)
        warnings = mgr.drain_warnings()
        assert len(warnings) == 1 and "fx" in warnings[0]
        after = await mgr.call_tool("fx", "echo", {"text": "x"})
        assert not after.success and "not available" in str(after.output)
        assert "mcp__fx__echo" in _names(mgr)  # the tool list stays stable


async def test_enabled_and_disabled_tools(tmp_path: Path) -> None:
    servers = {
        "allow": stdio_config(enabled_tools=["echo", "add"], disabled_tools=["add"]),
        "off": stdio_config(enabled=False),
    }
    async with await McpConnectionManager.start(servers, cwd=tmp_path) as mgr:
        await mgr.wait_ready(20)
        assert [n for n in _names(mgr) if n.startswith("mcp__")] == ["mcp__allow__echo"]
        assert mgr.server_state("off") is None
        out = await mgr.call_tool("allow", "add", {"a": 1, "b": 2})
        assert not out.success and "disabled" in str(out.output)


async def test_env_and_env_vars(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEX_MCP_TEST_FORWARD", "forwarded")
    monkeypatch.setenv("CODEX_MCP_TEST_SECRET", "not-forwarded")
    cfg = stdio_config(env={"FROM_CONFIG": "cfg"}, env_vars=["CODEX_MCP_TEST_FORWARD"])
    async with await McpConnectionManager.start({"fx": cfg}, cwd=tmp_path) as mgr:
        await mgr.wait_ready(20)
        for name, want in [
            ("FROM_CONFIG", "cfg"),
            ("CODEX_MCP_TEST_FORWARD", "forwarded"),
            ("CODEX_MCP_TEST_SECRET", "<unset>"),
        ]:
            out = await mgr.call_tool("fx", "getenv", {"name": name})
            assert json.loads(out.output) == {"result": want}  # type: ignore[arg-type]


async def test_resource_tools(tmp_path: Path) -> None:
    async with await McpConnectionManager.start({"fx": stdio_config()}, cwd=tmp_path) as mgr:
        await mgr.wait_ready(20)
        listed = await mgr.dispatch("list_mcp_resources", {})
        assert listed is not None and listed.success
        data = json.loads(listed.output)  # type: ignore[arg-type]
        assert data["resources"][0]["server"] == "fx" and data["resources"][0]["uri"] == "fixture://readme"
        templates = await mgr.call_resource_tool("list_mcp_resource_templates", {"server": "fx"})
        tdata = json.loads(templates.output)  # type: ignore[arg-type]
        assert tdata["server"] == "fx" and tdata["resourceTemplates"][0]["uriTemplate"] == "fixture://items/{item}"
        read = await mgr.call_resource_tool("read_mcp_resource", {"server": "fx", "uri": "fixture://readme"})
        assert json.loads(read.output)["contents"][0]["text"] == "hello from the fixture"  # type: ignore[arg-type]
        unknown = await mgr.call_resource_tool("read_mcp_resource", {"server": "zz", "uri": "x"})
        assert not unknown.success and "unknown MCP server `zz`" in str(unknown.output)
        bad = await mgr.call_resource_tool("read_mcp_resource", {"server": "fx"})
        assert not bad.success and "`uri`" in str(bad.output)


async def test_aclose_terminates_stdio_servers(tmp_path: Path) -> None:
    mgr = await McpConnectionManager.start({"a": stdio_config(), "b": stdio_config()}, cwd=tmp_path)
    await mgr.wait_ready(20)
    pids = [json.loads((await mgr.call_tool(s, "pid", None)).output)["result"] for s in ("a", "b")]  # type: ignore[arg-type]
    for pid in pids:
        os.kill(pid, 0)  # alive
    await mgr.aclose()
    for pid in pids:
        with pytest.raises(ProcessLookupError):  # gone and reaped (a zombie would still accept signal 0)
            os.kill(pid, 0)
    await mgr.aclose()  # idempotent


async def test_usable_across_tasks_of_a_caller_task_group(tmp_path: Path) -> None:
    holder: list[McpConnectionManager] = []

    async def starter() -> None:
        holder.append(await McpConnectionManager.start({"fx": stdio_config()}, cwd=tmp_path))

    async with asyncio.TaskGroup() as tg:
        tg.create_task(starter())
    mgr = holder[0]
    results: list[bool] = []

    async def caller(i: int) -> None:
        await mgr.wait_ready(20)
        out = await mgr.call_tool("fx", "add", {"a": i, "b": i})
        results.append(json.loads(out.output) == {"result": 2 * i})  # type: ignore[arg-type]

    async with asyncio.TaskGroup() as tg:
        for i in range(4):
            tg.create_task(caller(i))
    assert results == [True] * 4
    async with asyncio.TaskGroup() as tg:
        tg.create_task(mgr.aclose())
    assert mgr.server_state("fx") == "closed"


async def test_streamable_http_server(tmp_path: Path, http_server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEX_MCP_TEST_TOKEN", "s3cret")
    monkeypatch.setenv("CODEX_MCP_TEST_HEADER", "from-env")
    cfg = McpServerToml(
        url=http_server_url,
        bearer_token_env_var="CODEX_MCP_TEST_TOKEN",
        http_headers={"X-Static": "1"},
        env_http_headers={"X-From-Env": "CODEX_MCP_TEST_HEADER"},
        startup_timeout_sec=20,
    )
    async with await McpConnectionManager.start({"web": cfg}, cwd=tmp_path) as mgr:
        await mgr.wait_ready(20)
        assert mgr.drain_warnings() == []
        assert "mcp__web__weather" in _names(mgr)
        out = await mgr.call_tool("web", "weather", {"city": "Rome"})
        assert out.success and json.loads(out.output)["city"] == "Rome"  # type: ignore[arg-type]
        seen = await mgr.call_tool("web", "headers", {})
        assert json.loads(seen.output) == {  # type: ignore[arg-type]
            "authorization": "Bearer s3cret",
            "x-static": "1",
            "x-from-env": "from-env",
        }
        pic = await mgr.call_tool("web", "picture", {})
        assert isinstance(pic.output, list) and isinstance(pic.output[0], InputImage)


async def test_http_missing_bearer_env_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODEX_MCP_TEST_MISSING", raising=False)
    cfg = McpServerToml(url="http://127.0.0.1:9/mcp", bearer_token_env_var="CODEX_MCP_TEST_MISSING")
    async with await McpConnectionManager.start({"web": cfg}, cwd=tmp_path) as mgr:
        await mgr.wait_ready(10)
        (warning,) = mgr.drain_warnings()
        assert "CODEX_MCP_TEST_MISSING" in warning


async def test_unreachable_http_server_is_a_warning(tmp_path: Path) -> None:
    cfg = McpServerToml(url="http://127.0.0.1:9/mcp", startup_timeout_sec=5)
    async with await McpConnectionManager.start({"web": cfg}, cwd=tmp_path) as mgr:
        await mgr.wait_ready(10)
        (warning,) = mgr.drain_warnings()
        assert "web" in warning and "failed to start" in warning


def test_content_items_text_and_image_order() -> None:
    from codex_core.mcp.results import outcome_from_result

    out = outcome_from_result(
        [{"type": "text", "text": "a"}, {"type": "image", "data": "QUJD", "mimeType": "image/jpeg"}],
        None,
        False,
    )
    assert out.output == [InputText(text="a"), InputImage(image_url="data:image/jpeg;base64,QUJD")]
    plain = outcome_from_result([{"type": "text", "text": "a"}], None, True)
    assert plain.output == '[{"type":"text","text":"a"}]' and plain.success is False


def test_manager_is_bound_to_its_event_loop(tmp_path: Path) -> None:
    """A manager from a finished ``asyncio.run`` refuses calls clearly; its servers were stopped."""

    async def first() -> tuple[McpConnectionManager, int]:
        mgr = await McpConnectionManager.start({"fx": stdio_config()}, cwd=tmp_path)
        await mgr.wait_ready(20)
        out = await mgr.call_tool("fx", "pid", None)
        return mgr, json.loads(out.output)["result"]  # type: ignore[arg-type]

    mgr, pid = asyncio.run(first())

    async def second() -> None:
        out = await mgr.call_tool("fx", "echo", {"text": "x"})
        assert not out.success and "another event loop" in str(out.output)
        await mgr.aclose()

    asyncio.run(second())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
