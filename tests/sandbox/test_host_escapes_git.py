"""Escape suite, host-side class: git commands Codex itself runs on the host (session metadata,
the TUI's /diff and file search, ``codex apply``) never run programs named in a workspace's git
config (``core.fsmonitor``, hooks, external diff, pager), whoever wrote that config."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codex_core.git import git_info, host_git


@pytest.fixture
def booby_trapped_repo(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    marker = tmp_path / "ran"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "a.txt").write_text("a\n")
    git = ["git", "-c", "user.email=a@b", "-c", "user.name=n", "-C", str(repo)]
    subprocess.run([*git, "add", "a.txt"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    for key in ("core.fsmonitor", "diff.external", "core.pager"):
        subprocess.run([*git, "config", key, str(script)], check=True)
    (repo / "a.txt").write_text("changed\n")
    (repo / "new.txt").write_text("untracked\n")
    # the trap works for a plain git call (so the assertions below can fail)
    subprocess.run(["git", "-C", str(repo), "diff", "HEAD"], capture_output=True, check=False)
    assert marker.exists()
    marker.unlink()
    return repo, marker


def test_host_git_calls_do_not_run_repo_configured_programs(booby_trapped_repo: tuple[Path, Path]) -> None:
    repo, marker = booby_trapped_repo
    assert git_info(repo) is not None
    out = subprocess.run(
        host_git("diff", "--no-ext-diff", "--no-textconv", "HEAD"),
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "changed" in out.stdout
    assert not marker.exists()


async def test_tui_diff_and_file_search_do_not_run_repo_configured_programs(
    booby_trapped_repo: tuple[Path, Path],
) -> None:
    from codex_tui.diff_render import git_working_tree_diff
    from codex_tui.file_search import list_repo_files

    repo, marker = booby_trapped_repo
    diff = await git_working_tree_diff(repo)
    assert diff is not None and "+changed" in diff and "+untracked" in diff
    assert list_repo_files(repo) == ["a.txt", "new.txt"]
    assert not marker.exists()
