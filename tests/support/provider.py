"""Pointing codex at the scripted SSE server: a `test` model provider, as config or as `-c` overrides."""

from __future__ import annotations

from pathlib import Path

__all__ = ["TEST_ENV_KEY", "provider_cli_args", "provider_overrides", "write_provider_config"]

TEST_ENV_KEY = "TEST_API_KEY"


def provider_overrides(base_url: str, *, env_key: str = TEST_ENV_KEY) -> list[str]:
    """`-c` overrides (``ConfigOverrides.config_overrides``) selecting the test provider."""
    return [
        "model_provider=test",
        f'model_providers.test.base_url="{base_url}"',
        f"model_providers.test.env_key={env_key}",
    ]


def provider_cli_args(base_url: str, *, env_key: str = TEST_ENV_KEY) -> list[str]:
    """The same overrides as command-line arguments (``-c k=v ...``)."""
    return [arg for override in provider_overrides(base_url, env_key=env_key) for arg in ("-c", override)]


def write_provider_config(
    codex_home: Path, base_url: str, *, retries: int, stream_idle_timeout_ms: int, header: str = ""
) -> Path:
    """Write `$CODEX_HOME/config.toml` selecting the test provider (model `test-model`)."""
    path = codex_home / "config.toml"
    path.write_text(
        header + 'model = "test-model"\n'
        'model_provider = "test"\n'
        "[model_providers.test]\n"
        'name = "Test"\n'
        f'base_url = "{base_url}"\n'
        f'env_key = "{TEST_ENV_KEY}"\n'
        f"request_max_retries = {retries}\n"
        f"stream_max_retries = {retries}\n"
        f"stream_idle_timeout_ms = {stream_idle_timeout_ms}\n",
        encoding="utf-8",
    )
    return path
