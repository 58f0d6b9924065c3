"""Chunk location (seek_sequence) and new-content computation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_core.apply_patch import (
    PatchConflictError,
    UpdateChunk,
    compute_updated_content,
    seek_sequence,
)
from codex_core.apply_patch.content import normalise_punctuation


def test_exact_pass_beats_earlier_fuzzy_match() -> None:
    assert seek_sequence(["a  ", "a"], ["a"], 0) == 1


@pytest.mark.parametrize(
    ("lines", "pattern", "expected"),
    [
        (["foo", "bar", "baz"], ["bar", "baz"], 1),
        (["foo   ", "bar\t"], ["foo", "bar"], 0),
        (["    foo  ", "  bar"], ["foo", "bar"], 0),
        (["x", "a \u2014 b"], ["a - b"], 1),
        (["only"], ["too", "many"], None),
        (["a", "b"], [], 0),
    ],
)
def test_seek_passes(lines: list[str], pattern: list[str], expected: int | None) -> None:
    assert seek_sequence(lines, pattern, 0) == expected


def test_seek_searches_forward_only() -> None:
    assert seek_sequence(["a", "b", "a"], ["a"], 1) == 2
    assert seek_sequence(["a", "b"], ["a"], 1) is None


def test_eof_anchor_only_tries_the_end() -> None:
    assert seek_sequence(["x", "y", "x", "y"], ["x", "y"], 0, eof=True) == 2
    assert seek_sequence(["x", "y", "x", "y"], ["x"], 0, eof=True) is None


@pytest.mark.parametrize(
    "fancy",
    [
        "\u2010\u2011\u2012\u2013\u2014\u2015\u2212",
        "\u2018\u2019\u201a\u201b",
        "\u201c\u201d\u201e\u201f",
        "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000",
    ],
)
def test_punctuation_normalisation(fancy: str) -> None:
    plain = normalise_punctuation(f"<{fancy}>")
    assert plain[0] == "<" and plain[-1] == ">"
    assert len(set(plain[1:-1])) == 1 and plain[1] in "-'\" "


def _chunk(old: list[str], new: list[str]) -> UpdateChunk:
    return UpdateChunk(context=None, old_lines=tuple(old), new_lines=tuple(new))


def test_conflict_error_names_file_hunk_chunk_and_lines() -> None:
    chunks = [_chunk(["a"], ["A"]), _chunk(["zz", "yy"], ["q"])]
    with pytest.raises(PatchConflictError) as info:
        compute_updated_content("a\nb\n", chunks, path=Path("/w/f.txt"), hunk=3)
    err = info.value
    assert err.message == "Failed to find expected lines in /w/f.txt:\nzz\nyy"
    assert (err.path, err.hunk, err.chunk, err.expected_lines) == (Path("/w/f.txt"), 3, 2, ("zz", "yy"))


def test_missing_context_error() -> None:
    chunk = UpdateChunk(context="def f():", old_lines=("x",), new_lines=("y",))
    with pytest.raises(PatchConflictError) as info:
        compute_updated_content("x\n", [chunk], path=Path("/w/g.py"), hunk=1)
    assert info.value.message == "Failed to find context 'def f():' in /w/g.py"
    assert info.value.context == "def f():"


def test_result_always_ends_with_newline() -> None:
    assert compute_updated_content("a", [_chunk(["a"], ["b"])], path=Path("f"), hunk=1) == "b\n"
    assert compute_updated_content("", [_chunk([], ["x"])], path=Path("f"), hunk=1) == "x\n"
    assert compute_updated_content("a\n", [_chunk(["a"], [])], path=Path("f"), hunk=1) == ""


def test_crlf_preserved_for_new_lines() -> None:
    out = compute_updated_content("a\r\nb\r\n", [_chunk(["a"], ["A", "A2"])], path=Path("f"), hunk=1)
    assert out == "A\r\nA2\r\nb\r\n"


_WORDS = st.text(alphabet="abcdef xyz", min_size=0, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_WORDS, min_size=1, max_size=12),
    st.data(),
    st.lists(_WORDS, max_size=4),
)
def test_replacing_a_unique_slice(lines: list[str], data: st.DataObject, replacement: list[str]) -> None:
    # Make every line unique so the first match is the intended one.
    lines = [f"{n}:{text}" for n, text in enumerate(lines)]
    start = data.draw(st.integers(0, len(lines) - 1))
    end = data.draw(st.integers(start + 1, len(lines)))
    chunk = _chunk(lines[start:end], replacement)
    out = compute_updated_content("\n".join(lines) + "\n", [chunk], path=Path("f"), hunk=1)
    expected = lines[:start] + replacement + lines[end:]
    assert out == "".join(line + "\n" for line in expected)
