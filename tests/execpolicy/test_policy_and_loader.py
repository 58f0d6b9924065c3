from __future__ import annotations

import os
from pathlib import Path

import pytest

from codex_core.errors import ExecPolicyError
from codex_core.execpolicy import ExecPolicy, load_exec_policy, policy_from_requirements_rules

from .conftest import policy_from


def test_prefix_matching_and_strictest_wins() -> None:
    policy = policy_from(
        """
prefix_rule(pattern=["git"], decision="prompt", justification="git needs a look")
prefix_rule(pattern=["git", ["status", "log"]], decision="allow")
prefix_rule(pattern=["git", "push", "--force"], decision="forbidden", justification="no force pushes")
"""
    )
    status = policy.check(["git", "status", "-s"])
    assert status.decision == "prompt"  # the broader prompt rule also matches
    assert {m.matched_prefix for m in status.matched_rules} == {("git",), ("git", "status")}
    assert policy.check(["git", "push", "--force", "origin"]).decision == "forbidden"
    assert policy.check(["git"]).decision == "prompt"
    assert policy.check(["ls"]).decision is None
    assert policy.check(["ls"]).to_json() == {"matchedRules": []}
    assert policy.check([]).matched_rules == ()


def test_check_json_shape_matches_spec() -> None:
    policy = policy_from('prefix_rule(pattern=["git", "status"], justification="read only")')
    assert policy.check(["git", "status"]).to_json() == {
        "matchedRules": [
            {
                "prefixRuleMatch": {
                    "matchedPrefix": ["git", "status"],
                    "decision": "allow",
                    "justification": "read only",
                }
            }
        ],
        "decision": "allow",
    }


def test_host_executable_basename_resolution() -> None:
    open_policy = policy_from('prefix_rule(pattern=["git", "status"])')
    match = open_policy.check(["/usr/bin/git", "status"])
    assert match.decision == "allow"
    assert match.to_json()["matchedRules"][0]["prefixRuleMatch"]["resolvedProgram"] == "/usr/bin/git"
    assert open_policy.check(["/usr/bin/git", "status"], resolve_host_executables=False).decision is None
    pinned = policy_from('prefix_rule(pattern=["git", "status"])\nhost_executable(name="git", paths=["/usr/bin/git"])')
    assert pinned.check(["/usr/bin/git", "status"]).decision == "allow"
    assert pinned.check(["/tmp/evil/git", "status"]).decision is None
    assert pinned.check(["relative/git", "status"]).decision is None


def test_network_overlay_domains_later_rules_win() -> None:
    policy = policy_from(
        """
network_rule(host="a.com", protocol="https", decision="allow")
network_rule(host="b.com", protocol="http", decision="allow")
network_rule(host="a.com", protocol="https", decision="deny")
network_rule(host="c.com", protocol="https", decision="prompt")
network_rule(host="b.com", protocol="https", decision="forbidden")
network_rule(host="b.com", protocol="https", decision="allow")
"""
    )
    assert policy.compiled_network_domains() == (["b.com"], ["a.com"])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_loads_sorted_rules_files_and_reports_bad_file_with_line(codex_home: Path, tmp_path: Path) -> None:
    rules = codex_home / "rules"
    write(rules / "b.rules", 'prefix_rule(pattern=["npm", "test"])\n')
    write(rules / "a.rules", 'prefix_rule(pattern=["rm"], decision="forbidden")\n')
    write(rules / "c.rules", 'prefix_rule(pattern=["ls"])\nprefix_rule(pattern=["cat"]\n')  # syntax error
    write(rules / "notes.txt", "not a rules file(")
    project = write(tmp_path / "proj" / ".codex" / "rules" / "p.rules", 'prefix_rule(pattern=["make"])\n')
    extra = write(tmp_path / "extra.rules", 'prefix_rule(pattern=["pytest"], decision="prompt")\n')

    loaded = load_exec_policy(codex_home, project_rules_dirs=[project.parent], extra_rules_files=[extra])

    assert [p.name for p in loaded.files] == ["a.rules", "b.rules", "p.rules", "extra.rules"]
    assert not loaded.ok
    (issue,) = loaded.issues
    assert issue.path == str(rules / "c.rules")
    assert issue.line == 2
    assert str(issue).startswith(f"{rules / 'c.rules'}:2: syntax error")
    assert issue.display().endswith("(problem is on or around line 2)")
    policy = loaded.policy
    assert policy.check(["rm", "-rf", "x"]).decision == "forbidden"
    assert policy.check(["npm", "test"]).decision == "allow"
    assert policy.check(["make"]).decision == "allow"
    assert policy.check(["pytest"]).decision == "prompt"
    assert policy.check(["ls"]).decision is None  # the broken file is dropped as a whole
    with pytest.raises(ExecPolicyError, match=r"c\.rules:2"):
        loaded.raise_for_errors()


def test_managed_rules_survive_broken_user_file(codex_home: Path, tmp_path: Path) -> None:
    write(codex_home / "rules" / "default.rules", "this is not starlark (\n")
    managed_file = write(tmp_path / "etc" / "managed.rules", 'prefix_rule(pattern=["curl"], decision="forbidden")\n')
    for managed in (
        [managed_file],
        policy_from('prefix_rule(pattern=["curl"], decision="forbidden")'),
        {"prefix_rules": [{"pattern": [{"token": "curl"}], "decision": "forbidden"}]},
    ):
        loaded = load_exec_policy(codex_home, managed_rules=managed)
        assert len(loaded.issues) == 1
        assert loaded.policy.check(["curl", "x"]).decision == "forbidden"


def test_broken_managed_rules_file_is_fatal(codex_home: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "managed.rules", "prefix_rule(pattern=[])\n")
    with pytest.raises(ExecPolicyError, match=r"invalid managed rules: .*managed\.rules:1: pattern cannot be empty"):
        load_exec_policy(codex_home, managed_rules=[bad])


def test_system_rules_dir_and_missing_dirs(codex_home: Path, tmp_path: Path) -> None:
    system = tmp_path / "etc" / "codex" / "rules"
    write(system / "sys.rules", 'prefix_rule(pattern=["shutdown"], decision="forbidden")\n')
    loaded = load_exec_policy(codex_home, system_rules_dir=system, project_rules_dirs=[tmp_path / "nope"])
    assert loaded.ok
    assert loaded.policy.check(["shutdown"]).decision == "forbidden"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read unreadable files")
def test_unreadable_rules_file_is_fatal(codex_home: Path) -> None:
    path = write(codex_home / "rules" / "x.rules", 'prefix_rule(pattern=["a"])\n')
    path.chmod(0)
    try:
        with pytest.raises(ExecPolicyError, match="failed to read rules file"):
            load_exec_policy(codex_home)
    finally:
        path.chmod(0o644)


def test_non_utf8_file_is_an_issue(codex_home: Path) -> None:
    (codex_home / "rules").mkdir()
    (codex_home / "rules" / "bin.rules").write_bytes(b"\xff\xfe")
    loaded = load_exec_policy(codex_home)
    assert "not valid UTF-8" in loaded.issues[0].message


def test_requirements_rules_conversion_and_errors() -> None:
    policy = policy_from_requirements_rules(
        {
            "prefix_rules": [
                {"pattern": [{"any_of": ["python", "python3"]}, {"token": "-m"}], "decision": "prompt"},
                {"pattern": [{"token": "rm"}], "decision": "forbidden", "justification": "no"},
            ]
        }
    )
    assert [r.program for r in policy.prefix_rules] == ["python", "python3", "rm"]
    assert policy.check(["python3", "-m", "x"]).decision == "prompt"
    cases = [
        ({"prefix_rules": []}, "rules prefix_rules cannot be empty"),
        ({"prefix_rules": [{"pattern": [], "decision": "prompt"}]}, "has an empty pattern"),
        ({"prefix_rules": [{"pattern": [{"token": "a"}]}]}, "is missing a decision"),
        (
            {"prefix_rules": [{"pattern": [{"token": "a"}], "decision": "allow"}]},
            "use 'prompt' or 'forbidden'",
        ),
        (
            {"prefix_rules": [{"pattern": [{"token": "a", "any_of": ["a"]}], "decision": "prompt"}]},
            "invalid pattern token at index 0: set either token or any_of, not both",
        ),
        ({"prefix_rules": [{"pattern": [{"any_of": []}], "decision": "prompt"}]}, "any_of cannot be empty"),
    ]
    for table, message in cases:
        with pytest.raises(ExecPolicyError, match="invalid rules in requirements") as info:
            policy_from_requirements_rules(table)
        assert message in str(info.value)


def test_with_prefix_rule_and_merge() -> None:
    base = ExecPolicy.empty().with_prefix_rule(["npm", "test"])
    assert base.check(["npm", "test", "--watch"]).decision == "allow"
    merged = base.merge_overlay(policy_from('prefix_rule(pattern=["npm"], decision="prompt")'))
    assert merged.check(["npm", "test"]).decision == "prompt"
    assert merged.allow_prefixes() == [["npm", "test"]]


def test_unreadable_extra_rules_path_is_fatal(codex_home: Path, tmp_path: Path) -> None:
    directory = tmp_path / "dir.rules"
    directory.mkdir()
    with pytest.raises(ExecPolicyError, match="failed to read rules file"):
        load_exec_policy(codex_home, extra_rules_files=[directory])
