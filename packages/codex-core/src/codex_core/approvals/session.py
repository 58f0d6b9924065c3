"""Per-session cache of "approved for this session" commands and prefixes."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import attrs

from codex_core.execpolicy.shell_split import parse_command_for_policy_detailed

__all__ = ["SessionApprovals"]


@attrs.define(kw_only=True)
class SessionApprovals:
    """Commands (exact argv) and prefixes the user approved for the rest of the session.

    Each entry remembers whether the approval allowed running *outside* the sandbox
    (``escalated``). An escalated request is only covered by an escalated entry; a normal
    request is covered by any entry. Thread-safe.
    """

    _commands: dict[tuple[str, ...], bool] = attrs.field(factory=dict, init=False)
    _prefixes: dict[tuple[str, ...], bool] = attrs.field(factory=dict, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def approve_command(self, argv: Sequence[str], *, escalated: bool = False) -> None:
        """Remember the exact ``argv`` (an escalated approval also covers non-escalated use)."""
        key = tuple(argv)
        with self._lock:
            self._commands[key] = self._commands.get(key, False) or escalated

    def approve_prefix(self, prefix: Sequence[str], *, escalated: bool = False) -> None:
        """Remember a prefix: every (sub-)command starting with it is covered."""
        key = tuple(prefix)
        if not key:
            raise ValueError("session approval prefix cannot be empty")
        with self._lock:
            self._prefixes[key] = self._prefixes.get(key, False) or escalated

    def covers(self, argv: Sequence[str], *, escalated: bool = False) -> bool:
        """True when ``argv`` was approved for the session (with escalation if ``escalated``).

        Matches the exact argv, or -- when the argv splits cleanly -- every sub-command must be
        covered by an exact or prefix entry.
        """
        with self._lock:
            if self._entry_covers(self._commands.get(tuple(argv)), escalated):
                return True
            parsed = parse_command_for_policy_detailed(argv)
            if parsed.opaque:
                return False
            return all(self._sub_command_covered(c, escalated) for c in parsed.commands)

    def _sub_command_covered(self, command: tuple[str, ...], escalated: bool) -> bool:
        if self._entry_covers(self._commands.get(command), escalated):
            return True
        return any(
            command[: len(prefix)] == prefix and self._entry_covers(flag, escalated)
            for prefix, flag in self._prefixes.items()
        )

    @staticmethod
    def _entry_covers(entry: bool | None, escalated: bool) -> bool:
        return entry is not None and (entry or not escalated)

    def __len__(self) -> int:
        with self._lock:
            return len(self._commands) + len(self._prefixes)
