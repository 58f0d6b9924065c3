"""Record the reference Codex ``apply_patch`` behaviour for every conformance case.

Usage (needs the reference binary, not needed by the tests)::

    mkdir -p /tmp/codex-ref && cd /tmp/codex-ref && npm i @openai/codex@0.169.0
    ln -sf "$PWD"/node_modules/@openai/codex-linux-x64/vendor/*/bin/codex /tmp/codex-ref/apply_patch
    uv run python -m tests.apply_patch.record_conformance /tmp/codex-ref/apply_patch

Writes ``tests/apply_patch/conformance_expected.json``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.apply_patch.conformance_cases import CASES
from tests.apply_patch.conformance_harness import (
    argv_and_stdin,
    materialize,
    normalise_output,
    snapshot_tree,
)

EXPECTED = Path(__file__).with_name("conformance_expected.json")


def main() -> None:
    binary = sys.argv[1]
    results = {}
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp).resolve()
            materialize(case, root)
            args, stdin = argv_and_stdin(case, root)
            proc = subprocess.run([binary, *args], cwd=root, input=stdin, capture_output=True, timeout=30, check=False)
            results[case.name] = {
                "exit_code": proc.returncode,
                "stdout": normalise_output(proc.stdout.decode("utf-8"), root),
                "stderr": normalise_output(proc.stderr.decode("utf-8"), root),
                "tree": snapshot_tree(root),
            }
    EXPECTED.write_text(json.dumps(results, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"recorded {len(results)} cases into {EXPECTED}")


if __name__ == "__main__":
    main()
