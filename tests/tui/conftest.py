from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from codex_core.config import ConfigOverrides, load_config

FIXED_CWD = Path("/home/dev/project")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    return work


@pytest.fixture
def make_config(workdir: Path):  # type: ignore[no-untyped-def]
    """Build a real Config for ``workdir`` (CODEX_HOME is isolated by the root conftest)."""

    def make(*overrides: str, **kw: object):  # type: ignore[no-untyped-def]
        return load_config(ConfigOverrides(config_overrides=overrides, **kw), cwd=workdir)  # type: ignore[arg-type]

    return make


@pytest.fixture
def config(make_config):  # type: ignore[no-untyped-def]
    return make_config()


@pytest.fixture
def fixed_config(config):  # type: ignore[no-untyped-def]
    """``config`` with a fixed cwd/model/context window, for deterministic snapshots."""
    return attrs.evolve(config, cwd=FIXED_CWD, model="gpt-test", model_context_window=200_000)
