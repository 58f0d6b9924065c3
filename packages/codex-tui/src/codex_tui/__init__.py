"""codex-py-tui: the fullscreen Textual TUI that ``codex`` (``codex_exec.multitool``) opens.

Public API (imported lazily so ``codex --help`` does not load Textual)::

    from codex_tui import CodexApp, run_tui, ResumeRequest

``run_tui(opts, prompt=..., images=[...], alt_screen=True)`` is what ``codex`` runs with no
subcommand; ``CodexApp(codex, config, thread=...)`` is the Textual app itself (drive it with
``app.run_test()`` in tests).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codex_tui.app import CodexApp
    from codex_tui.launch import ResumeRequest, run_tui

__all__ = ["CodexApp", "ResumeRequest", "run_tui"]

_WHERE = {"CodexApp": "codex_tui.app", "ResumeRequest": "codex_tui.launch", "run_tui": "codex_tui.launch"}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'codex_tui' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
