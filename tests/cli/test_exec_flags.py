"""`codex exec` flags of Codex 0.169: --ignore-user-config, --ignore-rules, --strict-config, -V,
and the subcommands' own help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_core.config.loader import DEFAULT_MODEL
from tests.e2e.conftest import run_codex
from tests.support.provider import provider_cli_args, write_provider_config
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call


def test_ignore_user_config_skips_config_toml_but_keeps_codex_home(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    home = Path(cli_env["CODEX_HOME"])
    # an invalid value of a known key: an error whenever the file is read
    write_provider_config(
        home, server.base_url, retries=0, stream_idle_timeout_ms=2000, header='model_verbosity = "loud"\n'
    )
    plain = run_codex(["exec", "--json", "hi"], cli_env, repo)
    assert plain.returncode == 1 and "model_verbosity" in plain.stderr
    server.enqueue(turn_message("ok"))
    args = ["exec", "--ignore-user-config", "--json", *provider_cli_args(server.base_url), "hi"]
    proc = run_codex(args, cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    assert server.requests[0].body["model"] == DEFAULT_MODEL  # not config.toml's test-model
    thread_id = json.loads(proc.stdout.splitlines()[0])["thread_id"]
    assert list(home.glob(f"sessions/*/*/*/rollout-*-{thread_id}.jsonl"))  # sessions still live in CODEX_HOME


@pytest.mark.parametrize("ignore", [False, True])
def test_ignore_rules_skips_user_rules_files(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path, ignore: bool
) -> None:
    rules = Path(cli_env["CODEX_HOME"]) / "rules"
    rules.mkdir()
    (rules / "deny.rules").write_text('prefix_rule(pattern=["touch"], decision="forbidden")\n')
    server.enqueue(
        turn_tool_call("exec_command", {"cmd": "touch made.txt"}, call_id="t1"),
        turn_message("done"),
    )
    flags = ["--ignore-rules"] if ignore else []
    args = ["exec", "--json", "--enable", "unified_exec", "-s", "workspace-write", *flags, "make a file"]
    proc = run_codex(args, cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    output = next(i for i in server.requests[1].body["input"] if i.get("type") == "function_call_output")
    assert ("blocked by policy" in output["output"]) is not ignore
    assert (repo / "made.txt").exists() is ignore


def test_strict_config_flag(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    server.enqueue(turn_message("ok"))
    proc = run_codex(["exec", "--strict-config", "--json", "hi"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    config = Path(cli_env["CODEX_HOME"]) / "config.toml"
    config.write_text("no_such_key_anywhere = 1\n" + config.read_text())
    proc = run_codex(["exec", "--strict-config", "--json", "hi"], cli_env, repo)
    assert proc.returncode == 1
    assert f"{config}:1" in proc.stderr and "no_such_key_anywhere" in proc.stderr and "Traceback" not in proc.stderr


def test_exec_version_and_subcommand_help(cli_env: dict[str, str], repo: Path) -> None:
    for flag in ("-V", "--version"):
        proc = run_codex(["exec", flag], cli_env, repo)
        assert proc.returncode == 0 and proc.stdout.startswith("codex-cli-exec ")
    proc = run_codex(["exec", "resume", "--help"], cli_env, repo)
    assert proc.returncode == 0 and proc.stdout.startswith("Usage: codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]")
    assert "--last" in proc.stdout and "--sandbox" not in proc.stdout
    proc = run_codex(["exec", "review", "--help"], cli_env, repo)
    assert proc.returncode == 0 and "--uncommitted" in proc.stdout and "--image" not in proc.stdout
