"""`--add-dir` through a symlink planted inside a writable root is refused (the CLI path)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

CODEX = str(Path(sys.executable).parent / "codex")


def test_add_dir_symlink_to_etc_is_refused(tmp_path: Path) -> None:
    victim = Path("/etc") / f"codex-addir-{uuid.uuid4().hex[:8]}"
    link = tmp_path / "addd"  # tmp_path is under /tmp, a writable root
    link.symlink_to("/etc")
    env = dict(os.environ, CODEX_HOME=str(tmp_path))
    proc = subprocess.run(
        [CODEX, "sandbox", "linux", "--full-auto", "--add-dir", str(link), "--", "sh", "-c", f"echo pwned > {victim}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    try:
        assert not victim.exists()
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr
    finally:
        victim.unlink(missing_ok=True)
