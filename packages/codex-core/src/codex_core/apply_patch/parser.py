"""Parser for the Codex patch language (pure: text in, :class:`Patch` out, no I/O).

The accepted language, in short::

    *** Begin Patch
    *** Add File: <path>          followed by `+<line>` lines
    *** Delete File: <path>
    *** Update File: <path>       optionally followed by `*** Move to: <path>`
    @@ [<context line>]           then ` ctx` / `-old` / `+new` lines, optional `*** End of File`
    *** End Patch

Lenient exactly where Codex is lenient: the whole text is trimmed, the Begin/End markers and
hunk headers may carry surrounding whitespace, a ``<<'EOF'`` ... ``EOF`` heredoc wrapper is
peeled off, blank lines between chunks are skipped and the first chunk of a file may omit its
``@@`` marker. Everything else is an error with the exact Codex wording and line number.

Parsing is one pass over the lines (positions, never re-slicing the rest of the patch), so a
patch with 100,000 hunks or chunks parses in linear time; a line quoted in an error message is
cut to :data:`QUOTED_LINE_CHARS` characters so a megabyte-long bad line gives a short error.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from codex_core.apply_patch.errors import PatchSyntaxError

__all__ = [
    "RUST_WHITESPACE",
    "AddFile",
    "DeleteFile",
    "Hunk",
    "Patch",
    "UpdateChunk",
    "UpdateFile",
    "parse_patch",
    "rust_trim",
    "rust_trim_end",
]

BEGIN_PATCH = "*** Begin Patch"
END_PATCH = "*** End Patch"
ADD_FILE = "*** Add File: "
DELETE_FILE = "*** Delete File: "
UPDATE_FILE = "*** Update File: "
MOVE_TO = "*** Move to: "
END_OF_FILE = "*** End of File"
CONTEXT_MARKER = "@@ "
EMPTY_CONTEXT_MARKER = "@@"
_HEREDOC_OPENERS = ("<<EOF", "<<'EOF'", '<<"EOF"')
QUOTED_LINE_CHARS = 200
"""Longest piece of a patch line repeated in an error message."""

#: Unicode ``White_Space`` characters, i.e. what Rust's ``str::trim`` removes. Python's
#: ``str.strip()`` also strips U+001C..U+001F, which Codex keeps.
RUST_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def rust_trim(text: str) -> str:
    """Strip leading and trailing Unicode whitespace the way Rust's ``str::trim`` does."""
    return text.strip(RUST_WHITESPACE)


def rust_trim_end(text: str) -> str:
    """Strip trailing Unicode whitespace the way Rust's ``str::trim_end`` does."""
    return text.rstrip(RUST_WHITESPACE)


@attrs.frozen
class UpdateChunk:
    """One ``@@`` section of an ``*** Update File`` hunk.

    ``context`` is the text after ``@@ `` (used to jump forward in the file), ``old_lines`` the
    lines to find (context and ``-`` lines), ``new_lines`` their replacement (context and ``+``
    lines) and ``is_end_of_file`` whether ``*** End of File`` anchors the chunk at the end.
    ``new_line_sources[i]`` is the index in ``old_lines`` of new line ``i`` when it is an
    unchanged context line (the file's own text is then kept, as Codex does), else ``None``;
    an empty tuple means "no context lines".
    """

    context: str | None
    old_lines: tuple[str, ...]
    new_lines: tuple[str, ...]
    is_end_of_file: bool = False
    new_line_sources: tuple[int | None, ...] = ()


@attrs.frozen
class AddFile:
    """``*** Add File: path``: create (or overwrite) ``path`` with ``contents``."""

    path: str
    contents: str


@attrs.frozen
class DeleteFile:
    """``*** Delete File: path``: remove the file at ``path``."""

    path: str


@attrs.frozen
class UpdateFile:
    """``*** Update File: path``: rewrite ``path`` chunk by chunk, optionally moving it."""

    path: str
    chunks: tuple[UpdateChunk, ...]
    move_path: str | None = None


Hunk: TypeAlias = AddFile | DeleteFile | UpdateFile


@attrs.frozen
class Patch:
    """A parsed patch. ``text`` is the patch without any heredoc wrapper (lines joined by LF)."""

    hunks: tuple[Hunk, ...]
    text: str


def _rust_lines(text: str) -> list[str]:
    """Split like Rust's ``str::lines``: on LF, dropping one CR before it, no trailing empty."""
    if not text:
        return []
    parts = text.split("\n")
    last = parts.pop()
    lines = [part[:-1] if part.endswith("\r") else part for part in parts]
    if last:
        lines.append(last)
    return lines


def _check_boundaries_strict(lines: list[str]) -> None:
    first = rust_trim(lines[0]) if lines else None
    last = rust_trim(lines[-1]) if lines else None
    if first == BEGIN_PATCH and last == END_PATCH:
        return
    if first != BEGIN_PATCH:
        raise PatchSyntaxError("The first line of the patch must be '*** Begin Patch'")
    raise PatchSyntaxError("The last line of the patch must be '*** End Patch'")


def _check_boundaries_lenient(lines: list[str]) -> list[str]:
    """Return the patch lines (Begin..End inclusive), peeling a heredoc wrapper if present."""
    try:
        _check_boundaries_strict(lines)
        return lines
    except PatchSyntaxError as original:
        if len(lines) >= 4 and lines[0] in _HEREDOC_OPENERS and lines[-1].endswith("EOF"):
            inner = lines[1:-1]
            _check_boundaries_strict(inner)
            return inner
        raise original from None


def _quote(line: str) -> str:
    """``line`` as shown inside an error message: whole when short, else cut with an ellipsis."""
    return line if len(line) <= QUOTED_LINE_CHARS else line[:QUOTED_LINE_CHARS] + "…"


def parse_patch(text: str) -> Patch:
    """Parse patch ``text`` into a :class:`Patch`.

    Raises :class:`~codex_core.apply_patch.errors.PatchSyntaxError` (and nothing else) on
    malformed input. A patch with zero hunks parses; applying it fails.
    """
    lines = _check_boundaries_lenient(_rust_lines(rust_trim(text)))
    body = lines[1:-1]
    hunks: list[Hunk] = []
    position = 0
    while position < len(body):
        hunk, position = _parse_hunk(body, position, len(hunks) + 1)
        hunks.append(hunk)
    return Patch(hunks=tuple(hunks), text="\n".join(lines))


def _line_number(index: int) -> int:
    """Patch line number (``*** Begin Patch`` is line 1) of ``body[index]``."""
    return index + 2


def _parse_hunk(body: list[str], start: int, hunk_index: int) -> tuple[Hunk, int]:
    """Parse the file operation at ``body[start]``; returns it and the index after it."""
    header = rust_trim(body[start])
    if header.startswith(ADD_FILE):
        contents: list[str] = []
        end = start + 1
        while end < len(body) and body[end].startswith("+"):
            contents.append(body[end][1:] + "\n")
            end += 1
        return AddFile(path=header[len(ADD_FILE) :], contents="".join(contents)), end
    if header.startswith(DELETE_FILE):
        return DeleteFile(path=header[len(DELETE_FILE) :]), start + 1
    if header.startswith(UPDATE_FILE):
        return _parse_update(body, start, header[len(UPDATE_FILE) :], hunk_index)
    raise PatchSyntaxError(
        f"'{_quote(header)}' is not a valid hunk header. Valid hunk headers: '*** Add File: {{path}}', "
        "'*** Delete File: {path}', '*** Update File: {path}'",
        line=_line_number(start),
        hunk=hunk_index,
    )


def _parse_update(body: list[str], start: int, path: str, hunk_index: int) -> tuple[UpdateFile, int]:
    position = start + 1
    move_path: str | None = None
    if position < len(body) and body[position].startswith(MOVE_TO):
        move_path = body[position][len(MOVE_TO) :]
        position += 1
    chunks: list[UpdateChunk] = []
    while position < len(body):
        line = body[position]
        if not rust_trim(line):
            position += 1
            continue
        if line.startswith((ADD_FILE, DELETE_FILE, UPDATE_FILE)):
            break  # the next file operation (only an unpadded header ends an update)
        chunk, position = _parse_chunk(body, position, not chunks, hunk_index)
        chunks.append(chunk)
    if not chunks:
        raise PatchSyntaxError(
            f"Update file hunk for path '{_quote(path)}' is empty", line=_line_number(start), hunk=hunk_index
        )
    return UpdateFile(path=path, chunks=tuple(chunks), move_path=move_path), position


def _parse_chunk(body: list[str], start: int, allow_missing_context: bool, hunk_index: int) -> tuple[UpdateChunk, int]:
    """Parse the ``@@`` chunk at ``body[start]``; returns it and the index after it."""
    first = body[start]
    context: str | None
    if first == EMPTY_CONTEXT_MARKER:
        context, position = None, start + 1
    elif first.startswith(CONTEXT_MARKER):
        context, position = first[len(CONTEXT_MARKER) :], start + 1
    elif allow_missing_context:
        context, position = None, start
    else:
        raise PatchSyntaxError(
            f"Expected update hunk to start with a @@ context marker, got: '{_quote(first)}'",
            line=_line_number(start),
            hunk=hunk_index,
        )
    # Codex reports problems in the chunk body at the line after the chunk's first line.
    body_line = _line_number(start) + 1
    if position >= len(body):
        raise PatchSyntaxError("Update hunk does not contain any lines", line=body_line, hunk=hunk_index)
    old: list[str] = []
    new: list[str] = []
    sources: list[int | None] = []
    is_eof = False
    first_body = position
    while position < len(body):
        line = body[position]
        if line == END_OF_FILE:
            if position == first_body:
                raise PatchSyntaxError("Update hunk does not contain any lines", line=body_line, hunk=hunk_index)
            is_eof = True
            position += 1
            break
        marker = line[:1]
        if marker in ("", " "):
            sources.append(len(old))
            old.append(line[1:])
            new.append(line[1:])
        elif marker == "+":
            sources.append(None)
            new.append(line[1:])
        elif marker == "-":
            old.append(line[1:])
        elif position == first_body:
            raise PatchSyntaxError(
                f"Unexpected line found in update hunk: '{_quote(line)}'. Every line should start with "
                "' ' (context line), '+' (added line), or '-' (removed line)",
                line=body_line,
                hunk=hunk_index,
            )
        else:
            break
        position += 1
    chunk = UpdateChunk(
        context=context,
        old_lines=tuple(old),
        new_lines=tuple(new),
        is_end_of_file=is_eof,
        new_line_sources=tuple(sources),
    )
    return chunk, position
