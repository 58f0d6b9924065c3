"""Logging: one configuration point, per-target filters, secret redaction, text or JSON lines.

``CODEX_LOG`` (or ``RUST_LOG``) is a filter in the style of ``RUST_LOG``: a default level and
``target=level`` directives, e.g. ``warn,codex_core.client=debug,codex_core.sandbox=trace``
(``::`` may stand for ``.``; the longest matching target wins; a bare target means ``trace``).
``CODEX_LOG_FORMAT=json`` writes one JSON object a line; ``CODEX_LOG_FILE`` sends the lines to
that file. Frontends call :func:`configure_logging` once: ``codex exec`` writes text to stderr
(JSON to ``$CODEX_HOME/log/codex-exec.log``), the TUI to ``$CODEX_HOME/log/codex-tui.log``.
Library users who never call it get warnings and errors on stderr, or, when their application
configured structlog, the records go through structlog's pipeline.

Modules log through :func:`get_logger` (named after the module: ``get_logger(__name__)``), with
an event name and key/value fields, never a preformatted string::

    log.debug("model response", status=200, ttfb_ms=12.5)

A record below its logger's level costs one comparison: nothing is formatted and nothing is
imported. A record that is written goes through structlog's processors (timestamp, the
:func:`redact_secrets` processor, structlog's JSON renderer or the text line renderer), imported
with the first record written. Every value is redacted before it is
written: API keys, bearer tokens and values of secret-named keys (``Authorization``,
``api_key``, ``token``, ...), also inside dicts and lists.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:
    import logging
    from pathlib import Path

# stdlib ``logging`` and ``pathlib`` are imported only when logging is configured or used: this
# module is imported by modules on every start-up path, and ``logging`` alone costs ~10 ms.

__all__ = [
    "DEBUG",
    "INFO",
    "TRACE",
    "LazyLogger",
    "LogFilter",
    "configure_logging",
    "ensure_default_logging",
    "get_logger",
    "parse_log_filter",
    "redact",
    "redact_secrets",
]

TRACE = 5
"""Below ``DEBUG``: per-event detail (each SSE event, each fork-server request)."""
DEBUG = _DEBUG = 10
INFO = _INFO = 20
_WARNING, _ERROR, _CRITICAL = 30, 40, 50
"""The stdlib ``logging`` level numbers."""

_LEVELS = {
    "trace": TRACE,
    "debug": DEBUG,
    "info": INFO,
    "warn": _WARNING,
    "warning": _WARNING,
    "error": _ERROR,
    "critical": _CRITICAL,
    "off": _CRITICAL + 10,
}
_NAMES = {TRACE: "trace", DEBUG: "debug", INFO: "info", _WARNING: "warning", _ERROR: "error", _CRITICAL: "critical"}

_SECRET_PATTERNS = (
    r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{6,}",
    r"\bsk-[A-Za-z0-9_-]{6,}",
    r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",  # a JWT, with or without "Bearer"
    r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})",  # GitHub tokens
    r"(?i)((?:api[_-]?key|token|secret|password|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]{4,}",
)
"""Compiled on first use (``re``'s cache): compiling them costs milliseconds at import."""
_SECRET_KEYS = r"(?i)(api[_-]?key|token|secret|password|authorization|cookie|(?:^|[-_])key$)"
"""Field or header names whose values are secrets (``x-api-key``, ``Ocp-Apim-Subscription-Key``...)."""


def _secret_key(key: str) -> bool:
    return re.search(_SECRET_KEYS, key) is not None


def redact(text: str) -> str:
    """Replace API keys and bearer tokens in ``text`` by ``[REDACTED]``."""
    for pat in _SECRET_PATTERNS:
        text = re.sub(pat, lambda m: (m.group(1) if m.groups() else "") + "[REDACTED]", text)
    return text


def _redact_value(key: str, value: Any) -> Any:
    if isinstance(value, str):
        return "[REDACTED]" if _secret_key(key) else redact(value)
    if isinstance(value, Mapping):
        if _secret_key(key):
            return "[REDACTED]"
        return {str(k): _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(key, v) for v in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return _redact_value(key, str(value))  # paths, enums, exceptions: written as text


def redact_secrets(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor (also used for every record here): redact secret-looking values and
    values of secret-named keys, recursively."""
    for key, value in list(event_dict.items()):
        event_dict[key] = redact(value) if key == "event" and isinstance(value, str) else _redact_value(key, value)
    return event_dict


# --- the filter -----------------------------------------------------------------------------


class LogFilter:
    """A parsed ``CODEX_LOG`` value: the level of each logger name."""

    def __init__(self, default: int, targets: Mapping[str, int] | None = None, problems: tuple[str, ...] = ()) -> None:
        self.default = default
        self.targets = dict(targets or {})
        self.problems = problems
        """Directives that were not understood (reported once, on the log's stream)."""

    def level_for(self, name: str) -> int:
        """The level of the longest target that is ``name`` or a dotted prefix of it."""
        best, best_len = self.default, -1
        for target, level in self.targets.items():
            if len(target) > best_len and (name == target or name.startswith(target + ".")):
                best, best_len = level, len(target)
        return best

    @property
    def lowest(self) -> int:
        return min([self.default, *self.targets.values()])


def parse_log_filter(spec: str | None, default: str = "warning") -> LogFilter:
    """Parse ``warn,codex_core.client=debug``; a bad directive is skipped and reported in
    ``problems``, as ``RUST_LOG`` does."""
    base = _LEVELS[default]
    targets: dict[str, int] = {}
    problems: list[str] = []
    for raw in (spec or "").split(","):
        directive = raw.strip()
        if not directive:
            continue
        target, sep, level_word = directive.partition("=")
        target, level_word = target.strip().replace("::", "."), level_word.strip().lower()
        if not sep:
            if target.lower() in _LEVELS:
                base = _LEVELS[target.lower()]
            elif re.fullmatch(r"[A-Za-z_][\w.-]*", target):
                targets[target] = TRACE
            else:
                problems.append(directive)
            continue
        if level_word not in _LEVELS or not re.fullmatch(r"[A-Za-z_][\w.-]*", target):
            problems.append(directive)
            continue
        targets[target] = _LEVELS[level_word]
    return LogFilter(base, targets, tuple(problems))


# --- where records go -----------------------------------------------------------------------


LogFormat = Literal["text", "json"]


class _Settings:
    filter: LogFilter = LogFilter(_WARNING)
    format: LogFormat = "text"
    path: Path | None = None
    """A log file, opened at the first record; ``None``: stderr."""
    stream: TextIO | None = None
    configured_by_us = False
    generation = 0
    """Bumped by every configuration: loggers re-read their level."""


def _env_format() -> tuple[LogFormat, str | None]:
    raw = (os.environ.get("CODEX_LOG_FORMAT") or "text").strip().lower()
    if raw in ("text", "json"):
        return raw, None  # type: ignore[return-value]
    return "text", f"CODEX_LOG_FORMAT={raw!r} (expected text or json)"


def _codex_home() -> Path:
    from pathlib import Path

    raw = os.environ.get("CODEX_HOME")
    return Path(raw).expanduser() if raw else Path.home() / ".codex"


def configure_logging(
    mode: Literal["stderr", "file"],
    *,
    codex_home: Path | None = None,
    default_level: str = "warning",
    app: str = "exec",
) -> Path | None:
    """Configure logging once for a frontend; returns the log file, if records go to one.

    ``stderr`` mode (``codex exec``, the app-server): text on stderr; with
    ``CODEX_LOG_FORMAT=json`` JSON lines in ``$CODEX_HOME/log/codex-<app>.log``. ``file`` mode
    (the TUI, which owns the screen): ``$CODEX_HOME/log/codex-tui.log``, level ``info`` unless
    ``CODEX_LOG`` says otherwise. ``CODEX_LOG_FILE`` replaces the file or stderr in both modes.
    """
    fmt, format_problem = _env_format()
    level = default_level if mode == "stderr" else "info"
    spec = os.environ.get("CODEX_LOG") or os.environ.get("RUST_LOG")
    log_filter = parse_log_filter(spec, level)
    home = codex_home or _codex_home()
    path: Path | None = None
    if os.environ.get("CODEX_LOG_FILE"):
        from pathlib import Path

        path = Path(os.environ["CODEX_LOG_FILE"]).expanduser()
    elif mode == "file":
        path = home / "log" / "codex-tui.log"
    elif fmt == "json":
        path = home / "log" / f"codex-{app}.log"
    _close_stream()
    _Settings.filter = log_filter
    _Settings.format = fmt
    _Settings.path = path
    _Settings.configured_by_us = True
    _Settings.generation += 1
    _bridge_stdlib(log_filter)
    if format_problem:
        _write_problem(f"ignoring {format_problem}")
    for directive in log_filter.problems:
        _write_problem(f"ignoring the log directive {directive!r} (expected LEVEL or TARGET=LEVEL)")
    if mode == "file" and path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def ensure_default_logging() -> None:
    """Library default: warnings and errors to stderr, unless the application configured logging."""
    if not _Settings.configured_by_us:
        spec = os.environ.get("CODEX_LOG") or os.environ.get("RUST_LOG")
        _Settings.filter = parse_log_filter(spec, "warning")
        _Settings.generation += 1


def _close_stream() -> None:
    if _Settings.stream is not None and _Settings.path is not None:
        _Settings.stream.close()
    _Settings.stream = None


def _open_stream() -> TextIO:
    if _Settings.stream is None:
        if _Settings.path is None:
            return sys.stderr
        try:
            _Settings.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # owner-only, like auth.json: commands, paths and headers are in there (redacted or not)
            fd = os.open(_Settings.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            _Settings.stream = os.fdopen(fd, "a", encoding="utf-8")
        except OSError as exc:
            sys.stderr.write(
                f"warning: cannot write the log file {_Settings.path}: {exc.strerror}; logging to stderr\n"
            )
            _Settings.path = None
            return sys.stderr
    return _Settings.stream


_WRITE_LOCK = threading.Lock()


def _write_problem(message: str) -> None:
    _emit_record("codex_core.logging", _WARNING, message, {})


_CHAINS: dict[str, list[Any]] = {}


def _chain(fmt: LogFormat) -> list[Any]:
    """structlog's processors for a written record: ISO timestamp (UTC), :func:`redact_secrets`,
    then structlog's JSON renderer or the text line renderer (``_text_line``). Built on the first
    record written, so structlog is imported only when something is logged."""
    chain = _CHAINS.get(fmt)
    if chain is None:
        import json

        import structlog

        renderer: Any = (
            structlog.processors.JSONRenderer(serializer=json.dumps, ensure_ascii=False, default=str)
            if fmt == "json"
            else _text_line
        )
        chain = [structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"), redact_secrets, renderer]
        _CHAINS[fmt] = chain
    return chain


def _render(name: str, level: int, event: str, fields: dict[str, Any]) -> str:
    level_name = _NAMES.get(level, str(level))
    record: Any = {"level": level_name, "target": name, "event": event, **fields}
    for processor in _chain(_Settings.format):
        record = processor(None, level_name, record)
    return str(record)


def _text_line(_logger: Any, _name: str, record: MutableMapping[str, Any]) -> str:
    """structlog renderer of the text format: ``<timestamp> <LEVEL> <target>: <event> key=value ...``."""
    stamp, level, target, event = (record.pop(k) for k in ("timestamp", "level", "target", "event"))
    parts = [stamp, f"{level.upper():5}", f"{target}:", event]
    parts.extend(f"{k}={_text_value(v)}" for k, v in record.items() if v is not None)
    return " ".join(parts)


def _text_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 1 else f"{value:.3g}"
    if isinstance(value, str) and value and not re.search(r"[\s\"=]", value):
        return value
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


def _emit_record(name: str, level: int, event: str, fields: dict[str, Any]) -> None:
    if fields.pop("exc_info", None):
        import traceback

        fields["exception"] = traceback.format_exc().rstrip()
    if not _Settings.configured_by_us:
        structlog = sys.modules.get("structlog")
        if structlog is not None and structlog.is_configured():  # the application's own pipeline
            method = _NAMES.get(level, "info") if level != TRACE else "debug"
            redacted = redact_secrets(None, "", dict(fields))
            getattr(structlog.get_logger(name), method)(redact(event), **redacted)
            return
    line = _render(name, level, event, fields)
    with _WRITE_LOCK:  # records come from worker threads too: one open, whole lines
        try:
            stream = _open_stream()
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken log stream must never break a turn


def _stdlib_bridge_emit(record: logging.LogRecord) -> None:
    """Records of stdlib loggers under ``codex_core`` (the network proxy uses them) go the same way."""
    level = record.levelno
    if level < _Settings.filter.level_for(record.name):
        return
    fields: dict[str, Any] = {}
    if record.exc_info:
        import traceback

        fields["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
    _emit_record(record.name, level, record.getMessage(), fields)


def _bridge_stdlib(log_filter: LogFilter) -> None:
    """Route stdlib records of ``codex_core.*`` here, unless the process already has root
    handlers (the TUI's log file, an application's own setup): those keep receiving them."""
    import logging

    class StdlibBridge(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            _stdlib_bridge_emit(record)

    logger = logging.getLogger("codex_core")
    for handler in list(logger.handlers):
        if type(handler).__name__ == "StdlibBridge":
            logger.removeHandler(handler)
    if logging.getLogger().handlers:
        return
    logger.addHandler(StdlibBridge())
    logger.setLevel(max(log_filter.lowest, 1))


# --- loggers --------------------------------------------------------------------------------


class LazyLogger:
    """A logger with structlog's call style (``log.info("event", key=value)``) whose records below
    its level cost one comparison."""

    __slots__ = ("_generation", "_level", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._level = _WARNING
        self._generation = -1

    @property
    def name(self) -> str:
        return self._name

    def level(self) -> int:
        """This logger's current level (re-read after :func:`configure_logging`)."""
        if self._generation != _Settings.generation:
            self._level = _Settings.filter.level_for(self._name)
            self._generation = _Settings.generation
        return self._level

    def is_enabled_for(self, level: int) -> bool:
        """Whether a record at ``level`` would be written (guard costly field computations)."""
        return level >= self.level()

    def _emit(self, level: int, event: str, kw: dict[str, Any]) -> None:
        if level >= self.level():
            _emit_record(self._name, level, event, kw)

    # each method tests the cached level inline: a filtered-out record costs one comparison

    def trace(self, event: str, **kw: Any) -> None:
        if self._generation != _Settings.generation or self._level <= TRACE:
            self._emit(TRACE, event, kw)

    def debug(self, event: str, **kw: Any) -> None:
        if self._generation != _Settings.generation or self._level <= _DEBUG:
            self._emit(_DEBUG, event, kw)

    def info(self, event: str, **kw: Any) -> None:
        if self._generation != _Settings.generation or self._level <= _INFO:
            self._emit(_INFO, event, kw)

    def warning(self, event: str, **kw: Any) -> None:
        self._emit(_WARNING, event, kw)

    def error(self, event: str, **kw: Any) -> None:
        self._emit(_ERROR, event, kw)

    def exception(self, event: str, **kw: Any) -> None:
        kw.setdefault("exc_info", True)
        self._emit(_ERROR, event, kw)


def get_logger(name: str) -> LazyLogger:
    """The logger of module ``name`` (pass ``__name__``: filters select by dotted prefix)."""
    return LazyLogger(name)
