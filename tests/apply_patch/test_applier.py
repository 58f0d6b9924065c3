"""Applying patches to real directories: results, previews, atomicity, allowed roots, diffs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_core.apply_patch import (
    ApplyPatchError,
    PatchConflictError,
    PatchIOError,
    PatchPathError,
    apply_patch,
    parse_patch,
    preview_patch,
)
from codex_core.errors import PatchError
from tests.apply_patch.conformance_harness import snapshot_tree


def _p(*lines: str) -> str:
    return "\n".join(["*** Begin Patch", *lines, "*** End Patch"])


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())


MIXED = _p(
    "*** Add File: pkg/new.py",
    "+print('new')",
    "*** Delete File: gone.txt",
    "*** Update File: src/app.py",
    "*** Move to: src/main.py",
    "@@ def main():",
    "-    return 1",
    "+    return 2",
    "*** Update File: notes.txt",
    "@@",
    "-b",
    "+B",
)
MIXED_FILES = {
    "gone.txt": "bye\n",
    "src/app.py": "import os\n\ndef main():\n    return 1\n",
    "notes.txt": "a\nb\nc",
    "keep.txt": "keep\n",
}


def test_result_reports_paths_contents_and_summary(tmp_path: Path) -> None:
    _write(tmp_path, MIXED_FILES)
    result = apply_patch(MIXED, cwd=tmp_path)
    assert result.applied
    assert result.added == (tmp_path / "pkg/new.py",)
    assert result.deleted == (tmp_path / "gone.txt",)
    assert result.modified == (tmp_path / "src/main.py", tmp_path / "notes.txt")
    assert result.moved == ((tmp_path / "src/app.py", tmp_path / "src/main.py"),)
    assert result.summary() == (
        "Success. Updated the following files:\nA pkg/new.py\nM src/main.py\nM notes.txt\nD gone.txt\n"
    )
    update = result.changes[2]
    assert (update.kind, update.old_content, update.new_content) == (
        "update",
        MIXED_FILES["src/app.py"],
        "import os\n\ndef main():\n    return 2\n",
    )
    assert result.changes[1].old_content == "bye\n"
    assert (tmp_path / "src/main.py").read_text() == "import os\n\ndef main():\n    return 2\n"
    assert not (tmp_path / "src/app.py").exists()
    assert (tmp_path / "notes.txt").read_text() == "a\nB\nc\n"


def test_preview_writes_nothing_but_computes_everything(tmp_path: Path) -> None:
    _write(tmp_path, MIXED_FILES)
    before = snapshot_tree(tmp_path)
    preview = preview_patch(MIXED, cwd=tmp_path)
    assert snapshot_tree(tmp_path) == before
    assert not preview.applied
    applied = apply_patch(MIXED, cwd=tmp_path)
    assert preview.changes == applied.changes
    assert preview.diff == applied.diff


def test_diff_is_git_style(tmp_path: Path) -> None:
    _write(tmp_path, MIXED_FILES)
    diff = preview_patch(MIXED, cwd=tmp_path).diff
    assert "diff --git a/pkg/new.py b/pkg/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/pkg/new.py\n" in diff
    assert "diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n" in diff
    assert "rename from src/app.py\nrename to src/main.py\n" in diff
    assert "-c\n\\ No newline at end of file\n" in diff


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_apply_of_our_diff_reproduces_our_result(tmp_path: Path) -> None:
    files = {**MIXED_FILES, "win.txt": "one\r\ntwo\r\n", "tool.sh": "#!/bin/sh\necho hi\n"}
    patch = MIXED.replace(
        "*** End Patch",
        "*** Update File: win.txt\n@@\n-two\n+TWO\n*** Delete File: tool.sh\n"
        # the same file touched by several hunks, a delete then re-add, an add then update
        "*** Update File: keep.txt\n@@\n-keep\n+kept\n"
        "*** Update File: keep.txt\n*** Move to: kept/keep.txt\n@@\n+more\n"
        "*** Delete File: pkg/new.py\n*** Add File: gone.txt\n+back\n"
        "*** Add File: fresh.txt\n+a\n*** Update File: fresh.txt\n@@\n-a\n+b\n"
        "*** End Patch",
    )
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for root in (ours, theirs):
        _write(root, files)
        (root / "tool.sh").chmod(0o755)
    result = apply_patch(patch, cwd=ours)
    (tmp_path / "change.diff").write_text(result.diff)
    proc = subprocess.run(
        ["git", "apply", "--whitespace=nowarn", str(tmp_path / "change.diff")],
        cwd=theirs,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert snapshot_tree(theirs) == snapshot_tree(ours)
    assert "rename from src/app.py\nrename to src/main.py\n" in result.diff


def test_failing_hunk_leaves_tree_untouched(tmp_path: Path) -> None:
    _write(tmp_path, MIXED_FILES)
    before = snapshot_tree(tmp_path)
    patch = MIXED.replace("*** End Patch", "*** Update File: keep.txt\n@@\n-absent\n+x\n*** End Patch")
    with pytest.raises(PatchConflictError) as info:
        apply_patch(patch, cwd=tmp_path)
    assert info.value.hunk == 5
    assert info.value.path == tmp_path / "keep.txt"
    assert snapshot_tree(tmp_path) == before


def test_write_failure_midway_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, MIXED_FILES)
    before = snapshot_tree(tmp_path)
    real_replace = os.replace
    calls: list[str] = []

    def flaky_replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)
    with pytest.raises(PatchIOError) as info:
        apply_patch(MIXED, cwd=tmp_path)
    monkeypatch.undo()
    assert "No files were modified" in info.value.message
    assert snapshot_tree(tmp_path) == before  # pkg/ removed again, files restored
    assert not list(tmp_path.rglob("*.apply_patch.tmp"))


def test_failed_rollback_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"a.txt": "a\n", "b.txt": "b\n"})
    real_replace = os.replace
    calls: list[str] = []

    def failing_after_first(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) > 1:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_after_first)
    patch = _p("*** Update File: a.txt", "@@", "-a", "+A", "*** Update File: b.txt", "@@", "-b", "+B")
    with pytest.raises(PatchIOError) as info:
        apply_patch(patch, cwd=tmp_path)
    monkeypatch.undo()
    assert info.value.message == (
        f"Failed to write file {tmp_path}/b.txt: Input/output error (os error 5). "
        f"Rolling back also failed for: {tmp_path}/a.txt"
    )


def test_delete_failure_restores_deleted_and_written_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, {"a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n"})
    os.symlink("a.txt", tmp_path / "link")
    before = snapshot_tree(tmp_path)
    real_unlink = os.unlink

    def flaky_unlink(path: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        if str(path).endswith("c.txt"):
            raise PermissionError(13, "Permission denied")
        real_unlink(path)

    monkeypatch.setattr(os, "unlink", flaky_unlink)
    patch = _p(
        "*** Update File: a.txt",
        "@@",
        "-a",
        "+A",
        "*** Delete File: link",
        "*** Delete File: b.txt",
        "*** Delete File: c.txt",
    )
    with pytest.raises(PatchIOError) as info:
        apply_patch(patch, cwd=tmp_path)
    monkeypatch.undo()
    assert info.value.message == (
        f"Failed to delete file {tmp_path}/c.txt: Permission denied (os error 13). No files were modified."
    )
    assert info.value.path == tmp_path / "c.txt"
    assert snapshot_tree(tmp_path) == before


def test_file_mode_is_kept_and_new_files_follow_umask(tmp_path: Path) -> None:
    _write(tmp_path, {"run.sh": "echo 1\n"})
    (tmp_path / "run.sh").chmod(0o750)
    apply_patch(_p("*** Update File: run.sh", "@@", "-echo 1", "+echo 2", "*** Add File: new.txt", "+n"), cwd=tmp_path)
    assert (tmp_path / "run.sh").stat().st_mode & 0o777 == 0o750
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def test_empty_patch_error(tmp_path: Path) -> None:
    with pytest.raises(ApplyPatchError, match=r"^No files were modified\.$"):
        apply_patch("*** Begin Patch\n*** End Patch", cwd=tmp_path)


# -- allowed roots --------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    _write(root, {"inside.txt": "in\n"})
    _write(tmp_path, {"outside.txt": "out\n"})
    (tmp_path / "elsewhere").mkdir()
    return root


@pytest.mark.parametrize(
    "patch",
    [
        _p("*** Add File: ../escape.txt", "+x"),
        _p("*** Add File: sub/../../escape.txt", "+x"),
        _p("*** Update File: ../outside.txt", "@@", "-out", "+x"),
        _p("*** Delete File: ../outside.txt"),
        _p("*** Update File: inside.txt", "*** Move to: ../moved.txt", "@@", "-in", "+x"),
        _p("*** Add File: {outside}/abs.txt", "+x"),
        _p("*** Add File: escape_link/x.txt", "+x"),
        _p("*** Update File: file_link", "@@", "-out", "+x"),
    ],
)
def test_paths_outside_roots_are_refused_before_writing(workspace: Path, patch: str) -> None:
    os.symlink(workspace.parent / "elsewhere", workspace / "escape_link")
    os.symlink(workspace.parent / "outside.txt", workspace / "file_link")
    before = snapshot_tree(workspace.parent)
    text = _p("*** Add File: first.txt", "+harmless") + "\n"
    text = text.replace("*** End Patch\n", "\n".join(patch.splitlines()[1:]))
    text = text.replace("{outside}", str(workspace.parent))
    with pytest.raises(PatchPathError) as info:
        apply_patch(text, cwd=workspace, allowed_roots=[workspace])
    assert info.value.hunk == 2
    assert "outside the writable roots" in info.value.message
    assert snapshot_tree(workspace.parent) == before


def test_paths_inside_roots_are_allowed(workspace: Path) -> None:
    os.symlink("inside.txt", workspace / "inner_link")
    other = workspace.parent / "elsewhere"
    patch = _p(
        f"*** Add File: {workspace}/abs.txt",
        "+a",
        "*** Add File: sub/../rel.txt",
        "+r",
        "*** Update File: inner_link",
        "@@",
        "-in",
        "+IN",
        f"*** Add File: {other}/second_root.txt",
        "+s",
    )
    result = apply_patch(patch, cwd=workspace, allowed_roots=[workspace, other])
    assert result.added == (workspace / "abs.txt", workspace / "rel.txt", other / "second_root.txt")
    assert (workspace / "inside.txt").read_text() == "IN\n"
    assert (workspace / "inner_link").is_symlink()


def test_deleting_a_symlink_that_points_outside_is_allowed(workspace: Path) -> None:
    os.symlink(workspace.parent / "outside.txt", workspace / "link")
    apply_patch(_p("*** Delete File: link"), cwd=workspace, allowed_roots=[workspace])
    assert not os.path.lexists(workspace / "link")
    assert (workspace.parent / "outside.txt").read_text() == "out\n"


@pytest.fixture(scope="module")
def fuzz_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    _write(root, {"a.txt": "a\nb\nctx\n", "c.txt": "x\n", "d.txt/inner": "i\n"})
    return root


_FUZZ_LINE = st.one_of(
    st.sampled_from(
        [
            "*** Add File: a.txt",
            "*** Add File: new/n.txt",
            "*** Delete File: c.txt",
            "*** Delete File: d.txt",
            "*** Update File: a.txt",
            "*** Update File: c.txt",
            "*** Update File: missing.txt",
            "*** Move to: c.txt",
            "*** Move to: d.txt/x",
            "*** End of File",
            "@@",
            "@@ ctx",
            "",
        ]
    ),
    st.builds(lambda p, t: p + t, st.sampled_from(["+", "-", " "]), st.sampled_from(["a", "b", "ctx", "x", "", "q"])),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_FUZZ_LINE, max_size=10))
def test_arbitrary_patches_fail_only_with_patch_errors(fuzz_tree: Path, lines: list[str]) -> None:
    before = snapshot_tree(fuzz_tree)
    text = "\n".join(["*** Begin Patch", *lines, "*** End Patch"])
    try:
        result = apply_patch(text, cwd=fuzz_tree, dry_run=True)
    except PatchError as exc:
        assert exc.message
    else:
        assert len(result.changes) == len(parse_patch(text).hunks)
        assert result.summary().startswith("Success. Updated the following files:\n")
    assert snapshot_tree(fuzz_tree) == before


# -- one file, several names (issue 14, item 3): plan keys are the file's identity ---------------


def test_move_onto_a_symlink_alias_of_the_source_keeps_the_content(tmp_path: Path) -> None:
    (tmp_path / "AGENTS.md").write_text("rules\nold\n")
    os.symlink("AGENTS.md", tmp_path / "CLAUDE.md")
    patch = _p("*** Update File: AGENTS.md", "*** Move to: CLAUDE.md", "@@", "-old", "+new")
    result = apply_patch(patch, cwd=tmp_path)
    assert (tmp_path / "AGENTS.md").read_text() == "rules\nnew\n"
    assert (tmp_path / "CLAUDE.md").is_symlink() and (tmp_path / "CLAUDE.md").read_text() == "rules\nnew\n"
    assert "deleted file" not in result.diff


def test_two_updates_through_two_names_both_apply(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one\ntwo\nthree\n")
    os.symlink("a.txt", tmp_path / "alias.txt")
    os.link(tmp_path / "a.txt", tmp_path / "hard.txt")
    patch = _p(
        "*** Update File: a.txt",
        "@@",
        "-one",
        "+ONE",
        "*** Update File: alias.txt",
        "@@",
        "-two",
        "+TWO",
        "*** Update File: hard.txt",
        "@@",
        "-three",
        "+THREE",
    )
    apply_patch(patch, cwd=tmp_path)
    assert (tmp_path / "a.txt").read_text() == "ONE\nTWO\nTHREE\n"
    assert (tmp_path / "alias.txt").is_symlink()


def test_delete_of_an_alias_removes_the_link_and_keeps_the_updated_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    os.symlink("a.txt", tmp_path / "alias.txt")
    patch = _p("*** Update File: alias.txt", "@@", "-x", "+y", "*** Delete File: alias.txt")
    apply_patch(patch, cwd=tmp_path)
    assert not os.path.lexists(tmp_path / "alias.txt")
    assert (tmp_path / "a.txt").read_text() == "y\n"
