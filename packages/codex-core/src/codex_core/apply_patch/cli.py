"""The standalone ``apply_patch`` command (console script ``codex_core.apply_patch.cli:main``).

Usage::

    apply_patch 'PATCH'
    echo 'PATCH' | apply_patch

Applies the patch relative to the current directory. On success prints Codex's summary
(``Success. Updated the following files:`` then ``A``/``M``/``D`` lines) and exits 0; on
failure prints the error on stderr and exits 1; with no patch (or more than one argument)
prints usage and exits 2. Unlike Codex, a failing patch changes nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

__all__ = ["USAGE", "main", "run"]

USAGE = "Usage: apply_patch 'PATCH'\n       echo 'PATCH' | apply_patch"


def _decode_argument(arg: str) -> str | None:
    """Undo Python's surrogateescape decoding; ``None`` if the argument is not UTF-8."""
    try:
        return os.fsencode(arg).decode("utf-8")
    except UnicodeDecodeError:
        return None


def run(
    argv: list[str],
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    cwd: Path | None = None,
) -> int:
    """Run the command with ``argv`` (without the program name); return the exit code."""
    from codex_core.apply_patch.applier import apply_patch
    from codex_core.apply_patch.errors import ApplyPatchError

    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    if len(argv) > 1:
        stderr.write("Error: apply_patch accepts exactly one argument.\n")
        return 2
    if argv:
        patch = _decode_argument(argv[0])
        if patch is None:
            stderr.write("Error: apply_patch requires a UTF-8 PATCH argument.\n")
            return 1
    else:
        try:
            raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
            patch = raw.decode("utf-8")
        except UnicodeDecodeError:
            stderr.write("Error: Failed to read PATCH from stdin.\nstream did not contain valid UTF-8\n")
            return 1
        except OSError as exc:
            stderr.write(f"Error: Failed to read PATCH from stdin.\n{exc}\n")
            return 1
        if not patch:
            stderr.write(USAGE + "\n")
            return 2
    try:
        directory = cwd if cwd is not None else Path.cwd()
    except OSError as exc:
        stderr.write(f"Error: Failed to determine current directory.\n{exc}\n")
        return 1
    try:
        result = apply_patch(patch, cwd=directory)
    except ApplyPatchError as exc:
        stderr.write(exc.cli_message + "\n")
        return 1
    stdout.write(result.summary())
    stdout.flush()
    return 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
