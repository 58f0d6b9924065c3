"""A hostile or runaway rules file is a ``path:line`` error, never a MemoryError, hang or
RecursionError (issue 14, item 11). Every case here used to crash or hang the evaluator."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from codex_core.execpolicy import RulesParseError, load_exec_policy, parse_rules_source
from codex_core.execpolicy.loader import MAX_RULES_FILE_BYTES

DOUBLING_41_LINES = 'a = "x"\n' + "a = a + a\n" * 40
"""The reported file: 2**40 characters asked for by line 41 (MemoryError before)."""


def parse_error(source: str) -> RulesParseError:
    started = time.monotonic()
    with pytest.raises(RulesParseError) as info:
        parse_rules_source(source, path="/r/user.rules")
    assert time.monotonic() - started < 5, "limits must stop the work early"
    err = info.value
    assert err.path == "/r/user.rules"
    assert str(err).startswith(f"/r/user.rules:{err.line}: ")
    return err


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        # 2**17 characters is the first string over 100,000; it is built on line 18.
        (DOUBLING_41_LINES, 18, "string is too long (131,072 characters; the limit is 100,000)"),
        ('a = ["x"]\n' + "a = a + a\n" * 40, 15, "list is too long (16,384 items; the limit is 10,000)"),
        # Shared sub-lists cost no memory, but the printout of `decision=a` would never end.
        ('a = ["x"]\n' + "a = [a, a]\n" * 40 + 'prefix_rule(pattern=["x"], decision=a)\n', 20, "value is too large"),
        ('a = ["x"]\n' + "a = [a]\n" * 5000 + 'prefix_rule(pattern=["x"], decision=a)\n', 33, "nested too deeply"),
        # Each line is cheap, together they are not: 65,536 characters copied per line.
        ('a = "x"\n' + "a = a + a\n" * 15 + "b = a + a\n" * 200, 92, "takes too much work"),
        # shlex-splitting examples is charged too: 1M characters to split per call.
        (
            'a = "x"\n'
            + "a = a + a\n" * 15
            + "p = ["
            + ", ".join(["a"] * 30)
            + "]\n"
            + 'prefix_rule(pattern=["x"], match=p)\n' * 50,
            18,
            "takes too much work",
        ),
    ],
    ids=["string-doubling", "list-doubling", "shared-list-tree", "deep-list-value", "work-budget", "shlex-budget"],
)
def test_runaway_values_are_errors_at_their_line(source: str, line: int, message: str) -> None:
    err = parse_error(source)
    assert err.line == line
    assert message in err.detail


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("a = " + "[" * 5000 + "]" * 5000, "syntax error: too many nested parentheses"),
        ("a = " + "(" * 5000 + "1" + ")" * 5000, "syntax error: too many nested parentheses"),
        ('prefix_rule(pattern=["x"], decision=' + "[" * 5000 + "]" * 5000 + ")", "syntax error"),
        # No brackets: CPython's parser overflows with RecursionError / MemoryError and no line.
        ("a = " + "not " * 5000 + "1", "nested too deeply or too long to parse"),
        ("a = " + "-" * 100_000 + "1", "nested too deeply or too long to parse"),
        ("a = " + " + ".join(['"x"'] * 5000), "nested too deeply or too long to parse"),
        ("x" + ".a" * 5000 + "()", "nested too deeply or too long to parse"),
    ],
    ids=["brackets", "parens", "brackets-in-call", "not-chain", "minus-chain", "plus-chain", "attribute-chain"],
)
def test_deep_nesting_names_the_line(statement: str, message: str) -> None:
    source = '# header\nprefix_rule(pattern=["ls"])\n\nb = (\n  1)\n' + statement + "\nc = 1\n"
    err = parse_error(source)
    assert err.line == 6
    assert message in err.detail


def test_error_messages_stay_short() -> None:
    source = 'a = "y"\n' + "a = a + a\n" * 16 + 'prefix_rule(pattern=["x"], decision=a)\n'
    err = parse_error(source)
    assert "invalid decision 'yyyy" in err.detail
    assert len(str(err)) < 300


def test_loader_reports_the_doubling_file_and_loads_the_rest(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.rules").write_text('prefix_rule(pattern=["rm"], decision="forbidden")\n')
    (rules / "bomb.rules").write_text(DOUBLING_41_LINES)
    big = rules / "huge.rules"
    big.write_bytes(b"# padding\n" * (MAX_RULES_FILE_BYTES // 10 + 1))

    loaded = load_exec_policy(tmp_path)

    bomb, huge = loaded.issues
    assert (bomb.path, bomb.line) == (str(rules / "bomb.rules"), 18)
    assert bomb.display() == (
        f"{rules / 'bomb.rules'}:18: string is too long (131,072 characters; the limit is 100,000)"
        " (problem is on or around line 18)"
    )
    assert (huge.path, huge.line) == (str(big), None)
    assert "larger than 4 MiB" in huge.message
    assert [p.name for p in loaded.files] == ["a.rules"]
    assert loaded.policy.check(["rm", "-rf", "/"]).decision == "forbidden"


def test_limits_leave_real_files_alone() -> None:
    tokens = ", ".join(f'"t{i}"' for i in range(2000))
    source = (
        'LONG = "' + "j" * 50_000 + '"\n'
        f"ALTS = [{tokens}]\n"
        'prefix_rule(pattern=["git", ALTS], justification=LONG, match=["git t1999"])\n'
        + 'prefix_rule(pattern=["npm", "run", "build"], decision="allow")\n'
        * 5000
    )
    parsed = parse_rules_source(source, path="big.rules")
    assert len(parsed.prefix_rules) == 5001
