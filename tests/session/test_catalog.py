"""codex_core.session.catalog: names found from the end of a rollout; archive moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_core.errors import SessionError, UsageError
from codex_core.session import archive_session, read_thread_name, set_thread_name, unarchive_session
from tests.support.rollouts import make_recorder


def _rollout(home: Path) -> Path:
    rec = make_recorder(home, home, tid="11111111-2222-3333-4444-555555555555")
    rec.close()
    return rec.path


def test_last_name_wins_and_torn_lines_are_skipped(tmp_path: Path) -> None:
    path = _rollout(tmp_path)
    assert read_thread_name(path) is None
    assert set_thread_name(path, " first ") == "first"
    set_thread_name(path, "second")
    assert read_thread_name(path) == "second"
    with path.open("a", encoding="utf-8") as fh:  # a killed writer's half line naming a third
        fh.write('{"timestamp": "x", "type": "event_msg", "payload": {"type": "thread_name_updated", "thread_na')
    assert read_thread_name(path) == "second"
    with path.open("a", encoding="utf-8") as fh:  # the marker inside another record's nested object
        fh.write(
            '\n{"timestamp": "x", "type": "response_item", "payload": {"type": "function_call_output", '
            '"output": {"type": "thread_name_updated", "thread_name": "fake"}}}\n'
        )
    assert read_thread_name(path) == "second"
    for bad in ("", "   ", "two\nlines", "x" * 201):
        with pytest.raises(UsageError):
            set_thread_name(path, bad)


def test_archive_and_unarchive_move_the_file(tmp_path: Path) -> None:
    path = _rollout(tmp_path)
    archived = archive_session(tmp_path, "11111111")
    assert archived.parent == tmp_path / "archived_sessions" and not path.exists()
    with pytest.raises(SessionError):
        archive_session(tmp_path, "11111111")  # no longer under sessions/
    restored = unarchive_session(tmp_path, "11111111")
    assert restored == path and path.exists()
