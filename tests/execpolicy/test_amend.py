from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from codex_core.errors import ExecPolicyError
from codex_core.execpolicy import append_allow_rule, append_network_rule, load_exec_policy


def test_creates_dir_and_file(codex_home: Path) -> None:
    path = append_allow_rule(codex_home, ["echo", "Hello, world!"])
    assert path == codex_home / "rules" / "default.rules"
    assert path.read_text() == 'prefix_rule(pattern=["echo", "Hello, world!"], decision="allow")\n'
    assert load_exec_policy(codex_home).policy.check(["echo", "Hello, world!", "x"]).decision == "allow"


def test_appends_without_clobbering_and_fixes_missing_newline(codex_home: Path) -> None:
    path = codex_home / "rules" / "default.rules"
    path.parent.mkdir()
    path.write_text('# my rules\nprefix_rule(pattern=["ls"], decision="allow")')
    append_allow_rule(codex_home, ["npm", "test"])
    append_allow_rule(codex_home, ["npm", "test"])  # duplicate: no second line
    assert path.read_text() == (
        '# my rules\nprefix_rule(pattern=["ls"], decision="allow")\n'
        'prefix_rule(pattern=["npm", "test"], decision="allow")\n'
    )


def test_awkward_tokens_round_trip(codex_home: Path) -> None:
    prefix = ['say "hi"', "back\\slash", "new\nline", "ünï", "'"]
    append_allow_rule(codex_home, prefix)
    loaded = load_exec_policy(codex_home)
    assert loaded.ok
    assert loaded.policy.check([*prefix, "more"]).decision == "allow"


def test_network_rule_append(codex_home: Path) -> None:
    append_network_rule(codex_home, "api.example.com", "https", "allow", "Allow API calls")
    text = (codex_home / "rules" / "default.rules").read_text()
    assert text == (
        'network_rule(host="api.example.com", protocol="https", decision="allow", justification="Allow API calls")\n'
    )
    loaded = load_exec_policy(codex_home)
    assert loaded.policy.compiled_network_domains() == (["api.example.com"], [])
    with pytest.raises(ExecPolicyError):
        append_network_rule(codex_home, "*.x.com", "https", "allow")


def test_empty_prefix_is_rejected(codex_home: Path) -> None:
    with pytest.raises(ExecPolicyError, match="at least one token"):
        append_allow_rule(codex_home, [])


def _append_many(home: str, worker: int) -> None:
    for i in range(25):
        append_allow_rule(Path(home), [f"tool{worker}", str(i)])


def test_concurrent_appends_from_processes_keep_every_line(codex_home: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(str(codex_home), w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    lines = (codex_home / "rules" / "default.rules").read_text().splitlines()
    assert len(lines) == 100
    assert len(set(lines)) == 100
    assert load_exec_policy(codex_home).ok
