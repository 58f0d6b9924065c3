"""Locating chunks in a file and computing its new text (pure functions, no I/O).

Matching follows Codex's ``seek_sequence``: for each chunk the old lines are searched forward
from the end of the previous match, trying four passes in order (exact, trailing whitespace
ignored, surrounding whitespace ignored, Unicode punctuation normalised); ``*** End of File``
chunks are only tried at the very end of the file.

Line endings follow Codex's text model: every line keeps its own ending, inserted lines use
the file's first line ending, and every line of an updated file ends with a newline. Context
lines of a chunk keep the file's text (a fuzzy match does not rewrite them).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from codex_core.apply_patch.errors import PatchConflictError
from codex_core.apply_patch.parser import UpdateChunk, rust_trim, rust_trim_end

__all__ = ["compute_updated_content", "normalise_punctuation", "seek_sequence"]

_PUNCTUATION = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u2018\u2019\u201a\u201b", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f", '"'),
        **dict.fromkeys("\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    }
)


def normalise_punctuation(line: str) -> str:
    """Trim ``line`` and map typographic dashes, quotes and odd spaces to ASCII."""
    return rust_trim(line).translate(_PUNCTUATION)


def _identity(line: str) -> str:
    return line


_PASSES = (_identity, rust_trim_end, rust_trim, normalise_punctuation)


def seek_sequence(lines: Sequence[str], pattern: Sequence[str], start: int, *, eof: bool = False) -> int | None:
    """Return the index where ``pattern`` occurs in ``lines`` at or after ``start``, or None.

    With ``eof`` the only candidate position is the end of the file
    (``len(lines) - len(pattern)``, and not before ``start``). An empty pattern matches at
    ``start``.
    """
    if not pattern:
        return start
    if len(pattern) > len(lines):
        return None
    search_start = max(start, len(lines) - len(pattern)) if eof else start
    last_start = len(lines) - len(pattern)
    for normalise in _PASSES:
        wanted = [normalise(line) for line in pattern]
        for index in range(search_start, last_start + 1):
            if all(normalise(lines[index + offset]) == want for offset, want in enumerate(wanted)):
                return index
    return None


def _split_source(text: str) -> tuple[list[str], list[str | None], str]:
    """Split ``text`` into line texts and their endings; also return the preferred ending."""
    texts: list[str] = []
    endings: list[str | None] = []
    preferred: str | None = None
    pieces = text.split("\n")
    for piece in pieces[:-1]:
        if piece.endswith("\r"):
            texts.append(piece[:-1])
            endings.append("\r\n")
        else:
            texts.append(piece)
            endings.append("\n")
        if preferred is None:
            preferred = endings[-1]
    if pieces[-1]:
        texts.append(pieces[-1])
        endings.append(None)
    return texts, endings, preferred or "\n"


def compute_updated_content(
    original: str,
    chunks: Sequence[UpdateChunk],
    *,
    path: Path,
    hunk: int,
    display_path: str | None = None,
) -> str:
    """Apply ``chunks`` to ``original`` and return the new file text.

    ``path``, ``hunk`` (1-based hunk index) and ``display_path`` (the spelling used in
    messages, default ``str(path)``) only label errors: a chunk whose ``@@`` context or old
    lines cannot be found raises :class:`PatchConflictError`.
    """
    shown = display_path if display_path is not None else str(path)
    texts, endings, preferred = _split_source(original)
    replacements: list[tuple[int, int, list[tuple[str, str]]]] = []
    line_index = 0
    for number, chunk in enumerate(chunks, start=1):
        if chunk.context is not None:
            found = seek_sequence(texts, [chunk.context], line_index)
            if found is None:
                raise PatchConflictError(
                    f"Failed to find context '{chunk.context}' in {shown}",
                    path=path,
                    hunk=hunk,
                    chunk=number,
                    context=chunk.context,
                    expected_lines=chunk.old_lines,
                )
            line_index = found + 1
        sources = chunk.new_line_sources or (None,) * len(chunk.new_lines)
        if not chunk.old_lines:
            # Pure addition: Codex appends these lines at the end of the file.
            replacements.append((len(texts), 0, [(line, preferred) for line in chunk.new_lines]))
            continue
        pattern = chunk.old_lines
        new_lines = chunk.new_lines
        found = seek_sequence(texts, pattern, line_index, eof=chunk.is_end_of_file)
        if found is None and pattern[-1] == "":
            # A trailing empty old line stands for the file's final newline; retry without it.
            pattern = pattern[:-1]
            if new_lines and new_lines[-1] == "":
                new_lines = new_lines[:-1]
                sources = sources[:-1]
            found = seek_sequence(texts, pattern, line_index, eof=chunk.is_end_of_file)
        if found is None:
            joined = "\n".join(chunk.old_lines)
            raise PatchConflictError(
                f"Failed to find expected lines in {shown}:\n{joined}",
                path=path,
                hunk=hunk,
                chunk=number,
                expected_lines=chunk.old_lines,
            )
        segment: list[tuple[str, str]] = []
        for line, source in zip(new_lines, sources, strict=True):
            if source is not None and source < len(pattern):
                # Unchanged context keeps the file's own text and line ending.
                original_ending = endings[found + source]
                segment.append((texts[found + source], original_ending or preferred))
            else:
                segment.append((line, preferred))
        replacements.append((found, len(pattern), segment))
        line_index = found + len(pattern)
    replacements.sort(key=lambda item: item[0])
    return _render(texts, endings, preferred, replacements)


def _render(
    texts: list[str],
    endings: list[str | None],
    preferred: str,
    replacements: list[tuple[int, int, list[tuple[str, str]]]],
) -> str:
    out_texts: list[str] = []
    out_endings: list[str | None] = []
    source = 0
    for start, old_len, segment in replacements:
        start = max(start, source)  # matches never overlap: each search starts past the last
        out_texts.extend(texts[source:start])
        out_endings.extend(endings[source:start])
        source = start + old_len
        out_texts.extend(text for text, _ in segment)
        out_endings.extend(ending for _, ending in segment)
    out_texts.extend(texts[source:])
    out_endings.extend(endings[source:])
    return "".join(
        text + (ending if ending is not None else preferred)
        for text, ending in zip(out_texts, out_endings, strict=True)
    )
