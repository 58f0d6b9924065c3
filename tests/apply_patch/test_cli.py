"""The ``apply_patch`` console script, run as a real subprocess."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** Update File: old.txt\n@@\n-old\n+new\n*** End Patch"


def _script() -> list[str]:
    found = shutil.which("apply_patch", path=str(Path(sys.executable).parent))
    assert found, "the apply_patch console script is not installed in the venv"
    return [found]


def _run(cmd: list[str], cwd: Path, *args: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*cmd, *args], cwd=cwd, input=stdin, capture_output=True, timeout=60, check=False)


@pytest.fixture(params=["console_script", "python_module"])
def command(request: pytest.FixtureRequest) -> list[str]:
    if request.param == "console_script":
        return _script()
    return [sys.executable, "-m", "codex_core.apply_patch.cli"]


def test_patch_as_argument(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "old.txt").write_text("old\n")
    proc = _run(command, tmp_path, PATCH)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"Success. Updated the following files:\nA hello.txt\nM old.txt\n"
    assert proc.stderr == b""
    assert (tmp_path / "hello.txt").read_text() == "hello\n"
    assert (tmp_path / "old.txt").read_text() == "new\n"


def test_patch_on_stdin(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("old\n")
    proc = _run(_script(), tmp_path, stdin=PATCH.encode())
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "old.txt").read_text() == "new\n"


def test_failure_prints_error_and_changes_nothing(tmp_path: Path) -> None:
    proc = _run(_script(), tmp_path, PATCH)  # old.txt is missing
    assert proc.returncode == 1
    assert proc.stdout == b""
    expected = f"Failed to read file to update {tmp_path}/old.txt: No such file or directory (os error 2)\n"
    assert proc.stderr.decode() == expected
    assert list(tmp_path.iterdir()) == []


def test_usage_errors(tmp_path: Path) -> None:
    proc = _run(_script(), tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == b"Usage: apply_patch 'PATCH'\n       echo 'PATCH' | apply_patch\n"
    proc = _run(_script(), tmp_path, PATCH, PATCH)
    assert proc.returncode == 2
    assert proc.stderr == b"Error: apply_patch accepts exactly one argument.\n"


def test_invalid_patch_and_non_utf8_input(tmp_path: Path) -> None:
    proc = _run(_script(), tmp_path, "garbage")
    assert (proc.returncode, proc.stderr) == (
        1,
        b"Invalid patch: The first line of the patch must be '*** Begin Patch'\n",
    )
    proc = _run(_script(), tmp_path, b"*** Begin Patch\n*** Add File: x\xff\n+x\n*** End Patch")
    assert (proc.returncode, proc.stderr) == (1, b"Error: apply_patch requires a UTF-8 PATCH argument.\n")
    proc = _run(_script(), tmp_path, stdin=b"\xff\xfe")
    assert proc.returncode == 1
    assert proc.stderr == b"Error: Failed to read PATCH from stdin.\nstream did not contain valid UTF-8\n"
