"""The interactive TUI, which lives in the optional ``codex-py-tui`` distribution.

``codex`` with no subcommand, ``codex resume`` and ``codex fork`` open it; every other
subcommand runs without it (and without Textual).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from codex_exec.cli_options import fail

__all__ = ["TUI_MISSING", "load_tui"]

TUI_MISSING = "the interactive TUI is not installed: pip install codex-py-tui; `codex exec` runs headless"


def load_tui() -> ModuleType:
    """``codex_tui.launch`` (``run_tui``, ``ResumeRequest``), or one ``Error:`` line and exit 1
    when the ``codex-py-tui`` distribution is not installed."""
    try:
        return importlib.import_module("codex_tui.launch")
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.split(".")[0] == "codex_tui":
            fail(TUI_MISSING)
        fail(f"the interactive TUI cannot start: {exc} (reinstall codex-py-tui)")
        raise AssertionError("unreachable") from exc
