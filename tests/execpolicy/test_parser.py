from __future__ import annotations

from pathlib import Path

import pytest

from codex_core.execpolicy import RulesParseError, normalize_network_host, parse_rules_source


def test_full_language_parses() -> None:
    parsed = parse_rules_source(
        '''
"""docstrings are fine"""
# comments too
GIT_READ = ["status", "diff"]
prefix_rule(
    pattern = ["git", GIT_READ],
    decision = "allow",
    justification = "read-only git",
    match = [["git", "status"], "git diff --stat"],
    not_match = ["git push", "git"],
)
prefix_rule(pattern=[["python", "python3"], "-m", "pytest"], decision="prompt")
prefix_rule(["rm"], "forbidden", "never delete")
host_executable(name="git", paths=["/usr/bin/git", "~/bin/git"])
network_rule(host="API.Example.com.:443", protocol="https_connect", decision="deny", justification="no")
''',
        path="a.rules",
    )
    git, py, py3, rm = parsed.prefix_rules
    assert (git.program, git.rest, git.decision, git.justification) == (
        "git",
        (("status", "diff"),),
        "allow",
        "read-only git",
    )
    assert git.source == "a.rules:5"
    assert (py.program, py3.program, py.rest, py.decision) == (
        "python",
        "python3",
        ("-m", "pytest"),
        "prompt",
    )
    assert (rm.program, rm.decision, rm.justification) == ("rm", "forbidden", "never delete")
    (host,) = parsed.host_executables
    assert host.paths[0] == "/usr/bin/git"
    assert host.paths[1] == str(Path("~/bin/git").expanduser())
    (net,) = parsed.network_rules
    assert (net.host, net.protocol, net.decision) == ("api.example.com", "https", "forbidden")


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("prefix_rule(pattern=[])", 1, "pattern cannot be empty"),
        ('\n\nprefix_rule(pattern=["a", []])', 3, "pattern alternatives cannot be empty"),
        ("prefix_rule(pattern=[1])", 1, "pattern element must be a string or list of strings (got int)"),
        ('prefix_rule(pattern="git")', 1, "pattern must be a list"),
        ('prefix_rule(pattern=["a"], decision="maybe")', 1, "invalid decision 'maybe'"),
        ('prefix_rule(pattern=["a"], justification="  ")', 1, "justification cannot be empty"),
        ('prefix_rule(pattern=["a"], match=[""])', 1, "example cannot be an empty string"),
        ('prefix_rule(pattern=["a"], match=[[]])', 1, "example cannot be an empty list"),
        (
            'prefix_rule(pattern=["git", "status"], match=["git push"])',
            1,
            "match example `git push` does not match",
        ),
        ('prefix_rule(pattern=["git"], not_match=["git push"])', 1, "not_match example `git push` matches"),
        ('prefix_rule(pattern=["a"], bogus=1)', 1, "unexpected keyword argument `bogus`"),
        ("prefix_rule(decision='allow')", 1, "missing required argument `pattern`"),
        ('x = 1\nprefix_rule(pattern=["a"]\n', 2, "syntax error"),
        ("import os", 1, "unsupported statement `Import`"),
        ("os.system('echo pwned')", 1, "unknown function `os.system`"),
        ("__import__('os').system('x')", 1, "unknown function"),
        (
            'prefix_rule(pattern=[open("/etc/passwd").read()])',
            1,
            "calls are only allowed as top-level statements",
        ),
        ("prefix_rule(pattern=[x])", 1, "undefined name `x`"),
        ('prefix_rule(pattern=["a" * 3])', 1, "unsupported expression `BinOp`"),
        ("prefix_rule(pattern=[lambda: 1])", 1, "unsupported expression `Lambda`"),
        ('if True:\n    prefix_rule(pattern=["a"])', 1, "unsupported statement `If`"),
        (
            'network_rule(host="*.example.com", protocol="https", decision="allow")',
            1,
            "wildcards are not allowed",
        ),
        (
            'network_rule(host="https://x.com", protocol="https", decision="allow")',
            1,
            "without scheme or path",
        ),
        ('network_rule(host="x.com", protocol="ftp", decision="allow")', 1, "protocol must be one of"),
        ('network_rule(host="x.com", protocol="http", decision="ask")', 1, "invalid network_rule decision"),
        ('host_executable(name="git", paths=["/usr/bin/gitx"])', 1, "must have basename `git`"),
        ('host_executable(name="git", paths=["bin/git"])', 1, "must be absolute"),
        ('host_executable(name="a/b", paths=[])', 1, "bare executable name"),
    ],
)
def test_errors_name_file_and_line(source: str, line: int, message: str) -> None:
    with pytest.raises(RulesParseError) as info:
        parse_rules_source(source, path="/x/user.rules")
    err = info.value
    assert err.path == "/x/user.rules"
    assert err.line == line
    assert message in err.detail
    assert str(err).startswith(f"/x/user.rules:{line}: ")


def test_evaluation_never_executes_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    source = f"__import__('pathlib').Path({str(marker)!r}).touch()\n"
    with pytest.raises(RulesParseError):
        parse_rules_source(source)
    source = f"prefix_rule(pattern=[__import__('pathlib').Path({str(marker)!r}).touch()])\n"
    with pytest.raises(RulesParseError):
        parse_rules_source(source)
    assert not marker.exists()


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(RulesParseError):
        parse_rules_source("prefix_rule(pattern=" + "[" * 200 + "]" * 200 + ")")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM", "example.com"),
        (" example.com. ", "example.com"),
        ("example.com:8443", "example.com"),
        ("[::1]:443", "::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("10.0.0.1", "10.0.0.1"),
    ],
)
def test_network_host_normalisation(raw: str, expected: str) -> None:
    assert normalize_network_host(raw) == expected


@pytest.mark.parametrize("raw", ["", " ", "*.x.com", "a b", "x.com/path", "[::1", "[::1]x"])
def test_network_host_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_network_host(raw)
