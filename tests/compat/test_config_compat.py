"""A Codex 0.169 user's config works unchanged (issue 15, "Config").

``fixtures/config_0169.toml`` uses every setting the issue names, written as 0.169 writes them.
``codex exec --json`` with the flags the issue gives runs it against the scripted model server
and must succeed with the reference's event types -- recorded in
``fixtures/reference_config_compat_events.json`` from Codex CLI 0.169.0, and compared live too
when the reference binary is on this machine (``CODEX_REFERENCE_BIN``, or the path below).
``--strict-config`` must accept the file too: every key in it is one this version knows.

The live reference run gets a scratch ``CODEX_HOME`` and a proxy environment pointing at a
closed local port, so only the loopback model server is reachable.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.app_server.conftest import CODEX
from tests.support.provider import TEST_ENV_KEY, provider_cli_args
from tests.support.sse_server import ScriptedResponsesServer, turn_message

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONFIG = FIXTURES / "config_0169.toml"
EVENTS = FIXTURES / "reference_config_compat_events.json"
FEATURES = FIXTURES / "features_list_0169.txt"
ISSUE_FLAGS = (
    "--disable",
    "plugins",
    "--disable",
    "remote_plugin",
    "--disable",
    "apps",
    "-c",
    "analytics.enabled=false",
    "-c",
    "check_for_update_on_startup=false",
)
DEFAULT_REFERENCE = Path("/tmp/ref_net/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex")
NO_EGRESS = {
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}
"""Anything but the loopback model server goes to the discard port and fails."""


def event_signature(stdout: str) -> list[str]:
    """``type`` of each JSONL event, with the item type for item events (``item.completed:agent_message``)."""
    out = []
    for line in stdout.splitlines():
        event: dict[str, Any] = json.loads(line)
        item = event.get("item")
        out.append(f"{event['type']}:{item['type']}" if isinstance(item, dict) else str(event["type"]))
    return out


def _home(tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    home.mkdir()
    shutil.copy(CONFIG, home / "config.toml")
    return home


def _exec(program: list[str], home: Path, cwd: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], list[Any]]:
    env = {**os.environ, **NO_EGRESS, "CODEX_HOME": str(home), TEST_ENV_KEY: "sk-test"}
    with ScriptedResponsesServer() as server:
        server.enqueue(turn_message("hello"))
        proc = subprocess.run(
            [
                *program,
                "exec",
                "--json",
                "--skip-git-repo-check",
                *ISSUE_FLAGS,
                *provider_cli_args(server.base_url),
                "-c",
                "model_providers.test.name=test",  # 0.169 requires a provider name
                *extra,
                "hi",
            ],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        return proc, [r.body for r in server.requests]


def _reference() -> Path | None:
    raw = os.environ.get("CODEX_REFERENCE_BIN")
    path = Path(raw) if raw else DEFAULT_REFERENCE
    return path if path.is_file() and os.access(path, os.X_OK) else None


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    return work


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict-config"])
def test_exec_runs_a_rich_0169_config(tmp_path: Path, workdir: Path, strict: bool) -> None:
    proc, bodies = _exec([CODEX], _home(tmp_path, "home"), workdir, *(["--strict-config"] if strict else []))
    assert proc.returncode == 0, proc.stderr
    assert "unrecognized configuration" not in proc.stderr and "Traceback" not in proc.stderr
    recorded = json.loads(EVENTS.read_text())
    assert event_signature(proc.stdout) == recorded["events"]
    assert len(bodies) == 1
    assert bodies[0]["reasoning"]["effort"] == "none"  # model_reasoning_effort = "none" reaches the request


def test_reference_gives_the_same_event_types(tmp_path: Path, workdir: Path) -> None:
    reference = _reference()
    if reference is None:
        pytest.skip(
            "the reference Codex CLI 0.169 is not installed here (set CODEX_REFERENCE_BIN); the recorded events are compared above"
        )
    ref, _ = _exec([str(reference)], _home(tmp_path, "ref-home"), workdir, "--strict-config")
    ours, _ = _exec([CODEX], _home(tmp_path, "home"), workdir)
    assert ref.returncode == 0 == ours.returncode, (ref.stderr, ours.stderr)
    assert event_signature(ours.stdout) == event_signature(ref.stdout) == json.loads(EVENTS.read_text())["events"]


def test_features_list_matches_the_reference(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.run(
        [CODEX, "features", "list"],
        env={**os.environ, "CODEX_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == FEATURES.read_text()


def test_every_0169_feature_is_accepted_by_enable_and_disable(tmp_path: Path) -> None:
    from codex_core.config import ConfigOverrides, load_config

    names = [line.split()[0] for line in FEATURES.read_text().splitlines()]
    cfg = load_config(
        ConfigOverrides(enable_features=names[::2], disable_features=names[1::2], strict_config=True), cwd=tmp_path
    )
    assert not cfg.warnings
    assert all(cfg.features[n] is True for n in names[::2]) and all(cfg.features[n] is False for n in names[1::2])
