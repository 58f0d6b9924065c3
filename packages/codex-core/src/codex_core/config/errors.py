"""Turning pydantic validation errors into one-paragraph ``ConfigError`` messages."""

from __future__ import annotations

import reprlib
from typing import Any, Final

from pydantic import ValidationError

from codex_core.config.toml_io import find_key_line, render_key_path
from codex_core.errors import ConfigError

__all__ = ["validation_to_config_error"]


def _clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    # pydantic appends union/literal branch tags like 'literal[...]' or 'function-after[...]'
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p and p.endswith("]"))))


_PREVIEW: Final = reprlib.Repr()
_PREVIEW.maxstring = 80
_PREVIEW.maxother = 80
_PREVIEW.maxlist = 6
_PREVIEW.maxdict = 6
_PREVIEW.maxlevel = 3


def _preview(value: object) -> str:
    """A bounded ``repr`` of the offending input: it may be a megabyte string or nested deep."""
    return _PREVIEW.repr(value)


def _describe(err: Any) -> str:
    etype = err["type"]
    msg: str = err["msg"]
    if etype == "extra_forbidden":
        return "unknown key"
    if etype == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"invalid value {_preview(err.get('input'))}; accepted values: {expected}"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    inp = err.get("input")
    if etype.endswith("_type") or etype.endswith("_parsing"):
        return f"{msg} (got {type(inp).__name__} {_preview(inp)})"
    return msg


def validation_to_config_error(
    exc: ValidationError, *, source: str, text: str | None = None, prefix: tuple[str, ...] = ()
) -> ConfigError:
    """Build a ConfigError naming file, line (when found in ``text``) and key path."""
    errs = exc.errors()
    first = errs[0]
    loc = prefix + _clean_loc(tuple(first["loc"]))
    key = render_key_path(loc)
    line = find_key_line(text, loc) if text else None
    where = f"{source}:{line}" if line else source
    parts = [f"{where}: {('`' + key + '`: ') if key else ''}{_describe(first)}"]
    if len(errs) > 1:
        more = []
        for e in errs[1:4]:
            eloc = prefix + _clean_loc(tuple(e["loc"]))
            more.append(f"`{render_key_path(eloc)}`: {_describe(e)}")
        extra = f" (and {len(errs) - 4} more)" if len(errs) > 4 else ""
        parts.append("also " + "; ".join(more) + extra)
    return ConfigError(". ".join(parts), path=source, line=line, key=key or None)
