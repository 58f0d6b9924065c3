"""`codex sandbox [-P PROFILE] [-C DIR] -- COMMAND` (the Codex 0.169 form) beside the platform
subcommands, through the real `codex` entry point and the real Linux sandbox."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import CODEX
from tests.sandbox.conftest import needs_sandbox

pytestmark = pytest.mark.sandbox


def sandbox(home: Path, cwd: Path, *args: str, config: str = "") -> subprocess.CompletedProcess[str]:
    (home / "config.toml").write_text(config)
    env = {**os.environ, "CODEX_HOME": str(home)}
    return subprocess.run([CODEX, "sandbox", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@needs_sandbox
def test_flat_form_uses_config_then_named_profile(codex_home: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    r = sandbox(codex_home, ws, "--", "sh", "-c", "touch ro; echo $CODEX_SANDBOX_NETWORK_DISABLED")
    assert r.returncode == 0 and r.stdout == "1\n" and not (ws / "ro").exists()  # default: read-only
    r = sandbox(codex_home, ws, "-P", ":workspace", "--", "touch", "made")
    assert r.returncode == 0 and (ws / "made").exists(), r.stderr
    r = sandbox(codex_home, ws, "--", "touch", "cfg", config='sandbox_mode = "workspace-write"\n')
    assert r.returncode == 0 and (ws / "cfg").exists(), r.stderr
    other = tmp_path / "other"
    other.mkdir()
    r = sandbox(codex_home, ws, "-C", str(other), "-P", ":workspace", "touch", "there")  # no `--` needed
    assert r.returncode == 0 and (other / "there").exists(), r.stderr
    r = sandbox(codex_home, ws, "--", "linux")  # after `--` a platform name is just a program
    assert r.returncode == 127


@needs_sandbox
def test_named_profile_from_config_and_unknown_profile(codex_home: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    config = '[permissions.build]\nfilesystem = { ":workspace_roots" = "write" }\n'
    r = sandbox(codex_home, ws, "-P", "build", "--", "touch", "built", config=config)
    assert r.returncode == 0 and (ws / "built").exists(), r.stderr
    r = sandbox(codex_home, ws, "-P", "nope", "--", "true")
    assert r.returncode == 1 and "Error:" in r.stderr and "Traceback" not in r.stderr


def test_help_lists_only_what_applies(codex_home: Path, tmp_path: Path) -> None:
    flat = sandbox(codex_home, tmp_path, "--help")
    assert flat.returncode == 0 and "--permission-profile" in flat.stdout and "linux" in flat.stdout
    legacy = sandbox(codex_home, tmp_path, "linux", "--help")
    assert legacy.returncode == 0 and "--full-auto" in legacy.stdout
    for option in ("--oss", "--model", "-m,", "--ask-for-approval", "--sandbox", "--yolo"):
        assert option not in legacy.stdout and option not in flat.stdout, option
