"""Every package's curated ``__all__`` is sorted and every name in it resolves."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "codex_core",
    "codex_core.config",
    "codex_core.protocol",
    "codex_core.client",
    "codex_core.testing",
    "codex_core.session",
    "codex_core.sandbox",
    "codex_core.exec",
    "codex_core.network",
    "codex_core.execpolicy",
    "codex_core.approvals",
    "codex_core.apply_patch",
    "codex_core.mcp",
    "codex_core.errors",
    "codex_tui",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(set(exported)) == len(exported), f"duplicates in {name}.__all__"
    for attr in exported:
        assert getattr(module, attr) is not None or attr.isupper(), f"{name}.{attr}"


def test_sdk_entry_points() -> None:
    from codex_core import Codex, Thread, TurnResult, load_config

    assert Codex.start_thread and Thread.run_streamed and TurnResult and load_config
