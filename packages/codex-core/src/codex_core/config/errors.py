"""Turning pydantic validation errors into one-paragraph ``ConfigError`` messages."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from codex_core.config.toml_io import find_key_line
from codex_core.errors import ConfigError

__all__ = ["validation_to_config_error"]


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            s = str(part)
            if not s.replace("_", "").replace("-", "").isalnum():
                s = f'"{s}"'
            out += ("." if out else "") + s
    return out


def _clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    # pydantic appends union/literal branch tags like 'literal[...]' or 'function-after[...]'
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p and p.endswith("]"))))


def _describe(err: Any) -> str:
    etype = err["type"]
    msg: str = err["msg"]
    if etype == "extra_forbidden":
        return "unknown key"
    if etype == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"invalid value {err.get('input')!r}; accepted values: {expected}"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    inp = err.get("input")
    if etype.endswith("_type") or etype.endswith("_parsing"):
        return f"{msg} (got {type(inp).__name__} {inp!r})"
    return msg


def validation_to_config_error(
    exc: ValidationError, *, source: str, text: str | None = None, prefix: tuple[str, ...] = ()
) -> ConfigError:
    """Build a ConfigError naming file, line (when found in ``text``) and key path."""
    errs = exc.errors()
    first = errs[0]
    loc = prefix + _clean_loc(tuple(first["loc"]))
    key = _dotted(loc)
    line = find_key_line(text, loc) if text else None
    where = f"{source}:{line}" if line else source
    parts = [f"{where}: {('`' + key + '`: ') if key else ''}{_describe(first)}"]
    if len(errs) > 1:
        more = []
        for e in errs[1:4]:
            eloc = prefix + _clean_loc(tuple(e["loc"]))
            more.append(f"`{_dotted(eloc)}`: {_describe(e)}")
        extra = f" (and {len(errs) - 4} more)" if len(errs) > 4 else ""
        parts.append("also " + "; ".join(more) + extra)
    return ConfigError(". ".join(parts), path=source, line=line, key=key or None)
