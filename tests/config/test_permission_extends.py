"""Permission profiles: ``extends`` and the ``"deny"`` value, as Codex 0.169 treats them.

Measured with the reference (``codex sandbox -P pp -- sh -c ...``): ``extends = ":workspace"``
keeps the workspace's access (read everything, write the working directory) and a ``"deny"``
entry masks its path; a profile's own entry replaces the inherited entry of the same key; for two
entries of one path ``deny`` beats ``write`` beats ``read``; an undefined base, a cycle and
``:danger-full-access`` are errors.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from tests.app_server.conftest import CODEX
from tests.sandbox.conftest import needs_sandbox

from codex_core.config import ConfigError, load_config
from codex_core.sandbox import SandboxPolicy


def _config(home: Path, cwd: Path, toml: str) -> object:
    (home / "config.toml").write_text(toml, encoding="utf-8")
    return load_config(codex_home=home, cwd=cwd)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    (ws / "sub" / "secret.txt").write_text("SECRET\n")
    (ws / "pub.txt").write_text("pub\n")
    return ws


def test_extends_workspace_with_a_deny_entry(codex_home: Path, ws: Path) -> None:
    cfg = _config(
        codex_home,
        ws,
        f'default_permissions = "pp"\n[permissions.pp]\nextends = ":workspace"\n'
        f'[permissions.pp.filesystem]\n"{ws / "sub"}" = "deny"\n',
    )
    policy = SandboxPolicy.from_config(cfg)  # type: ignore[arg-type]
    assert policy.kind == "workspace-write" and policy.readable_roots is None and policy.network == "none"
    assert ws.resolve() in policy.writable_roots and policy.masked_paths == ((ws / "sub").resolve(),)


def test_extends_chains_and_replaces_entries_by_key(codex_home: Path, ws: Path) -> None:
    toml = (
        'default_permissions = "child"\n'
        '[permissions.base]\nextends = ":workspace"\n'
        f'[permissions.base.filesystem]\n"{ws / "sub"}" = "deny"\n'
        "[permissions.base.network]\nenabled = true\n"
        '[permissions.child]\nextends = "base"\n'
        f'[permissions.child.filesystem]\n":workspace_roots" = "read"\n"{ws / "pub.txt"}" = "none"\n'
    )
    cfg = _config(codex_home, ws, toml)
    child = cfg.permissions["child"]  # type: ignore[attr-defined]
    assert child.filesystem[":workspace_roots"] == "read" and child.filesystem[f"{ws / 'sub'}"] == "deny"
    assert child.network is not None and child.network.enabled is True
    policy = SandboxPolicy.from_config(cfg)  # type: ignore[arg-type]
    assert ws.resolve() not in policy.writable_roots  # the child's own entry replaced the inherited one
    assert set(policy.masked_paths) == {(ws / "sub").resolve(), (ws / "pub.txt").resolve()}
    assert policy.network == "full"


def test_same_path_deny_beats_write_beats_read(codex_home: Path, ws: Path) -> None:
    toml = (
        'default_permissions = "pp"\n[permissions.pp]\nextends = ":workspace"\n'
        f'[permissions.pp.filesystem]\n"{ws}" = "read"\n'
    )
    policy = SandboxPolicy.from_config(_config(codex_home, ws, toml))  # type: ignore[arg-type]
    assert ws.resolve() in policy.writable_roots  # :workspace_roots = write and ws = read: write wins
    toml = (
        'default_permissions = "pp"\n[permissions.pp]\nextends = ":workspace"\n'
        f'[permissions.pp.filesystem]\n"{ws}" = "deny"\n'
    )
    policy = SandboxPolicy.from_config(_config(codex_home, ws, toml))  # type: ignore[arg-type]
    assert ws.resolve() in policy.masked_paths and ws.resolve() not in policy.writable_roots


@pytest.mark.parametrize(
    ("profiles", "message"),
    [
        ('[permissions.pp]\nextends = "nope"\n', "permissions profile `pp` extends undefined profile `nope`"),
        ('[permissions.pp]\nextends = "pp"\n', "permissions profile inheritance cycle detected: pp -> pp"),
        (
            '[permissions.pp]\nextends = "qq"\n[permissions.qq]\nextends = "pp"\n',
            "permissions profile inheritance cycle detected: pp -> qq -> pp",
        ),
        (
            '[permissions.pp]\nextends = ":danger-full-access"\n',
            "permissions profile `pp` cannot extend unsupported built-in profile `:danger-full-access`",
        ),
    ],
)
def test_extends_errors(codex_home: Path, ws: Path, profiles: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        _config(codex_home, ws, 'default_permissions = "pp"\n' + profiles)


def test_0169_profile_keys_are_accepted(codex_home: Path, ws: Path) -> None:
    toml = (
        'default_permissions = "pp"\n[permissions.pp]\nextends = ":read-only"\ndescription = "ci"\n'
        f'[permissions.pp.workspace_roots]\n"{ws}" = true\n'
        "[permissions.pp.filesystem]\nglob_scan_max_depth = 3\n"
        '[permissions.pp.network]\nenabled = false\n[permissions.pp.network.unix_sockets]\n"/run/x.sock" = "deny"\n'
    )
    cfg = _config(codex_home, ws, toml)
    assert not cfg.warnings  # type: ignore[attr-defined]
    policy = SandboxPolicy.from_config(cfg)  # type: ignore[arg-type]
    assert policy.kind == "read-only" and policy.readable_roots is None


@needs_sandbox
@pytest.mark.sandbox
def test_codex_sandbox_runs_an_extended_profile_like_the_reference(codex_home: Path, ws: Path) -> None:
    outside = Path("/var/tmp") / f"codex-extends-outside-{uuid.uuid4().hex}.txt"  # not /tmp: :workspace writes there
    (codex_home / "config.toml").write_text(
        f'default_permissions = "pp"\n[permissions.pp]\nextends = ":workspace"\n'
        f'[permissions.pp.filesystem]\n"{ws / "sub"}" = "deny"\n'
    )
    script = (
        "cat pub.txt; cat sub/secret.txt; touch new.txt && echo wrote-cwd; "
        f"touch {outside} && echo wrote-outside; ls /etc >/dev/null && echo read-etc; touch sub/x && echo wrote-sub"
    )
    try:
        proc = subprocess.run(
            [CODEX, "sandbox", "-P", "pp", "--", "sh", "-c", script],
            cwd=ws,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=60,
        )
        wrote_outside = outside.exists()
    finally:
        outside.unlink(missing_ok=True)
    # the reference 0.169 prints exactly these lines on stdout for this profile
    assert proc.stdout.splitlines() == ["pub", "wrote-cwd", "read-etc"], proc.stderr
    assert "sub/secret.txt: Permission denied" in proc.stderr and not wrote_outside
    assert (ws / "new.txt").exists() and not (ws / "sub" / "x").exists()
