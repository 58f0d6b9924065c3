"""Human-readable rendering of the event stream for ``codex exec`` (progress on stderr)."""

from __future__ import annotations

import sys
from typing import TextIO

from codex_core.config import Config
from codex_core.protocol.events import ThreadEvent

__all__ = ["HumanRenderer"]

_MAX_OUTPUT_LINES = 20


class HumanRenderer:
    """Prints a header, then one section per completed item; deltas only on a TTY."""

    def __init__(self, *, err: TextIO | None = None, color: bool = False) -> None:
        self.err = err or sys.stderr
        self.color = color
        self._streaming: str | None = None
        self._cwd = "."
        self._last_error: str | None = None
        """The last ``error`` event shown: the ``turn.failed`` that follows repeats it."""

    def _c(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def _p(self, text: str = "") -> None:
        print(text, file=self.err, flush=True)

    def header(self, config: Config, thread_id: str | None, prompt: str) -> None:
        self._cwd = str(config.cwd)
        self._p(self._c("codex-py exec", "1"))
        self._p("--------")
        rows = [
            ("workdir", str(config.cwd)),
            ("model", config.model),
            ("provider", config.model_provider_id),
            ("approval", config.approval_policy),
            ("sandbox", config.sandbox_mode),
            ("reasoning effort", config.model_reasoning_effort or "default"),
            ("reasoning summaries", config.model_reasoning_summary or "auto"),
        ]
        if thread_id:
            rows.append(("session id", thread_id))
        for k, v in rows:
            self._p(f"{self._c(k, '2')}: {v}")
        self._p("--------")
        self._p(self._c("user", "36;1"))
        self._p(prompt)

    def _end_stream(self) -> None:
        if self._streaming is not None:
            self._p()
            self._streaming = None

    def event(self, ev: ThreadEvent) -> None:
        t = ev.type
        if t == "item.delta":
            if not self.err.isatty() or ev.kind == "command_output":
                return
            if self._streaming != ev.item_id:
                self._end_stream()
                self._p(self._c("codex" if ev.kind == "agent_message" else "thinking", "35;1"))
                self._streaming = ev.item_id
            self.err.write(ev.delta)
            self.err.flush()
            return
        if t == "item.started" and ev.item.type == "command_execution":
            self._end_stream()
            self._p(self._c("exec", "35;1"))
            self._p(self._c(ev.item.command, "1") + f" in {self._cwd}")
            return
        if t in ("item.started", "item.updated") and ev.item.type == "todo_list":
            self._end_stream()
            self._p(self._c("plan", "35;1"))
            for e in ev.item.items:
                self._p(f"  {'[x]' if e.completed else '[ ]'} {e.text}")
            return
        if t == "item.completed":
            item = ev.item
            streamed = self._streaming == item.id
            self._end_stream()
            if item.type == "agent_message":
                if not streamed:
                    self._p(self._c("codex", "35;1"))
                    self._p(item.text)
            elif item.type == "reasoning":
                if not streamed:
                    self._p(self._c("thinking", "35;3"))
                    self._p(self._c(item.text, "3"))
            elif item.type == "command_execution":
                ok = item.status == "completed" and item.exit_code == 0
                status = (
                    "succeeded" if ok else (item.status if item.status == "declined" else f"exited {item.exit_code}")
                )
                self._p(self._c(f"{item.command} {status}", "32" if ok else "31"))
                lines = item.aggregated_output.splitlines()
                shown = lines[:_MAX_OUTPUT_LINES]
                for line in shown:
                    self._p(self._c(line, "2"))
                if len(lines) > len(shown):
                    self._p(self._c(f"... +{len(lines) - len(shown)} lines", "2"))
            elif item.type == "file_change":
                self._p(self._c("file update" if item.status == "completed" else "file update failed", "35;1"))
                for ch in item.changes:
                    mark = {"add": "A", "delete": "D", "update": "M"}[ch.kind]
                    self._p(f"{mark} {ch.path}")
            elif item.type == "mcp_tool_call":
                self._p(self._c(f"tool {item.server}.{item.tool}({item.arguments or ''}) {item.status}", "35;1"))
            elif item.type == "todo_list":
                pass  # shown when started/updated; the completed copy repeats the last state
            elif item.type == "web_search":
                self._p(self._c(f"web search: {item.query}", "35;1"))
            elif item.type == "error":
                self._p(self._c(f"ERROR: {item.message}", "31"))
            return
        if t == "warning":
            self._end_stream()
            self._p(self._c(f"warning: {ev.message}", "33"))
        elif t == "error":
            self._end_stream()
            self._p(self._c(f"ERROR: {ev.message}", "31;1"))
            self._last_error = ev.message
        elif t == "turn.completed":
            self._end_stream()
            u = ev.usage
            self._p(self._c("tokens used", "35;1"))
            self._p(
                f"{u.input_tokens + u.output_tokens:,} (input {u.input_tokens:,}, cached {u.cached_input_tokens:,}, output {u.output_tokens:,})"
            )
        elif t == "turn.failed":
            self._end_stream()
            if ev.error.message != self._last_error:  # else already shown as ERROR
                self._p(self._c(f"turn failed: {ev.error.message}", "31;1"))
            self._last_error = None
        elif t == "approval.requested":
            self._p(self._c("approval requested, but codex exec cannot ask: denied", "33"))

    def spinner(self, frame: int) -> None:
        """Show a spinner while waiting for the model (TTY only); cleared by the next print."""
        if not self.err.isatty() or self._streaming is not None:
            return
        glyph = "|/-\\"[frame % 4]
        self.err.write(f"\r{glyph} working...\r")
        self.err.flush()

    def clear_spinner(self) -> None:
        if self.err.isatty() and self._streaming is None:
            self.err.write("\r\x1b[K")
            self.err.flush()
