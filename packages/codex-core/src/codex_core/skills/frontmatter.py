"""The YAML front matter of a ``SKILL.md`` (and the small ``agents/openai.yaml`` beside it).

Codex 0.169 reads the block between a first line ``---`` and the next ``---`` line as YAML. A
skill's front matter is a flat mapping with at most one nested level (``metadata:`` /
``interface:``), so this module reads that subset of YAML without a YAML library: plain,
single- and double-quoted scalars (also over several lines), ``|`` / ``>`` block scalars,
comments, one level of nested mapping, and flow collections (``[a, b]``, ``{a: b}``) recognised
as non-strings. Anything else is an error that names its line and column, counted in the file.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

__all__ = ["FLOW_MAPPING", "FLOW_SEQUENCE", "FrontMatterError", "extract_front_matter", "parse_mapping"]

FLOW_SEQUENCE = "sequence"
FLOW_MAPPING = "map"

_KEY = re.compile(r"^([^\s#'\"\[\]{}:,][^:#]*?|\"[^\"]*\"|'[^']*')[ \t]*:(?:[ \t]+|$)")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "\\": "\\", "/": "/", " ": " ", "e": "\x1b"}


@attrs.frozen
class FlowCollection:
    """A ``[...]`` or ``{...}`` value: not a string (what it holds does not matter here)."""

    kind: str
    line: int
    column: int


class FrontMatterError(ValueError):
    """Front matter that is not the YAML this reader accepts; ``line`` is 1-based in the file."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} at line {line} column {column}")
        self.line = line
        self.column = column


def extract_front_matter(contents: str) -> tuple[list[str], int] | None:
    """``(lines, number of the first one in the file)`` between the opening and closing ``---``,
    or ``None`` when the file does not start with a complete, non-empty front matter block."""
    lines = contents.split("\n")
    if contents.endswith("\n"):
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if not lines or lines[0].strip() != "---":
        return None
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            return (lines[1:end], 2) if end > 1 else None
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _strip_comment(text: str) -> str:
    """A plain scalar without its trailing `` # comment``."""
    match = re.search(r"[ \t]#", text)
    return (text[: match.start()] if match else text).strip()


def _unquote_double(body: str, line: int, column: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            digits = body[i + 2 : i + 2 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise FrontMatterError("invalid escape in a double-quoted scalar", line, column + i)
            out.append(chr(int(digits, 16)))
            i += 2 + width
        else:
            raise FrontMatterError("unknown escape character in a double-quoted scalar", line, column + i)
    return "".join(out)


def _fold(parts: list[str]) -> str:
    """Lines of a multi-line flow scalar joined as YAML folds them (a blank line is a newline)."""
    out = ""
    pending_newlines = 0
    for part in parts:
        text = part.strip()
        if not text:
            pending_newlines += 1
            continue
        if out:
            out += "\n" * pending_newlines if pending_newlines else " "
        out += text
        pending_newlines = 0
    return out


class _Reader:
    def __init__(self, lines: list[str], first_line: int) -> None:
        self.lines = lines
        self.first = first_line
        self.pos = 0

    def lineno(self, index: int | None = None) -> int:
        return self.first + (self.pos if index is None else index)

    def mapping(self, indent: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if _is_blank_or_comment(line):
                self.pos += 1
                continue
            here = _indent(line)
            if here < indent:
                break
            if here > indent:
                colon = line.find(":")
                column = (colon if colon >= 0 else here) + 1
                raise FrontMatterError("mapping values are not allowed in this context", self.lineno(), column)
            match = _KEY.match(line[here:])
            if match is None:
                raise FrontMatterError("could not find expected ':'", self.lineno(), here + 1)
            key = match.group(1).strip()
            if key[:1] in ("'", '"'):
                key = key[1:-1]
            if key in out:
                raise FrontMatterError(f"duplicate field `{key}`", self.lineno(), here + 1)
            rest = line[here + match.end() :]
            value_column = here + match.end() + 1
            self.pos += 1
            out[key] = self.value(rest, indent, value_column)
        return out

    def _continuation(self, indent: int) -> list[str]:
        """The following lines that belong to a value started on a key line at ``indent``."""
        parts: list[str] = []
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if line.strip() and _indent(line) <= indent:
                break
            parts.append(line)
            self.pos += 1
        while parts and not parts[-1].strip():
            parts.pop()
            self.pos -= 1
        return parts

    def value(self, rest: str, indent: int, column: int) -> Any:
        line = self.lineno(self.pos - 1)
        text = rest.strip()
        if text.startswith("#"):
            text = ""
        if not text:
            return self._nested(indent)
        if text[0] in "|>":
            return self._block(text, indent, line, column)
        if text[0] == '"' or text[0] == "'":
            return self._quoted(rest.lstrip(), indent, line, column)
        if text[0] in "[{":
            closing = "]" if text[0] == "[" else "}"
            body = _strip_comment(text)
            if body.endswith(closing):
                return FlowCollection(FLOW_SEQUENCE if closing == "]" else FLOW_MAPPING, line, column)
        parts = [_strip_comment(rest)]
        for extra in self._continuation(indent):
            stripped = extra.strip()
            if re.search(r":(?:[ \t]|$)", stripped) and not stripped.startswith("#"):
                colon = extra.find(":")
                raise FrontMatterError(
                    "mapping values are not allowed in this context", self.lineno(self.pos - 1), colon + 1
                )
            parts.append(_strip_comment(extra) if not stripped.startswith("#") else "")
        value = _fold(parts)
        return None if value in _NULLS else value

    def _nested(self, indent: int) -> Any:
        start = self.pos
        while start < len(self.lines) and _is_blank_or_comment(self.lines[start]):
            start += 1
        if start >= len(self.lines) or _indent(self.lines[start]) <= indent:
            return None
        first = self.lines[start]
        if _KEY.match(first.lstrip(" ")):
            self.pos = start
            return self.mapping(_indent(first))
        if first.lstrip(" ").startswith("- "):
            self._continuation(indent)
            return FlowCollection(FLOW_SEQUENCE, self.lineno(start), _indent(first) + 1)
        value = _fold([_strip_comment(p) for p in self._continuation(indent)])
        return None if value in _NULLS else value

    def _block(self, header: str, indent: int, line: int, column: int) -> str:
        style, indicators = header[0], _strip_comment(header[1:])
        if any(c not in "+-0123456789" for c in indicators):
            raise FrontMatterError("did not find expected comment or line break", line, column + 1)
        chomp = "+" if "+" in indicators else "-" if "-" in indicators else ""
        body = self._continuation(indent)
        content_indent = min((_indent(p) for p in body if p.strip()), default=indent + 1)
        lines = [p[content_indent:] if p.strip() else "" for p in body]
        if style == "|":
            text = "\n".join(lines)
        else:
            text = _fold(lines)
        if chomp == "-" or not text:
            return text
        return text + "\n"

    def _quoted(self, text: str, indent: int, line: int, column: int) -> str:
        quote = text[0]
        pieces = [text[1:]]
        while True:
            joined = "\n".join(pieces)
            end = _closing_quote(joined, quote)
            if end is not None:
                break
            if self.pos >= len(self.lines) or (
                self.lines[self.pos].strip() and _indent(self.lines[self.pos]) <= indent
            ):
                raise FrontMatterError("found unexpected end of stream while scanning a quoted scalar", line, column)
            pieces.append(self.lines[self.pos])
            self.pos += 1
        tail = joined[end + 1 :].strip()
        if tail and not tail.startswith("#"):
            raise FrontMatterError("did not find expected key", line, column + end + 1)
        body = _fold(joined[:end].split("\n")) if "\n" in joined[:end] else joined[:end]
        if quote == "'":
            return body.replace("''", "'")
        return _unquote_double(body, line, column + 1)


def _closing_quote(text: str, quote: str) -> int | None:
    i = 0
    while i < len(text):
        ch = text[i]
        if quote == '"' and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if quote == "'" and text[i + 1 : i + 2] == "'":
                i += 2
                continue
            return i
        i += 1
    return None


def parse_mapping(lines: list[str], first_line: int = 1) -> dict[str, Any]:
    """The mapping written on ``lines`` (``first_line``: the file's line number of the first);
    values are ``str``, ``None``, nested ``dict`` or :class:`FlowCollection`.
    Raises :class:`FrontMatterError`."""
    return _Reader(lines, first_line).mapping(0)
