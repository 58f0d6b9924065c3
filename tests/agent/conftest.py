from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codex_core.config import Config, ConfigOverrides, load_config


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    return ws


@pytest.fixture
def make_config(workspace: Path):  # type: ignore[no-untyped-def]
    def make(*overrides: str, **kw: object) -> Config:
        return load_config(ConfigOverrides(config_overrides=overrides, **kw), cwd=workspace)  # type: ignore[arg-type]

    return make
