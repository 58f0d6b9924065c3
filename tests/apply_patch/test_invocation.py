"""Recognising apply_patch calls inside shell-tool commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_core.apply_patch import (
    IMPLICIT_INVOCATION_MESSAGE,
    AddFile,
    ApplyPatchDetectError,
    ApplyPatchInvocation,
    apply_parsed_patch,
    detect_apply_patch,
    detect_apply_patch_script,
)

PATCH = "*** Begin Patch\n*** Add File: foo\n+hi\n*** End Patch"
CWD = Path("/work/repo")


def heredoc(prefix: str = "", delim: str = "'PATCH'", end: str = "PATCH", suffix: str = "") -> str:
    return f"{prefix}apply_patch <<{delim}\n{PATCH}\n{end}{suffix}"


def _invocation(result: object) -> ApplyPatchInvocation:
    assert isinstance(result, ApplyPatchInvocation), result
    assert result.patch.hunks == (AddFile(path="foo", contents="hi\n"),)
    return result


@pytest.mark.parametrize("command", ["apply_patch", "applypatch"])
def test_direct_argv(command: str) -> None:
    inv = _invocation(detect_apply_patch([command, PATCH + "\n"], CWD))
    assert (inv.cwd, inv.workdir, inv.patch_text) == (CWD, None, PATCH)


@pytest.mark.parametrize(
    "argv_prefix",
    [
        ["bash", "-lc"],
        ["bash", "-c"],
        ["/bin/zsh", "-lc"],
        ["sh", "-c"],
        ["powershell.exe", "-Command"],
        ["powershell.exe", "-NoProfile", "-Command"],
        ["pwsh", "-NoProfile", "-command"],
        ["cmd.exe", "/c"],
        ["/bin/bash", "-c", '. "$0" && exec "$@"', "/tmp/snap.sh", "/bin/zsh", "-lc"],
    ],
)
def test_shell_heredoc_forms(argv_prefix: list[str]) -> None:
    inv = _invocation(detect_apply_patch([*argv_prefix, heredoc()], CWD))
    assert inv.cwd == CWD


@pytest.mark.parametrize(
    ("script", "workdir", "cwd"),
    [
        (heredoc("cd foo && "), "foo", CWD / "foo"),
        (heredoc("cd 'foo bar' && "), "foo bar", CWD / "foo bar"),
        (heredoc('cd "foo bar" && '), "foo bar", CWD / "foo bar"),
        (heredoc("cd /abs/dir &&\n  "), "/abs/dir", Path("/abs/dir")),
        (heredoc(delim="EOF", end="EOF"), None, CWD),
        (heredoc(delim='"EOF"', end="EOF", suffix="\n\n"), None, CWD),
        (heredoc(delim="-EOF", end="\t\tEOF"), None, CWD),
        (heredoc(delim=" 'EOF'", end="EOF"), None, CWD),
        ("\n  " + heredoc("cd src && "), "src", CWD / "src"),
    ],
)
def test_heredoc_variants(script: str, workdir: str | None, cwd: Path) -> None:
    inv = _invocation(detect_apply_patch(["bash", "-lc", script], CWD))
    assert (inv.workdir, inv.cwd) == (workdir, cwd)
    _invocation(detect_apply_patch_script(script, CWD))


@pytest.mark.parametrize(
    "script",
    [
        heredoc("cd foo; "),
        heredoc("cd bar || "),
        heredoc("cd bar | "),
        heredoc("echo foo && "),
        heredoc("cd foo && cd bar && "),
        heredoc("cd foo bar && "),
        heredoc("cd bar && ", suffix=" && echo done"),
        heredoc(suffix="\necho after"),
        heredoc("echo foo; cd bar && "),
        heredoc("cd $HOME && "),
        heredoc(end="NOT_THE_DELIMITER"),
        f"apply_patch foo <<'PATCH'\n{PATCH}\nPATCH",
        f"apply_patch <<'PATCH' > out.txt\n{PATCH}\nPATCH",
        "ls -la",
        "",
    ],
)
def test_not_apply_patch(script: str) -> None:
    assert detect_apply_patch(["bash", "-lc", script], CWD) is None


@pytest.mark.parametrize(
    "argv",
    [
        ["ls", "-la"],
        [],
        ["apply_patch"],
        ["/usr/bin/apply_patch", PATCH],
        ["python", "-c", heredoc()],
        ["bash", "-x", heredoc()],
        ["cmd", "/k", heredoc()],
    ],
)
def test_other_argv_shapes_are_not_apply_patch(argv: list[str]) -> None:
    assert detect_apply_patch(argv, CWD) is None


@pytest.mark.parametrize("argv", [[PATCH], ["bash", "-lc", PATCH]])
def test_bare_patch_gets_rerun_message(argv: list[str]) -> None:
    result = detect_apply_patch(argv, CWD)
    assert result == ApplyPatchDetectError(kind="implicit_invocation", message=IMPLICIT_INVOCATION_MESSAGE)
    assert detect_apply_patch_script(PATCH, CWD) == result
    assert IMPLICIT_INVOCATION_MESSAGE == (
        'patch detected without explicit call to apply_patch. Rerun as ["apply_patch", "<patch>"]'
    )


def test_malformed_patch_in_call_is_a_detect_error() -> None:
    for argv in (
        ["apply_patch", "*** Begin Patch\n*** Bogus\n*** End Patch"],
        ["bash", "-lc", "apply_patch <<EOF\n*** Begin Patch\n*** Bogus\n*** End Patch\nEOF"],
    ):
        result = detect_apply_patch(argv, CWD)
        assert isinstance(result, ApplyPatchDetectError)
        assert result.kind == "parse_error"
        assert result.error is not None and result.error.line == 2
        assert result.message.startswith("invalid hunk at line 2, '*** Bogus' is not a valid hunk header")


def test_detected_invocation_applies_in_cd_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    inv = detect_apply_patch(["bash", "-lc", heredoc("cd sub && ")], tmp_path)
    assert isinstance(inv, ApplyPatchInvocation)
    result = apply_parsed_patch(inv.patch, cwd=inv.cwd, allowed_roots=[tmp_path])
    assert result.added == (tmp_path / "sub" / "foo",)
    assert (tmp_path / "sub" / "foo").read_text() == "hi\n"
