"""The spec 5.5 known-safe list must not auto-approve commands that write files or run programs.

Issue 14 item 7: under ``untrusted`` a known-safe command runs without asking, so every option
or operand that writes (``uniq IN OUT``, ``sed -e 'w f'``) or executes (``find -exec``,
``rg --pre``) must take the command off the list, in every spelling ``getopt_long`` accepts
(clusters, ``--opt=v``, abbreviations); and only the *system* program counts (``/tmp/x/cat``
is not ``cat``). The cases marked ``was wrong`` were known safe before the fix.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codex_core.approvals import assess_command
from codex_core.execpolicy import ExecPolicy, is_known_safe_command

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"

# (argv, known safe?) -- GNU semantics checked with `--help` and by running the commands.
UNIQ = [
    (["uniq", "in.txt", "out.txt"], False),  # was wrong: OUTPUT operand, truncated unasked
    (["uniq", "-c", "in.txt", "out.txt"], False),  # was wrong
    (["uniq", "in.txt", "-c", "out.txt"], False),  # was wrong: options are permuted
    (["uniq", "-f1", "in.txt", "out.txt"], False),  # was wrong: the value is glued
    (["uniq", "-f", "1", "in.txt", "out.txt"], False),  # was wrong
    (["uniq", "--skip-fields=1", "in.txt", "out.txt"], False),  # was wrong
    (["uniq", "--", "in.txt", "out.txt"], False),  # was wrong
    (["uniq", "-", "out.txt"], False),  # was wrong: stdin to a file
    (["uniq", "-uo", "out.txt", "in.txt"], False),  # was wrong: there is no -o (unknown = unsafe)
    (["uniq", "--sk", "1", "in.txt"], False),  # was wrong: ambiguous abbreviation (skip-chars/-fields)
    (["uniq", "+1", "in.txt"], False),  # was wrong: obsolete `+N` may be an operand
    (["uniq", "in.txt"], True),
    (["uniq"], True),
    (["uniq", "-c", "-f", "1", "in.txt"], True),
    (["uniq", "-f", "1", "in.txt"], True),  # `1` is the value of -f, not an operand
    (["uniq", "--skip-f", "1", "in.txt"], True),  # unambiguous abbreviation takes its value
    (["uniq", "--all-repeated=separate", "in.txt"], True),
    (["uniq", "-3", "in.txt"], True),  # obsolete -N (skip fields)
]
BASE64 = [
    (["base64", "-o", "out"], False),
    (["base64", "-oout", "in"], False),
    (["base64", "--output=out", "in"], False),
    (["base64", "--output", "out", "in"], False),
    (["base64", "--out=out", "in"], False),  # was wrong: abbreviation
    (["base64", "--o", "out", "in"], False),  # was wrong
    (["base64", "-do", "out", "in"], False),  # was wrong: cluster
    (["base64", "-d", "in"], True),
    (["base64", "-w0", "in"], True),
    (["base64", "-dw", "0", "in"], True),
    (["base64", "--wrap=0", "in"], True),
]
SED = [
    (["sed", "-n", "1p", "-ew out.txt"], False),  # was wrong: -e supplies the script, `1p` is input
    (["sed", "-n", "1p", "--expression=w out.txt"], False),  # was wrong
    (["sed", "-n", "1p", "-fscript.sed"], False),  # was wrong: script from a file (w/e commands)
    (["sed", "-n", "1p", "--file=script.sed"], False),  # was wrong
    (["sed", "-n", "1p", "-i"], False),  # was wrong
    (["sed", "-n", "1p", "--in-pl"], False),  # was wrong: abbreviated --in-place
    (["sed", "-n", "1,5p", "-s"], False),  # was wrong: anything option-like
    (["sed", "-i", "s/a/b/", "f"], False),
    (["sed", "--in-place", "-n", "1p", "f"], False),
    (["sed", "-n", "1w out.txt", "f"], False),
    (["sed", "-n", "s/a/b/w out.txt", "f"], False),
    (["sed", "-n", "1e touch x", "f"], False),
    (["sed", "-n", "\u0661p", "f"], False),  # was wrong: a non-ASCII digit is not a line number
    (["sed", "-n", "1p", "f"], True),
    (["sed", "-n", "1,5p", "f"], True),
    (["sed", "-n", "10p"], True),
]
FIND = [
    (["find", ".", flag, "x"], False)
    for flag in ("-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf")
] + [
    (["find", ".", "-name", "*.py", "-print"], True),
    (["find", ".", "-type", "f", "-printf", "%p\\n"], True),
]
RG = [
    (["rg", "--pre", "./evil", "x"], False),
    (["rg", "--pre=./evil", "x"], False),
    (["rg", "--hostname-bin", "./evil", "x"], False),
    (["rg", "--hostname-bin=./evil", "x"], False),
    (["rg", "--hostname", "./evil", "x"], False),  # was wrong: abbreviation
    (["rg", "--search-zip", "x"], False),
    (["rg", "--search", "x"], False),  # was wrong: abbreviation
    (["rg", "-z", "x"], False),
    (["rg", "-nz", "x"], False),  # was wrong: cluster
    (["rg", "-zn", "x"], False),  # was wrong: cluster
    (["rg", "-n", "x"], True),
    (["rg", "--pre-glob", "*.gz", "x"], True),  # only matters together with --pre
    (["rg", "--no-search-zip", "x"], True),
]
# Not on the list at all: writers and program runners of every kind.
NOT_LISTED = [
    ["sort", "-o", "out", "in"],
    ["sort", "--out=out", "in"],
    ["sort", "--compress-program=./evil", "in"],
    ["sort", "in"],
    ["tee", "out"],
    ["xargs", "cat"],
    ["env", "cat", "f"],
    ["date", "-s", "2020-01-01"],
    ["date"],
    ["git", "status"],
    ["git", "-c", "core.pager=./evil", "log"],
    ["git", "--config-env=core.pager=X", "log"],
    ["git", "--exec-path=./evil", "status"],
    ["git", "-C", "repo", "diff", "--output=out"],
    ["git", "diff", "--ext-diff"],
    ["git", "log", "--textconv"],
    ["git", "format-patch", "-o", "out"],
    ["touch", "x"],
    ["cp", "a", "b"],
]
# Always safe with any argument: nothing in their GNU option tables writes or executes.
ANY_ARGS = [
    ["cat", "-n", "f"],
    ["cut", "--output-delimiter=out", "-f1", "f"],
    ["nl", "-ba", "f"],
    ["paste", "-s", "-d,", "f"],
    ["head", "-n", "5", "f"],
    ["tail", "-f", "f"],
    ["ls", "-la", "--color=always"],
    ["stat", "--printf=%s", "f"],
    ["which", "-a", "cat"],
    ["echo", "-e", "x"],
    ["wc", "--files0-from=list"],
    ["grep", "-r", "-f", "patterns", "."],
]


@pytest.mark.parametrize(("argv", "safe"), UNIQ + BASE64 + SED + FIND + RG)
def test_writer_and_exec_options(argv: list[str], safe: bool) -> None:
    assert is_known_safe_command(argv, search_path=SYSTEM_PATH) is safe


@pytest.mark.parametrize("argv", NOT_LISTED)
def test_programs_not_on_the_list(argv: list[str]) -> None:
    assert not is_known_safe_command(argv, search_path=SYSTEM_PATH)


@pytest.mark.parametrize("argv", ANY_ARGS)
def test_read_only_programs_stay_safe(argv: list[str]) -> None:
    assert is_known_safe_command(argv, search_path=SYSTEM_PATH)


# --- which program runs ---------------------------------------------------------------------


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    """A workspace directory holding executables named like known-safe programs and shells."""
    fake = tmp_path / "ws" / "bin"
    fake.mkdir(parents=True)
    for name in ("cat", "ls", "bash", "echo", "uniq"):
        exe = fake / name
        exe.write_text("#!/bin/sh\ntouch pwned\n")
        exe.chmod(0o755)
    return fake


@pytest.mark.parametrize(
    ("argv", "search_path", "safe"),
    [
        (["/usr/bin/cat", "f"], SYSTEM_PATH, True),
        (["/bin/cat", "f"], SYSTEM_PATH, True),
        (["cat", "f"], SYSTEM_PATH, True),
        (["{fake}/cat", "f"], SYSTEM_PATH, False),  # was wrong: judged by basename
        (["./cat", "f"], SYSTEM_PATH, False),  # was wrong
        (["bin/cat", "f"], SYSTEM_PATH, False),  # was wrong
        (["{fake}/../../../../../../../usr/bin/cat", "f"], SYSTEM_PATH, False),  # was wrong: not normalised
        (["//usr/bin/cat", "f"], SYSTEM_PATH, False),  # was wrong
        (["cat", "f"], "{fake}:" + SYSTEM_PATH, False),  # was wrong: PATH finds the workspace copy
        (["cat", "f"], ":" + SYSTEM_PATH, False),  # was wrong: empty entry = the working directory
        (["cat", "f"], ".:" + SYSTEM_PATH, False),  # was wrong
        (["cat", "f"], SYSTEM_PATH + ":{fake}", True),  # the system copy comes first
        (["cd", "x"], SYSTEM_PATH, True),  # found nowhere: running it fails, nothing runs
        (["{fake}/bash", "-lc", "ls"], SYSTEM_PATH, False),  # was wrong: a fake shell runs anything
        (["bash", "-lc", "ls"], "{fake}:" + SYSTEM_PATH, False),  # was wrong
        (["bash", "-lc", "ls"], SYSTEM_PATH, True),
        (["/bin/bash", "-lc", "ls"], SYSTEM_PATH, True),
        (["bash", "-lc", "echo hi && cd x && pwd"], "{fake}:/usr/bin:/bin", False),  # was wrong: fake bash
        (["/bin/bash", "-lc", "echo hi && cd x && pwd"], "{fake}:/usr/bin:/bin", True),  # builtins skip PATH
        (["/bin/bash", "-lc", "cat f"], "{fake}:/usr/bin:/bin", False),  # was wrong
        (["/bin/bash", "-lc", "{fake}/ls"], SYSTEM_PATH, False),  # was wrong
    ],
)
def test_program_is_judged_by_what_runs(argv: list[str], search_path: str, safe: bool, fake_bin: Path) -> None:
    argv = [a.replace("{fake}", str(fake_bin)) for a in argv]
    assert is_known_safe_command(argv, search_path=search_path.replace("{fake}", str(fake_bin))) is safe


def test_symlinked_system_dir_into_workspace_does_not_count(tmp_path: Path, fake_bin: Path) -> None:
    """Only the canonical directories count: a PATH entry that is a link to a workspace bin does not."""
    link = tmp_path / "usr-bin-link"
    link.symlink_to(fake_bin)
    assert not is_known_safe_command([str(link / "cat"), "f"], search_path=SYSTEM_PATH)
    assert not is_known_safe_command(["cat", "f"], search_path=f"{link}:{SYSTEM_PATH}")


# --- shell scripts: judged per sub-command with the same rules ------------------------------


@pytest.mark.parametrize(
    ("script", "safe"),
    [
        ("cat in.txt && uniq in.txt out.txt", False),  # was wrong
        ("cat in.txt | uniq - out.txt", False),  # was wrong
        ("uniq in.txt | sed -n 1p -ew\\ out.txt", False),  # was wrong
        ("bash -lc 'uniq in.txt out.txt'", False),  # was wrong: nested
        ("ls; rg -nz x", False),  # was wrong
        ("cat in.txt && uniq in.txt | wc -l", True),
        ("cd sub && ls && sed -n 1,5p f", True),
        ("bash -lc 'uniq in.txt'", True),
    ],
)
def test_bash_scripts_judged_per_sub_command(script: str, safe: bool) -> None:
    for shell in (["bash", "-lc"], ["zsh", "-lc"], ["/bin/sh", "-c"]):
        assert is_known_safe_command([*shell, script], search_path=SYSTEM_PATH) is safe


@pytest.mark.parametrize("flags", [["-kc"], ["-ic"], ["-l", "-k", "-c"], ["--rcfile", "x", "-c"]])
def test_shell_flags_that_change_what_runs_are_not_plain(flags: list[str]) -> None:
    # `bash -kc 'cat LD_PRELOAD=./x.so'` would load a library into cat
    assert not is_known_safe_command(["bash", *flags, "cat f"], search_path=SYSTEM_PATH)


# --- the approval assessment reaches these checks -------------------------------------------


def _untrusted(argv: list[str], search_path: str | None = SYSTEM_PATH) -> str:
    result = assess_command(
        argv,
        cwd=Path("/work/project"),
        approval_policy="untrusted",
        sandbox_mode="workspace-write",
        policy=ExecPolicy.empty(),
        search_path=search_path,
    )
    return result.action


@pytest.mark.parametrize(
    "argv",
    [
        ["uniq", "in.txt", "out.txt"],
        ["bash", "-lc", "cat in.txt && uniq in.txt out.txt"],
        ["bash", "-lc", "cat in.txt && sed -n 1p -ew\\ out"],
        ["base64", "--out=x", "in"],
        ["{fake}/cat", "f"],
        ["{fake}/bash", "-lc", "ls && cat f"],
        ["bash", "-lc", "bash -lc 'ls' && {fake}/bash -lc ls"],
        ["bash", "-kc", "cat f"],
    ],
)
def test_untrusted_asks_for_writers_and_impostors(argv: list[str], fake_bin: Path) -> None:
    assert _untrusted([a.replace("{fake}", str(fake_bin)) for a in argv]) == "ask"


def test_untrusted_asks_when_path_finds_a_workspace_copy(fake_bin: Path) -> None:
    assert _untrusted(["cat", "f"], search_path=f"{fake_bin}:{SYSTEM_PATH}") == "ask"
    assert _untrusted(["bash", "-lc", "ls"], search_path=f"{fake_bin}:{SYSTEM_PATH}") == "ask"


@pytest.mark.parametrize(
    "argv",
    [["uniq", "in.txt"], ["/usr/bin/cat", "f"], ["bash", "-lc", "cat in.txt && uniq in.txt | wc -l"]],
)
def test_untrusted_still_runs_read_only_commands(argv: list[str]) -> None:
    assert _untrusted(argv) == "run-sandboxed"


def test_default_search_path_is_the_process_path(monkeypatch: pytest.MonkeyPatch, fake_bin: Path) -> None:
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{SYSTEM_PATH}")
    assert not is_known_safe_command(["cat", "f"])
    assert _untrusted(["cat", "f"], search_path=None) == "ask"
