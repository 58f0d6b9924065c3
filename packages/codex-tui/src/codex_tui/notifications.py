"""Desktop notifications as OSC 9 escapes (``ESC ] 9 ; message BEL``).

``[tui] notifications`` (``true`` or a list of ``"agent-turn-complete"`` /
``"approval-requested"``) enables them; they are sent only while the terminal window is
unfocused and the terminal is known to understand OSC 9. The ``notify = [argv...]`` program is
run by core itself after every completed turn (``codex_core.Thread``), for every frontend.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

__all__ = [
    "APPROVAL_REQUESTED",
    "TURN_COMPLETE",
    "notification_enabled",
    "osc9",
    "supports_osc9",
]

TURN_COMPLETE = "agent-turn-complete"
APPROVAL_REQUESTED = "approval-requested"
_OSC9_TERM_PROGRAMS = frozenset({"iTerm.app", "WezTerm", "ghostty", "WarpTerminal", "vscode"})
_OSC9_TERMS = ("xterm-kitty", "xterm-ghostty", "wezterm", "foot")


def supports_osc9(env: Mapping[str, str] | None = None) -> bool:
    """Whether the terminal is known to show OSC 9 as a desktop notification."""
    env = os.environ if env is None else env
    if env.get("TMUX"):
        return False
    if env.get("TERM_PROGRAM", "") in _OSC9_TERM_PROGRAMS:
        return True
    term = env.get("TERM", "")
    return any(term.startswith(t) for t in _OSC9_TERMS) or "KITTY_WINDOW_ID" in env


def notification_enabled(setting: bool | Sequence[str], event: str) -> bool:
    """Interpret ``[tui] notifications`` for one event kind."""
    if isinstance(setting, bool):
        return setting
    return event in setting


def osc9(message: str) -> str:
    """The OSC 9 escape for ``message`` (control characters removed, length capped)."""
    clean = "".join(ch for ch in message if ch.isprintable())[:200]
    return f"\x1b]9;{clean}\x07"
