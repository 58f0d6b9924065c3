"""Conformance corpus: inputs for the standalone ``apply_patch`` command.

Each :class:`Case` describes a starting tree, a patch and how it is passed (argument or
stdin). ``record_conformance.py`` runs the reference Codex binary on every case and stores
what it observed (exit code, stdout, stderr, resulting tree) in ``conformance_expected.json``;
``test_conformance.py`` runs our implementation and compares. ``{cwd}`` in a patch is replaced
by the temporary directory; in recorded output the directory is replaced by ``<CWD>``.

Where we deliberately differ from Codex, ``deviation`` names the reason and
``expected_tree`` gives our expected tree (``None`` = "unchanged input tree").
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CASES", "Case"]


@dataclass(frozen=True)
class Case:
    name: str
    patch: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    dirs: tuple[str, ...] = ()
    symlinks: dict[str, str] = field(default_factory=dict)
    via: str = "arg"  # "arg" | "stdin" | "args" (patch twice) | "none" (no argument, empty stdin)
    deviation: str | None = None
    expected_tree: dict[str, str] | None = None


def _p(*lines: str) -> str:
    return "\n".join(["*** Begin Patch", *lines, "*** End Patch"])


CASES: list[Case] = [
    Case("add_file", _p("*** Add File: hello.txt", "+Hello", "+world")),
    Case("add_file_nested_dirs", _p("*** Add File: a/b/c.txt", "+deep")),
    Case("add_empty_file", _p("*** Add File: empty.txt")),
    Case(
        "add_blank_lines",
        _p("*** Add File: blank.txt", "+", "+x", "+"),
    ),
    Case(
        "multiple_operations",
        _p(
            "*** Add File: nested/new.txt",
            "+created",
            "*** Delete File: delete.txt",
            "*** Update File: modify.txt",
            "@@",
            "-line2",
            "+changed",
        ),
        files={"delete.txt": "obsolete\n", "modify.txt": "line1\nline2\n"},
    ),
    Case(
        "multiple_chunks",
        _p(
            "*** Update File: multi.txt",
            "@@",
            "-line2",
            "+line2 changed",
            "@@",
            " line4",
            "-line5",
            "+line5 changed",
            "@@",
            "-line8",
            "+line8 changed",
        ),
        files={"multi.txt": "".join(f"line{i}\n" for i in range(1, 10))},
    ),
    Case(
        "move_to_new_directory",
        _p("*** Update File: old/name.txt", "*** Move to: renamed/dir/name.txt", "@@", "-old", "+new"),
        files={"old/name.txt": "old\n", "old/other.txt": "untouched\n"},
    ),
    Case(
        "move_overwrites_destination",
        _p("*** Update File: old/name.txt", "*** Move to: renamed/dir/name.txt", "@@", "-from", "+to"),
        files={"old/name.txt": "from\n", "renamed/dir/name.txt": "existing\n"},
    ),
    Case("empty_patch", _p(), files={"foo.txt": "keep\n"}),
    Case(
        "missing_expected_lines",
        _p("*** Update File: modify.txt", "@@", "-missing", "+changed"),
        files={"modify.txt": "line1\nline2\n"},
    ),
    Case(
        "missing_context_header",
        _p("*** Update File: modify.txt", "@@ def nowhere():", "-line1", "+changed"),
        files={"modify.txt": "line1\nline2\n"},
    ),
    Case("delete_missing_file", _p("*** Delete File: missing.txt"), files={"foo.txt": "stay\n"}),
    Case("empty_update_hunk", _p("*** Update File: foo.txt"), files={"foo.txt": "stay\n"}),
    Case(
        "update_missing_file",
        _p("*** Update File: missing.txt", "@@", "-a", "+b"),
        files={"foo.txt": "stay\n"},
    ),
    Case(
        "add_overwrites_existing",
        _p("*** Add File: duplicate.txt", "+new content"),
        files={"duplicate.txt": "old content\n"},
    ),
    Case("delete_directory_fails", _p("*** Delete File: dir"), files={"dir/foo.txt": "x\n"}),
    Case(
        "invalid_hunk_header",
        _p("*** Frobnicate File: foo.txt", "+x"),
        files={"foo.txt": "stay\n"},
    ),
    Case(
        "update_appends_trailing_newline",
        _p("*** Update File: no_newline.txt", "@@", "-no newline at end", "+first line", "+second line"),
        files={"no_newline.txt": "no newline at end"},
    ),
    Case(
        "failure_after_partial_success",
        _p("*** Add File: created.txt", "+hello", "*** Update File: missing.txt", "@@", "-a", "+b"),
        deviation="atomic: a failing patch writes nothing (Codex keeps created.txt)",
    ),
    Case(
        "failure_after_two_updates",
        _p(
            "*** Update File: a.txt",
            "@@",
            "-a",
            "+A",
            "*** Delete File: b.txt",
            "*** Update File: c.txt",
            "@@",
            "-not there",
            "+x",
        ),
        files={"a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n"},
        deviation="atomic: a failing patch writes nothing (Codex keeps a.txt/b.txt changes)",
    ),
    Case(
        "pure_addition_chunk",
        _p("*** Update File: input.txt", "@@", "+added line 1", "+added line 2"),
        files={"input.txt": "line1\nline2\n"},
    ),
    Case(
        "pure_addition_with_context_appends_at_end",
        _p("*** Update File: input.txt", "@@ line1", "+inserted"),
        files={"input.txt": "line1\nline2\nline3\n"},
    ),
    Case(
        "pure_addition_after_blank_last_line",
        _p("*** Update File: blank.txt", "@@", "+x"),
        files={"blank.txt": "a\n\n"},
    ),
    Case(
        "whitespace_padded_hunk_header",
        _p("   *** Update File: foo.txt   ", "@@", "-old", "+new"),
        files={"foo.txt": "old\n"},
    ),
    Case(
        "whitespace_padded_markers",
        "  *** Begin Patch  \n*** Update File: file.txt\n@@\n-one\n+two\n\t*** End Patch \n\n",
        files={"file.txt": "one\n"},
    ),
    Case(
        "unicode_content",
        _p("*** Update File: foo.txt", "@@", " héllo wörld", "-naïve café 🚀", "+naïve café ✨"),
        files={"foo.txt": "héllo wörld\nnaïve café 🚀\nend\n"},
    ),
    Case(
        "delete_file_success",
        _p("*** Delete File: obsolete.txt"),
        files={"obsolete.txt": "bye\n", "keep.txt": "keep\n"},
    ),
    Case(
        "deletion_only_chunk",
        _p("*** Update File: lines.txt", "@@", " line1", "-line2", " line3"),
        files={"lines.txt": "line1\nline2\nline3\n"},
    ),
    Case(
        "end_of_file_marker_anchors_at_end",
        _p("*** Update File: tail.txt", "@@", " x", "-y", "+Y", "*** End of File"),
        files={"tail.txt": "x\ny\nx\ny\n"},
    ),
    Case(
        "end_of_file_marker_not_at_end_fails",
        _p("*** Update File: tail.txt", "@@", "-x", "+X", "*** End of File"),
        files={"tail.txt": "x\ny\nx\ny\n"},
    ),
    Case(
        "fuzzy_trailing_whitespace",
        _p("*** Update File: ws.txt", "@@", " alpha", "-beta", "+BETA"),
        files={"ws.txt": "alpha   \nbeta\t\ngamma\n"},
    ),
    Case(
        "fuzzy_surrounding_whitespace",
        _p("*** Update File: ws.py", "@@", "-return 1", "+    return 2"),
        files={"ws.py": "def f():\n        return 1\n"},
    ),
    Case(
        "fuzzy_unicode_punctuation",
        _p(
            "*** Update File: typo.txt",
            "@@",
            ' "quoted" - text',
            "-it's a test",
            "+it is a test",
        ),
        files={"typo.txt": "\u201cquoted\u201d \u2014 text\nit\u2019s\u00a0a test\nend\n"},
    ),
    Case(
        "context_header_disambiguates",
        _p("*** Update File: code.py", "@@ def second():", "-    return 0", "+    return 2"),
        files={"code.py": "def first():\n    return 0\n\ndef second():\n    return 0\n"},
    ),
    Case(
        "chunks_out_of_order_fail",
        _p("*** Update File: order.txt", "@@", "-c", "+C", "@@", "-a", "+A"),
        files={"order.txt": "a\nb\nc\n"},
    ),
    Case(
        "first_chunk_without_marker",
        _p("*** Update File: f.py", " import os", "+import sys"),
        files={"f.py": "import os\nprint(os)\n"},
    ),
    Case(
        "blank_lines_between_chunks",
        _p("*** Update File: f.txt", "@@", "-a", "+A", "", "   ", "@@", "-c", "+C"),
        files={"f.txt": "a\nb\nc\n"},
    ),
    Case(
        "empty_line_is_blank_context",
        _p("*** Update File: f.txt", "@@", " a", "", "-b", "+B"),
        files={"f.txt": "a\n\nb\n"},
    ),
    Case(
        "trailing_blank_old_line_retry",
        _p("*** Update File: f.txt", "@@", " a", "-b", "+B", ""),
        files={"f.txt": "a\nb\n"},
    ),
    Case(
        "crlf_file_preserved",
        _p("*** Update File: win.txt", "@@", " one", "-two", "+TWO", "+three"),
        files={"win.txt": "one\r\ntwo\r\nfour\r\n"},
    ),
    Case(
        "mixed_endings_use_first",
        _p("*** Update File: m1.txt", "@@", "-b", "+B", "*** Update File: m2.txt", "@@", "-b", "+B"),
        files={"m1.txt": "a\nb\r\nc", "m2.txt": "a\r\nb\nc"},
    ),
    Case(
        "crlf_patch_text",
        "*** Begin Patch\r\n*** Add File: c.txt\r\n+a\r\n+b\r\n"
        "*** Update File: u.txt\r\n@@\r\n-x\r\n+y\r\n*** End Patch\r\n",
        files={"u.txt": "x\n"},
    ),
    Case(
        "heredoc_wrapped_patch",
        "<<'EOF'\n" + _p("*** Add File: h.txt", "+heredoc") + "\nEOF\n",
    ),
    Case(
        "heredoc_unquoted_wrapper",
        "<<EOF\n" + _p("*** Add File: h.txt", "+heredoc") + "\nEOF",
    ),
    Case("missing_begin_marker", "*** Add File: x.txt\n+x\n*** End Patch"),
    Case("missing_end_marker", "*** Begin Patch\n*** Add File: x.txt\n+x"),
    Case("garbage_after_end", _p("*** Add File: x.txt", "+x") + "\ntrailing words"),
    Case("not_a_patch", "hello world"),
    Case(
        "unexpected_line_in_chunk",
        _p("*** Update File: f.txt", "@@", "bogus", "-a"),
        files={"f.txt": "a\n"},
    ),
    Case(
        "second_chunk_needs_marker",
        _p("*** Update File: f.txt", "@@", "-a", "+A", "bogus"),
        files={"f.txt": "a\n"},
    ),
    Case(
        "eof_marker_as_first_line",
        _p("*** Update File: f.txt", "@@", "*** End of File"),
        files={"f.txt": "a\n"},
    ),
    Case(
        "marker_without_lines",
        _p("*** Update File: f.txt", "@@ a"),
        files={"f.txt": "a\n"},
    ),
    Case(
        "eof_marker_then_next_chunk",
        _p("*** Update File: f.txt", "@@", "-a", "+A", "@@", " y", "-z", "+Z", "*** End of File"),
        files={"f.txt": "a\ny\nz\n"},
    ),
    Case(
        "overlapping_eof_chunk",
        _p("*** Update File: f.txt", "@@", "-b", "-c", "+B", "@@", "-c", "-d", "+D", "*** End of File"),
        files={"f.txt": "a\nb\nc\nd\n"},
    ),
    Case(
        "summary_order_and_duplicates",
        _p(
            "*** Delete File: gone.txt",
            "*** Update File: f.txt",
            "@@",
            "-one",
            "+uno",
            "*** Add File: n.txt",
            "+n",
            "*** Update File: f.txt",
            "*** Move to: g.txt",
            "@@",
            "-two",
            "+dos",
        ),
        files={"f.txt": "one\ntwo\n", "gone.txt": "x\n"},
    ),
    Case(
        "add_then_update_same_file",
        _p("*** Add File: new.txt", "+a", "+b", "*** Update File: new.txt", "@@", "-b", "+B"),
    ),
    Case(
        "delete_then_add_same_path",
        _p("*** Delete File: f.txt", "*** Add File: f.txt", "+fresh"),
        files={"f.txt": "old\n"},
    ),
    Case("absolute_path", _p("*** Add File: {cwd}/abs.txt", "+absolute")),
    Case("dotdot_path_inside_cwd", _p("*** Add File: sub/../up.txt", "+up")),
    Case(
        "parent_is_a_file",
        _p("*** Add File: file.txt/child.txt", "+x"),
        files={"file.txt": "i am a file\n"},
    ),
    Case("add_onto_directory", _p("*** Add File: dir", "+x"), files={"dir/keep.txt": "k\n"}),
    Case(
        "update_non_utf8_fails",
        _p("*** Update File: bin.dat", "@@", "-a", "+b"),
        files={"bin.dat": b"\xff\xfea\n"},
    ),
    Case(
        "update_through_symlink",
        _p("*** Update File: link.txt", "@@", "-target", "+changed"),
        files={"real.txt": "target\n"},
        symlinks={"link.txt": "real.txt"},
    ),
    Case(
        "delete_symlink_keeps_target",
        _p("*** Delete File: link.txt"),
        files={"real.txt": "target\n"},
        symlinks={"link.txt": "real.txt"},
    ),
    Case(
        "move_to_self",
        _p("*** Update File: same.txt", "*** Move to: same.txt", "@@", "-a", "+b"),
        files={"same.txt": "a\n"},
        deviation="move onto itself updates in place (Codex writes then deletes the file)",
        expected_tree={"same.txt": "b\n"},
    ),
    Case("patch_on_stdin", _p("*** Add File: s.txt", "+from stdin"), via="stdin"),
    Case("no_patch_usage", "", via="none"),
    Case("two_arguments", _p("*** Add File: t.txt", "+x"), via="args"),
    Case(
        "space_only_context_line",
        _p("*** Update File: f.txt", "@@", " ", "-x", "+X"),
        files={"f.txt": "\nx\n"},
    ),
    Case(
        "update_header_trailing_spaces",
        _p("*** Update File: a.txt  ", "@@", "-a", "+b"),
        files={"a.txt": "a\n"},
    ),
    Case(
        "context_lines_keep_file_text",
        _p(
            "*** Update File: p1.txt",
            "@@",
            " a",
            "-b",
            "+B",
            " c",
            "*** Update File: p2.txt",
            "@@",
            " a",
            "-b",
            "+B",
            " c",
            "-d",
            "+D",
        ),
        files={"p1.txt": "  a  \nb\n  c  \n", "p2.txt": "a \nb \nc \nd \n"},
    ),
    Case(
        "removed_then_added_same_text_uses_patch_text",
        _p("*** Update File: p5.txt", "@@", " x", "-b", "+b", " y"),
        files={"p5.txt": "x\nb   \ny\n"},
    ),
    Case(
        "swapped_lines_and_context",
        _p("*** Update File: p6.txt", "@@", "-k1", "-k2", "+k2", "+k1", " k3"),
        files={"p6.txt": "k1 \nk2 \nk3 \n"},
    ),
    Case(
        "context_keeps_own_line_ending",
        _p(
            "*** Update File: e1.txt",
            "@@",
            " b",
            "-c",
            "+C",
            "*** Update File: e3.txt",
            "@@",
            "-a",
            "+A",
            " b",
        ),
        files={"e1.txt": "a\r\nb\nc\r\n", "e3.txt": "a\nb"},
    ),
    Case(
        "update_empty_file_pure_addition",
        _p("*** Update File: empty.txt", "@@", "+first"),
        files={"empty.txt": ""},
    ),
    Case(
        "fuzzy_trimmed_header_context",
        _p("*** Update File: f.py", "@@ class  A:", "-    x = 1", "+    x = 2"),
        files={"f.py": "x = 1\n  class  A:  \n    x = 1\n"},
    ),
    Case(
        "duplicate_lines_first_match_wins",
        _p("*** Update File: dup.txt", "@@", "-same", "+changed"),
        files={"dup.txt": "same\nother\nsame\n"},
    ),
    Case(
        "dash_prefixed_content_lines",
        _p("*** Update File: list.md", "@@", " - item one", "--- removed rule", "+--- added rule"),
        files={"list.md": "- item one\n-- removed rule\n"},
    ),
    Case(
        "star_line_ends_update_hunk",
        _p("*** Update File: f.txt", "@@", "-a", "+A", "**bold** text"),
        files={"f.txt": "a\n"},
    ),
    Case(
        "add_file_stops_at_non_plus_line",
        _p("*** Add File: a.txt", "+one", " two"),
    ),
    Case(
        "heredoc_marker_lines_with_wrong_end",
        "<<'EOF'\n" + _p("*** Add File: h.txt", "+x") + "\nEND",
    ),
    Case(
        "only_exact_headers_end_an_update",
        _p("*** Update File: f.txt", "@@", "-a", "+A", "*** Move to: m.txt"),
        files={"f.txt": "a\n"},
    ),
    Case(
        "padded_header_inside_update_is_not_a_header",
        _p("*** Update File: f.txt", "@@", "-a", "+A", "\t*** Add File: z.txt", "+z"),
        files={"f.txt": "a\n"},
    ),
    Case(
        "update_then_delete_same_file",
        _p("*** Update File: f.txt", "@@", "-a", "+A", "*** Delete File: f.txt"),
        files={"f.txt": "a\n"},
    ),
]
