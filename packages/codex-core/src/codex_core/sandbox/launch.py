"""Shared child-side logic: set up stdio, apply the sandbox, ``exec`` the command.

Used by the helper (``python -m codex_core.sandbox``) and by every child of the fork-server.
Stdlib only. Exit codes when the command never starts: 126 (sandbox setup failed, or the
command is not executable), 127 (command not found).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from codex_core.sandbox.spec import LinuxSandboxSpec

__all__ = ["BUILTINS", "EXIT_NOT_FOUND", "EXIT_SETUP_FAILED", "exec_sandboxed", "run_builtin_sandboxed"]

EXIT_SETUP_FAILED = 126
EXIT_NOT_FOUND = 127
SETUP_FAILED_PREFIX = "codex-sandbox: sandbox setup failed: "


def _fail(message: str, code: int) -> None:
    try:
        os.write(2, (message + "\n").encode("utf-8", "replace"))
    finally:
        os._exit(code)


BUILTINS = {"apply_patch": "codex_core.apply_patch.sandboxed"}
"""Codex's own tools that a fork-server child may run in-process (instead of ``exec``), by name:
``module.main(argv) -> int`` runs after the sandbox is applied. Nothing else can be named."""


def run_builtin_sandboxed(name: str, argv: Sequence[str], *, cwd: str, spec: LinuxSandboxSpec | None) -> None:
    """Import builtin ``name`` (before confinement: its code is ours), apply ``spec``, run it in
    this process and exit with its status. Never returns."""
    import importlib

    module_name = BUILTINS.get(name)
    if module_name is None:
        _fail(f"codex-sandbox: unknown builtin {name!r}", EXIT_SETUP_FAILED)
    try:
        main = importlib.import_module(str(module_name)).main
        _confine(cwd, spec)
        code = int(main(list(argv)))
        sys.stdout.flush()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:
        _fail(f"codex-sandbox: builtin {name} failed: {type(exc).__name__}: {exc}", EXIT_SETUP_FAILED)
    os._exit(code)


def _confine(cwd: str, spec: LinuxSandboxSpec | None) -> None:
    """Apply ``spec`` (``None``: only ``chdir``); exits with 126 when any layer fails."""
    try:
        if spec is not None:
            if sys.platform != "linux":
                raise OSError("the Linux sandbox is only available on Linux")
            from codex_core.sandbox.linux.apply import apply_restrictions

            apply_restrictions(spec, cwd=cwd)
        else:
            os.chdir(cwd)
    except OSError as exc:
        _fail(SETUP_FAILED_PREFIX + (exc.strerror if exc.strerror and exc.errno else str(exc)), EXIT_SETUP_FAILED)
    except Exception as exc:  # never run the command half-confined
        _fail(SETUP_FAILED_PREFIX + f"{type(exc).__name__}: {exc}", EXIT_SETUP_FAILED)


def exec_sandboxed(argv: Sequence[str], *, cwd: str, env: Mapping[str, str], spec: LinuxSandboxSpec | None) -> None:
    """Apply ``spec`` (``None``: no sandbox) and replace this process with ``argv``. Never returns."""
    if not argv:
        _fail("codex-sandbox: no command given", EXIT_SETUP_FAILED)
    _confine(cwd, spec)
    try:
        os.execvpe(argv[0], list(argv), dict(env))
    except FileNotFoundError:
        _fail(f"codex-sandbox: {argv[0]}: command not found", EXIT_NOT_FOUND)
    except PermissionError as exc:
        _fail(f"codex-sandbox: {argv[0]}: {exc.strerror}", EXIT_SETUP_FAILED)
    except OSError as exc:
        _fail(f"codex-sandbox: {argv[0]}: {exc.strerror or exc}", EXIT_SETUP_FAILED)
