"""Human ``codex exec`` output says a failure once: the ``error`` event's ``ERROR:`` line, not
again as ``turn failed:``; ``--json`` keeps both events; the exit code stays 1."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import run_codex
from tests.support.sse_server import HttpErrorResponse, ScriptedResponsesServer, turn_message


def test_model_failure_is_printed_once(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    server.enqueue(HttpErrorResponse(400, {"error": {"message": "bad model name"}}))
    proc = run_codex(["exec", "hi"], cli_env, repo)
    assert proc.returncode == 1, proc.stderr
    mentions = [line for line in proc.stderr.splitlines() if "bad model name" in line]
    assert len(mentions) == 1, proc.stderr
    assert mentions[0].startswith("ERROR: model request failed: HTTP 400")
    assert "turn failed" not in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_json_mode_keeps_error_and_turn_failed(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    server.enqueue(HttpErrorResponse(400, {"error": {"message": "bad model name"}}))
    proc = run_codex(["exec", "--json", "hi"], cli_env, repo)
    assert proc.returncode == 1, proc.stderr
    types = [json.loads(line)["type"] for line in proc.stdout.splitlines()]
    assert types[-2:] == ["error", "turn.failed"]


def test_requirements_that_forbid_never_warn_once(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    Path(cli_env["CODEX_REQUIREMENTS_PATH"]).write_text(
        'allowed_approval_policies = ["on-request"]\n', encoding="utf-8"
    )
    server.enqueue(turn_message("fine"))
    proc = run_codex(["exec", "hi"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "approvals will be denied automatically" in line]
    assert len(warnings) == 1, proc.stderr
    assert "approval: on-request" in proc.stderr
