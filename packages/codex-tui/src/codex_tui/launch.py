"""``run_tui``: what ``codex`` (no subcommand), ``codex resume`` and ``codex fork`` call.

In a terminal the composer comes first: the app is painted before the config is read, and the
config, the SDK (``codex_core.Codex``) and a resumed thread are built after the first paint, in
a background thread (``_Startup``), while keys typed meanwhile are kept (``startup_input``).
Logs go to ``$CODEX_HOME/log/codex-tui.log``. A bad config, an unknown session or a missing
image ends the app with one ``Error: ...`` line on stderr and exit code 1. Without a terminal
there is no first paint to hurry, and everything is loaded before the app starts, as before.

When the app closes, the token usage and the command that resumes the session are printed
(``ExitSummary``), as Codex does.
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_exec.cli_options import CliOptions, fail, load_config_or_exit
from codex_tui import startup_input

if TYPE_CHECKING:
    from codex_core.config import Config

__all__ = ["ResumeRequest", "run_tui"]


@dataclass(frozen=True, slots=True)
class ResumeRequest:
    """How ``codex resume`` picks the thread: an id (or unique id prefix), ``last``, or a picker."""

    session_id: str | None = None
    last: bool = False
    all_dirs: bool = False
    """``--all``: do not restrict ``--last`` / the picker to sessions started in this cwd."""


def _setup_logging(config: Config) -> Path:
    """Send stdlib logging to ``$CODEX_HOME/log/codex-tui.log`` (never the screen)."""
    log_dir = config.codex_home / "log"
    log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = log_dir / "codex-tui.log"
    path.touch(mode=0o600, exist_ok=True)  # owner-only: prompts, commands and paths are logged
    path.chmod(0o600)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def _make_codex(config: Config) -> Any:
    """Import and build the SDK (run in a background thread while the composer is already up)."""
    from codex_core.logging import configure_logging

    configure_logging("file", codex_home=config.codex_home)
    from codex_core import Codex

    return Codex(config, source="cli")


class _Startup:
    """The start-up steps the app runs after its first paint, in its loading thread."""

    def __init__(self, opts: CliOptions, resume: ResumeRequest | None) -> None:
        self.opts = opts
        self.resume = resume
        self.config: Config | None = None

    def load_config(self) -> Config:
        from codex_core.errors import CodexError
        from codex_exec.cli_options import load_cli_config

        try:
            config = load_cli_config(self.opts)
        except CodexError as exc:
            from codex_tui.app import StartupError

            raise StartupError(str(exc)) from exc
        _setup_logging(config)
        self.config = config
        return config

    def make_codex(self) -> Any:
        assert self.config is not None
        return _make_codex(self.config)

    def open_thread(self, codex: Any) -> Any:
        """The thread ``codex resume ID`` / ``--last`` asks for (``None``: new thread or picker)."""
        resume = self.resume
        if resume is None or not (resume.session_id or resume.last):
            return None
        assert self.config is not None
        return _resume_thread(codex, self.config, resume)


def _start_cwd(opts: CliOptions) -> Path:
    return (opts.cwd if opts.cwd is not None else Path.cwd()).resolve()


def _use_inline(alt_screen: bool, setting: Any) -> bool:
    return not alt_screen or setting is False or setting == "never"


def _alternate_screen_setting(opts: CliOptions) -> Any:
    """``[tui] alternate_screen`` read before the config is loaded (the screen mode is chosen
    before the first paint): ``-c tui.alternate_screen=...`` or ``$CODEX_HOME/config.toml``.
    Unreadable files count as unset; the full config load reports them."""
    for override in reversed(opts.config_overrides):
        key, sep, value = override.partition("=")
        if sep and key.strip() == "tui.alternate_screen":
            try:
                return tomllib.loads(f"v = {value}")["v"]
            except tomllib.TOMLDecodeError:
                return value.strip()
    home = os.environ.get("CODEX_HOME") or os.path.join(os.path.expanduser("~"), ".codex")
    try:
        with open(os.path.join(home, "config.toml"), "rb") as fh:
            tui = tomllib.load(fh).get("tui")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return tui.get("alternate_screen") if isinstance(tui, dict) else None


def run_tui(
    opts: CliOptions,
    *,
    prompt: str | None,
    images: list[str],
    alt_screen: bool,
    resume: ResumeRequest | None = None,
) -> int:
    """Open the fullscreen TUI; returns the process exit code."""
    early = startup_input.captured()
    cwd = _start_cwd(opts)
    image_paths = [p if p.is_absolute() else cwd / p for p in (Path(i) for s in images for i in s.split(",") if i)]
    for img in image_paths:
        if not img.is_file():
            fail(f"--image: {img} does not exist or is not a file")
    from codex_tui.app import CodexApp

    steps = _Startup(opts, resume)
    codex = thread = config = None
    if early is None:  # no terminal of ours: no first paint to hurry, fail before any screen
        config = load_config_or_exit(opts)
        _setup_logging(config)
        steps.config = config
        if resume is not None and (resume.session_id or resume.last):
            codex = _make_codex(config)
            thread = _fail_on_startup_error(lambda: steps.open_thread(codex))
        inline = _use_inline(alt_screen, config.tui.alternate_screen)
    else:
        inline = _use_inline(alt_screen, _alternate_screen_setting(opts))
    app = CodexApp(
        codex,
        config,
        codex_factory=steps.make_codex,
        config_loader=steps.load_config,
        thread_factory=steps.open_thread,
        cwd=cwd,
        typed_input=early.take_typed() if early is not None else b"",
        terminal_attributes=early.original if early is not None else None,
        thread=thread,
        initial_prompt=prompt,
        initial_images=image_paths,
        resume_picker=resume is not None and not (resume.session_id or resume.last),
        resume_all=resume.all_dirs if resume is not None else False,
        show_path_home=Path.home(),
    )
    try:
        code = app.run(inline=inline, mouse=True)
    finally:
        if early is not None:
            early.restore()
    if app.startup_error is not None:
        fail(app.startup_error)
    for line in app.exit_summary().lines(color=sys.stdout.isatty()):
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    return int(code or 0)


def _fail_on_startup_error(step: Any) -> Any:
    from codex_tui.app import StartupError

    try:
        return step()
    except StartupError as exc:
        fail(str(exc))


def _resume_thread(codex: Any, config: Config, resume: ResumeRequest) -> Any:
    """The thread for ``codex resume ID`` / ``--last``; ``StartupError`` if there is none."""
    from codex_core.errors import CodexError
    from codex_core.session import list_sessions
    from codex_tui.app import StartupError

    try:
        if resume.session_id:
            return codex.resume_thread(resume.session_id)
        sessions = list_sessions(config.codex_home, cwd=None if resume.all_dirs else config.cwd)
    except CodexError as exc:
        raise StartupError(str(exc)) from exc
    if not sessions:
        where = "" if resume.all_dirs else f" for {config.cwd} (use --all to search everywhere)"
        raise StartupError(f"no saved session found{where}")
    try:
        return codex.resume_thread(sessions[0].id)
    except CodexError as exc:
        raise StartupError(str(exc)) from exc
