"""A rollout recorder with fixed metadata, for tests that need a real session file."""

from __future__ import annotations

from pathlib import Path

from codex_core.session import RolloutRecorder

__all__ = ["make_recorder"]


def make_recorder(codex_home: Path, cwd: Path, tid: str = "0199a213-81c0-7800-8aa1-bbab2a035a53") -> RolloutRecorder:
    return RolloutRecorder.create(
        codex_home,
        thread_id=tid,
        cwd=cwd,
        originator="test",
        cli_version="0",
        source="exec",
        model_provider="p",
        instructions=None,
    )
