from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from codex_core.config.models import HistoryToml
from codex_core.errors import SessionError
from codex_core.protocol.items import FunctionCall, Message
from codex_core.session import (
    RolloutRecorder,
    append_history,
    find_rollout,
    list_sessions,
    read_history,
    read_rollout,
)
from tests.support.rollouts import make_recorder


def test_history_jsonl_mode_and_trim(codex_home: Path) -> None:
    settings = HistoryToml(max_bytes=200)
    for i in range(10):
        append_history(codex_home, settings, session_id="s", text=f"prompt number {i}")
    path = codex_home / "history.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_size <= 200
    texts = read_history(codex_home)
    assert texts[-1] == "prompt number 9" and "prompt number 0" not in texts
    line = json.loads(path.read_text().splitlines()[-1])
    assert set(line) == {"session_id", "ts", "text"}
    append_history(codex_home, HistoryToml(persistence="none"), session_id="s", text="secret")
    assert "secret" not in read_history(codex_home)


def test_rollout_roundtrip_and_torn_line(codex_home: Path, tmp_path: Path) -> None:
    rec = make_recorder(codex_home, tmp_path)
    items = [Message.user("hi"), FunctionCall(name="shell", arguments="{}", call_id="c1")]
    rec.record_items(items)
    rec.record_event({"type": "user_message", "message": "hi"})
    rec.close()
    name = rec.path.name
    assert name.startswith("rollout-") and name.endswith("-0199a213-81c0-7800-8aa1-bbab2a035a53.jsonl")
    assert rec.path.parent.parent.parent.parent == codex_home / "sessions"
    first = json.loads(rec.path.read_text().splitlines()[0])
    assert first["type"] == "session_meta" and first["payload"]["id"].startswith("0199a213")
    assert first["timestamp"].endswith("Z")
    # simulate a kill -9 mid-line
    with rec.path.open("a") as fh:
        fh.write('{"timestamp": "x", "type": "response_item", "payload": {"type": "mess')
    resumed = read_rollout(rec.path)
    assert [i.type for i in resumed.history] == ["message", "function_call"]
    # appending after a torn line starts a fresh line
    rec2 = RolloutRecorder.append_to(rec.path)
    rec2.record_items([Message.assistant("after")])
    rec2.close()
    assert [i.type for i in read_rollout(rec.path).history] == ["message", "function_call", "message"]


def test_list_and_find(codex_home: Path, tmp_path: Path) -> None:
    rec = make_recorder(codex_home, tmp_path)
    rec.record_event({"type": "user_message", "message": "first prompt"})
    rec.close()
    sessions = list_sessions(codex_home, cwd=tmp_path)
    assert len(sessions) == 1 and sessions[0].preview == "first prompt"
    assert list_sessions(codex_home, cwd=tmp_path / "other") == []
    assert find_rollout(codex_home, "0199a213") == rec.path
    with pytest.raises(SessionError, match="no saved session"):
        find_rollout(codex_home, "ffffffff")


def test_not_a_session_file(tmp_path: Path) -> None:
    bad = tmp_path / "rollout-x.jsonl"
    bad.write_text("garbage\n")
    with pytest.raises(SessionError, match="not a Codex session file"):
        read_rollout(bad)


def test_empty_git_placeholder_is_not_a_repo(tmp_path: Path) -> None:
    import subprocess

    from codex_core.git import find_git_root

    outer = tmp_path / "outer"
    inner = outer / "inner"
    inner.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(outer)], check=True)
    (inner / ".git").mkdir()  # what the sandbox leaves behind as a read-only placeholder
    assert find_git_root(inner) == outer
    (inner / ".git").rmdir()
    (inner / ".git").write_text("gitdir: ../.git/worktrees/x\n")
    assert find_git_root(inner) == inner


def test_session_info_has_provider_and_created(codex_home: Path, tmp_path: Path) -> None:
    rec = make_recorder(codex_home, tmp_path, tid="0199a213-81c0-7800-8aa1-bbab2a035a54")
    rec.close()
    info = list_sessions(codex_home)[0]
    assert info.model_provider == "p" and info.created_at is not None
