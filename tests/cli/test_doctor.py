"""`codex doctor`: real checks (config load, credentials, sandbox probe, proxy settings, MCP servers
started for real), a fix for each problem, and a non-zero exit code when something is wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.e2e.conftest import CODEX
from tests.mcp.conftest import FIXTURE_SERVER
from tests.support.provider import write_provider_config


def doctor(home: Path, cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    full_env = {**os.environ, "CODEX_HOME": str(home), "TEST_API_KEY": "sk-test-123456789", **(env or {})}
    proc = subprocess.run(
        [CODEX, "doctor", "--json", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in report["checks"]}


def test_healthy_setup(codex_home: Path, tmp_path: Path) -> None:
    write_provider_config(codex_home, "http://127.0.0.1:9/v1", retries=0, stream_idle_timeout_ms=1000)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    code, report = doctor(codex_home, tmp_path)
    checks = by_name(report)
    assert checks["config"]["status"] == "ok" and checks["config"]["details"]["provider"] == "test"
    assert checks["auth"]["status"] == "ok" and "$TEST_API_KEY" in checks["auth"]["summary"]
    assert "sk-test-123456789" not in json.dumps(report)  # never the secret itself
    assert checks["mcp"]["status"] == "ok" and checks["git"]["status"] == "ok"
    assert checks["sandbox"]["status"] in ("ok", "fail")
    assert code == (1 if report["counts"]["fail"] else 0) and report["ok"] is (code == 0)


def test_broken_config_names_file_and_line(codex_home: Path, tmp_path: Path) -> None:
    config = codex_home / "config.toml"
    config.write_text('model = "m"\nmodel_reasoning_effort = "extreme"\n')
    code, report = doctor(codex_home, tmp_path)
    assert code == 1
    checks = by_name(report)
    assert checks["config"]["status"] == "fail"
    assert f"{config}:2" in checks["config"]["summary"] and str(config) in checks["config"]["fix"]
    assert checks["auth"]["status"] == "skip"


def test_missing_credentials_say_which_variable(codex_home: Path, tmp_path: Path) -> None:
    write_provider_config(codex_home, "http://127.0.0.1:9/v1", retries=0, stream_idle_timeout_ms=1000)
    code, report = doctor(codex_home, tmp_path, env={"TEST_API_KEY": ""})
    auth = by_name(report)["auth"]
    assert code == 1 and auth["status"] == "fail" and "TEST_API_KEY" in auth["fix"]


def test_mcp_servers_are_started_and_listed(codex_home: Path, tmp_path: Path) -> None:
    (codex_home / "config.toml").write_text(
        f"[mcp_servers.good]\ncommand = {json.dumps(sys.executable)}\nargs = [{json.dumps(str(FIXTURE_SERVER))}]\n"
        "startup_timeout_sec = 20\n"
        '[mcp_servers.broken]\ncommand = "/nonexistent/mcp-server"\nstartup_timeout_sec = 5\n'
        '[mcp_servers.off]\ncommand = "/nonexistent/other"\nenabled = false\n'
    )
    code, report = doctor(codex_home, tmp_path, env={"OPENAI_API_KEY": "sk-x-123456789012"})
    checks = by_name(report)
    assert checks["mcp good"]["status"] == "ok" and "tool(s)" in checks["mcp good"]["summary"]
    assert int(checks["mcp good"]["summary"].split("; ")[1].split()[0]) > 0
    assert checks["mcp broken"]["status"] == "fail" and "[mcp_servers.broken]" in checks["mcp broken"]["fix"]
    assert checks["mcp off"]["status"] == "skip"
    assert code == 1


def test_malformed_proxy_variable_and_human_output(codex_home: Path, tmp_path: Path) -> None:
    write_provider_config(codex_home, "http://127.0.0.1:9/v1", retries=0, stream_idle_timeout_ms=1000)
    env = {**os.environ, "CODEX_HOME": str(codex_home), "TEST_API_KEY": "k", "HTTPS_PROXY": "http://proxy:notaport"}
    proc = subprocess.run(
        [CODEX, "doctor", "--ascii", "--summary"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    line = next(ln for ln in proc.stdout.splitlines() if "proxy env" in ln)
    assert line.lstrip().startswith("FAIL") and "HTTPS_PROXY" in line
    assert "fix: use scheme://host:port" in proc.stdout and "fail" in proc.stdout.splitlines()[-1]
