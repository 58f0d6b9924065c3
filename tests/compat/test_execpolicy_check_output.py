"""``codex execpolicy check`` prints what Codex 0.169 prints for the same rules and commands.

The expected lines are the reference's output for ``codex execpolicy check --rules r.rules
--resolve-host-executables CMD...`` (recorded from 0.169.0): a rule matched through a host
executable reports the rule's tokens as ``matchedPrefix`` (``git``, not ``/usr/bin/git``) and the
absolute program as ``resolvedProgram``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CODEX = str(Path(sys.executable).parent / "codex")
RULES = """\
prefix_rule(pattern = ["git", "status"], decision = "prompt", justification = "check it")
prefix_rule(pattern = ["git", ["log", "show"]], decision = "allow")
host_executable(name = "git", paths = ["/usr/bin/git"])
"""
REFERENCE = {
    "/usr/bin/git status": {
        "matchedRules": [
            {
                "prefixRuleMatch": {
                    "matchedPrefix": ["git", "status"],
                    "decision": "prompt",
                    "resolvedProgram": "/usr/bin/git",
                    "justification": "check it",
                }
            }
        ],
        "decision": "prompt",
    },
    "/usr/bin/git log -1": {
        "matchedRules": [
            {
                "prefixRuleMatch": {
                    "matchedPrefix": ["git", "log"],
                    "decision": "allow",
                    "resolvedProgram": "/usr/bin/git",
                }
            }
        ],
        "decision": "allow",
    },
    "git status x": {
        "matchedRules": [
            {"prefixRuleMatch": {"matchedPrefix": ["git", "status"], "decision": "prompt", "justification": "check it"}}
        ],
        "decision": "prompt",
    },
    "/usr/local/bin/git status": {"matchedRules": []},
}


@pytest.mark.parametrize("command", list(REFERENCE))
def test_check_output_matches_the_reference(tmp_path: Path, command: str) -> None:
    rules = tmp_path / "r.rules"
    rules.write_text(RULES, encoding="utf-8")
    proc = subprocess.run(
        [CODEX, "execpolicy", "check", "--rules", str(rules), "--resolve-host-executables", *command.split()],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == json.dumps(REFERENCE[command], separators=(",", ":")) + "\n"  # byte for byte
