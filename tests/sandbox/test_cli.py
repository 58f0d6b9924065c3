"""``codex sandbox`` / ``codex debug landlock`` through the real click entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import needs_sandbox


def _codex(args: list[str], cwd: Path, home: Path, config: str = "") -> subprocess.CompletedProcess[str]:
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(config)
    env = {**os.environ, "CODEX_HOME": str(home), "CODEX_SYSTEM_CONFIG_PATH": str(home / "none.toml")}
    code = "import sys; from codex_exec.multitool.main import main; main(sys.argv[1:])"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip


@needs_sandbox
def test_linux_full_auto_exit_codes_and_env(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    r = _codex(["sandbox", "linux", "--full-auto", "--", "sh", "-c",
                "touch ok && echo $CODEX_SANDBOX_NETWORK_DISABLED && exit 5"], ws, tmp_path / "h")  # fmt: skip
    assert r.returncode == 5 and r.stdout == "1\n" and (ws / "ok").exists(), r.stderr
    r = _codex(["sandbox", "landlock", "--", "touch", "nope"], ws, tmp_path / "h")  # read-only without --full-auto
    assert r.returncode == 1 and "Read-only file system" in r.stderr and not (ws / "nope").exists()
    r = _codex(["debug", "landlock", "--", "sh", "-c", "kill -TERM $$"], ws, tmp_path / "h")
    assert r.returncode == 128 + 15
    r = _codex(["sandbox", "linux", "--", "no-such-command-xyz"], ws, tmp_path / "h")
    assert r.returncode == 127


@needs_sandbox
def test_full_auto_rejected_in_profile_mode(tmp_path: Path) -> None:
    cfg = 'default_permissions = "p"\n[permissions.p.filesystem]\n":root" = "read"\n'
    r = _codex(["sandbox", "linux", "--full-auto", "--", "true"], tmp_path, tmp_path / "h", cfg)
    assert r.returncode == 1 and "only supported for legacy `sandbox_mode` configs" in r.stderr


@needs_sandbox
@pytest.mark.skipif(not any(os.access(os.path.join(d, "strace"), os.X_OK) for d in os.environ["PATH"].split(":")),
                    reason="strace not installed")  # fmt: skip
def test_log_denials(tmp_path: Path) -> None:
    r = _codex(["sandbox", "linux", "--log-denials", "--", "sh", "-c", "touch /etc/codex-denied; true"], tmp_path,
               tmp_path / "h")  # fmt: skip
    assert r.returncode == 0
    assert "=== Sandbox denials ===" in r.stderr and '(touch) openat(AT_FDCWD, "/etc/codex-denied"' in r.stderr


def test_macos_and_windows_refuse_on_linux(tmp_path: Path) -> None:
    if sys.platform == "darwin":
        pytest.skip("linux-only expectation")
    r = _codex(["sandbox", "macos", "--", "true"], tmp_path, tmp_path / "h")
    assert r.returncode == 1 and "Seatbelt sandbox is only available on macOS" in r.stderr
    r = _codex(["sandbox", "seatbelt", "--", "true"], tmp_path, tmp_path / "h")
    assert r.returncode == 1 and "Seatbelt sandbox is only available on macOS" in r.stderr
    r = _codex(["sandbox", "windows", "--", "true"], tmp_path, tmp_path / "h")
    assert r.returncode == 1 and "Windows sandbox is only available on Windows" in r.stderr


@needs_sandbox
def test_codex_sandbox_moves_new_nested_metadata_aside(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    r = _codex(["sandbox", "linux", "--full-auto", "--", "git", "init", "-q", "sub"], ws, tmp_path / "h")
    assert r.returncode == 0, r.stderr
    assert not (ws / "sub" / ".git").exists() and (ws / "sub" / ".git.codex-quarantine-1").is_dir()
    assert "`sub/.git` was created inside a writable root" in r.stderr
