"""Turning pydantic validation errors into one-paragraph ``ConfigError`` messages.

The one place config errors are worded. A value of a union-typed key (``approval_policy`` is a
name or a ``{ granular = … }`` table, ``tui.notifications`` is a boolean or a list, …) fails
once per branch in pydantic, each error tagged with an internal branch name
(``approval_policy.GranularApprovalToml``). Those branch errors are folded back into one issue
about the key the user wrote: the errors inside the branch the value's type selected, or,
when no branch took it, ``invalid value …; accepted values: …`` listing every branch.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from codex_core.config.toml_io import find_key_line, render_key_path
from codex_core.errors import ConfigError

__all__ = ["validation_to_config_error"]

Loc = tuple[str | int, ...]

_PREVIEW: Final = reprlib.Repr()
_PREVIEW.maxstring = 80
_PREVIEW.maxother = 80
_PREVIEW.maxlist = 6
_PREVIEW.maxdict = 6
_PREVIEW.maxlevel = 3

_MISSING: Final = object()
_BRANCH_KINDS: Final = {
    "bool": "true, false",
    "string": "a string",
    "int": "an integer",
    "float": "a number",
    "list": "an array",
    "dict": "a table",
}


def _preview(value: object) -> str:
    """A bounded ``repr`` of the offending input: it may be a megabyte string or nested deep."""
    return _PREVIEW.repr(value)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One pydantic error: the key path the user wrote and the union branch tags met on the way
    (each with the key-path depth of the union)."""

    err: Any
    path: Loc
    tags: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class _Issue:
    path: Loc
    text: str


def _is_tag_without_data(part: str | int) -> bool:
    # pydantic's branch tags such as 'literal[...]', 'list[str]' or 'function-after[...]'
    return isinstance(part, str) and "[" in part and part.endswith("]")


def _entry(err: Any, data: object) -> _Entry:
    """Split ``err["loc"]`` into key path and union tags by walking the validated input: a part
    that is not a key (or index) of the value reached so far is a branch tag."""
    loc: Loc = tuple(err["loc"])
    path: list[str | int] = []
    tags: list[tuple[int, str]] = []
    node: object = data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            is_key = True
        elif node is _MISSING:
            is_key = not _is_tag_without_data(part)
        else:  # a 'missing' error names the absent key last
            is_key = (isinstance(node, Mapping) and part in node) or (err["type"] == "missing" and i == len(loc) - 1)
        if not is_key:
            tags.append((len(path), str(part)))
            continue
        path.append(part)
        if isinstance(node, Mapping):
            node = node.get(part, _MISSING)
        elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
            node = node[part]
        else:
            node = _MISSING
    return _Entry(err, tuple(path), tuple(tags))


def _table_hint(class_name: str) -> str:
    """``a { granular = … } table`` for a model's ``toml_shape``, else the table's keys."""
    from codex_core.config import models, permissions, requirements

    for module in (models, permissions, requirements):
        cls = getattr(module, class_name, None)
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            shape = getattr(cls, "toml_shape", None)
            if isinstance(shape, str):
                return f"a `{shape}` table"
            keys = ", ".join(f"`{k}`" for k in cls.model_fields)
            return f"a table with keys {keys}" if keys else "a table"
    return "a table"


def _alternatives(err: Any) -> list[str]:
    """What one union branch accepts, from the error it raised for the value."""
    etype: str = err["type"]
    if etype == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", ""))
        return [v for v in re.split(r", | or ", expected) if v]
    if etype in ("model_type", "model_attributes_type"):
        return [_table_hint(str(err.get("ctx", {}).get("class_name", "")))]
    kind = etype.removesuffix("_type").removesuffix("_parsing")
    return [_BRANCH_KINDS.get(kind, str(err["msg"]))]


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


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _union_issues(prefix: Loc, entries: list[_Entry]) -> list[_Issue]:
    """The issues of one union value at ``prefix`` from its branches' errors."""
    branches: dict[str, list[_Entry]] = {}
    for e in entries:
        branches.setdefault(e.tags[0][1], []).append(_Entry(e.err, e.path, e.tags[1:]))
    inside = [b for b in branches.values() if any(len(e.path) > len(prefix) or e.tags for e in b)]
    if inside:  # the value's type chose a branch: report what is wrong inside it
        return _issues(min(inside, key=len))
    accepted: list[str] = []
    for branch in branches.values():
        for alt in _alternatives(branch[0].err):
            if alt not in accepted:
                accepted.append(alt)
    value = _preview(entries[0].err.get("input"))
    return [_Issue(prefix, f"invalid value {value}; accepted values: {_join(accepted)}")]


def _issues(entries: list[_Entry]) -> list[_Issue]:
    """Issues in the order pydantic met them; the branch errors of one union value make one."""
    order: list[_Entry | Loc] = []
    unions: dict[Loc, list[_Entry]] = {}
    for e in entries:
        if not e.tags:
            order.append(e)
            continue
        at = e.path[: e.tags[0][0]]
        if at not in unions:
            unions[at] = []
            order.append(at)
        unions[at].append(e)
    out: list[_Issue] = []
    for item in order:
        if isinstance(item, _Entry):
            out.append(_Issue(item.path, _describe(item.err)))
        else:
            out.extend(_union_issues(item, unions[item]))
    return out


def validation_to_config_error(
    exc: ValidationError,
    *,
    source: str,
    text: str | None = None,
    prefix: tuple[str, ...] = (),
    data: object = _MISSING,
) -> ConfigError:
    """Build a ConfigError naming file, line (when found in ``text``) and key path.

    ``data`` is the validated input; with it union branch tags are told from keys exactly.
    """
    issues = _issues([_entry(e, data) for e in exc.errors()])
    parts: list[str] = []
    for n, issue in enumerate(issues[:4]):
        loc = prefix + issue.path
        key = render_key_path(loc)
        if n == 0:
            line = find_key_line(text, loc) if text else None
            where = f"{source}:{line}" if line else source
            first_key, first_line = key, line
            parts.append(f"{where}: {('`' + key + '`: ') if key else ''}{issue.text}")
        else:
            parts.append(f"`{key}`: {issue.text}")
    message = parts[0]
    if len(parts) > 1:
        extra = f" (and {len(issues) - 4} more)" if len(issues) > 4 else ""
        message += ". also " + "; ".join(parts[1:]) + extra
    return ConfigError(message, path=source, line=first_line, key=first_key or None)
