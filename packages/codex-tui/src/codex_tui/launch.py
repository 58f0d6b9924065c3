"""``run_tui``: what ``codex`` (no subcommand) and ``codex resume`` call.

Loads config like every subcommand, sends logs to ``$CODEX_HOME/log/codex-tui.log``, creates the
``codex_core.Codex`` and the thread (new or resumed) and runs ``CodexApp``. Errors found before
the screen opens (bad config, unknown session, missing image, missing credentials) are printed
as one ``Error: ...`` line with exit code 1.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_exec.cli_options import CliOptions, fail, load_config_or_exit

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
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "codex-tui.log"
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


def _use_inline(alt_screen: bool, config: Config) -> bool:
    setting = config.tui.alternate_screen
    if not alt_screen or setting is False or setting == "never":
        return True
    return False


def run_tui(
    opts: CliOptions,
    *,
    prompt: str | None,
    images: list[str],
    alt_screen: bool,
    resume: ResumeRequest | None = None,
) -> int:
    """Open the fullscreen TUI; returns the process exit code."""
    config = load_config_or_exit(opts)
    image_paths = [
        p if p.is_absolute() else config.cwd / p for p in (Path(i) for s in images for i in s.split(",") if i)
    ]
    for img in image_paths:
        if not img.is_file():
            fail(f"--image: {img} does not exist or is not a file")
    _setup_logging(config)
    from codex_tui.app import CodexApp

    codex = None
    thread = None
    if resume is not None and (resume.session_id or resume.last):
        codex = _make_codex(config)
        thread = _resume_thread(codex, config, resume)
    app = CodexApp(
        codex,
        config,
        codex_factory=lambda: _make_codex(config),
        thread=thread,
        initial_prompt=prompt,
        initial_images=image_paths,
        resume_picker=resume is not None and thread is None,
        resume_all=resume.all_dirs if resume is not None else False,
        show_path_home=Path.home(),
    )
    code = app.run(inline=_use_inline(alt_screen, config), mouse=True)
    return int(code or 0)


def _resume_thread(codex: Any, config: Config, resume: ResumeRequest) -> Any:
    """The thread for ``codex resume ID`` / ``--last``; exits with a clear error if there is none."""
    from codex_core.errors import CodexError
    from codex_core.session import list_sessions

    try:
        if resume.session_id:
            return codex.resume_thread(resume.session_id)
        sessions = list_sessions(config.codex_home, cwd=None if resume.all_dirs else config.cwd)
        if not sessions:
            where = "" if resume.all_dirs else f" for {config.cwd} (use --all to search everywhere)"
            fail(f"no saved session found{where}")
        return codex.resume_thread(sessions[0].id)
    except CodexError as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from exc
