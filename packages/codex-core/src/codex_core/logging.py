"""Logging: one configuration point, secret redaction, level from ``CODEX_LOG``, lazy structlog.

Frontends call :func:`configure_logging` once (``codex exec`` -> stderr, the TUI -> a file under
``$CODEX_HOME/log/``). Library users who never call it get warnings and errors on stderr.
Modules log through :func:`get_logger`, whose loggers drop records below the configured level
without importing structlog at all, so a quiet run never pays for importing it.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Literal, TextIO

__all__ = ["LazyLogger", "configure_logging", "ensure_default_logging", "get_logger", "redact", "redact_secrets"]

_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
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


class _Settings:
    level: int = logging.WARNING
    mode: Literal["stderr", "file"] = "stderr"
    stream: TextIO | None = None
    configured_by_us = False
    applied = False


def configure_logging(
    mode: Literal["stderr", "file"], *, codex_home: Path | None = None, default_level: str = "warning"
) -> Path | None:
    """Configure logging once for a frontend; returns the log file path in ``file`` mode."""
    path: Path | None = None
    _Settings.mode = mode
    _Settings.level = _level(default_level if mode == "stderr" else "info")
    _Settings.stream = None
    if mode == "file":
        assert codex_home is not None
        log_dir = codex_home / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "codex-tui.log"
        _Settings.stream = path.open("a", encoding="utf-8")
    _Settings.configured_by_us = True
    _Settings.applied = False
    return path


def ensure_default_logging() -> None:
    """Library default: warnings and errors to stderr, unless the application configured logging."""
    if not _Settings.configured_by_us:
        _Settings.level = _level("warning")


def _apply() -> None:
    import structlog

    if _Settings.applied:
        return
    _Settings.applied = True
    if not _Settings.configured_by_us and structlog.is_configured():
        return  # the embedding application configured structlog itself
    stream = _Settings.stream or sys.stderr
    renderer: Any = (
        structlog.processors.KeyValueRenderer(key_order=["timestamp", "level", "event"])
        if _Settings.mode == "stderr"
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            redact_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_Settings.level),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


class LazyLogger:
    """A structlog-compatible logger that imports structlog only for records it will emit."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._real: Any = None

    def _emit(self, level: int, method: str, event: str, kw: dict[str, Any]) -> None:
        if level < _Settings.level:
            return
        if self._real is None or not _Settings.applied:
            import structlog

            _apply()
            self._real = structlog.get_logger(self._name)
        getattr(self._real, method)(event, **kw)

    def debug(self, event: str, **kw: Any) -> None:
        self._emit(logging.DEBUG, "debug", event, kw)

    def info(self, event: str, **kw: Any) -> None:
        self._emit(logging.INFO, "info", event, kw)

    def warning(self, event: str, **kw: Any) -> None:
        self._emit(logging.WARNING, "warning", event, kw)

    def error(self, event: str, **kw: Any) -> None:
        self._emit(logging.ERROR, "error", event, kw)

    def exception(self, event: str, **kw: Any) -> None:
        kw.setdefault("exc_info", True)
        self._emit(logging.ERROR, "error", event, kw)


def get_logger(name: str) -> LazyLogger:
    return LazyLogger(name)
