"""``-c key=value`` overrides: parsing and applying dotted paths (spec 1.2)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from codex_core.errors import ConfigError

__all__ = ["apply_override", "deep_merge", "parse_override", "parse_overrides"]


def parse_override(raw: str) -> tuple[str, Any]:
    """Parse one ``key=value``; the value is TOML, falling back to the raw string."""
    import tomllib

    if "=" not in raw:
        raise ConfigError(f"Invalid override (missing '='): {raw}", key=raw)
    key, _, value = raw.partition("=")
    key = key.strip()
    if not key:
        raise ConfigError(f"Empty key in override: {raw}", key=raw)
    value = value.strip()
    try:
        parsed: Any = tomllib.loads(f"_x_ = {value}")["_x_"]
    except RecursionError:
        raise ConfigError(f"Error in -c override {key}: value is nested too deeply", key=key) from None
    except tomllib.TOMLDecodeError:
        parsed = value
        if len(parsed) >= 2 and parsed[0] == parsed[-1] and parsed[0] in "\"'":
            parsed = parsed[1:-1]
    return key, parsed


def parse_overrides(raws: Iterable[str]) -> list[tuple[str, Any]]:
    return [parse_override(r) for r in raws]


def _split_key(key: str) -> list[str]:
    parts = [p.strip() for p in key.split(".")]
    if any(not p for p in parts):
        raise ConfigError(f"Empty key segment in override: {key}", key=key)
    return parts


def apply_override(doc: dict[str, Any], key: str, value: Any) -> None:
    """Set ``doc[a][b][c] = value`` creating (or replacing non-table) intermediate tables."""
    parts = _split_key(key)
    cur = doc
    for part in parts[:-1]:
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            cur[part] = nxt
        cur = nxt
    cur[parts[-1]] = value


def deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Recursive table merge; non-table values of ``top`` replace wholesale (arrays too)."""
    out = dict(base)
    for k, v in top.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out
