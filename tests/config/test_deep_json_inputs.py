"""Deeply nested JSON in Codex's own files (auth.json, history, rollouts) is bad input with a clear
error or a skipped line, never a RecursionError traceback (issue 14, item 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_core.config.overrides import parse_override
from codex_core.errors import ConfigError

DEEP = "[" * 100_000 + "]" * 100_000


def test_deep_auth_json_is_a_clear_auth_error(tmp_path: Path) -> None:
    from codex_core.auth import auth_file, stored_api_key
    from codex_core.errors import AuthError

    auth_file(tmp_path).write_text(DEEP)
    with pytest.raises(AuthError, match="nested too deeply"):
        stored_api_key(tmp_path)


def test_deep_line_in_a_rollout_is_skipped(codex_home: Path, tmp_path: Path) -> None:
    from tests.support.rollouts import make_recorder

    from codex_core.protocol.items import Message
    from codex_core.session import read_rollout

    rec = make_recorder(codex_home, tmp_path)
    rec.record_items([Message.user("hi")])
    rec.close()
    with rec.path.open("a") as f:
        f.write(DEEP + "\n")
    assert [i.type for i in read_rollout(rec.path).history] == ["message"]


def test_deep_override_value_names_the_key() -> None:
    with pytest.raises(ConfigError, match="model: value is nested too deeply"):
        parse_override("model=" + "[" * 100_000 + "]" * 100_000)
    assert json.dumps(parse_override("model='x'")[1]) == '"x"'
