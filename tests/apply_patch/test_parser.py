"""Parser: structure, Codex's error texts and line numbers, and a fuzz test."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_core.apply_patch import (
    AddFile,
    DeleteFile,
    Patch,
    PatchSyntaxError,
    UpdateChunk,
    UpdateFile,
    parse_patch,
)
from codex_core.errors import PatchError

FULL = """*** Begin Patch
*** Add File: docs/new.md
+# Title
+
*** Delete File: old.txt
*** Update File: src/app.py
*** Move to: src/main.py
@@ def main():
     args = parse()
-    run(args)
+    return run(args)

@@
 tail
+more
*** End of File
*** End Patch"""


def test_parses_every_hunk_kind() -> None:
    patch = parse_patch(FULL)
    assert patch.hunks == (
        AddFile(path="docs/new.md", contents="# Title\n\n"),
        DeleteFile(path="old.txt"),
        UpdateFile(
            path="src/app.py",
            move_path="src/main.py",
            chunks=(
                UpdateChunk(
                    context="def main():",
                    old_lines=("    args = parse()", "    run(args)", ""),
                    new_lines=("    args = parse()", "    return run(args)", ""),
                    new_line_sources=(0, None, 2),
                ),
                UpdateChunk(
                    context=None,
                    old_lines=("tail",),
                    new_lines=("tail", "more"),
                    is_end_of_file=True,
                    new_line_sources=(0, None),
                ),
            ),
        ),
    )
    assert patch.text == FULL


def test_crlf_patch_and_surrounding_whitespace() -> None:
    text = "\n  *** Begin Patch \r\n*** Add File: a.txt\r\n+x\r\n*** End Patch\r\n\n"
    assert parse_patch(text).hunks == (AddFile(path="a.txt", contents="x\n"),)


@pytest.mark.parametrize("opener", ["<<EOF", "<<'EOF'", '<<"EOF"'])
def test_heredoc_wrapper_is_peeled(opener: str) -> None:
    inner = "*** Begin Patch\n*** Delete File: x\n*** End Patch"
    patch = parse_patch(f"{opener}\n{inner}\nEOF\n")
    assert patch.hunks == (DeleteFile(path="x"),)
    assert patch.text == inner


def test_zero_hunks_parse() -> None:
    assert parse_patch("*** Begin Patch\n*** End Patch") == Patch(hunks=(), text="*** Begin Patch\n*** End Patch")


@pytest.mark.parametrize(
    ("text", "message", "line", "hunk"),
    [
        ("", "invalid patch: The first line of the patch must be '*** Begin Patch'", None, None),
        (
            "*** Begin Patch\n*** Add File: a",
            "invalid patch: The last line of the patch must be '*** End Patch'",
            None,
            None,
        ),
        (
            "*** Begin Patch\n*** Add File: a\n+x\n*** Nope: b\n*** End Patch",
            "invalid hunk at line 4, '*** Nope: b' is not a valid hunk header. Valid hunk headers: "
            "'*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'",
            4,
            2,
        ),
        (
            "*** Begin Patch\n*** Update File: a\n*** End Patch",
            "invalid hunk at line 2, Update file hunk for path 'a' is empty",
            2,
            1,
        ),
        (
            "*** Begin Patch\n*** Update File: a\n@@\n-x\nfoo\n*** End Patch",
            "invalid hunk at line 5, Expected update hunk to start with a @@ context marker, got: 'foo'",
            5,
            1,
        ),
        (
            "*** Begin Patch\n*** Update File: a\n@@\n*** End Patch",
            "invalid hunk at line 4, Update hunk does not contain any lines",
            4,
            1,
        ),
    ],
)
def test_errors_carry_codex_text_line_and_hunk(text: str, message: str, line: int | None, hunk: int | None) -> None:
    with pytest.raises(PatchSyntaxError) as info:
        parse_patch(text)
    assert info.value.message == message
    assert info.value.line == line
    assert info.value.hunk == hunk
    assert isinstance(info.value, PatchError)


def test_cli_message_forms() -> None:
    with pytest.raises(PatchSyntaxError) as info:
        parse_patch("*** Begin Patch\n*** Update File: a\n*** End Patch")
    assert info.value.cli_message == "Invalid patch hunk on line 2: Update file hunk for path 'a' is empty"
    with pytest.raises(PatchSyntaxError) as info:
        parse_patch("nope")
    assert info.value.cli_message == "Invalid patch: The first line of the patch must be '*** Begin Patch'"


def test_move_path_is_taken_verbatim_but_headers_are_trimmed() -> None:
    patch = parse_patch("*** Begin Patch\n  *** Update File: a.txt  \n*** Move to: b.txt \n-x\n+y\n*** End Patch")
    hunk = patch.hunks[0]
    assert isinstance(hunk, UpdateFile)
    assert (hunk.path, hunk.move_path) == ("a.txt", "b.txt ")


def test_rust_whitespace_not_python_whitespace() -> None:
    # U+001C is whitespace for Python's str.strip() but not for Rust's str::trim.
    with pytest.raises(PatchSyntaxError):
        parse_patch("\x1c*** Begin Patch\n*** Delete File: a\n*** End Patch")
    assert parse_patch("\u3000*** Begin Patch\n*** Delete File: a\n*** End Patch\u2028").hunks


_LINE = st.one_of(
    st.sampled_from(
        [
            "*** Begin Patch",
            "*** End Patch",
            "*** Add File: a.txt",
            "*** Delete File: b.txt",
            "*** Update File: c.txt",
            "*** Move to: d.txt",
            "*** End of File",
            "@@",
            "@@ ctx",
            "",
            " ",
            "<<EOF",
            "EOF",
        ]
    ),
    st.builds(lambda p, t: p + t, st.sampled_from(["+", "-", " ", "*", "@"]), st.text(max_size=8)),
    st.text(max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_arbitrary_text_only_raises_patch_syntax_error(text: str) -> None:
    try:
        parse_patch(text)
    except PatchSyntaxError:
        pass


@settings(max_examples=600, deadline=None)
@given(st.lists(_LINE, max_size=14), st.sampled_from(["\n", "\r\n"]))
def test_patch_shaped_text_only_raises_patch_syntax_error(lines: list[str], newline: str) -> None:
    text = newline.join(["*** Begin Patch", *lines, "*** End Patch"])
    try:
        patch = parse_patch(text)
    except PatchSyntaxError as exc:
        assert exc.message
        return
    for hunk in patch.hunks:
        if isinstance(hunk, UpdateFile):
            assert hunk.chunks
            for chunk in hunk.chunks:
                assert len(chunk.new_line_sources) == len(chunk.new_lines)


# -- huge and pathological input (issue 14, item 12): linear time, short errors ---------------


def _parse_within(text: str, seconds: float) -> Patch:
    started = time.monotonic()
    try:
        return parse_patch(text)
    finally:
        assert time.monotonic() - started < seconds, "parsing must stay linear in the patch size"


def test_a_hundred_thousand_hunks_parse_in_linear_time() -> None:
    # Re-slicing the rest of the patch per hunk made this take ~20 s (quadratic).
    patch = _parse_within("*** Begin Patch\n" + "*** Delete File: x\n" * 100_000 + "*** End Patch", 3)
    assert len(patch.hunks) == 100_000
    assert patch.hunks[-1] == DeleteFile(path="x")


def test_a_hundred_thousand_chunks_in_one_update_parse_in_linear_time() -> None:
    text = "*** Begin Patch\n*** Update File: f\n" + "@@\n-a\n+b\n" * 100_000 + "*** End Patch"
    (update,) = _parse_within(text, 5).hunks
    assert isinstance(update, UpdateFile)
    assert len(update.chunks) == 100_000
    assert update.chunks[-1] == UpdateChunk(context=None, old_lines=("a",), new_lines=("b",), new_line_sources=(None,))


def test_error_line_numbers_after_many_hunks() -> None:
    text = "*** Begin Patch\n" + "*** Delete File: x\n" * 50_000 + "*** Update File: f\n@@\nbad\n*** End Patch"
    with pytest.raises(PatchSyntaxError) as info:
        _parse_within(text, 3)
    assert (info.value.line, info.value.hunk) == (
        50_004,
        50_001,
    )  # Begin, 50,000 deletes, Update, @@, then the bad line


@pytest.mark.parametrize(
    ("body", "quoted"),
    [
        ("z" * 1_000_000, "'" + "z" * 200 + "…' is not a valid hunk header"),
        ("*** Update File: f\n@@\n" + "q" * 1_000_000, "Unexpected line found in update hunk: '" + "q" * 200 + "…'"),
        ("*** Update File: f\n@@ a\n+b\n" + "r" * 1_000_000, "got: '" + "r" * 200 + "…'"),
    ],
    ids=["hunk-header", "chunk-line", "context-marker"],
)
def test_a_megabyte_bad_line_gives_a_short_error(body: str, quoted: str) -> None:
    with pytest.raises(PatchSyntaxError) as info:
        _parse_within(f"*** Begin Patch\n{body}\n*** End Patch", 2)
    assert quoted in info.value.message
    assert len(info.value.message) < 600


def test_megabyte_lines_in_a_valid_patch_are_kept_whole() -> None:
    long = "x" * 5_000_000
    patch = _parse_within(f"*** Begin Patch\n*** Add File: big\n+{long}\n*** End Patch", 2)
    assert patch.hunks == (AddFile(path="big", contents=long + "\n"),)
