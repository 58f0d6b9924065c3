"""modelProvider/list, experimentalFeature/list, permissionProfile/list and mcpServerStatus/list
over real stdio, from the server's config (the MCP server is the tests' fixture server, started
for the listing and stopped again)."""

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
    finally:
        client.close()
