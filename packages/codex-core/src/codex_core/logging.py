"""structlog configuration: one place, secret redaction, level from ``CODEX_LOG``.

Frontends call :func:`configure_logging` once (``codex exec`` -> stderr, the TUI -> a file under
``$CODEX_HOME/log/``). Library users who never call it get warnings and errors on stderr.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Literal, TextIO

import structlog

__all__ = ["configure_logging", "ensure_default_logging", "redact", "redact_secrets"]

_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "off": logging.CRITICAL + 10,
}

_SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{6,}"),
    re.compile(r"\bsk-[A-Za-z0-9_-]{6,}"),
    re.compile(r"(?i)((?:api[_-]?key|token|secret|password|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]{4,}"),
]
_SECRET_KEYS = re.compile(r"(?i)(api[_-]?key|token|secret|password|authorization)")


def redact(text: str) -> str:
    """Replace API keys and bearer tokens in ``text`` by ``[REDACTED]``."""
    for pat in _SECRET_PATTERNS:
        text = pat.sub(lambda m: (m.group(1) if m.groups() else "") + "[REDACTED]", text)
    return text


def redact_secrets(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: redact secret-looking values and values of secret-named keys."""
    for key, value in list(event_dict.items()):
        if isinstance(value, str):
            event_dict[key] = "[REDACTED]" if (_SECRET_KEYS.search(key) and key != "event") else redact(value)
    return event_dict


def _level(default: str) -> int:
    raw = os.environ.get("CODEX_LOG") or os.environ.get("RUST_LOG") or default
    # accept "debug" or "codex=debug,other=info": take the first level word we know
    for token in re.split(r"[,=\s]+", raw.lower()):
        if token in _LEVELS:
            return _LEVELS[token]
    return _LEVELS[default]


def configure_logging(
    mode: Literal["stderr", "file"], *, codex_home: Path | None = None, default_level: str = "warning"
) -> Path | None:
    """Configure structlog once for a frontend; returns the log file path in ``file`` mode."""
    stream: TextIO = sys.stderr
    path: Path | None = None
    if mode == "file":
        assert codex_home is not None
        log_dir = codex_home / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "codex-tui.log"
        stream = path.open("a", encoding="utf-8")
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            redact_secrets,
            structlog.processors.format_exc_info,
            structlog.dev.ConsoleRenderer(colors=False) if mode == "stderr" else structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_level(default_level if mode == "stderr" else "info")),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    return path


def ensure_default_logging() -> None:
    """Library default: warnings and errors to stderr, unless the application configured structlog."""
    if not structlog.is_configured():
        configure_logging("stderr")
