"""The slash commands of the TUI (``/model``, ``/permissions``, ``/status``, ``/new``, ``/resume``,
``/review``, ...), as a mixin of ``CodexApp``: each ``_slash_<name>`` method is what
``run_slash_command`` dispatches to. The work itself is done by ``codex_core``; these methods
only ask, show and forward.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work

from codex_tui.core_api import SessionInfoLike
from codex_tui.diff_render import git_working_tree_diff
from codex_tui.messages import TurnEnded
from codex_tui.screens.picker import PickerItem, PickerScreen
from codex_tui.slash_commands import (
    APPROVAL_PRESETS,
    INIT_PROMPT,
)
from codex_tui.widgets.cells import DiffCell, UserCell
from codex_tui.widgets.status import blended_total, context_left_percent, format_tokens

if TYPE_CHECKING:
    from codex_core.config import Config


__all__ = ["SlashCommandsMixin", "catalogue_window"]

log = logging.getLogger("codex.tui")

_CONTEXT_PREFIXES = ("<environment_context>", "<user_instructions>", "# AGENTS.md instructions")
"""User-role messages that core injects as context; not shown when replaying a resumed thread."""


class SlashCommandsMixin:
    """``_slash_*`` handlers of ``CodexApp`` (they use its widgets, config and thread via ``self``)."""

    async def _slash_model(self, arg: str) -> None:
        """``/model [NAME [EFFORT]]``: without a name, a picker over the provider's models (the
        bundled catalogue when it lists none), then one over the chosen model's reasoning efforts."""
        if arg:
            name, _, effort = arg.partition(" ")
            await self._set_model(name, effort.strip().lower() or None)
            return
        from codex_core.client.model_catalog import available_models

        cfg = self.active_config
        presets, source = await asyncio.to_thread(available_models, cfg)
        by_slug = {p.slug: p for p in presets}
        items = [PickerItem(p.slug, p.display_name, p.description, current=p.slug == cfg.model) for p in presets]
        if cfg.model not in by_slug:
            items.insert(0, PickerItem(cfg.model, cfg.model, "the current model", current=True))
        where = f"{cfg.model_provider_id}'s models" if source == "provider" else "type /model NAME for another"
        title = f"Select model and effort ({where})"

        async def chosen(value: str | None) -> None:
            if not value:
                return
            preset = by_slug.get(value)
            efforts = _supported_efforts(preset.efforts if preset is not None else ())
            if not efforts:
                await self._set_model(value, None)
                return
            self._pick_effort(value, preset.display_name if preset else value, efforts, preset)

        self.push_screen(PickerScreen(title, items), chosen)

    def _pick_effort(self, model: str, label: str, efforts: list[str], preset: Any) -> None:
        """The second step of ``/model``: the reasoning effort, the model's default highlighted."""
        from codex_core.client.model_catalog import EFFORT_DESCRIPTIONS

        cfg = self.active_config
        current = cfg.model_reasoning_effort if cfg.model == model else None
        default = getattr(preset, "default_effort", None)
        items = [
            PickerItem(
                effort,
                _effort_label(effort) + (" (default)" if effort == default else ""),
                EFFORT_DESCRIPTIONS.get(effort, ""),
                current=effort == (current or default),
            )
            for effort in efforts
        ]

        async def chosen(value: str | None) -> None:
            if value:
                await self._set_model(model, value)

        self.push_screen(PickerScreen(f"Select reasoning effort for {label}", items), chosen)

    async def _set_model(self, model: str, effort: str | None = None) -> None:
        assert self.thread is not None
        if effort is not None and effort not in _supported_efforts((effort,)):
            await self._info(f"/model: unknown reasoning effort {effort!r} (use {', '.join(_CORE_EFFORTS)}).", "error")
            return
        try:
            if effort is None:
                self.thread.override(model=model)
            else:
                self.thread.override(model=model, reasoning_effort=effort)  # type: ignore[call-arg]
        except Exception as exc:  # e.g. managed requirements
            await self._info(f"/model: {exc}", "error")
            return
        self._refresh_status()
        self.status.model = model
        text = Text.assemble("Model changed to ", (model, "bold"))
        if effort is not None:
            text.append(f" (reasoning {effort})")
        await self._info(text)

    async def _slash_permissions(self, arg: str) -> None:
        """``/permissions`` (alias ``/approvals``): the Read Only / Auto / Full Access presets."""
        cfg = self.active_config
        items = [
            PickerItem(
                p.id,
                p.label,
                p.description,
                current=(p.approval_policy, p.sandbox_mode) == (cfg.approval_policy, cfg.sandbox_mode),
            )
            for p in APPROVAL_PRESETS
        ]

        async def chosen(value: str | None) -> None:
            preset = next((p for p in APPROVAL_PRESETS if p.id == value), None)
            if preset is None or self.thread is None:
                return
            self.thread.override(approval_policy=preset.approval_policy, sandbox_mode=preset.sandbox_mode)
            self._refresh_status()
            self.status.approval = preset.approval_policy
            self.status.sandbox = preset.sandbox_mode
            await self._info(
                Text.assemble(
                    "Approval mode: ",
                    (preset.label, "bold"),
                    f" (approvals {preset.approval_policy}, sandbox {preset.sandbox_mode})",
                )
            )

        self.push_screen(PickerScreen("Select approval mode", items), chosen)

    async def _slash_status(self, arg: str) -> None:
        cfg = self.active_config
        rows = [
            ("Session", (self.thread.id if self.thread is not None else None) or "(not started)"),
            ("Model", f"{self.status.model or cfg.model} (provider {cfg.model_provider_id})"),
            ("Directory", self.status.cwd),
            ("Approvals", self.status.approval),
            ("Sandbox", self.status.sandbox),
        ]
        effort = cfg.model_reasoning_effort
        model = self.status.model or cfg.model
        rows[1] = ("Model", f"{model} (reasoning {effort or 'default'}, provider {cfg.model_provider_id})")
        usage = self.status.total_usage
        if usage is not None:
            fresh = max(0, usage.input_tokens - usage.cached_input_tokens)
            detail = f"{format_tokens(fresh)} input + {format_tokens(usage.output_tokens)} output"
            if usage.cached_input_tokens:
                detail += f", {format_tokens(usage.cached_input_tokens)} cached"
            rows.append(("Tokens", f"{format_tokens(blended_total(usage))} total ({detail})"))
        window = self.status.context_window
        if window:
            used = self.status.context_used or 0
            left = context_left_percent(used, window)
            rows.append(("Context", f"{left}% left ({format_tokens(used)} used / {format_tokens(window)})"))
        text = Text("Status\n", style="bold")
        for key, value in rows:
            text.append(f"  {key:<10} ", style="dim")
            text.append(f"{value}\n")
        text.rstrip()
        await self._info(text)

    async def _slash_diff(self, arg: str) -> None:
        diff = await git_working_tree_diff(self.active_config.cwd)
        if diff is None:
            await self._info("/diff: not inside a git repository.", "warning")
            return
        await self.transcript.add_cell(DiffCell(diff, self.active_config.cwd))

    async def _slash_new(self, arg: str) -> None:
        assert self.codex is not None
        chosen = self.active_config
        self.thread = self.codex.start_thread()
        await self._carry_over_choices(chosen)
        await self._reset_view("New conversation.")

    _CARRIED_SETTINGS = ("model", "model_reasoning_effort", "approval_policy", "sandbox_mode")
    """What ``/model`` and ``/permissions`` choose; a new or forked thread keeps these choices."""

    async def _carry_over_choices(self, chosen: Config) -> None:
        """Apply the session's ``/model`` and ``/permissions`` choices (``chosen``: the previous
        thread's config) to the new ``self.thread``, which core built from the launch config."""
        thread = self.thread
        if thread is None:
            return
        current = thread.config
        changes = {
            key: getattr(chosen, key)
            for key in self._CARRIED_SETTINGS
            if getattr(chosen, key, None) is not None and getattr(chosen, key) != getattr(current, key, None)
        }
        if not changes:
            return
        kwargs = {("reasoning_effort" if k == "model_reasoning_effort" else k): v for k, v in changes.items()}
        try:
            thread.override(**kwargs)
        except Exception as exc:  # e.g. managed requirements changed meanwhile
            log.warning("could not keep the session's choices %s: %s", kwargs, exc)
            await self._info(f"Could not keep your choices for the new conversation: {exc}", "warning")
        self._refresh_status()

    async def _reset_view(self, note: str) -> None:
        await self.transcript.clear()
        self.status.tokens_used = None
        self._refresh_status()
        await self._welcome(note)

    async def _slash_resume(self, arg: str) -> None:
        if arg:
            await self._resume(arg)
        else:
            self._open_resume_picker(start_new_on_cancel=False)

    def _open_resume_picker(self, *, start_new_on_cancel: bool, show_all: bool = False) -> None:
        cfg = self.active_config
        try:
            sessions = list(self.list_sessions(cfg.codex_home, None if show_all else cfg.cwd))
        except Exception as exc:
            log.exception("listing sessions failed")
            sessions = []
            self.call_later(self._info, f"Could not list sessions: {exc}", "error")
        current = self.thread.id if self.thread is not None else None
        items = [
            PickerItem(s.id, _session_label(s), str(s.id)[:8])
            for s in sessions
            if s.id != current and (s.preview or "").strip()
        ]

        async def chosen(value: str | None) -> None:
            if value:
                await self._resume(value)
            elif start_new_on_cancel:
                assert self.codex is not None
                self.thread = self.codex.start_thread()
            if start_new_on_cancel and self.thread is not None:
                self.resume_picker = False
                await self._became_ready()

        self.push_screen(PickerScreen("Resume a previous session", items, empty_text="No saved sessions."), chosen)

    async def _resume(self, thread_id: str) -> None:
        assert self.codex is not None
        try:
            self.thread = self.codex.resume_thread(thread_id)
        except Exception as exc:
            log.exception("resume failed")
            await self._info(f"Could not resume {thread_id}: {exc}", "error")
            if self.thread is None:
                self.thread = self.codex.start_thread()
            return
        await self._reset_view(f"Resumed session {self.thread.id or thread_id}.")
        await self._replay_history()

    async def _replay_history(self) -> None:
        """Show a resumed (or forked) thread as it happened. Core reads it from the rollout
        (``codex_core.session.transcript``): prompts, answers, reasoning, commands with their
        output, ``!cmd``, diffs, interruptions; a compaction hides nothing. A thread without a
        rollout shows its messages."""
        path = getattr(self.thread, "rollout_path", None)
        entries: list[Any] | None = None
        if path is not None:
            from codex_core.session.transcript import read_transcript

            try:
                entries = await asyncio.to_thread(read_transcript, Path(path))
            except Exception:  # unreadable: fall back to the messages core holds
                log.exception("reading the transcript of %s failed", path)
        if entries is None:
            await self._replay_messages()
            return
        from codex_core.protocol.events import ItemCompleted

        for entry in entries:
            if entry.kind == "user":
                await self.transcript.add_cell(UserCell(entry.text))
            elif entry.kind == "interrupted":
                await self._info("Interrupted.", "warning")
            elif entry.kind == "compacted":
                await self._info("Conversation compacted.")
            elif entry.item is not None:
                if entry.by_user:
                    self.transcript.user_commands.add(entry.item.id)
                await self.transcript.apply(ItemCompleted(item=entry.item))

    async def _replay_messages(self) -> None:
        """The user and assistant messages core holds (a thread without a rollout file)."""
        display = getattr(self.thread, "display_items", None)
        history = display() if callable(display) else (getattr(self.thread, "history", None) or [])
        for item in history:
            if getattr(item, "type", None) != "message":
                continue
            text = item.text
            if item.role == "user" and not text.startswith(_CONTEXT_PREFIXES):
                await self.transcript.add_cell(UserCell(text))
            elif item.role == "assistant" and text:
                from codex_tui.widgets.agent_message import AgentMessageCell

                cell = AgentMessageCell(f"history-{id(item)}")
                await self.transcript.add_cell(cell)
                await cell.set_text(text)

    async def _slash_compact(self, arg: str) -> None:
        self.turn_running = True
        self.status.working = True
        self._turn_worker = self._run_compact()

    @work(exclusive=True, group="turn", exit_on_error=False)
    async def _run_compact(self) -> None:
        assert self.thread is not None
        await self._info("Compacting the conversation…")
        error: str | None = None
        try:
            await self.thread.compact()
        except Exception as exc:
            log.exception("compact failed")
            error = f"Compaction failed: {exc}"
        else:
            await self._info("Conversation compacted.")
        self.turn_running = False
        self.status.working = False
        if error:
            await self._info(error, "error")

    async def _slash_init(self, arg: str) -> None:
        target = self.active_config.cwd / "AGENTS.md"
        if target.exists():
            await self._info("AGENTS.md already exists here. Skipping /init to avoid overwriting it.", "warning")
            return
        await self._submit_user_text(INIT_PROMPT, shown="/init — create AGENTS.md")

    async def _slash_mention(self, arg: str) -> None:
        self.composer.start_mention()

    async def _slash_quit(self, arg: str) -> None:
        self.exit(0)

    async def _slash_rename(self, arg: str) -> None:
        """``/rename NAME``: core stores the name in the session (``Thread.set_name``)."""
        if not arg:
            await self._info("Type the new name after /rename, then Enter.")
            self._restore_composer("/rename ")
            return
        set_name = getattr(self.thread, "set_name", None)
        if set_name is None:
            await self._info("/rename: this session cannot be renamed.", "warning")
            return
        try:
            name = set_name(arg)
        except Exception as exc:  # UsageError: empty, several lines, too long
            await self._info(f"/rename: {exc}", "error")
            return
        await self._info(Text.assemble("Thread renamed to ", (str(name), "bold")))

    async def _slash_fork(self, arg: str) -> None:
        """``/fork``: continue in a copy of this conversation (``Codex.fork_thread``); the
        original stays as it is and can be resumed."""
        fork = getattr(self.codex, "fork_thread", None)
        if fork is None or self.thread is None:
            await self._info("/fork: not available in this session.", "warning")
            return
        source = self.thread
        try:
            forked = fork(source)
        except Exception as exc:
            log.exception("fork failed")
            await self._info(f"Could not fork the session: {exc}", "error")
            return
        chosen = self.active_config
        self.thread = forked
        await self._carry_over_choices(chosen)
        await self._reset_view(f"Forked from session {source.id}.")
        await self._replay_history()

    async def _slash_mcp(self, arg: str) -> None:
        """``/mcp``: the configured MCP servers, their state and tools (nothing is started for it)."""
        from codex_core.mcp.status import mcp_server_status

        manager = getattr(getattr(self.thread, "_state", None), "mcp", None)
        servers = mcp_server_status(self.active_config.mcp_servers, manager)
        if not servers:
            await self._info("No MCP servers configured. Add one with `codex mcp add` (see docs/mcp.md).")
            return
        text = Text("MCP servers\n", style="bold")
        for server in servers:
            style = {"ready": "green", "failed": "red", "disabled": "dim"}.get(server.state, "yellow")
            text.append(f"  {server.name}", style="bold")
            text.append(f"  {server.state}", style=style)
            text.append(f"  {server.transport}\n", style="dim")
            if server.tools:
                text.append("    tools: " + ", ".join(server.tools) + "\n")
            elif server.state == "not started":
                text.append("    tools are listed once the first message has started the server\n", style="dim")
        text.rstrip()
        await self._info(text)

    async def _slash_copy(self, arg: str) -> None:
        """``/copy``: the last assistant answer to the clipboard (OSC 52, works over SSH)."""
        from codex_tui.widgets.agent_message import AgentMessageCell

        answers = [c.text for c in self.transcript.query(AgentMessageCell) if c.text.strip()]
        if not answers:
            await self._info("No response to copy yet.", "warning")
            return
        self.copy_to_clipboard(answers[-1])
        await self._info(f"Copied the last response ({len(answers[-1])} characters) to the clipboard.")

    async def _slash_logout(self, arg: str) -> None:
        """``/logout``: remove the stored credentials (``$CODEX_HOME/auth.json``) and exit."""
        from codex_core.auth import remove_auth

        cfg = self.active_config
        try:
            removed = await asyncio.to_thread(remove_auth, cfg.codex_home)
        except OSError as exc:
            await self._info(f"/logout: could not remove the stored credentials: {exc}", "error")
            return
        if not removed:
            await self._info(
                "Not logged in: no stored credentials in $CODEX_HOME/auth.json "
                "(a key in the environment, e.g. OPENAI_API_KEY, is not affected).",
                "warning",
            )
            return
        await self._slash_quit("")

    async def _slash_review(self, arg: str) -> None:
        """``/review [INSTRUCTIONS]``: a code review by a separate reviewer thread (the
        conversation is untouched); without instructions, a picker of what to review."""
        from codex_core.review import ReviewTarget

        if arg:
            self._start_review(ReviewTarget.custom(arg))
            return
        items = [
            PickerItem("uncommitted", "Review uncommitted changes"),
            PickerItem("base", "Review against a base branch"),
            PickerItem("commit", "Review a commit"),
            PickerItem("custom", "Custom review instructions"),
        ]

        async def chosen(value: str | None) -> None:
            if value == "uncommitted":
                self._start_review(ReviewTarget.uncommitted())
            elif value == "base":
                await self._pick_review_branch()
            elif value == "commit":
                await self._pick_review_commit()
            elif value == "custom":
                await self._info("Type the review instructions after /review, then Enter.")
                self._restore_composer("/review ")

        self.push_screen(PickerScreen("Select a review preset", items), chosen)

    async def _git_lines(self, *args: str) -> list[str]:
        from codex_tui.diff_render import run_git

        try:
            code, out = await run_git(self.active_config.cwd, *args)
        except OSError:
            return []
        return [line for line in out.splitlines() if line.strip()] if code == 0 else []

    async def _pick_review_branch(self) -> None:
        from codex_core.review import ReviewTarget

        branches = await self._git_lines("branch", "--format=%(refname:short)")
        current = (await self._git_lines("branch", "--show-current") or [""])[0]
        items = [PickerItem(b, b) for b in branches if b != current]

        async def chosen(value: str | None) -> None:
            if value:
                self._start_review(ReviewTarget.base_branch(value))

        self.push_screen(
            PickerScreen("Select a base branch", items, empty_text="No other local branch to compare with."), chosen
        )

    async def _pick_review_commit(self) -> None:
        from codex_core.review import ReviewTarget

        lines = await self._git_lines("log", "--format=%H%x09%s", "-n", "50")
        commits = [line.partition("\t") for line in lines]
        items = [PickerItem(sha, f"{sha[:7]}  {subject}") for sha, _, subject in commits]
        titles = {sha: subject for sha, _, subject in commits}

        async def chosen(value: str | None) -> None:
            if value:
                self._start_review(ReviewTarget.commit(value, titles.get(value) or None))

        self.push_screen(PickerScreen("Select a commit to review", items, empty_text="No commits."), chosen)

    def _start_review(self, target: Any) -> None:
        if self.turn_running:
            self.call_later(self._info, "/review is disabled while a task is in progress (Esc interrupts).", "warning")
            return
        self.turn_running = True
        self.status.working = True
        self._turn_worker = self._run_review(target)

    @work(exclusive=True, group="turn", exit_on_error=False)
    async def _run_review(self, target: Any) -> None:
        """The review worker: like ``_run_turn``, on a reviewer thread (``start_review_thread``)."""
        from codex_core.review import review_events, review_request, start_review_thread

        try:
            request = await asyncio.to_thread(review_request, target, self.active_config.cwd)
            await self._info(Text.assemble(">> Code review started: ", (request.display, "bold"), " <<"))
            reviewer = start_review_thread(self.codex, self.active_config)  # type: ignore[arg-type]
        except Exception as exc:  # the UI boundary: show it, log the traceback
            log.exception("review failed")
            self.post_message(TurnEnded(last_agent_message=None, error=str(exc) or type(exc).__name__))
            return
        self._review_thread = reviewer
        try:
            last_message, error = await self._forward_events(review_events(reviewer, request), "review")
        finally:
            self._review_thread = None
        self.post_message(TurnEnded(last_agent_message=last_message, error=error))

    _review_thread: Any = None
    """The reviewer thread while ``/review`` runs: it receives the approval answers."""


def catalogue_window(model: str) -> int | None:
    """The bundled catalogue's context window for ``model`` (core sends none for some models)."""
    from codex_core.client.model_catalog import find_preset

    preset = find_preset(model)
    return preset.context_window if preset is not None else None


_CORE_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
"""The ``model_reasoning_effort`` values core sends (``codex_core.config.ReasoningEffort``)."""


def _supported_efforts(efforts: Sequence[str]) -> list[str]:
    """The efforts of a model that core can send (Codex's ``max`` / ``ultra`` are not offered)."""
    return [e for e in efforts if e in _CORE_EFFORTS]


def _effort_label(effort: str) -> str:
    return {"xhigh": "Extra high", "none": "None"}.get(effort, effort.capitalize())


def _session_label(s: SessionInfoLike) -> str:
    updated = s.updated_at
    when = updated.strftime("%Y-%m-%d %H:%M") if hasattr(updated, "strftime") else str(updated or "")
    preview = (s.preview or "").strip().splitlines()[0] if (s.preview or "").strip() else "(no messages)"
    if len(preview) > 60:
        preview = preview[:59] + "…"
    return f"{when}  {preview}"
