"""Root test configuration: isolate every test from the real ~/.codex and /etc/codex."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_codex_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    home = tmp_path_factory.mktemp("codex_home")
    monkeypatch.setenv("CODEX_HOME", str(home))
    monkeypatch.setenv("CODEX_REQUIREMENTS_PATH", str(home / "no-requirements.toml"))
    monkeypatch.setenv("CODEX_SYSTEM_CONFIG_PATH", str(home / "no-system-config.toml"))
    monkeypatch.setenv("CODEX_MANAGED_CONFIG_PATH", str(home / "no-managed-config.toml"))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEX_RS_SSE_FIXTURE"):
        monkeypatch.delenv(var, raising=False)
    yield


@pytest.fixture
def codex_home() -> Path:
    return Path(os.environ["CODEX_HOME"])
