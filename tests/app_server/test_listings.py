"""The configuration methods over real stdio: provider, feature, permission-profile and MCP
listings, feature switches, config reload, MCP tool calls and resource reads (the MCP server is
the tests' fixture server, started for each request and stopped again)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.app_server.conftest import AppServerClient

FIXTURE_SERVER = Path(__file__).resolve().parents[1] / "mcp" / "fixture_server.py"


def test_configuration_listings(app_env: dict[str, str], codex_home: Path, workspace: Path) -> None:
    config = codex_home / "config.toml"
    config.write_text(
        "features.undo = true\n"
        + config.read_text()
        + '[permissions.docs]\ndescription = "docs only"\nfilesystem = { ":root" = "read" }\n'
        + f"[mcp_servers.fixture]\ncommand = {json.dumps(sys.executable)}\nargs = [{json.dumps(str(FIXTURE_SERVER))}]\n"
        + "startup_timeout_sec = 20\n"
        + '[mcp_servers.broken]\ncommand = "/nonexistent/mcp-server"\n'
        + '[mcp_servers.off]\ncommand = "x"\nenabled = false\n'
    )
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        providers = client.call("modelProvider/list", {})
        assert providers["defaultProviderId"] == "test"
        test = next(p for p in providers["data"] if p["id"] == "test")
        assert test["canEdit"] is True and test["baseUrl"].startswith("http://127.0.0.1:")
        assert test["settings"] == {
            "type": "customGateway",
            "auth": {"mode": "environmentVariable", "envKey": "TEST_API_KEY"},
        }
        assert {"openai", "ollama", "lmstudio"} <= {p["id"] for p in providers["data"]}

        page = client.call("experimentalFeature/list", {"limit": 5})
        assert len(page["data"]) == 5 and page["nextCursor"] == "5"
        everything = client.call("experimentalFeature/list", {})["data"]
        undo = next(f for f in everything if f["name"] == "undo")
        assert undo["enabled"] is True and undo["stage"] in (
            "beta",
            "underDevelopment",
            "stable",
            "deprecated",
            "removed",
        )
        unified = next(f for f in everything if f["name"] == "unified_exec")
        assert unified["enabled"] is False  # features.unified_exec = false in this config

        profiles = client.call("permissionProfile/list", {})["data"]
        assert [p["id"] for p in profiles] == [":read-only", ":workspace", ":danger-full-access", "docs"]
        assert profiles[-1] == {"id": "docs", "description": "docs only", "allowed": True}

        servers = {s["name"]: s for s in client.call("mcpServerStatus/list", {})["data"]}
        assert servers["fixture"]["runtimeStatus"] == "connected" and servers["fixture"]["toolsError"] is None
        assert servers["fixture"]["tools"] and all("inputSchema" in t for t in servers["fixture"]["tools"].values())
        assert servers["broken"]["runtimeStatus"] == "failed" and "not found" in servers["broken"]["toolsError"]
        assert servers["off"]["runtimeStatus"] == "disabled"
        one = client.call("mcpServerStatus/list", {"serverName": "off"})["data"]
        assert [s["name"] for s in one] == ["off"]

        tid = client.call("thread/start", {})["thread"]["id"]
        called = client.call(
            "mcpServer/tool/call", {"threadId": tid, "server": "fixture", "tool": "echo", "arguments": {"text": "hi"}}
        )
        assert called["isError"] is False and called["content"][0]["text"] == "echo: hi"
        read = client.call("mcpServer/resource/read", {"threadId": tid, "server": "fixture", "uri": "fixture://readme"})
        assert read["contents"][0]["text"] == "hello from the fixture" and read["originCallId"] is None
        for params, words in (
            ({"threadId": tid, "server": "off", "tool": "x"}, "disabled"),
            ({"threadId": tid, "server": "nope", "tool": "x"}, "no MCP server"),
            ({"threadId": tid, "server": "broken", "tool": "x"}, "did not start"),
        ):
            error = client.response(client.request("mcpServer/tool/call", params))["error"]
            assert error["code"] == -32600 and words in error["message"], error

        capabilities = client.call("modelProvider/capabilities/read", None)
        assert capabilities == {"imageGeneration": False, "webSearch": False}
        assert client.call("experimentalFeature/enablement/set", {"enablement": {"undo": False}}) == {
            "enablement": {"undo": False}
        }
        undo_now = next(f for f in client.call("experimentalFeature/list", {})["data"] if f["name"] == "undo")
        assert undo_now["enabled"] is False
        bad = client.response(client.request("experimentalFeature/enablement/set", {"enablement": {"nope": True}}))
        assert bad["error"]["code"] == -32602 and "nope" in bad["error"]["message"]

        config.write_text(config.read_text().replace("[mcp_servers.off]", "[mcp_servers.off2]"))
        assert client.call("config/mcpServer/reload", None) == {}
        names = {s["name"] for s in client.call("mcpServerStatus/list", {"serverName": "off2"})["data"]}
        assert names == {"off2"}
    finally:
        client.close()


def test_model_provider_config_write_creates_and_patches_custom_providers(
    app_env: dict[str, str], codex_home: Path, workspace: Path
) -> None:
    config = codex_home / "config.toml"
    config.write_text("# my settings\n" + config.read_text())
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        created = client.call(
            "modelProvider/config/write",
            {
                "settings": {
                    "type": "customGateway",
                    "name": "My Gateway",
                    "baseUrl": "http://127.0.0.1:9/v1",
                    "envKey": "MY_GATEWAY_KEY",
                }
            },
        )["provider"]
        assert created == {
            "id": "my-gateway",
            "name": "My Gateway",
            "canEdit": True,
            "baseUrl": "http://127.0.0.1:9/v1",
            "settings": {"type": "customGateway", "auth": {"mode": "environmentVariable", "envKey": "MY_GATEWAY_KEY"}},
        }
        text = config.read_text()
        assert text.startswith("# my settings\n") and "[model_providers.my-gateway]" in text
        listed = client.call("modelProvider/list", {})["data"]
        assert created in listed
        second = client.call(
            "modelProvider/config/write",
            {"settings": {"type": "customGateway", "name": "My Gateway", "baseUrl": "http://127.0.0.1:8/v1"}},
        )["provider"]
        assert second["id"] == "my-gateway-2"

        patched = client.call(
            "modelProvider/config/write",
            {"settings": {"type": "customGateway", "providerId": "my-gateway", "envKey": None}},
        )["provider"]
        assert patched["settings"] == {"type": "customGateway", "auth": {"mode": "none"}}
        assert patched["baseUrl"] == "http://127.0.0.1:9/v1"  # fields not named are kept
        assert "MY_GATEWAY_KEY" not in config.read_text()

        for settings, code, text_part in (
            ({"type": "customGateway", "providerId": "openai", "name": "x"}, -32600, "built in"),
            ({"type": "customGateway", "providerId": "nope", "name": "x"}, -32600, "no model provider `nope`"),
            ({"type": "customGateway", "name": "No URL"}, -32602, "`baseUrl`"),
            ({"type": "bedrock", "providerId": "amazon-bedrock"}, -32600, "no Amazon Bedrock"),
        ):
            error = client.response(client.request("modelProvider/config/write", {"settings": settings}))["error"]
            assert error["code"] == code and text_part in error["message"], error
    finally:
        client.close()
