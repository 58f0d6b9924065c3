"""Keys this version of Codex does not know: found, located, and set aside before validation.

A config written for another Codex release (newer, older, or the reference CLI) often holds keys
we do not read. Refusing the whole file for them would lock the user out, so each layer is split
in two before it is validated: the keys the typed models declare, validated strictly (a bad value
of a known key is still an error naming file, line and key), and the rest, reported once as a
warning naming file, line and key -- or refused with ``--strict-config``.

The split walks the pydantic models themselves, so a key is "known" exactly when a model declares
it. Two markers refine the walk:

* :class:`KnownKeys` on a ``dict`` field names the keys a free-form table may hold
  (``[features]``: only feature names);
* :class:`OpenTable` on a field (or ``codex_open_table = True`` on a model) accepts any key
  without a warning, for tables 0.169 itself does not check (``[hooks]``, ``[apps.*]``, ...);
* ``codex_strict_table = True`` on a model keeps its unknown keys in, so validation refuses
  them (permission profiles: an ignored typo there could widen the sandbox).

A model may also declare ``codex_entry_model``: its undeclared keys are then named entries of
that model (``[agents]`` holds settings and one table per agent role).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Final, Union, get_args, get_origin

import attrs
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from codex_core.config.toml_io import find_key_line, render_key_path

__all__ = [
    "MAX_LISTED_UNKNOWN_KEYS",
    "KnownKeys",
    "OpenTable",
    "UnknownKey",
    "split_unknown",
    "unknown_keys_summary",
]

KeyPath = tuple[str | int, ...]

MAX_LISTED_UNKNOWN_KEYS: Final = 3
"""How many keys the warning lists before "... and N more" (as Codex 0.169 does);
``Config.unknown_keys`` has them all."""


@attrs.frozen
class KnownKeys:
    """``Annotated`` marker for a ``dict`` field: the keys it may hold (others are unknown)."""

    names: frozenset[str]


@attrs.frozen
class OpenTable:
    """``Annotated`` marker: any key is accepted under this field, without a warning."""


@attrs.frozen
class UnknownKey:
    """One key no model declares, and where it was written."""

    path: KeyPath
    layer: str
    """The config layer (``user``, ``project``, ``session-flags``, ...)."""
    source: str | None = None
    """The file, for file layers."""
    line: int | None = None

    @property
    def key(self) -> str:
        return render_key_path(self.path)

    @property
    def location(self) -> str:
        """``user (/home/me/.codex/config.toml:3)`` or ``session-flags``."""
        if self.source is None:
            return self.layer
        return f"{self.layer} ({self.source}:{self.line})" if self.line else f"{self.layer} ({self.source})"


def unknown_keys_summary(keys: Sequence[UnknownKey]) -> str:
    """The warning Codex 0.169 prints for unrecognized settings, with the line of each key."""
    count = len(keys)
    noun = "setting" if count == 1 else "settings"
    lines = [f"Codex is ignoring {count} unrecognized configuration {noun}. Check for typos or deprecated settings."]
    lines += [f"  {k.location}: `{k.key}` is ignored." for k in keys[:MAX_LISTED_UNKNOWN_KEYS]]
    if count > MAX_LISTED_UNKNOWN_KEYS:
        lines.append(f"  ... and {count - MAX_LISTED_UNKNOWN_KEYS} more ignored settings.")
    return "\n".join(lines)


def locate(path: KeyPath, *, layer: str, source: str | None, text: str | None) -> UnknownKey:
    return UnknownKey(path, layer, source, find_key_line(text, path) if text else None)


def split_unknown(model: type[BaseModel], data: Mapping[str, Any]) -> tuple[dict[str, Any], list[KeyPath]]:
    """``data`` without the keys ``model`` (recursively) does not declare, and their paths."""
    unknown: list[KeyPath] = []
    kept = _walk_model(model, data, (), unknown)
    return kept, unknown


def _walk_model(
    model: type[BaseModel], data: Mapping[str, Any], path: KeyPath, unknown: list[KeyPath]
) -> dict[str, Any]:
    if getattr(model, "codex_strict_table", False):
        return dict(data)  # unknown keys stay in: validation refuses them
    fields = _fields_by_key(model)
    entry_model: type[BaseModel] | None = getattr(model, "codex_entry_model", None)
    open_table = bool(getattr(model, "codex_open_table", False)) or model.model_config.get("extra") in (
        "allow",
        "ignore",
    )
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(key)
        if field is not None:
            out[key] = _walk_field(field, value, (*path, key), unknown)
        elif entry_model is not None and isinstance(value, Mapping):
            out[key] = _walk_model(entry_model, value, (*path, key), unknown)
        elif open_table or entry_model is not None:
            out[key] = value  # an entry of the wrong shape: validation names it
        else:
            unknown.append((*path, key))
    return out


def _fields_by_key(model: type[BaseModel]) -> dict[str, FieldInfo]:
    by_key: dict[str, FieldInfo] = {}
    for name, info in model.model_fields.items():
        by_key[name] = info
        if info.alias:
            by_key[info.alias] = info
    return by_key


def _walk_field(field: FieldInfo, value: Any, path: KeyPath, unknown: list[KeyPath]) -> Any:
    if any(isinstance(m, OpenTable) for m in field.metadata):
        return value
    known = next((m for m in field.metadata if isinstance(m, KnownKeys)), None)
    if known is not None and isinstance(value, Mapping):
        for key in value:
            if key not in known.names:
                unknown.append((*path, key))
        value = {k: v for k, v in value.items() if k in known.names}
    return _walk(field.annotation, value, path, unknown)


def _walk(tp: Any, value: Any, path: KeyPath, unknown: list[KeyPath]) -> Any:
    origin = get_origin(tp)
    if origin is typing.Annotated:
        base, *meta = get_args(tp)
        if any(isinstance(m, OpenTable) for m in meta):
            return value
        return _walk(base, value, path, unknown)
    if isinstance(value, Mapping):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return _walk_model(tp, value, path, unknown)
        if origin in (dict, Mapping) and len(get_args(tp)) == 2:
            item_tp = get_args(tp)[1]
            return {k: _walk(item_tp, v, (*path, k), unknown) for k, v in value.items()}
        if origin in (Union, types.UnionType):
            tables = [a for a in get_args(tp) if _is_table_type(a)]
            if len(tables) == 1:
                return _walk(tables[0], value, path, unknown)
        return value
    if isinstance(value, list) and origin is list and get_args(tp):
        item_tp = get_args(tp)[0]
        return [_walk(item_tp, v, (*path, i), unknown) for i, v in enumerate(value)]
    if isinstance(value, list) and origin in (Union, types.UnionType):
        lists = [a for a in get_args(tp) if get_origin(a) is list]
        if len(lists) == 1:
            return _walk(lists[0], value, path, unknown)
    return value


def _is_table_type(tp: Any) -> bool:
    if get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return True
    return get_origin(tp) in (dict, Mapping)
