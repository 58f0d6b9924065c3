"""What ``codex`` prints after the TUI closes, as Codex 0.169 does (``--no-daemon``)::

    Token usage: total=580 input=468 (+ 2,000 cached) output=112 (reasoning 40)
    To continue this session, run:
      codex resume 01a23b1b-e438-7b01-b065-71132c8b308d

``total`` is the blended total the reference shows: input not served from the cache plus
output. A session that never reached the model has no usage line; one without a saved rollout
(no turn yet) prints ``Session ID: <id>`` instead of the resume command, since there is nothing
to resume.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ExitSummary", "format_token_usage"]

_CYAN = "\x1b[36m"
_DEFAULT_FG = "\x1b[39m"


def format_token_usage(input_tokens: int, cached_input_tokens: int, output_tokens: int, reasoning_tokens: int) -> str:
    """The reference's ``Token usage:`` line (``input_tokens`` includes the cached ones)."""
    fresh_input = max(input_tokens - cached_input_tokens, 0)
    line = f"Token usage: total={fresh_input + output_tokens:,} input={fresh_input:,}"
    if cached_input_tokens > 0:
        line += f" (+ {cached_input_tokens:,} cached)"
    line += f" output={output_tokens:,}"
    if reasoning_tokens > 0:
        line += f" (reasoning {reasoning_tokens:,})"
    return line


@dataclass(frozen=True, slots=True)
class ExitSummary:
    """The session's token totals and id when the app exits."""

    session_id: str | None
    resumable: bool
    """A rollout file exists, so ``codex resume <id>`` works."""
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0

    def lines(self, *, color: bool = False) -> list[str]:
        out: list[str] = []
        if self.input_tokens or self.output_tokens:
            out.append(
                format_token_usage(
                    self.input_tokens, self.cached_input_tokens, self.output_tokens, self.reasoning_tokens
                )
            )
        if self.session_id and self.resumable:
            command = f"codex resume {self.session_id}"
            out += ["To continue this session, run:", "  " + (f"{_CYAN}{command}{_DEFAULT_FG}" if color else command)]
        elif self.session_id:
            out.append(f"Session ID: {self.session_id}")
        return out
