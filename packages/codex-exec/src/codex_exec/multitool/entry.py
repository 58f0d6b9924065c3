"""Console-script entry point: what runs first, before click, Textual or ``codex_core``.

``codex --version`` answers before click is imported. Otherwise, in this order:

1. Bytecode caching. With ``PYTHONDONTWRITEBYTECODE`` set (common in checkouts) and no
   ``.pyc`` files installed, every start would compile Textual and ``codex_core`` from source
   again: 1.5-3 s before the composer appears instead of ~0.3 s. The compiled files then go to
   ``$XDG_CACHE_HOME/codex-py/pycache`` (``~/.cache/...``), never next to the sources, which is
   what that variable is usually set for. ``PYTHONPYCACHEPREFIX`` set by the user wins;
   ``CODEX_NO_BYTECODE_CACHE=1`` turns this off.
2. The cyclic garbage collector is paused: start-up allocates ~100,000 objects (Textual,
   pydantic models, the SDK) and would run ~150 collections over them for next to no garbage,
   ~10 % of the CPU spent before the first model request. ``resume_gc()`` turns it back on
   with those objects frozen (``gc.freeze``): when the TUI is ready, or at once for
   subcommands (``multitool/main.py``).
3. ``codex_tui.startup_input.capture()``, when the command line opens the TUI (no subcommand,
   ``resume`` or ``fork``: ``tui_may_run``) and the ``codex-py-tui`` distribution is installed:
   the terminal goes to raw input at once so keys typed while Codex starts are kept for the
   composer (see that module). Headless subcommands leave the terminal alone.
"""

from __future__ import annotations

import gc
import os
import sys

BYTECODE_CACHE_ENV_OFF = "CODEX_NO_BYTECODE_CACHE"


def bytecode_cache_dir() -> str:
    """Where compiled modules go when bytecode writing was disabled by the environment."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "codex-py", "pycache")


def enable_bytecode_cache() -> bool:
    """Cache bytecode outside the source tree if the environment disabled writing it."""
    if not sys.dont_write_bytecode or sys.pycache_prefix is not None or os.environ.get(BYTECODE_CACHE_ENV_OFF):
        return False
    sys.pycache_prefix = bytecode_cache_dir()
    sys.dont_write_bytecode = False
    return True


def resume_gc() -> None:
    """Undo the start-up pause of the garbage collector (idempotent; no-op if never paused)."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.freeze()  # start-up objects live as long as the process: keep them out of every collection
        gc.enable()


_gc_paused = False

_NOT_TUI_FLAGS = frozenset({"-h", "--help", "-V", "--version"})


def tui_may_run(args: list[str]) -> bool:
    """Whether ``codex ARGS`` opens the TUI, judged without click: the first argument that names a
    subcommand decides (``resume``/``fork`` open it, the others do not); with none, the TUI opens
    unless help or the version is asked for. An option value that happens to spell a command name
    (``-m exec``) can mislead it; the cost is only that keys typed during start-up are not kept."""
    from codex_exec.multitool.command_table import ALIASES, COMMANDS, TUI_COMMANDS

    for arg in args:
        if arg == "--":
            break
        if arg in COMMANDS or arg in ALIASES:
            return arg in TUI_COMMANDS
        if arg in _NOT_TUI_FLAGS:
            return False
    return True


def capture_startup_input() -> None:
    """Keep the keys typed while the TUI starts, if the TUI distribution is installed."""
    try:
        from codex_tui import startup_input
    except ModuleNotFoundError:
        return  # headless install: `codex` says so when it gets to opening the TUI
    startup_input.capture()


def release_startup_input() -> None:
    """Give a subcommand that does not open the TUI the terminal as it was (no-op without a capture)."""
    startup_input = sys.modules.get("codex_tui.startup_input")
    if startup_input is not None:
        startup_input.release()


def main() -> None:
    global _gc_paused
    if sys.argv[1:] in (["--version"], ["-V"]):
        from codex_exec._version import VERSION

        sys.stdout.write(f"codex-cli {VERSION}\n")
        return
    enable_bytecode_cache()
    if gc.isenabled():
        gc.disable()
        _gc_paused = True
    if tui_may_run(sys.argv[1:]):
        capture_startup_input()
    from codex_exec.multitool.main import main as cli_main

    cli_main()
