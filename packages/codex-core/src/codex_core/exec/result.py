"""``ExecResult``: the outcome of one command, as the agent loop and the model see it."""

from __future__ import annotations

import attrs

__all__ = ["TIMEOUT_EXIT_CODE", "ExecResult"]

TIMEOUT_EXIT_CODE = 124


@attrs.frozen(kw_only=True)
class ExecResult:
    """Exit status and bounded (head+tail) output of a finished command."""

    exit_code: int
    """The command's exit code; ``128 + n`` when killed by signal ``n``; 124 on timeout."""
    stdout: str
    stderr: str
    aggregated_output: str
    """stdout and stderr interleaved in the order they were produced."""
    duration_s: float
    timed_out: bool = False
    timeout_ms: int | None = None
    """The timeout that fired (for the ``command timed out after N milliseconds`` prefix)."""
    sandbox_denied: str | None = None
    """Why the sandbox blocked the command (a legible sentence), when it did."""
