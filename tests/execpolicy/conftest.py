from __future__ import annotations

from pathlib import Path

import pytest

from codex_core.execpolicy import ExecPolicy, parse_rules_source


def policy_from(text: str) -> ExecPolicy:
    return parse_rules_source(text, path="test.rules").to_policy()


@pytest.fixture
def codex_home(tmp_path: Path) -> Path:
    home = tmp_path / "codex_home"
    home.mkdir()
    return home
