"""Reading TOML files into plain dicts with errors that name file and line, and locating keys."""

from __future__ import annotations

import re
import tomllib  # tomli upstreamed (Python >= 3.11); the `tomli` marker dependency covers 3.10
from pathlib import Path
from typing import Any

from codex_core.errors import ConfigError

__all__ = ["find_key_line", "parse_toml_text", "read_toml_file", "read_toml_text", "split_dotted_key"]

_LINE_RE = re.compile(r"at line (\d+), column (\d+)")


def parse_toml_text(text: str, *, source: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a ``ConfigError`` naming ``source`` and the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _LINE_RE.search(msg)
        line = int(m.group(1)) if m else None
        raise ConfigError(f"{source}: TOML syntax error: {msg}", path=source, line=line) from None


def read_toml_text(path: Path) -> str | None:
    """The file's text, ``None`` if it does not exist; a directory, an unreadable file or one that
    is not UTF-8 is a ``ConfigError`` naming the file (and the line of the bad bytes)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, expected a TOML file", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}", path=str(path)) from None
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
    header), which is what a user needs to find the problem.
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
        if depth == len(path) and depth > 0 and (best is None or depth > best[0]):
            best = (depth, lineno)
            if depth == len(want):
                return lineno
    return best[1] if best else None
