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
   subcommands (``cli/main.py``).
3. ``startup_input.capture()``: the terminal goes to raw input at once so keys typed while
   Codex starts are kept for the composer (see that module).
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


def main() -> None:
    global _gc_paused
    if sys.argv[1:] in (["--version"], ["-V"]):
        from codex_tui._version import VERSION

        sys.stdout.write(f"codex-cli {VERSION}\n")
        return
    enable_bytecode_cache()
    if gc.isenabled():
        gc.disable()
        _gc_paused = True
    from codex_tui import startup_input

    startup_input.capture()
    from codex_tui.cli.main import main as cli_main

    cli_main()
