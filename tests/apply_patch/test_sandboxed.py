"""The patch child's own contract: the JSON wire form and the ``python -I -m`` entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codex_core.apply_patch import (
    ApplyPatchError,
    PatchConflictError,
    PatchIOError,
    PatchPathError,
    PatchSyntaxError,
    apply_patch,
    preview_patch,
)
from codex_core.apply_patch.wire import WireError, error_from_wire, error_to_wire, result_from_wire, result_to_wire


def _p(*lines: str) -> str:
    return "\n".join(["*** Begin Patch", *lines, "*** End Patch"]) + "\n"


def test_result_round_trips(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\ny\n")
    result = preview_patch(
        _p("*** Update File: a.txt", "*** Move to: b.txt", "@@", "-x", "+X", "*** Add File: c.txt", "+c"), cwd=tmp_path
    )
    again = result_from_wire(json.loads(json.dumps(result_to_wire(result))))
    assert again == result
    assert again.summary() == result.summary() and again.diff == result.diff


@pytest.mark.parametrize(
    "patch",
    [
        "not a patch",
        _p("*** Update File: a.txt", "@@", "-missing", "+x"),
        _p("*** Delete File: nope.txt"),
        _p("*** Update File: dir", "@@", "-x", "+y"),
    ],
)
def test_errors_round_trip_with_their_type_and_text(tmp_path: Path, patch: str) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    (tmp_path / "dir").mkdir()
    with pytest.raises(ApplyPatchError) as info:
        apply_patch(patch, cwd=tmp_path)
    again = error_from_wire(json.loads(json.dumps(error_to_wire(info.value))))
    assert type(again) is type(info.value)
    assert str(again) == str(info.value) and again.hunk == info.value.hunk and again.path == info.value.path
    if isinstance(again, PatchSyntaxError):
        assert isinstance(info.value, PatchSyntaxError) and again.cli_message == info.value.cli_message
    if isinstance(again, PatchConflictError):
        assert isinstance(info.value, PatchConflictError) and again.expected_lines == info.value.expected_lines


def test_path_and_io_errors_round_trip() -> None:
    for err in (
        PatchPathError("outside", path=Path("/x"), hunk=2),
        PatchIOError("denied", path=Path("/y"), hunk=1, os_error=PermissionError(13, "Permission denied")),
    ):
        again = error_from_wire(error_to_wire(err))
        assert type(again) is type(err) and again.message == err.message and again.hunk == err.hunk
    io = error_from_wire(error_to_wire(PatchIOError("denied", os_error=PermissionError(13, "x"))))
    assert isinstance(io, PatchIOError) and isinstance(io.os_error, OSError) and io.os_error.errno == 13


def test_malformed_answers_are_wire_errors() -> None:
    with pytest.raises(WireError):
        result_from_wire({"ok": True, "changes": [{"kind": "add"}]})
    with pytest.raises(WireError):
        error_from_wire({"ok": False})


def test_module_entry_point_applies_and_answers_json(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-I", "-m", "codex_core.apply_patch.sandboxed", "apply"],
        input=_p("*** Add File: n.txt", "+new").encode(),
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )
    answer = json.loads(run.stdout)
    assert (
        answer["ok"] is True
        and result_from_wire(answer).summary() == "Success. Updated the following files:\nA n.txt\n"
    )
    assert (tmp_path / "n.txt").read_text() == "new\n"
    preview = subprocess.run(
        [sys.executable, "-I", "-m", "codex_core.apply_patch.sandboxed", "preview"],
        input=_p("*** Delete File: n.txt").encode(),
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )
    assert json.loads(preview.stdout)["applied"] is False and (tmp_path / "n.txt").exists()
    bad = subprocess.run(
        [sys.executable, "-I", "-m", "codex_core.apply_patch.sandboxed", "rm", "-rf"], cwd=tmp_path, capture_output=True
    )
    assert bad.returncode == 2 and b"usage" in bad.stderr
