"""Persisting approvals as rules: append lines to ``$CODEX_HOME/rules/default.rules``.

Appends are done under an advisory ``flock`` (POSIX), never rewrite existing lines, skip an
identical existing line, and add a missing trailing newline first so the file stays valid.
Every generated line is re-parsed before it is written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from codex_core.errors import ExecPolicyError
from codex_core.execpolicy.loader import DEFAULT_RULES_FILE, RULES_DIR_NAME
from codex_core.execpolicy.parser import RulesParseError, normalize_network_host, parse_rules_source

__all__ = ["append_allow_rule", "append_network_rule", "default_rules_path", "format_prefix_rule"]


def default_rules_path(codex_home: Path) -> Path:
    """``<codex_home>/rules/default.rules``."""
    return codex_home / RULES_DIR_NAME / DEFAULT_RULES_FILE


def format_prefix_rule(prefix: Sequence[str], decision: str = "allow") -> str:
    """``prefix_rule(pattern=["a", "b"], decision="allow")`` with JSON-quoted tokens."""
    if not prefix:
        raise ExecPolicyError("prefix rule requires at least one token")
    pattern = ", ".join(json.dumps(token) for token in prefix)
    return f"prefix_rule(pattern=[{pattern}], decision={json.dumps(decision)})"


def append_allow_rule(codex_home: Path, prefix: Sequence[str]) -> Path:
    """Persist "always allow commands starting with ``prefix``"; returns the rules file path.

    Creates ``rules/`` and the file when missing. Raises :class:`ExecPolicyError` on an empty
    prefix or an I/O failure.
    """
    return _append_line(default_rules_path(codex_home), format_prefix_rule(list(prefix)))


def append_network_rule(
    codex_home: Path,
    host: str,
    protocol: str,
    decision: str,
    justification: str | None = None,
) -> Path:
    """Persist a ``network_rule(...)`` line (host-level network approval)."""
    try:
        normalize_network_host(host)
    except ValueError as exc:
        raise ExecPolicyError(str(exc)) from None
    line = (
        f"network_rule(host={json.dumps(host.strip())}, protocol={json.dumps(protocol)}, "
        f"decision={json.dumps(decision)}"
    )
    if justification is not None:
        line += f", justification={json.dumps(justification)}"
    return _append_line(default_rules_path(codex_home), line + ")")


def _append_line(path: Path, line: str) -> Path:
    try:
        parse_rules_source(line, path=str(path))
    except RulesParseError as exc:
        raise ExecPolicyError(f"refusing to write an invalid rule to {path}: {exc.detail}") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError as exc:
        raise ExecPolicyError(f"failed to open rules file {path}: {exc}") from exc
    with os.fdopen(fd, "r+b") as handle:
        try:
            _lock(handle.fileno())
            handle.seek(0)
            contents = handle.read().decode("utf-8", errors="replace")
            if any(existing == line for existing in contents.splitlines()):
                return path
            prefix = "\n" if contents and not contents.endswith("\n") else ""
            handle.write(f"{prefix}{line}\n".encode())
            handle.flush()
            os.fsync(handle.fileno())
        except OSError as exc:
            raise ExecPolicyError(f"failed to write to rules file {path}: {exc}") from exc
    return path


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: best effort without a lock
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
