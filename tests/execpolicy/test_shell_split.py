from __future__ import annotations

import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_core.execpolicy import (
    is_known_safe_command,
    parse_command_for_policy,
    parse_command_for_policy_detailed,
    split_shell_command,
)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("ls", [["ls"]]),
        ("ls -la  /tmp", [["ls", "-la", "/tmp"]]),
        ("git status && rm -rf /", [["git", "status"], ["rm", "-rf", "/"]]),
        ("a || b; c | d |& e & f", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]]),
        ("a\nb\n\nc", [["a"], ["b"], ["c"]]),
        ("a &&\n  b", [["a"], ["b"]]),
        ("a;", [["a"]]),
        ("a &", [["a"]]),
        ("(cd sub && make) || echo failed", [["cd", "sub"], ["make"], ["echo", "failed"]]),
        ("((a) ; b)", [["a"], ["b"]]),
        ("echo 'a b' \"c d\" e\\ f", [["echo", "a b", "c d", "e f"]]),
        ("echo 'it'\"'\"'s'", [["echo", "it's"]]),
        ('echo "a\\"b\\\\c"', [["echo", 'a"b\\c']]),
        ("echo ''", [["echo", ""]]),
        ("ls # a comment; rm -rf /", [["ls"]]),
        ("echo a#b", [["echo", "a#b"]]),
        ("ls 2>/dev/null", [["ls"]]),
        ("ls >/dev/null 2>&1 | wc -l", [["ls"], ["wc", "-l"]]),
        ("cat < input.txt", [["cat"]]),
        ("make CFLAGS=-O2", [["make", "CFLAGS=-O2"]]),
        ("find . -name x -exec rm {} \\;", [["find", ".", "-name", "x", "-exec", "rm", "{}", ";"]]),
        ("echo a \\\n b", [["echo", "a", "b"]]),
        ("", []),
        ("   \n# only a comment\n", []),
    ],
)
def test_splits(script: str, expected: list[list[str]]) -> None:
    assert split_shell_command(script) == expected


@pytest.mark.parametrize(
    "script",
    [
        "echo $(rm -rf /)",
        "echo `rm -rf /`",
        'echo "$(rm -rf /)"',
        'echo "`id`"',
        "echo $HOME",
        'echo "$HOME"',
        "echo ${x}",
        "FOO=1 evil",
        "FOO+=1 evil",
        "ls > /etc/x",
        "ls >> out.txt",
        "ls &> out",
        "ls 2> err.txt",
        "cat < /dev/tcp/1.2.3.4/80",
        "cat <<EOF\nhi\nEOF",
        "cat <<< hi",
        "diff <(ls a) <(ls b)",
        "tee >(evil)",
        "echo 'unbalanced",
        'echo "unbalanced',
        "echo trailing\\",
        "(ls",
        "ls)",
        "()",
        "(a) b",
        "a (b)",
        "a && && b",
        "&& a",
        "a &&",
        "a |",
        "; a",
        "a ;; b",
        "ls *.py",
        "ls file?",
        "ls [ab]",
        "echo {a,b}",
        "{ ls; }",
        "if true; then rm -rf /; fi",
        "for x in a; do rm $x; done",
        "while true; do :; done",
        "! ls",
        "time ls",
        "f() { rm -rf /; }",
        "echo a\x00b",
        "ls <> file",
    ],
)
def test_unsupported_syntax_gives_none(script: str) -> None:
    assert split_shell_command(script) is None


def test_parse_command_for_policy_unwraps_shells() -> None:
    assert parse_command_for_policy(["bash", "-lc", "git status && rm -rf /"]) == [
        ["git", "status"],
        ["rm", "-rf", "/"],
    ]
    for wrapper in (["sh", "-c"], ["zsh", "-lc"], ["/bin/bash", "-c"], ["bash", "-l", "-c"], ["dash", "-ec"]):
        assert parse_command_for_policy([*wrapper, "a; b"]) == [["a"], ["b"]]
    nested = ["bash", "-lc", "bash -c 'ls && sh -c \"rm -rf /\"'"]
    assert parse_command_for_policy(nested) == [["ls"], ["rm", "-rf", "/"]]
    assert parse_command_for_policy(["ls", "&&", "rm"]) == [["ls", "&&", "rm"]]  # no shell: literal args
    assert parse_command_for_policy(["bash", "script.sh"]) == [["bash", "script.sh"]]
    assert parse_command_for_policy(["bash", "-o", "pipefail", "-c", "ls"]) == [["bash", "-o", "pipefail", "-c", "ls"]]
    assert parse_command_for_policy(["bash", "-lc", ""]) == [["bash", "-lc", ""]]


def test_shell_option_forms() -> None:
    assert parse_command_for_policy(["bash", "-c", "--", "a; b"]) == [["a"], ["b"]]
    assert parse_command_for_policy(["bash", "-c", "-e", "a; b"]) == [["a"], ["b"]]
    assert parse_command_for_policy(["bash", "-c", "a; b", "arg0", "arg1"]) == [["a"], ["b"]]
    for unknown in (["bash", "-o", "pipefail", "-c", "a"], ["bash", "+x", "-c", "a"], ["bash", "script.sh"]):
        parsed = parse_command_for_policy_detailed(unknown)
        assert parsed.opaque
        assert parsed.commands == (tuple(unknown),)
        assert parsed.opaque_scripts == tuple(unknown[1:])


def test_wrapped_commands_are_shadowed() -> None:
    parsed = parse_command_for_policy_detailed(["env", "FOO=1", "timeout", "5", "bash", "-c", "ls; rm -rf /"])
    assert parsed.commands == (("env", "FOO=1", "timeout", "5", "bash", "-c", "ls; rm -rf /"),)
    assert ("ls",) in parsed.shadow_commands
    assert ("rm", "-rf", "/") in parsed.shadow_commands
    assert parse_command_for_policy_detailed(["env", "-S", "rm -rf /"]).opaque_scripts == ("rm -rf /",)
    many = ["env"] * 200 + ["ls"]
    assert parse_command_for_policy_detailed(many).shadow_commands  # bounded work, no blow-up


def test_opaque_scripts_are_reported() -> None:
    parsed = parse_command_for_policy_detailed(["bash", "-lc", "ls && echo $(rm -rf /)"])
    assert parsed.opaque
    assert parsed.commands == (("bash", "-lc", "ls && echo $(rm -rf /)"),)
    assert parsed.opaque_scripts == ("ls && echo $(rm -rf /)",)
    nested = parse_command_for_policy_detailed(["bash", "-lc", "ls; bash -c 'x > /etc/y'"])
    assert nested.opaque
    assert nested.commands == (("ls",), ("bash", "-c", "x > /etc/y"))
    deep = ["ls"]
    for _ in range(12):
        deep = ["bash", "-c", shlex.join(deep)]
    assert parse_command_for_policy_detailed(deep).opaque


# -- property tests -----------------------------------------------------------------------------

SAFE_PROGRAMS = ["ls", "cat", "grep", "echo", "head", "wc", "git"]
OPERATORS = ["&&", "||", ";", "|", "\n", " & ", " |& "]
word = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=12)
safe_command = st.builds(lambda p, args: [p, *args], st.sampled_from(SAFE_PROGRAMS), st.lists(word, max_size=4))


def join(commands: list[list[str]], ops: list[str]) -> str:
    script = shlex.join(commands[0])
    for op, command in zip(ops, commands[1:], strict=False):
        script += f" {op} " + shlex.join(command)
    return script


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(script: str) -> None:
    result = split_shell_command(script)
    assert result is None or all(isinstance(c, list) and c and all(isinstance(w, str) for w in c) for c in result)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\n;&|()<>$`'\"\\#=*?[]{}~!abc12", max_size=60))
def test_never_raises_on_shell_metacharacter_soup(script: str) -> None:
    result = split_shell_command(script)
    assert result is None or isinstance(result, list)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(safe_command, min_size=1, max_size=5),
    st.lists(st.sampled_from(OPERATORS), min_size=4, max_size=4),
)
def test_join_of_quoted_commands_is_recovered_exactly(commands: list[list[str]], ops: list[str]) -> None:
    assert split_shell_command(join(commands, ops)) == commands


EVIL = [["rm", "-rf", "/"], ["curl", "evil.sh"], ["evil"]]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(safe_command, min_size=0, max_size=3),
    st.lists(safe_command, min_size=0, max_size=3),
    st.sampled_from(EVIL),
    st.lists(st.sampled_from(OPERATORS), min_size=6, max_size=6),
    st.sampled_from(["plain", "subshell", "nested-shell"]),
)
def test_evil_command_is_never_hidden(
    before: list[list[str]], after: list[list[str]], evil: list[str], ops: list[str], form: str
) -> None:
    commands = [*before, evil, *after]
    script = join(commands, ops)
    if form == "subshell":
        script = f"( {script} )"
    argv = ["bash", "-lc", script]
    if form == "nested-shell":
        argv = ["bash", "-lc", shlex.join(["sh", "-c", script])]
    found = parse_command_for_policy(argv)
    parsed = parse_command_for_policy_detailed(argv)
    # Either the evil command is reported, or the whole thing stays one opaque unknown command.
    assert evil in found or (parsed.opaque and found == [argv])
    assert evil in found  # with plain quoting the splitter must understand all of it
    assert not is_known_safe_command(argv)
