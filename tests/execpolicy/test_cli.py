from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from codex_exec.commands.execpolicy import execpolicy


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "a.rules"
    path.write_text(
        'prefix_rule(pattern=["git", ["status", "diff"]], justification="read only")\n'
        'prefix_rule(pattern=["git"], decision="prompt")\n'
    )
    return path


def test_check_prints_spec_json(rules: Path) -> None:
    result = CliRunner().invoke(execpolicy, ["check", "--rules", str(rules), "--", "git", "status", "-s"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "matchedRules": [
            {
                "prefixRuleMatch": {
                    "matchedPrefix": ["git", "status"],
                    "decision": "allow",
                    "justification": "read only",
                }
            },
            {"prefixRuleMatch": {"matchedPrefix": ["git"], "decision": "prompt"}},
        ],
        "decision": "prompt",
    }
    assert "\n" not in result.output.strip()


def test_no_match_and_pretty_and_options_after_command(rules: Path) -> None:
    result = CliRunner().invoke(execpolicy, ["check", "--rules", str(rules), "--pretty", "ls", "-la"])
    assert result.exit_code == 0, result.output
    assert result.output == '{\n  "matchedRules": []\n}\n'


def test_multiple_rules_files_merge_in_order(rules: Path, tmp_path: Path) -> None:
    second = tmp_path / "b.rules"
    second.write_text('prefix_rule(pattern=["git", "status"], decision="forbidden")\n')
    result = CliRunner().invoke(execpolicy, ["check", "--rules", str(rules), "--rules", str(second), "git", "status"])
    assert json.loads(result.output)["decision"] == "forbidden"


def test_resolve_host_executables_flag(rules: Path) -> None:
    plain = CliRunner().invoke(execpolicy, ["check", "--rules", str(rules), "/usr/bin/git", "status"])
    assert json.loads(plain.output) == {"matchedRules": []}
    resolved = CliRunner().invoke(
        execpolicy, ["check", "--rules", str(rules), "--resolve-host-executables", "/usr/bin/git", "status"]
    )
    first = json.loads(resolved.output)["matchedRules"][0]["prefixRuleMatch"]
    assert first["resolvedProgram"] == "/usr/bin/git"


def test_default_rules_come_from_codex_home(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "default.rules").write_text('prefix_rule(pattern=["make"], decision="prompt")\n')
    result = CliRunner().invoke(execpolicy, ["check", "make"], env={"CODEX_HOME": str(tmp_path)})
    assert json.loads(result.output)["decision"] == "prompt"


def test_bad_rules_file_real_process_exit_1(rules: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.rules"
    bad.write_text('prefix_rule(pattern=["ok"])\n\nprefix_rule(pattern=["x"], decision="sometimes")\n')
    code = "from codex_exec.commands.execpolicy import execpolicy; execpolicy()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "check", "--rules", str(rules), "--rules", str(bad), "--", "ls"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert f"{bad}:3: invalid decision 'sometimes'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(execpolicy, ["check", "--rules", str(tmp_path / "nope.rules"), "ls"])
    assert result.exit_code == 1
    assert "failed to read rules file" in result.output


def test_missing_command_is_a_usage_error(rules: Path) -> None:
    result = CliRunner().invoke(execpolicy, ["check", "--rules", str(rules)])
    assert result.exit_code == 2
