"""Reading TOML files into plain dicts with errors that name file and line, and locating keys.

Every config-like file (``config.toml``, ``requirements.toml``, ``managed_config.toml``,
project ``.codex/config.toml``, the file ``codex mcp`` and the app-server edit) is read and
parsed here, so the limits live here too: a file over :data:`MAX_TOML_BYTES` or a value
nested deeper than :data:`MAX_TOML_NESTING` tables/arrays is a ``ConfigError`` naming the
file and line. Below those limits every later step (layer merging, validation, tomlkit
edits) is safe from ``RecursionError``.
"""

from __future__ import annotations

import re
import tomllib  # in the standard library since Python 3.11, the oldest supported
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from codex_core.errors import ConfigError

__all__ = [
    "MAX_TOML_BYTES",
    "MAX_TOML_NESTING",
    "find_key_line",
    "parse_toml_text",
    "read_toml_file",
    "read_toml_text",
    "render_key_path",
    "split_dotted_key",
    "too_deep_path",
]

MAX_TOML_BYTES: Final = 16 * 1024 * 1024
"""Largest config file read; real ones are kilobytes (``/dev/zero`` behind a symlink is not)."""
MAX_TOML_NESTING: Final = 64
"""Deepest nesting of tables and arrays (keys and values together) a config file may use.
Real configs need about 5; tomlkit (used for edits) gives up at 100 and tomllib overflows
Python's stack at a few hundred."""

_LINE_RE = re.compile(r"at line (\d+), column (\d+)")
_PARSER_KEY_PARTS: Final = 1000
_LONG_DOTTED_KEY_RE = re.compile(
    rf"""(?:(?:[A-Za-z0-9_-]++|"[^"\\\n]*+"|'[^'\n]*+')[ \t]*+\.[ \t]*+){{{_PARSER_KEY_PARTS}}}"""
)
"""A run of 1,000 dotted-key parts. tomllib takes quadratic time on such keys (20,000 parts:
ten seconds), so they are refused before it sees them; shorter ones (fast to parse) are
measured exactly afterwards. Strings never hold 1,000 ``word.`` in a row in practice."""


def _too_deep_error(source: str, line: int | None, subject: str, key: str | None = None) -> ConfigError:
    where = f"{source}:{line}" if line else source
    return ConfigError(
        f"{where}: {subject} too deeply (more than {MAX_TOML_NESTING} levels of tables and arrays)",
        path=source,
        line=line,
        key=key,
    )


def parse_toml_text(text: str, *, source: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error or a too deeply nested value becomes a ``ConfigError``
    naming ``source`` and the line."""
    if text.count(".") >= _PARSER_KEY_PARTS and (long_key := _LONG_DOTTED_KEY_RE.search(text)):
        key_line = text.count("\n", 0, long_key.start()) + 1
        raise _too_deep_error(source, key_line, "dotted key is nested")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _LINE_RE.search(msg)
        line = int(m.group(1)) if m else None
        raise ConfigError(f"{source}: TOML syntax error: {msg}", path=source, line=line) from None
    except (RecursionError, MemoryError):
        raise _too_deep_error(source, _overflow_line(text), "value is nested") from None
    deep = too_deep_path(data, MAX_TOML_NESTING)
    if deep is not None:
        key = render_key_path(deep[:8]) + (".…" if len(deep) > 8 else "")
        raise _too_deep_error(source, find_key_line(text, deep), f"`{key}`: nested", key)
    return data


def too_deep_path(value: Any, limit: int) -> tuple[str | int, ...] | None:
    """Key path (strings for table keys, ints for array indexes) of the first table or array
    nested more than ``limit`` levels deep in ``value`` (the document itself is level 0, so
    ``a = [1]`` is one level); ``None`` when all is within the limit.

    Iterative, so it is safe on values of any depth (parsed JSON, edit values).
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            children: Sequence[tuple[str | int, Any]] = [(str(k), v) for k, v in node.items()]
        elif isinstance(node, list | tuple):
            children = list(enumerate(node))
        else:
            continue
        if len(path) > limit:
            return path
        stack.extend((child, (*path, key)) for key, child in reversed(children))
    return None


def render_key_path(loc: Sequence[str | int]) -> str:
    """``("mcp_servers", "my srv", "args", 0)`` -> ``mcp_servers."my srv".args[0]``."""
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


def _overflow_line(text: str) -> int | None:
    """The line on which ``tomllib`` runs out of stack: the first line ``k`` such that the
    first ``k`` lines alone already overflow (parsing is sequential, so this is monotonic).
    Binary search: a handful of parses, only on the failure path."""
    lines = text.splitlines(keepends=True)

    def overflows(count: int) -> bool:
        try:
            tomllib.loads("".join(lines[:count]))
        except (RecursionError, MemoryError):
            return True
        except tomllib.TOMLDecodeError:
            return False
        return False

    low, high = 1, len(lines)
    if not lines or not overflows(high):
        return None
    while low < high:
        mid = (low + high) // 2
        if overflows(mid):
            high = mid
        else:
            low = mid + 1
    return low


def read_toml_text(path: Path) -> str | None:
    """The file's text, ``None`` if it does not exist; a directory, an unreadable file, one over
    :data:`MAX_TOML_BYTES` or one that is not UTF-8 is a ``ConfigError`` naming the file (and
    the line of the bad bytes)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_TOML_BYTES + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, expected a TOML file", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}", path=str(path)) from None
    if len(raw) > MAX_TOML_BYTES:
        raise ConfigError(
            f"{path}: file is larger than {MAX_TOML_BYTES // (1024 * 1024)} MiB; not a config file", path=str(path)
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: file is not valid UTF-8", path=str(path), line=line) from None


def read_toml_file(path: Path) -> tuple[dict[str, Any], str] | None:
    """Return ``(data, text)`` for an existing file, ``None`` if it does not exist."""
    text = read_toml_text(path)
    if text is None:
        return None
    return parse_toml_text(text, source=str(path)), text


_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+))*)\s*="""
)
_PART_RE = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*(?:\.|$)""")


def _split_dotted(key: str) -> list[str]:
    parts: list[str] = []
    for m in _PART_RE.finditer(key):
        p = m.group(1)
        if p[:1] in "\"'":
            p = p[1:-1]
        parts.append(p)
    return parts


_DOTTED_RE = re.compile(
    r"""^\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+))*\s*$"""
)


def split_dotted_key(key: str) -> list[str]:
    """``'a.b."c.d"'`` -> ``["a", "b", "c.d"]``; ``[]`` when ``key`` is not a valid dotted TOML key."""
    return _split_dotted(key) if _DOTTED_RE.match(key) else []


def find_key_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """Best-effort line number (1-based) of the key at path ``loc`` in TOML ``text``.

    Returns the line that defines the deepest prefix of ``loc`` found (a key line or a table
    header), or the first line defining something inside ``loc`` (``a.b.c = 1`` for
    ``("a", "b")``), which is what a user needs to find the problem.
    """
    want = [str(p) for p in loc if not isinstance(p, int)]
    table: list[str] = []
    best: tuple[int, int] | None = None  # (depth matched, line)
    for lineno, line in enumerate(text.splitlines(), start=1):
        h = _HEADER_RE.match(line)
        if h and "=" not in line.split("]")[0]:
            table = _split_dotted(h.group(1))
            path = table
        else:
            k = _KEY_RE.match(line)
            if not k:
                continue
            path = table + _split_dotted(k.group(1))
        depth = 0
        for a, b in zip(path, want, strict=False):
            if a != b:
                break
            depth += 1
        if depth > 0 and (depth == len(path) or depth == len(want)) and (best is None or depth > best[0]):
            best = (depth, lineno)
            if depth == len(want):
                return lineno
    return best[1] if best else None
