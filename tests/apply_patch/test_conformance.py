"""Our ``apply_patch`` command against behaviour recorded from the reference Codex binary.

The expectations in ``conformance_expected.json`` were produced by ``record_conformance.py``
with codex-cli 0.169.0; no network or npm is needed here. Cases marked with a ``deviation``
keep Codex's exit code and messages but expect our (documented) different tree.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codex_core.apply_patch.cli import run
from tests.apply_patch.conformance_cases import CASES, Case
from tests.apply_patch.conformance_harness import (
    argv_and_stdin,
    materialize,
    normalise_output,
    snapshot_tree,
)

EXPECTED: dict[str, Any] = json.loads(Path(__file__).with_name("conformance_expected.json").read_text(encoding="utf-8"))


def test_every_case_was_recorded() -> None:
    assert sorted(EXPECTED) == sorted(case.name for case in CASES)


def _expected_tree(case: Case, recorded: dict[str, Any], initial: dict[str, Any]) -> dict[str, Any]:
    if case.deviation is None:
        tree: dict[str, Any] = recorded["tree"]
        return tree
    if case.expected_tree is None:
        return initial
    return {path: {"text": text} for path, text in case.expected_tree.items()}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_matches_reference(case: Case, tmp_path: Path) -> None:
    root = tmp_path.resolve()
    materialize(case, root)
    initial = snapshot_tree(root)
    args, stdin_bytes = argv_and_stdin(case, root)
    stdin = io.TextIOWrapper(io.BytesIO(stdin_bytes), encoding="utf-8")
    stdout, stderr = io.StringIO(), io.StringIO()

    code = run(args, stdin=stdin, stdout=stdout, stderr=stderr, cwd=root)

    recorded = EXPECTED[case.name]
    assert code == recorded["exit_code"]
    assert normalise_output(stdout.getvalue(), root) == recorded["stdout"]
    assert normalise_output(stderr.getvalue(), root) == recorded["stderr"]
    assert snapshot_tree(root) == _expected_tree(case, recorded, initial)


_SUBPROCESS_CASES = [
    case
    for case in CASES
    if case.name
    in {
        "multiple_operations",
        "fuzzy_unicode_punctuation",
        "crlf_file_preserved",
        "missing_expected_lines",
        "invalid_hunk_header",
        "patch_on_stdin",
        "no_patch_usage",
        "failure_after_partial_success",
    }
]


@pytest.mark.parametrize("case", _SUBPROCESS_CASES, ids=[case.name for case in _SUBPROCESS_CASES])
def test_console_script_matches_reference(case: Case, tmp_path: Path) -> None:
    script = shutil.which("apply_patch", path=str(Path(sys.executable).parent))
    assert script is not None
    root = tmp_path.resolve()
    materialize(case, root)
    initial = snapshot_tree(root)
    args, stdin_bytes = argv_and_stdin(case, root)
    proc = subprocess.run([script, *args], cwd=root, input=stdin_bytes, capture_output=True, timeout=60, check=False)
    recorded = EXPECTED[case.name]
    assert proc.returncode == recorded["exit_code"]
    assert normalise_output(proc.stdout.decode(), root) == recorded["stdout"]
    assert normalise_output(proc.stderr.decode(), root) == recorded["stderr"]
    assert snapshot_tree(root) == _expected_tree(case, recorded, initial)
