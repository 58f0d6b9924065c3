"""Console-script entry point. ``codex --version`` answers before click is imported."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from codex_tui._version import VERSION

        sys.stdout.write(f"codex-cli {VERSION}\n")
        return
    from codex_tui.cli.main import main as cli_main

    cli_main()
