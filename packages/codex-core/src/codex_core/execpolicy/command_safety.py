"""Heuristics for commands no rule matched: known-safe read-only commands and dangerous ones.

* :func:`is_known_safe_command` is the spec 5.5 list (auto-approved under ``untrusted``). A
  program counts only when it *is* the system program (a bare name that ``PATH`` resolves into
  a standard system bin directory, or an absolute path there: ``/tmp/x/cat`` is not ``cat``) and
  none of its arguments can make it write files or run other programs (``uniq IN OUT``, ``sed
  -e 'w f'``, ``find -exec``, ``rg --pre``...). Options are read the way GNU ``getopt_long``
  reads them: permuted, clustered (``-uo``), glued (``--opt=v``) and abbreviated (``--out``).
* :func:`shell_wrappers_trusted` says whether every shell of a ``bash -lc`` style argv (nested
  ones included) is a system shell run with plain flags; the approval assessment judges the
  split sub-commands one by one and needs this for the part it cannot see.
* :func:`is_dangerous_command` flags commands that must never run without a human (forced
  ``rm``, privilege escalation, history-destroying git); under ``never`` they are forbidden.
* :func:`script_might_be_dangerous` is a deliberately over-eager scan of shell text that could
  not be split (it may flag ``echo rm -rf``; that only means the user is asked).
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Final, Literal

from codex_core.execpolicy.shell_split import (
    SHELLS,
    parse_command_for_policy_detailed,
    shell_wrapper_script,
    split_shell_command,
)

__all__ = [
    "SYSTEM_BIN_DIRS",
    "is_dangerous_command",
    "is_known_safe_command",
    "is_safe_to_exec",
    "loose_segments",
    "script_might_be_dangerous",
    "shell_wrappers_trusted",
]

SYSTEM_BIN_DIRS: Final = ("/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin")
"""Where a known-safe program must live to count as the program its name says."""

_ALWAYS_SAFE: Final = frozenset(
    {
        "cat", "cd", "cut", "echo", "expr", "false", "grep", "head", "id", "ls", "nl", "paste", "pwd",
        "rev", "seq", "stat", "tail", "tr", "true", "uname", "wc", "which", "whoami",
    }
)  # fmt: skip
"""No option or operand of these writes a file or runs a program (checked against GNU --help)."""
_LINUX_SAFE: Final = frozenset({"numfmt", "tac"})
_SHELL_BUILTINS: Final = frozenset({"cd", "echo", "pwd", "true", "false"})
"""Builtins of every shell in ``SHELLS``: inside a script they never go through ``PATH``."""
_SHELL_FLAG_CHARS: Final = frozenset("lceuxv")
"""Shell flags that change nothing about which programs run (``-k`` turns ``cat LD_PRELOAD=x``
into an environment assignment, ``-i`` expands aliases: those are not plain)."""
_SHELL_LONG_FLAGS: Final = frozenset({"--login", "--noprofile", "--norc"})
_MAX_SHELL_DEPTH: Final = 8
_UNSAFE_FIND: Final = frozenset(
    {"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf"}
)
_UNSAFE_RG_LONG: Final = ("--pre", "--hostname-bin", "--search-zip")
"""ripgrep options that run programs (``--search-zip`` runs decompressors found on ``PATH``)."""
_SED_N_ARG: Final = re.compile(r"([0-9]+,)?[0-9]+p")
_PRIVILEGE: Final = frozenset({"sudo", "doas", "su", "pkexec", "runuser"})
_DANGER_STARTS: Final = _PRIVILEGE | {"rm", "git", "dd"}

_ArgKind = Literal["none", "required", "optional"]


class _GnuOptions:
    """One program's GNU option table: a ``getopt`` short-option string and long options."""

    def __init__(self, short: str, long: Mapping[str, _ArgKind]) -> None:
        self.short_takes_arg = {c: short[i + 1 : i + 2] == ":" for i, c in enumerate(short) if c != ":"}
        self.long = dict(long)

    def operands(self, args: Sequence[str]) -> list[str] | None:
        """The operands of ``args`` as ``getopt_long`` finds them (options may come anywhere).

        ``None`` when an option is unknown, ambiguous or misused: the program would refuse to
        run, and "unknown" must never be mistaken for "harmless" (``base64 --out``).
        """
        operands: list[str] = []
        index = 0
        while index < len(args):
            arg = args[index]
            index += 1
            if arg == "--":
                operands.extend(args[index:])
                return operands
            if arg.startswith("--"):
                name, eq, _value = arg[2:].partition("=")
                kind = self._long_kind(name)
                if kind is None or (kind == "none" and eq):
                    return None
                if kind == "required" and not eq:
                    if index >= len(args):
                        return None
                    index += 1
            elif arg.startswith("-") and arg != "-":
                for position, char in enumerate(arg[1:], start=2):
                    takes_arg = self.short_takes_arg.get(char)
                    if takes_arg is None:
                        return None
                    if takes_arg:
                        if position == len(arg):  # the value is the next argument
                            if index >= len(args):
                                return None
                            index += 1
                        break
            else:
                operands.append(arg)
        return operands

    def _long_kind(self, name: str) -> _ArgKind | None:
        if name in self.long:
            return self.long[name]
        candidates = [option for option in self.long if name and option.startswith(name)]
        return self.long[candidates[0]] if len(candidates) == 1 else None


_UNIQ: Final = _GnuOptions(
    "0123456789Dcdf:is:uw:z",
    {
        "all-repeated": "optional", "check-chars": "required", "count": "none", "group": "optional",
        "ignore-case": "none", "repeated": "none", "skip-chars": "required", "skip-fields": "required",
        "unique": "none", "zero-terminated": "none", "help": "none", "version": "none",
    },
)  # fmt: skip
_BASE64: Final = _GnuOptions(
    "diw:", {"decode": "none", "ignore-garbage": "none", "wrap": "required", "help": "none", "version": "none"}
)


def _uniq_safe(args: Sequence[str]) -> bool:
    # `uniq [OPTION]... [INPUT [OUTPUT]]`: a second operand is a file uniq truncates. Obsolete
    # `+N` arguments count as operands (they may be either), which only errs on the safe side.
    operands = _UNIQ.operands(args)
    return operands is not None and len(operands) <= 1


def _base64_safe(args: Sequence[str]) -> bool:
    # GNU base64 has no output option; BSD's `-o`/`--output` (and anything else unknown) is refused.
    return _BASE64.operands(args) is not None


def _rg_safe(args: Sequence[str]) -> bool:
    for arg in args:
        if arg.startswith("--"):
            name = arg.partition("=")[0]
            if len(name) > 2 and any(option.startswith(name) for option in _UNSAFE_RG_LONG):
                return False  # also abbreviations such as `--hostname`, `--search`
        elif arg.startswith("-") and "z" in arg[1:]:
            return False  # `-z` in any cluster (`-nz`); a value that merely contains z errs safely
    return True


def _sed_safe(args: Sequence[str]) -> bool:
    # Only `sed -n <N>p [FILE]` / `sed -n <M>,<N>p [FILE]`. A FILE that looks like an option is
    # refused: `sed -n 1p -ew\ out` would take `w out` as the script and `1p` as the input.
    if len(args) not in (2, 3) or args[0] != "-n" or not _SED_N_ARG.fullmatch(args[1]):
        return False
    return len(args) == 2 or not args[2].startswith("-")


_ARGUMENT_CHECKS: Final[Mapping[str, Callable[[Sequence[str]], bool]]] = {
    "uniq": _uniq_safe,
    "base64": _base64_safe,
    "find": lambda args: not any(a in _UNSAFE_FIND for a in args),
    "rg": _rg_safe,
    "sed": _sed_safe,
}


def _default_search_path() -> str:
    return os.environ.get("PATH", os.defpath)


def _in_system_dir(path: str) -> bool:
    """``path`` is an absolute, normalised path whose directory is one of :data:`SYSTEM_BIN_DIRS`.

    Normalised: ``/tmp/link/../../usr/bin/cat`` reads like ``/usr/bin/cat`` but the kernel
    follows ``link`` first. Symlinked directories are followed: a ``/usr/local/bin`` that points
    into a workspace does not count.
    """
    if not path.startswith("/") or path != posixpath.normpath(path):
        return False
    directory = posixpath.dirname(path)
    if directory not in SYSTEM_BIN_DIRS:
        return False
    trusted = {os.path.realpath(d) for d in SYSTEM_BIN_DIRS}
    return os.path.realpath(directory) in trusted


def _resolve_on_path(name: str, search_path: str) -> str | Literal[False] | None:
    """Where ``name`` is found first on ``search_path``; ``None`` if nowhere (nothing would run);
    ``False`` if a relative entry (``.``, ``bin``, an empty one) comes first: it depends on the
    command's working directory, which may be writable."""
    for entry in search_path.split(":"):
        if not entry.startswith("/"):
            return False
        candidate = posixpath.join(entry, name)
        if os.path.lexists(candidate):  # even a non-executable file: it may be chmod'ed later
            return candidate
    return None


def _trusted_name(program: str, search_path: str, *, in_shell: bool) -> str | None:
    """The name ``program`` is known by when it is the system program of that name, else ``None``.

    ``/usr/bin/cat`` and a bare ``cat`` that ``PATH`` resolves to ``/usr/bin/cat`` are ``cat``;
    ``./cat``, ``/tmp/x/cat`` or a ``cat`` that ``PATH`` finds in a workspace are nothing. A
    bare name found nowhere counts (running it fails); inside a shell script the shell's
    builtins (``cd``, ``echo``...) never consult ``PATH``.
    """
    if "/" in program:
        return posixpath.basename(program) if _in_system_dir(program) else None
    if in_shell and program in _SHELL_BUILTINS:
        return program
    found = _resolve_on_path(program, search_path)
    if found is False or (found is not None and not _in_system_dir(found)):
        return None
    return program


def _args_safe(name: str, args: Sequence[str]) -> bool:
    if name in _ALWAYS_SAFE:
        return True
    if name in _LINUX_SAFE:
        return sys.platform.startswith("linux")
    check = _ARGUMENT_CHECKS.get(name)
    return check is not None and check(args)


def is_safe_to_exec(argv: Sequence[str], *, search_path: str | None = None, in_shell: bool = False) -> bool:
    """True for a single argv (no shell) that only reads (spec 5.5).

    ``search_path`` is the ``PATH`` the command will run with (default: this process's).
    ``in_shell`` means the argv is a command inside a shell script (builtins are trusted).
    """
    if not argv:
        return False
    path = _default_search_path() if search_path is None else search_path
    name = _trusted_name(argv[0], path, in_shell=in_shell)
    return name is not None and _args_safe(name, argv[1:])


def _plain_shell_flags(argv: Sequence[str]) -> bool:
    """Only ``-l``/``-c``/``-e``/``-u``/``-x``/``-v`` clusters and ``--login``-style flags
    before the script (``shell_wrapper_script`` already found the script)."""
    for arg in argv[1:]:
        if arg == "--" or not arg.startswith("-"):
            return True
        if arg not in _SHELL_LONG_FLAGS and not (len(arg) > 1 and set(arg[1:]) <= _SHELL_FLAG_CHARS):
            return False
    return False


def _shell_script(argv: Sequence[str], search_path: str, *, in_shell: bool) -> str | Literal[False] | None:
    """The script of a shell-wrapper argv; ``None`` if ``argv`` is no shell wrapper at all;
    ``False`` if it is one but not a system shell with plain flags."""
    if len(argv) < 2 or posixpath.basename(argv[0]) not in SHELLS:
        return None
    script = shell_wrapper_script(argv)
    name = _trusted_name(argv[0], search_path, in_shell=in_shell)
    if script is None or name not in SHELLS or not _plain_shell_flags(argv):
        return False
    return script


def _known_safe(argv: Sequence[str], search_path: str, *, in_shell: bool, depth: int) -> bool:
    script = _shell_script(argv, search_path, in_shell=in_shell)
    if script is None:
        return is_safe_to_exec(argv, search_path=search_path, in_shell=in_shell)
    if script is False or depth >= _MAX_SHELL_DEPTH:
        return False
    commands = split_shell_command(script)
    return bool(commands) and all(
        _known_safe(command, search_path, in_shell=True, depth=depth + 1) for command in commands or ()
    )


def is_known_safe_command(argv: Sequence[str], *, search_path: str | None = None) -> bool:
    """True when ``argv`` only reads: a safe program, or a shell script of only safe commands.

    ``zsh`` counts as ``bash``; a script qualifies only when it splits completely (no
    substitutions, redirections other than to /dev/null, subshell text the splitter rejects...)
    and its shell is the system shell with plain flags. ``search_path`` is the ``PATH`` the
    command will run with (default: this process's).
    """
    path = _default_search_path() if search_path is None else search_path
    return _known_safe(tuple(argv), path, in_shell=False, depth=0)


def shell_wrappers_trusted(argv: Sequence[str], *, search_path: str | None = None) -> bool:
    """False when ``argv`` is (or, nested, contains) a ``bash -lc`` style wrapper whose shell is
    not the system shell or has flags beyond the plain ones: the split sub-commands of such a
    script are not what runs, so none of them may count as known safe."""
    path = _default_search_path() if search_path is None else search_path
    return _wrappers_trusted(tuple(argv), path, in_shell=False, depth=0)


def _wrappers_trusted(argv: Sequence[str], search_path: str, *, in_shell: bool, depth: int) -> bool:
    script = _shell_script(argv, search_path, in_shell=in_shell)
    if script is None:
        return True
    if script is False or depth >= _MAX_SHELL_DEPTH:
        return False
    commands = split_shell_command(script)
    return commands is not None and all(
        _wrappers_trusted(command, search_path, in_shell=True, depth=depth + 1) for command in commands
    )


def _program(argv: Sequence[str]) -> str:
    return posixpath.basename(argv[0]) if argv else ""


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
