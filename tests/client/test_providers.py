"""Provider resolution and API-key lookup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_core.client import ProviderInfo, api_key_for, build_headers, resolve_provider
from codex_core.errors import AuthError, ConfigError


def test_builtin_openai_defaults_and_env_base_url() -> None:
    openai = resolve_provider("openai", {}, env={})
    assert openai.base_url == "https://api.openai.com/v1"
    assert openai.env_key == "OPENAI_API_KEY" and openai.requires_openai_auth
    assert openai.responses_url == "https://api.openai.com/v1/responses"
    assert resolve_provider("openai", {}, env={"OPENAI_BASE_URL": "  "}).base_url == "https://api.openai.com/v1"
    custom = resolve_provider("openai", {}, env={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"})
    assert custom.base_url == "http://127.0.0.1:9/v1"


def test_openai_env_headers_skip_blank_values() -> None:
    openai = resolve_provider("openai", {}, env={})
    headers = build_headers(
        openai,
        api_key="k",
        originator="codex_exec",
        session_id="s",
        env={"OPENAI_ORGANIZATION": "org-1", "OPENAI_PROJECT": ""},
    )
    assert headers["OpenAI-Organization"] == "org-1"
    assert "OpenAI-Project" not in headers
    assert headers["version"] and headers["originator"] == "codex_exec"
    assert headers["User-Agent"].startswith("codex_exec/")


def test_oss_providers_follow_env_overrides() -> None:
    assert resolve_provider("ollama", {}, env={}).base_url == "http://localhost:11434/v1"
    assert resolve_provider("lmstudio", {}, env={}).base_url == "http://localhost:1234/v1"
    assert resolve_provider("ollama", {}, env={"CODEX_OSS_PORT": "9999"}).base_url == "http://localhost:9999/v1"
    env = {"CODEX_OSS_BASE_URL": "http://box:1/v1", "CODEX_OSS_PORT": "5"}
    assert resolve_provider("lmstudio", {}, env=env).base_url == "http://box:1/v1"


class _AttrProvider:
    """Stands in for the config loader's pydantic model (attribute access)."""

    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


@pytest.mark.parametrize("as_object", [False, True])
def test_user_provider_from_mapping_or_object(as_object: bool) -> None:
    entry = {
        "name": "Azure",
        "base_url": "https://example.openai.azure.com/openai",
        "env_key": "AZURE_KEY",
        "query_params": {"api-version": "2025-04-01-preview"},
        "http_headers": {"X-A": "1"},
        "request_max_retries": 500,
        "stream_idle_timeout_ms": 1000,
        "wire_api": "responses",
    }
    info = resolve_provider("az", {"az": _AttrProvider(**entry) if as_object else entry}, env={})
    assert info.name == "Azure" and info.env_key == "AZURE_KEY"
    assert dict(info.query_params) == {"api-version": "2025-04-01-preview"}
    assert info.request_max_retries == 100  # capped
    assert info.stream_max_retries == 5 and info.stream_idle_timeout == 1.0


def test_chat_wire_api_is_rejected_with_fix() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_provider("old", {"old": {"name": "Old", "wire_api": "chat"}}, env={})
    assert '`wire_api = "chat"` is no longer supported' in str(info.value)
    assert 'set `wire_api = "responses"`' in str(info.value)
    assert info.value.key == "model_providers.old.wire_api"


def test_unknown_and_invalid_providers() -> None:
    with pytest.raises(ConfigError, match=r"model_provider 'nope' is not defined.*openai, ollama, lmstudio"):
        resolve_provider("nope", {}, env={})
    with pytest.raises(ConfigError, match="provider name must not be empty"):
        resolve_provider("x", {"x": {"name": " "}}, env={})
    with pytest.raises(ConfigError, match="request_max_retries must be a non-negative integer"):
        resolve_provider("x", {"x": {"name": "X", "request_max_retries": "many"}}, env={})


def test_api_key_lookup_order(tmp_path: Path) -> None:
    openai = resolve_provider("openai", {}, env={})
    assert api_key_for(openai, codex_home=tmp_path, env={"OPENAI_API_KEY": "sk-env"}) == "sk-env"
    (tmp_path / "auth.json").write_text(json.dumps({"OPENAI_API_KEY": "sk-file"}))
    assert api_key_for(openai, codex_home=tmp_path, env={}) == "sk-file"
    assert api_key_for(openai, codex_home=tmp_path, env={"OPENAI_API_KEY": "sk-env"}) == "sk-env"
    bearer = ProviderInfo(id="b", name="B", experimental_bearer_token="tok", env_key="B_KEY")
    assert api_key_for(bearer, codex_home=tmp_path, env={"B_KEY": "other"}) == "tok"
    assert api_key_for(resolve_provider("ollama", {}, env={}), codex_home=tmp_path, env={}) is None


def test_missing_api_key_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(AuthError) as info:
        api_key_for(resolve_provider("openai", {}, env={}), codex_home=tmp_path, env={})
    assert "OPENAI_API_KEY" in str(info.value) and str(tmp_path / "auth.json") in str(info.value)
    custom = resolve_provider(
        "acme",
        {
            "acme": {
                "name": "Acme",
                "env_key": "ACME_KEY",
                "env_key_instructions": "Get one at acme.test/keys",
            }
        },
        env={},
    )
    with pytest.raises(AuthError) as info2:
        api_key_for(custom, codex_home=tmp_path, env={"ACME_KEY": "   "})
    assert "set the environment variable ACME_KEY" in str(info2.value)
    assert "Get one at acme.test/keys" in str(info2.value)


def test_corrupt_auth_json_is_reported_with_location(tmp_path: Path) -> None:
    (tmp_path / "auth.json").write_text('{\n  "OPENAI_API_KEY": \n')
    with pytest.raises(AuthError, match=r"auth\.json:\d+: invalid JSON"):
        api_key_for(resolve_provider("openai", {}, env={}), codex_home=tmp_path, env={})
