"""Sessions: rollout files, resume, and prompt history."""

from codex_core.session.catalog import archive_session, read_thread_name, set_thread_name, unarchive_session
from codex_core.session.history import append_history, read_history
from codex_core.session.rollout import (
    ResumedSession,
    RolloutRecorder,
    RolloutTurn,
    SessionInfo,
    find_rollout,
    latest_diff,
    list_sessions,
    read_rollout,
    read_saved,
    rollout_turns,
    session_info,
)

__all__ = [
    "ResumedSession",
    "RolloutRecorder",
    "RolloutTurn",
    "SessionInfo",
    "append_history",
    "archive_session",
    "find_rollout",
    "latest_diff",
    "list_sessions",
    "read_history",
    "read_rollout",
    "read_saved",
    "read_thread_name",
    "rollout_turns",
    "session_info",
    "set_thread_name",
    "unarchive_session",
]
