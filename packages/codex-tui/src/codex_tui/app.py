"""``CodexApp``: the fullscreen Textual front end over a ``codex_core`` thread.

The app holds no business logic. One exclusive worker runs each turn: it iterates
``thread.run_streamed(...)`` and posts every event as a ``CoreEvent`` message — ``item.*`` events
to the ``Transcript``, the rest (approvals, token counts, turn status) to the app. Operations go
back through the thread: ``respond_approval``, ``interrupt``, ``override``, ``compact``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from codex_tui import notifications
from codex_tui.core_api import ApprovalDecision, CodexLike, SessionInfoLike, ThreadLike
from codex_tui.event_batching import DeltaCoalescer
from codex_tui.exit_summary import ExitSummary
from codex_tui.input_replay import ReplayMark, StartupInputMixin
from codex_tui.messages import CoreEvent, TurnEnded
from codex_tui.screens.approval import ApprovalScreen
from codex_tui.slash_commands import (
    SHELL_COMMAND,
    SLASH_COMMANDS,
    parse_slash,
)
from codex_tui.slash_handlers import SlashCommandsMixin, catalogue_window
from codex_tui.widgets.cells import InfoCell, UserCell
from codex_tui.widgets.composer import Composer
from codex_tui.widgets.popup import CompletionPopup
from codex_tui.widgets.status import StatusLine, blended_total
from codex_tui.widgets.transcript import Transcript

if TYPE_CHECKING:
    from codex_core.config import Config

__all__ = ["CodexApp", "SessionLister"]

log = logging.getLogger("codex.tui")

SessionLister = Callable[[Path, Path | None], Sequence[SessionInfoLike]]
"""``(codex_home, cwd or None) -> sessions``, newest first (``codex_core.session.list_sessions``)."""

_ITEM_EVENTS = frozenset({"item.started", "item.updated", "item.completed", "item.delta"})
PROMPT_HISTORY_LIMIT = 1000
"""Prompts from earlier sessions offered by Up/Down."""
INTERRUPT_GRACE_SECONDS = 5.0
"""After Esc, how long core gets to end the turn before the worker is cancelled."""


class StartupError(Exception):
    """Raised by a start-up step (config, SDK, resumed thread) run after the first paint: the app
    exits with code 1 and ``codex`` prints ``Error: <message>`` (``CodexApp.startup_error``)."""


def _default_session_lister(codex_home: Path, cwd: Path | None) -> Sequence[SessionInfoLike]:
    from codex_core.session import list_sessions

    return list_sessions(codex_home, cwd=cwd)


class CodexApp(SlashCommandsMixin, StartupInputMixin, App[int]):
    """Transcript, completion popup, composer and status line over one ``ThreadLike``."""

    TITLE = "Codex"
    CSS = """
    Screen { layout: vertical; }
    Screen:inline { height: auto; max-height: 90vh; }
    Screen:inline Transcript { height: auto; max-height: 70vh; }
    #welcome { color: $text-muted; padding: 0 1; margin: 0 0 0 0; }
    """
    BINDINGS = [  # noqa: RUF012 - Textual API
        Binding("escape", "interrupt", "interrupt", show=False),
        Binding("ctrl+c", "ctrl_c", "interrupt / quit", show=False, priority=True),
        Binding("ctrl+d", "quit_if_empty", "quit", show=False),
        Binding("ctrl+o", "toggle_last_output", "expand / fold the last output", show=False, priority=True),
        Binding("pageup", "scroll_transcript(-1)", "scroll up", show=False, priority=True),
        Binding("pagedown", "scroll_transcript(1)", "scroll down", show=False, priority=True),
    ]
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        codex: CodexLike | None,
        config: Config | None,
        *,
        codex_factory: Callable[[], CodexLike] | None = None,
        config_loader: Callable[[], Config] | None = None,
        thread_factory: Callable[[CodexLike], ThreadLike | None] | None = None,
        cwd: Path | None = None,
        typed_input: bytes = b"",
        terminal_attributes: list[Any] | None = None,
        thread: ThreadLike | None = None,
        initial_prompt: str | None = None,
        initial_images: Sequence[Path] = (),
        resume_picker: bool = False,
        resume_all: bool = False,
        list_sessions: SessionLister | None = None,
        show_path_home: Path | None = None,
    ) -> None:
        """``codex`` and ``config`` may be ``None`` to have them built after the first paint, in a
        background thread: ``config_loader()``, then ``codex_factory()``, then (``codex resume``)
        ``thread_factory(codex)``; a ``StartupError`` from any of them ends the app with
        ``startup_error`` set. ``typed_input`` is what was typed before the app started
        (``startup_input``), replayed into the composer; ``terminal_attributes`` are the
        terminal's settings from before that capture, restored on exit."""
        super().__init__()
        if codex is None and codex_factory is None:
            raise ValueError("CodexApp needs codex or codex_factory")
        if config is None and config_loader is None:
            raise ValueError("CodexApp needs config or config_loader")
        self.codex: CodexLike | None = codex
        self.codex_factory = codex_factory
        self.config_loader = config_loader
        self.thread_factory = thread_factory
        self.ready = False
        """True once the thread exists and messages can be sent (see ``_connect``)."""
        if config is not None:
            self.config: Config = config
            """Not set before ``config_loader`` has run (messages sent until then are held)."""
        self.startup_error: str | None = None
        self.typed_input = typed_input
        self.terminal_attributes = terminal_attributes
        self._held_input: list[events.Event] | None = []
        """Keys and pastes that arrived before the composer had focus (``None`` once replayed)."""
        self._replaying: events.Event | None = None
        self._painted = False
        self._usage_total: Any = None
        """The last ``token.count`` total (for the exit summary)."""
        self._initial_prompt_shown = False
        self._history_requested = False
        self.thread: ThreadLike | None = thread
        self.initial_prompt = initial_prompt
        self.initial_images = list(initial_images)
        self.resume_picker = resume_picker
        self.resume_all = resume_all
        self.list_sessions: SessionLister = list_sessions or _default_session_lister
        self.path_home = show_path_home
        self.turn_running = False
        self.queued: list[str] = []
        self.notifications_sent: list[str] = []
        """OSC 9 messages emitted (kept for tests and diagnostics)."""
        self._turn_worker: Worker[None] | None = None
        self.popup = CompletionPopup(id="popup")
        self.transcript = Transcript(id="transcript")
        start_cwd = config.cwd if config is not None else (cwd or Path.cwd())
        self.composer = Composer(popup=self.popup, cwd=start_cwd, id="composer")
        self.composer.hold_submits = True  # until ``_became_ready``: then they run in order
        self.status = StatusLine(id="status")
        self.status.visible = config is not None  # blank (not half-filled) until the config is read

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.transcript
        yield self.popup
        yield self.composer
        yield self.status

    async def on_mount(self) -> None:
        self.composer.focus()
        if self.config_loaded:
            self._refresh_status()
        await self._welcome()
        if self.initial_prompt:  # on screen at once; sent as soon as the thread exists
            await self.transcript.add_cell(UserCell(self.initial_prompt, images=len(self.initial_images)))
            self._initial_prompt_shown = True
        # Start-up work waits for the first frame: a loading thread competing for the GIL would
        # only delay it.
        self.call_after_refresh(self._after_first_paint)
        self.set_timer(10.0, self._startup_finished)  # at the latest (e.g. start-up failed)
        if self.codex is not None and self.config_loaded:
            await self._start_session()

    @property
    def config_loaded(self) -> bool:
        return hasattr(self, "config")

    async def _after_first_paint(self) -> None:
        if self._painted:
            return
        self._painted = True
        self._hand_terminal_settings_to_driver()
        self._start_input_replay()
        if self.codex is None or not self.config_loaded:
            self._connect()

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def _connect(self) -> None:
        """Off the event loop: load the config, import and build the SDK, open a resumed thread."""
        thread: ThreadLike | None = None
        try:
            if not self.config_loaded:
                assert self.config_loader is not None
                self.call_from_thread(self._config_ready, self.config_loader())  # type: ignore[arg-type]
            codex = self.codex
            if codex is None:
                assert self.codex_factory is not None
                codex = self.codex_factory()
            if self.thread is None and self.thread_factory is not None:
                thread = self.thread_factory(codex)
        except StartupError as exc:
            self.call_from_thread(self._startup_failed, str(exc))
            return
        except Exception as exc:  # shown in the transcript, traceback in the log
            log.exception("could not start Codex")
            self.call_from_thread(self._info, f"Could not start Codex: {exc}", "error")  # type: ignore[arg-type]
            self.call_from_thread(self.composer.release_submits)  # /quit and friends still answer
            return
        self.call_from_thread(self._connected, codex, thread)  # type: ignore[arg-type]

    async def _config_ready(self, config: Config) -> None:
        self.config = config
        self.composer.cwd = config.cwd
        self._refresh_status()
        self.status.visible = True
        for warning in getattr(config, "warnings", ()):
            await self._info(str(warning), "warning")

    def _startup_failed(self, message: str) -> None:
        self.startup_error = message
        self.exit(1, return_code=1)

    async def _connected(self, codex: CodexLike, thread: ThreadLike | None = None) -> None:
        self.codex = codex
        if thread is not None:
            self.thread = thread
        await self._start_session()

    async def _start_session(self) -> None:
        assert self.codex is not None
        if self.resume_picker:
            self._startup_finished()
            self._open_resume_picker(start_new_on_cancel=True, show_all=self.resume_all)
            return
        if self.thread is None:
            try:
                self.thread = self.codex.start_thread()
            except Exception as exc:
                log.exception("start_thread failed")
                await self._info(f"Could not start a conversation: {exc}", "error")
                self.composer.release_submits()
                return
        elif getattr(self.thread, "history", None):
            await self._info(f"Resumed session {self.thread.id}.")
            await self._replay_history()
        await self._became_ready()

    async def _load_prompt_history(self) -> None:
        """Seed Up/Down with earlier sessions' prompts (``$CODEX_HOME/history.jsonl``); read in a
        thread, after the first message is on its way."""
        cfg = self.active_config
        if cfg.history.persistence == "none" or self._history_requested:
            return
        self._history_requested = True

        def read() -> list[str]:
            from codex_core.session import read_history

            return list(read_history(cfg.codex_home))

        try:
            entries = await asyncio.to_thread(read)
        except Exception:
            log.exception("reading prompt history failed")
            return
        self.composer.prompt_history[:0] = entries[-PROMPT_HISTORY_LIMIT:]

    async def _became_ready(self) -> None:
        self.ready = True
        self._refresh_status()
        if self.initial_prompt:
            prompt, self.initial_prompt = self.initial_prompt, None
            if self._initial_prompt_shown:
                self._start_turn(prompt, list(self.initial_images))
            else:
                await self._submit_user_text(prompt, images=self.initial_images)
        elif self.queued:
            await self._submit_user_text(self.queued.pop(0))
        self.composer.release_submits()
        self._startup_finished()
        self.run_worker(self._load_prompt_history(), group="history", exit_on_error=False)

    def _startup_finished(self) -> None:
        """Start-up work is over: the garbage collector the console script paused runs again."""
        from codex_exec.multitool.entry import resume_gc

        resume_gc()

    async def _welcome(self, note: str | None = None) -> None:
        text = Text.assemble(
            (">_ ", "bold"), ("Codex", "bold"), ("  /model /permissions /status /diff /resume /quit", "dim")
        )
        if note:
            text.append("\n   " + note, style="dim")
        await self.transcript.add_cell(InfoCell(text))

    @property
    def active_config(self) -> Config:
        return self.thread.config if self.thread is not None else self.config

    def _refresh_status(self) -> None:
        cfg = self.active_config
        self.status.model = cfg.model
        self.status.set_location(cfg.cwd, self.path_home)
        self.status.sandbox = cfg.sandbox_mode
        self.status.approval = cfg.approval_policy
        if self.status.context_window is None:
            self.status.context_window = cfg.model_context_window

    # --- sending --------------------------------------------------------------------------

    @on(Composer.Submitted)
    async def _on_submitted(self, event: Composer.Submitted) -> None:
        event.stop()
        slash = parse_slash(event.text)
        if slash is not None:
            await self.run_slash_command(*slash)
            return
        if self.turn_running or not self.ready:
            self.queued.append(event.text)
            if self.turn_running:
                await self.transcript.add_cell(InfoCell(Text.assemble("Queued: ", (event.text, "italic"))))
            return
        await self._submit_user_text(event.text)

    async def _submit_user_text(self, text: str, *, images: Sequence[Path] = (), shown: str | None = None) -> None:
        await self.transcript.add_cell(UserCell(shown if shown is not None else text, images=len(images)))
        self._start_turn(text, list(images))

    def _start_turn(self, text: str, images: list[Path]) -> None:
        self.turn_running = True
        self.status.working = True
        self._turn_worker = self._run_turn(text, images)

    @work(exclusive=True, group="turn", exit_on_error=False)
    async def _run_turn(self, text: str, images: list[Path]) -> None:
        """The one turn worker: forwards every core event as a ``CoreEvent`` message."""
        thread = self.thread
        assert thread is not None
        last_message, error = await self._forward_events(thread.run_streamed(text, images=images), "turn")
        self.post_message(TurnEnded(last_agent_message=last_message, error=error))

    async def _forward_events(self, events: AsyncIterable[Any], what: str) -> tuple[str | None, str | None]:
        """Post every event of a turn (or review) as a ``CoreEvent``, deltas coalesced; returns the
        last agent message and the error that ended the stream, if one did (logged: the UI boundary)."""
        last_message: str | None = None
        error: str | None = None
        deltas = DeltaCoalescer(self._forward_event)
        try:
            async for ev in events:
                deltas.feed(ev)
                if ev.type == "item.completed" and ev.item.type == "agent_message":
                    last_message = ev.item.text
        except Exception as exc:  # the UI boundary: show it, log the traceback
            log.exception("%s failed", what)
            error = str(exc) or type(exc).__name__
        finally:
            deltas.flush()
        return last_message, error

    @on(CoreEvent)
    async def _on_core_event(self, message: CoreEvent) -> None:
        ev = message.event
        kind = ev.type
        if kind == "approval.requested":
            self._ask_approval(ev)
        elif kind == "token.count":
            # totals grow over the session; the context is what the last request held
            self.status.total_usage = ev.total
            self.status.tokens_used = blended_total(ev.total)
            self.status.context_used = ev.total_tokens
            window = ev.context_window or catalogue_window(self.active_config.model)
            if window:
                self.status.context_window = window
        elif kind == "turn.failed":
            msg = ev.error.message
            if "interrupt" in msg.lower():
                await self.transcript.add_cell(
                    InfoCell("Interrupted. Tell Codex what to do differently.", kind="warning")
                )
            else:
                await self.transcript.add_cell(InfoCell(msg, kind="error"))
        elif kind == "error":
            await self.transcript.add_cell(InfoCell(ev.message, kind="error"))
        elif kind == "warning":
            await self.transcript.add_cell(InfoCell(ev.message, kind="warning"))
        elif kind == "turn.completed":
            usage = ev.usage
            log.info("turn completed: in=%d out=%d", usage.input_tokens, usage.output_tokens)

    @on(TurnEnded)
    async def _on_turn_ended(self, message: TurnEnded) -> None:
        self.turn_running = False
        self.status.working = False
        while isinstance(self.screen, ApprovalScreen):  # its request died with the turn
            self.pop_screen()
        if message.error is not None:
            await self.transcript.add_cell(InfoCell(message.error, kind="error"))
        else:
            self._notify_turn_complete(message.last_agent_message)
        if self.queued:
            text = self.queued.pop(0)
            await self._submit_user_text(text)

    # --- approvals & interrupt ------------------------------------------------------------

    def _ask_approval(self, request: Any) -> None:
        what = " ".join(request.command or []) if request.kind == "exec" else "apply file changes"
        self._desktop_notify(notifications.APPROVAL_REQUESTED, f"Approval requested: {what}")

        asking = self._review_thread or self.thread  # the thread whose turn is waiting

        def answered(decision: ApprovalDecision | None) -> None:
            chosen: ApprovalDecision = decision or "abort"
            self.run_worker(self._record_decision_and_respond(request, chosen, asking), group="approval")

        self.push_screen(ApprovalScreen(request), answered)

    async def _record_decision_and_respond(
        self, request: Any, decision: ApprovalDecision, thread: ThreadLike | None
    ) -> None:
        """Record the answer in the transcript (``✔ You approved …`` / ``✗ You declined …``), then
        give it to core: the record comes before whatever the turn does next."""
        from codex_tui.widgets.cells import DecisionCell

        if decision in ("denied", "abort"):
            self.transcript.declined.add(request.item_id)
        await self.transcript.add_cell(DecisionCell(request, decision, self.active_config.cwd))
        await self._respond(request.request_id, decision, thread)

    async def _respond(self, request_id: str, decision: ApprovalDecision, thread: ThreadLike | None = None) -> None:
        thread = thread or self.thread
        assert thread is not None
        try:
            await thread.respond_approval(request_id, decision)
        except Exception as exc:  # e.g. the turn was interrupted while the prompt was open
            log.warning("approval %s not delivered: %s", request_id, exc)
        if decision == "abort":
            self.composer.focus()

    def action_interrupt(self) -> None:
        """Esc: stop the running turn (core ends it with ``turn.failed: interrupted``)."""
        if self._toggle_shortcuts(show=False):
            return
        if not self.turn_running or self.thread is None:
            return
        (self._review_thread or self.thread).interrupt()
        worker = self._turn_worker
        self.set_timer(INTERRUPT_GRACE_SECONDS, lambda: self._force_stop(worker))

    def _force_stop(self, worker: Worker[None] | None) -> None:
        if worker is not None and worker is self._turn_worker and worker.state == WorkerState.RUNNING:
            log.warning("turn did not stop after interrupt; cancelling the worker")
            worker.cancel()
            self.post_message(TurnEnded(last_agent_message=None, error="Turn cancelled."))

    def action_ctrl_c(self) -> None:
        if self.turn_running:
            self.action_interrupt()
        elif self.composer.text:
            self.composer.clear()
        else:
            self.exit(0)

    def action_quit_if_empty(self) -> None:
        """Ctrl+D: quit when the composer is empty (the composer sends it here; see Composer)."""
        if not self.composer.text:
            self.exit(0)

    # --- start-up input & exit summary ----------------------------------------------------

    @on(ReplayMark)
    def _on_replay_mark(self, mark: ReplayMark) -> None:
        self._bounce_replay_mark(mark)

    @on(CoreEvent)
    def _track_usage(self, message: CoreEvent) -> None:
        if message.event.type == "token.count":
            self._usage_total = message.event.total

    def exit_summary(self) -> ExitSummary:
        """Token totals and the session to resume, printed by ``codex`` after the app closes."""
        thread, usage = self.thread, self._usage_total
        rollout = getattr(thread, "rollout_path", None)
        return ExitSummary(
            session_id=(thread.id or None) if thread is not None else None,
            resumable=rollout is not None and Path(rollout).exists(),
            input_tokens=getattr(usage, "input_tokens", 0),
            cached_input_tokens=getattr(usage, "cached_input_tokens", 0),
            output_tokens=getattr(usage, "output_tokens", 0),
            reasoning_tokens=getattr(usage, "reasoning_output_tokens", 0),
        )

    # --- notifications --------------------------------------------------------------------

    def _notify_turn_complete(self, last_message: str | None) -> None:
        text = (last_message or "").strip()
        summary = text.splitlines()[0] if text else ""
        self._desktop_notify(notifications.TURN_COMPLETE, f"Agent turn complete: {summary}"[:200])

    def _desktop_notify(self, event: str, message: str) -> None:
        if not notifications.notification_enabled(self.active_config.tui.notifications, event):
            return
        if self.app_focus or not notifications.supports_osc9():
            return
        self.notifications_sent.append(message)
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(notifications.osc9(message))
            driver.flush()

    # --- slash commands -------------------------------------------------------------------

    async def run_slash_command(self, name: str, arg: str = "") -> None:
        """Run ``/name arg`` (or ``!arg`` when ``name`` is ``SHELL_COMMAND``); commands that change
        the session are refused during a turn; an unknown ``/name`` is reported and left in the
        composer for the user to fix, as Codex does."""
        if name == SHELL_COMMAND:
            await self._user_shell_command(arg)
            return
        spec = next((c for c in SLASH_COMMANDS if c.name == name), None)
        if spec is None:
            await self._unrecognized_command(name, arg)
            return
        if not self.ready and name not in ("quit", "mention", "diff"):
            await self._info(f"/{name}: Codex is still starting, try again in a moment.", "warning")
            return
        if self.turn_running and not spec.available_during_turn:
            await self.transcript.add_cell(
                InfoCell(f"/{name} is disabled while a task is in progress (Esc interrupts).", kind="warning")
            )
            return
        handler = getattr(self, f"_slash_{name}")
        await handler(arg)

    async def _info(self, text: str | Text, kind: str = "info") -> None:
        await self.transcript.add_cell(InfoCell(text, kind=kind))  # type: ignore[arg-type]

    async def _unrecognized_command(self, name: str, arg: str) -> None:
        """Codex's answer to an unknown ``/name``; the text goes back into the composer."""
        await self._info(f"Unrecognized command '/{name}'. Type \"/\" for a list of supported commands.")
        self._restore_composer(f"/{name} {arg}" if arg else f"/{name}")

    def _restore_composer(self, text: str) -> None:
        """Put ``text`` back into an empty composer, cursor at the end (nothing the user typed is lost)."""
        composer = self.composer
        if composer.text.strip():
            return
        composer.text = text
        composer.move_cursor(composer.document.end)
        composer.focus()

    async def _user_shell_command(self, command: str) -> None:
        """``!cmd``: core runs it in the user's shell (``Thread.run_user_shell_command``) and the
        transcript shows it like a command the model ran, as "You ran ..."."""
        run = getattr(self.thread, "run_user_shell_command", None)
        if not self.ready or run is None:
            await self._info("!: Codex is still starting, try again in a moment.", "warning")
            self._restore_composer(f"!{command}")
            return
        if self.turn_running:
            await self._info("! commands wait until the task is done (Esc interrupts).", "warning")
            self._restore_composer(f"!{command}")
            return
        self.turn_running = True
        self.status.working = True
        self._turn_worker = self._run_user_shell(command)

    @work(exclusive=True, group="turn", exit_on_error=False)
    async def _run_user_shell(self, command: str) -> None:
        thread = self.thread
        assert thread is not None
        error: str | None = None
        try:
            async for ev in thread.run_user_shell_command(command):  # type: ignore[attr-defined]
                if ev.type == "item.started":
                    self.transcript.user_commands.add(ev.item.id)
                if ev.type in _ITEM_EVENTS:
                    await self.transcript.apply(ev)
        except Exception as exc:  # the UI boundary: show it, log the traceback
            log.exception("user shell command failed")
            error = str(exc) or type(exc).__name__
        self.turn_running = False
        self.status.working = False
        if error is not None:
            await self._info(error, "error")
        if self.queued:
            await self._submit_user_text(self.queued.pop(0))

    def _toggle_shortcuts(self, show: bool | None = None) -> bool:
        """Show or hide the overlay (toggle when ``show`` is None); returns whether it was visible."""
        from codex_tui.widgets.status import ShortcutsOverlay

        found = list(self.screen_stack[0].query(ShortcutsOverlay))
        if found and show is not True:
            for overlay in found:
                overlay.remove()
            return True
        if not found and show is not False:
            self.screen_stack[0].mount(ShortcutsOverlay(), before=self.status)
        return bool(found)

    def action_toggle_last_output(self) -> None:
        """Ctrl+O: show all of the last command output (again: fold it). Focus stays in the
        composer, so typing goes on where it was."""
        from codex_tui.widgets.cells import CommandCell

        cells = [c for c in self.transcript.query(CommandCell) if c.has_output]
        if not cells:
            return
        cell = cells[-1]
        cell.toggle()
        if cell.expanded:
            self.transcript.scroll_to_widget(cell, top=True, animate=False)

    def action_scroll_transcript(self, direction: int) -> None:
        """PageUp / PageDown scroll the transcript from the composer (a modal keeps these keys)."""
        from textual.actions import SkipAction

        if self.screen is not self.screen_stack[0]:
            raise SkipAction()
        if direction < 0:
            self.transcript.scroll_page_up()
        else:
            self.transcript.scroll_page_down()

    _composer_before = ""
    """The composer's text before its last change (tells a typed ``?`` from an edited one)."""

    @on(Composer.Changed)
    def _shortcuts_on_input(self, event: Composer.Changed) -> None:
        """``?`` typed into an empty composer toggles the shortcuts overlay instead of being
        inserted (as in Codex); any other input hides the overlay."""
        if event.text_area is not self.composer:
            return
        text, before = self.composer.text, self._composer_before
        self._composer_before = text
        if text == "?" and before == "" and self.screen is self.screen_stack[0]:
            self.composer.clear()
            self._toggle_shortcuts()
        elif text:
            self._toggle_shortcuts(show=False)

    def _forward_event(self, ev: Any) -> None:
        target = self.transcript if ev.type in _ITEM_EVENTS else self
        target.post_message(CoreEvent(ev))
