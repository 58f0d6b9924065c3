"""Heuristics for commands no rule matched: known-safe read-only commands and dangerous ones.

* :func:`is_known_safe_command` is the spec 5.5 list (auto-approved under ``untrusted``).
* :func:`is_dangerous_command` flags commands that must never run without a human (forced
  ``rm``, privilege escalation, history-destroying git); under ``never`` they are forbidden.
* :func:`script_might_be_dangerous` is a deliberately over-eager scan of shell text that could
  not be split (it may flag ``echo rm -rf``; that only means the user is asked).
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Callable, Sequence
from typing import Final

from codex_core.execpolicy.shell_split import parse_command_for_policy_detailed

__all__ = [
    "is_dangerous_command",
    "is_known_safe_command",
    "is_safe_to_exec",
    "loose_segments",
    "script_might_be_dangerous",
]

_ALWAYS_SAFE: Final = frozenset(
    {
        "cat", "cd", "cut", "echo", "expr", "false", "grep", "head", "id", "ls", "nl", "paste", "pwd",
        "rev", "seq", "stat", "tail", "tr", "true", "uname", "uniq", "wc", "which", "whoami",
    }
)  # fmt: skip
_LINUX_SAFE: Final = frozenset({"numfmt", "tac"})
_UNSAFE_FIND: Final = frozenset(
    {"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf"}
)
_UNSAFE_RG_WITH_ARG: Final = ("--pre", "--hostname-bin")
_UNSAFE_RG_FLAGS: Final = frozenset({"--search-zip", "-z"})
_SED_N_ARG: Final = re.compile(r"(\d+,)?\d+p")
_PRIVILEGE: Final = frozenset({"sudo", "doas", "su", "pkexec", "runuser"})
_DANGER_STARTS: Final = _PRIVILEGE | {"rm", "git", "dd"}


def _program(argv: Sequence[str]) -> str:
    return posixpath.basename(argv[0]) if argv else ""


def is_safe_to_exec(argv: Sequence[str]) -> bool:
    """True for a single argv that only reads (spec 5.5), judged without shell parsing."""
    if not argv:
        return False
    program = _program(argv)
    args = list(argv[1:])
    if program in _ALWAYS_SAFE:
        return True
    if program in _LINUX_SAFE:
        return sys.platform.startswith("linux")
    if program == "base64":
        return not any(
            a in ("-o", "--output") or a.startswith("--output=") or (a.startswith("-o") and a != "-o") for a in args
        )
    if program == "find":
        return not any(a in _UNSAFE_FIND for a in args)
    if program == "rg":
        return not any(
            a in _UNSAFE_RG_FLAGS or any(a == opt or a.startswith(opt + "=") for opt in _UNSAFE_RG_WITH_ARG)
            for a in args
        )
    if program == "sed":
        return len(argv) <= 4 and len(args) >= 2 and args[0] == "-n" and bool(_SED_N_ARG.fullmatch(args[1]))
    return False


def is_known_safe_command(argv: Sequence[str]) -> bool:
    """True when ``argv`` only reads: a safe program, or a shell script of only safe commands.

    ``zsh`` counts as ``bash``; a script qualifies only when it splits completely (no
    substitutions, redirections other than to /dev/null, subshell text the splitter rejects...).
    """
    if is_safe_to_exec(argv):
        return True
    parsed = parse_command_for_policy_detailed(argv)
    return parsed.from_shell and not parsed.opaque and all(is_safe_to_exec(c) for c in parsed.commands)


def _rm_forced(args: Sequence[str]) -> bool:
    for arg in args:
        if arg == "--":
            return False
        if arg == "--force" or (arg.startswith("-") and not arg.startswith("--") and "f" in arg[1:]):
            return True
    return False


def _git_subcommand(args: Sequence[str]) -> tuple[str, list[str]] | None:
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg in ("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"):
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg, list(args[index + 1 :])
    return None


def is_dangerous_command(argv: Sequence[str]) -> bool:
    """True for commands that destroy data or escalate privileges (never auto-approved).

    Looks through shell scripts (``bash -lc``), wrappers (``env``, ``timeout``, ``xargs``...)
    and, over-eagerly, text the shell splitter could not understand.
    """
    if not argv:
        return False
    parsed = parse_command_for_policy_detailed(argv)
    candidates = (tuple(argv), *parsed.commands, *parsed.shadow_commands)
    return any(_directly_dangerous(c) for c in candidates) or any(
        script_might_be_dangerous(s) for s in parsed.opaque_scripts
    )


def _directly_dangerous(argv: Sequence[str]) -> bool:
    if not argv:
        return False
    program = _program(argv)
    args = list(argv[1:])
    if program in _PRIVILEGE:
        return True
    if program == "rm":
        return _rm_forced(args)
    if program == "git":
        sub = _git_subcommand(args)
        if sub is None:
            return False
        name, rest = sub
        if name == "reset" and "--hard" in rest:
            return True
        if name == "clean" and any(a == "--force" or (a.startswith("-") and "f" in a.lstrip("-")) for a in rest):
            return True
        return name == "push" and any(a in ("-f", "--force", "--force-with-lease") or a.startswith("+") for a in rest)
    return program.startswith("mkfs") or (program == "dd" and any(a.startswith("of=") for a in args))


_SEGMENT_SPLIT: Final = re.compile(r"\$\(|[;&|()\n`{}]")
_STRIP_QUOTES: Final = re.compile(r"[\"'\\]")
_LEADING_ASSIGNMENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")


def loose_segments(script: str, *, starts_at: Callable[[str], bool]) -> list[list[str]]:
    """Over-approximate the commands in shell text the splitter rejected.

    Splits at every operator, ``$(``, backtick, paren and brace, drops quotes and leading
    ``NAME=value`` words, and returns the words following every word for which ``starts_at``
    is true (at most 256 words each): a command hidden anywhere (``echo "$(rm -rf /)"``,
    ``FOO=1 rm -rf /``) shows up as some segment. Only use this to make decisions *stricter*.
    """
    segments: list[list[str]] = []
    for segment in _SEGMENT_SPLIT.split(script):
        words = _STRIP_QUOTES.sub("", segment).split()
        while words and _LEADING_ASSIGNMENT.match(words[0]):
            words = words[1:]
        segments.extend(words[index : index + 256] for index, word in enumerate(words) if starts_at(word))
    return segments


def _interesting_for_danger(word: str) -> bool:
    name = posixpath.basename(word)
    return name in _DANGER_STARTS or name.startswith("mkfs")


def script_might_be_dangerous(script: str) -> bool:
    """Best-effort scan of shell text that could not be parsed: any segment (including ones
    inside ``$(...)`` or backticks) that looks like a dangerous command flags the script."""
    return any(_directly_dangerous(w) for w in loose_segments(script, starts_at=_interesting_for_danger))
