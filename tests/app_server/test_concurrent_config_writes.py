"""Config writes over real stdio: concurrent ``skills/config/write`` requests all land, and a
provider id with a dot is one key of ``model_providers``."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.app_server.conftest import AppServerClient


def test_concurrent_skill_config_writes_all_land(app_env: dict[str, str], codex_home: Path, workspace: Path) -> None:
    names = ["alpha", "beta", "gamma", "delta"]
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        ids = [client.request("skills/config/write", {"name": n, "enabled": False}) for n in names]  # all at once
        for request_id in ids:
            assert client.response(request_id)["result"] == {"effectiveEnabled": False}
    finally:
        client.close()
    config = tomllib.loads((codex_home / "config.toml").read_text())
    assert sorted(e["name"] for e in config["skills"]["config"]) == sorted(names)


def test_a_provider_id_with_a_dot_is_one_config_key(app_env: dict[str, str], codex_home: Path, workspace: Path) -> None:
    config = codex_home / "config.toml"
    config.write_text(
        config.read_text() + '\n[model_providers."my.gw"]\nname = "Gateway"\nbase_url = "http://127.0.0.1:9/v1"\n'
    )
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        patched = client.call(
            "modelProvider/config/write",
            {"settings": {"type": "customGateway", "providerId": "my.gw", "name": "Renamed"}},
        )["provider"]
        assert (patched["id"], patched["name"], patched["baseUrl"]) == ("my.gw", "Renamed", "http://127.0.0.1:9/v1")
    finally:
        client.close()
    providers = tomllib.loads(config.read_text())["model_providers"]
    assert providers["my.gw"]["name"] == "Renamed" and "my" not in providers
