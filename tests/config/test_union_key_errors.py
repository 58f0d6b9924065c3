"""Bad values of union-typed keys, through the real ``codex exec``: one clear line naming file,
line and key with the accepted values, never pydantic's branch names (``GranularApprovalToml``,
``bool``, ``literal[...]``), never a traceback, a non-zero exit, and the file left as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CODEX = str(Path(sys.executable).parent / "codex")
APPROVAL_VALUES = "accepted values: 'untrusted', 'on-failure', 'on-request', 'never' or a `{ granular = { … } }` table"
INTERNALS = ("GranularApprovalToml", "WebSearchToolToml", "literal[", "Input should be a valid dictionary", "Traceback")


def run_exec(codex_home: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CODEX_LOG", "RUST_LOG")}
    env["CODEX_HOME"] = str(codex_home)
    return subprocess.run(
        [CODEX, "exec", "--skip-git-repo-check", *args, "hello"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ('model = "m"\napproval_policy = "bad"\n', 2, f"`approval_policy`: invalid value 'bad'; {APPROVAL_VALUES}"),
        ('model = "m"\napproval_policy = 3\n', 2, f"`approval_policy`: invalid value 3; {APPROVAL_VALUES}"),
        (
            '[profiles.work]\nmodel = "m"\napproval_policy = "sometimes"\n',
            3,
            f"`profiles.work.approval_policy`: invalid value 'sometimes'; {APPROVAL_VALUES}",
        ),
        (
            'approval_policy = { granular = { rules = "yes" } }\n',
            1,
            "`approval_policy.granular.rules`: Input should be a valid boolean (got str 'yes')",
        ),
        (
            '\n[tools]\nweb_search = "on"\n',
            3,
            "`tools.web_search`: invalid value 'on'; accepted values: true, false or a table with keys "
            "`context_size`, `allowed_domains`, `location`",
        ),
        (
            '[tui]\nnotifications = "loud"\n',
            2,
            "`tui.notifications`: invalid value 'loud'; accepted values: true, false or an array",
        ),
        (
            '[tui]\nalternate_screen = "sometimes"\n',
            2,
            "`tui.alternate_screen`: invalid value 'sometimes'; accepted values: true, false, 'auto', 'always' or 'never'",
        ),
        (
            '[features]\nshell_tool = "yes"\n',
            2,
            "`features.shell_tool`: invalid value 'yes'; accepted values: true, false or a table",
        ),
        (
            'sandbox_mode = "open"\n',
            1,
            "`sandbox_mode`: invalid value 'open'; accepted values: 'read-only', 'workspace-write' or 'danger-full-access'",
        ),
    ],
)
def test_bad_union_value_in_config_file(codex_home: Path, tmp_path: Path, text: str, line: int, expected: str) -> None:
    path = codex_home / "config.toml"
    path.write_text(text, encoding="utf-8")
    proc = run_exec(codex_home, tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert error_lines(proc.stderr) == [f"Error: {path}:{line}: {expected}"]
    assert not any(marker in proc.stderr for marker in INTERNALS)
    assert path.read_text(encoding="utf-8") == text


def test_bad_approval_policy_override(codex_home: Path, tmp_path: Path) -> None:
    path = codex_home / "config.toml"
    path.write_text('model = "m"\n', encoding="utf-8")
    proc = run_exec(codex_home, tmp_path, "-c", "approval_policy=bad")
    assert proc.returncode == 1, proc.stderr
    assert error_lines(proc.stderr) == [
        f"Error: Error in -c override: `approval_policy`: invalid value 'bad'; {APPROVAL_VALUES}"
    ]
    assert path.read_text(encoding="utf-8") == 'model = "m"\n'
