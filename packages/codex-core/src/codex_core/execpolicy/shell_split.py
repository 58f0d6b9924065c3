"""Split shell scripts into the plain commands they run, conservatively.

:func:`split_shell_command` understands a deliberately small subset of POSIX shell: words
(bare, ``'single'``, ``"double"`` quoted without expansions, backslash escapes), the
separators ``&&`` ``||`` ``;`` ``|`` ``|&`` ``&`` and newlines, ``( ... )`` subshell grouping,
comments, redirections to ``/dev/null``, file-descriptor duplication (``2>&1``) and input
redirection from a plain file. Anything else -- command or process substitution, parameter
expansion, globs, brace expansion, here-docs, redirections to other places, env-assignment
prefixes (``FOO=1 cmd``), reserved words (``if``, ``for``, ``{`` ...), unbalanced quotes or
parentheses -- makes it return ``None``: the caller must then treat the script as one opaque,
unknown command. It never raises.

:func:`parse_command_for_policy` applies this to an argv: ``bash -lc "<script>"`` (and
``sh -c``, ``zsh -lc`` ..., nested) becomes the list of inner commands.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import Final

import attrs

__all__ = [
    "SHELLS",
    "WRAPPERS",
    "CommandParse",
    "parse_command_for_policy",
    "parse_command_for_policy_detailed",
    "shell_wrapper_script",
    "split_shell_command",
]

SHELLS: Final = frozenset({"bash", "sh", "zsh", "dash", "ksh"})
WRAPPERS: Final = frozenset(
    {
        "env", "nice", "nohup", "timeout", "time", "command", "builtin", "exec", "stdbuf", "ionice",
        "setsid", "chrt", "taskset", "unbuffer", "xargs", "sudo", "doas", "su", "runuser", "watch",
    }
)  # fmt: skip
"""Programs that run another command given in their arguments."""
_SEPARATORS: Final = frozenset({"&&", "||", "|", "|&", ";", "&", "\n"})
_NEEDS_FOLLOWER: Final = frozenset({"&&", "||", "|", "|&"})
_REDIRECTS: Final = frozenset({"<", ">", ">>", ">|", "&>", "&>>", ">&", "<&"})
_RESERVED: Final = frozenset(
    {
        "!", "{", "}", "[[", "]]", "if", "then", "else", "elif", "fi", "case", "esac", "for", "select",
        "while", "until", "do", "done", "function", "time", "coproc",
    }
)  # fmt: skip
_UNSAFE_CHARS: Final = frozenset("$`*?[{}")
_ASSIGNMENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_MAX_NESTING: Final = 8


@attrs.frozen
class _Word:
    text: str
    assignment: bool = False


@attrs.frozen
class _Op:
    text: str
    fd: str | None = None


class _Unsupported(Exception):
    """Internal: the script uses syntax outside the understood subset."""


def _lex(script: str) -> list[_Word | _Op]:
    tokens: list[_Word | _Op] = []
    buf: list[str] = []
    in_word = False
    quoted = False  # any quoting/escaping seen in the current word
    assignment = False
    seen_equals = False  # only the first `=` of a word can make it an assignment
    i, n = 0, len(script)

    def end_word() -> None:
        nonlocal in_word, quoted, assignment, seen_equals
        if in_word:
            tokens.append(_Word("".join(buf), assignment))
        buf.clear()
        in_word = quoted = assignment = seen_equals = False

    while i < n:
        c = script[i]
        if c == "\x00":
            raise _Unsupported
        if c in " \t":
            end_word()
            i += 1
        elif c == "\n":
            end_word()
            tokens.append(_Op("\n"))
            i += 1
        elif c == "#" and not in_word:
            while i < n and script[i] != "\n":
                i += 1
        elif c == "'":
            end = script.find("'", i + 1)
            if end < 0:
                raise _Unsupported
            buf.append(script[i + 1 : end])
            in_word = quoted = True
            i = end + 1
        elif c == '"':
            i = _lex_double_quoted(script, i + 1, buf)
            in_word = quoted = True
        elif c == "\\":
            if i + 1 >= n:
                raise _Unsupported
            if script[i + 1] != "\n":  # backslash-newline is a line continuation
                buf.append(script[i + 1])
                in_word = quoted = True
            i += 2
        elif c in _UNSAFE_CHARS:
            if c in "{}" and script.startswith("{}", i) and not in_word and _ends_word(script, i + 2):
                buf.append("{}")  # a literal `{}` word (find -exec placeholder) does not expand
                in_word = True
                i += 2
                continue
            raise _Unsupported
        elif c in ";&|()<>":
            fd = None
            if c in "<>" and in_word and not quoted and buf and "".join(buf).isdigit():
                fd = "".join(buf)
                buf.clear()
                in_word = False
            end_word()
            op, i = _lex_operator(script, i)
            tokens.append(_Op(op, fd))
        else:
            if c == "=" and not seen_equals:
                seen_equals = True
                assignment = in_word and not quoted and bool(_ASSIGNMENT.fullmatch("".join(buf) + "="))
            buf.append(c)
            in_word = True
            i += 1
    end_word()
    return tokens


def _ends_word(script: str, i: int) -> bool:
    return i >= len(script) or script[i] in " \t\n;&|()<>"


def _lex_double_quoted(script: str, i: int, buf: list[str]) -> int:
    n = len(script)
    while i < n:
        c = script[i]
        if c == '"':
            return i + 1
        if c in "$`" or c == "\x00":
            raise _Unsupported
        if c == "\\" and i + 1 < n and script[i + 1] in '$`"\\\n':
            if script[i + 1] != "\n":
                buf.append(script[i + 1])
            i += 2
            continue
        buf.append(c)
        i += 1
    raise _Unsupported  # unterminated


def _lex_operator(script: str, i: int) -> tuple[str, int]:
    for op in (
        "<<<",
        "<<-",
        "&>>",
        ";;&",
        "&&",
        "||",
        "|&",
        ";;",
        ";&",
        ">>",
        ">|",
        ">&",
        "<&",
        "<>",
        "<<",
        "&>",
    ):
        if script.startswith(op, i):
            if op in ("<<<", "<<-", "<<", ";;&", ";;", ";&", "<>"):
                raise _Unsupported  # here-docs/strings, case terminators, read-write opens
            return op, i + len(op)
    c = script[i]
    if c in "<>" and script.startswith("(", i + 1):
        raise _Unsupported  # process substitution
    return c, i + 1


def _redirect_ok(op: _Op, target: str) -> bool:
    if op.text in (">&", "<&") and (target.isdigit() or target == "-"):
        return True  # fd duplication / close
    if op.text == "<":
        return not target.startswith(("/dev/tcp/", "/dev/udp/"))
    return target == "/dev/null"


def _parse(tokens: list[_Word | _Op]) -> list[list[str]]:
    commands: list[list[str]] = []
    current: list[str] = []
    depth = 0
    closed = False  # just saw `)` ending a subshell
    need_command = False  # after && || | |&
    pending_redirect: _Op | None = None
    have_anything = False  # a command or subshell since the last separator
    for token in tokens:
        if pending_redirect is not None:
            if not isinstance(token, _Word) or not _redirect_ok(pending_redirect, token.text):
                raise _Unsupported
            pending_redirect = None
            continue
        if isinstance(token, _Word):
            if closed:
                raise _Unsupported  # `(a) b`
            if not current and (token.text in _RESERVED or token.assignment):
                raise _Unsupported
            current.append(token.text)
            need_command = False
            have_anything = True
            continue
        op = token.text
        if op in _REDIRECTS:
            pending_redirect = token
            continue
        if op in _SEPARATORS:
            if current:
                commands.append(current)
                current = []
            elif op == "\n":
                closed = False
                continue
            elif not (closed and have_anything):
                raise _Unsupported  # separator without a command before it
            closed = False
            have_anything = False
            if op in _NEEDS_FOLLOWER:
                need_command = True
            continue
        if op == "(":
            if current or closed:
                raise _Unsupported
            depth += 1
            continue
        if op == ")":
            if depth == 0 or need_command:
                raise _Unsupported
            if current:
                commands.append(current)
                current = []
            elif not closed:
                raise _Unsupported  # empty subshell
            depth -= 1
            closed = True
            have_anything = True
            continue
        raise _Unsupported
    if pending_redirect is not None or depth or need_command:
        raise _Unsupported
    if current:
        commands.append(current)
    return commands


def split_shell_command(script: str) -> list[list[str]] | None:
    """The plain commands in ``script``, or ``None`` if it uses anything not understood safely.

    An empty (or comment-only) script gives ``[]``. Never raises.
    """
    try:
        return _parse(_lex(script))
    except _Unsupported:
        return None
    except (RecursionError, MemoryError):  # pragma: no cover - defensive
        return None


def shell_wrapper_script(argv: Sequence[str]) -> str | None:
    """The script of ``bash -lc SCRIPT`` / ``sh -c SCRIPT`` style argvs, else ``None``.

    Accepts a shell (``bash sh zsh dash ksh``, any directory) followed by short-option clusters
    one of which contains ``c`` (``-c``, ``-lc``, ``-l -c``, ``-ec``...), ``--login``,
    ``--noprofile``, ``--norc`` and an optional ``--``; the first other argument is the script.
    Options that take a value (``-o``, ``-O``) are not understood (``None``).
    """
    if len(argv) < 3 or posixpath.basename(argv[0]) not in SHELLS:
        return None
    saw_c = False
    for index in range(1, len(argv)):
        arg = argv[index]
        if arg == "--":
            return argv[index + 1] if saw_c and index + 1 < len(argv) else None
        if arg in ("--login", "--noprofile", "--norc"):
            continue
        if len(arg) >= 2 and arg[0] == "-" and arg[1:].isalpha():
            if "o" in arg or "O" in arg:
                return None
            saw_c = saw_c or "c" in arg[1:]
            continue
        return arg if saw_c else None
    return None


@attrs.frozen(kw_only=True)
class CommandParse:
    """How an argv decomposes for policy evaluation."""

    commands: tuple[tuple[str, ...], ...]
    """The commands to evaluate (never empty)."""
    opaque: bool = False
    """Some shell text could not be split (``commands`` then holds the unsplit argv for it)."""
    opaque_scripts: tuple[str, ...] = ()
    """Text that could not be split, for best-effort scanning (only to make decisions stricter)."""
    shadow_commands: tuple[tuple[str, ...], ...] = ()
    """Commands possibly run *through* a wrapper (``env``, ``timeout``, ``sudo``, ``xargs``...):
    every suffix of a wrapper's arguments that could be the wrapped command. Only used to make
    decisions stricter (forbidden/prompt rules, dangerous-command detection)."""
    from_shell: bool = False
    """The commands came out of a shell script (not the argv itself)."""


@attrs.define
class _Budget:
    remaining: int = 64


def parse_command_for_policy_detailed(argv: Sequence[str]) -> CommandParse:
    """Like :func:`parse_command_for_policy`, plus opaque text and wrapped-command candidates."""
    return _parse_argv(tuple(argv), 0, _Budget())


def _parse_argv(argv: tuple[str, ...], depth: int, budget: _Budget) -> CommandParse:
    raw = (argv,)
    if len(argv) > 1 and posixpath.basename(argv[0]) in SHELLS:
        script = shell_wrapper_script(argv)
        if script is None:
            return CommandParse(commands=raw, opaque=True, opaque_scripts=argv[1:])
        inner = split_shell_command(script) if depth < _MAX_NESTING else None
        if inner is None:
            return CommandParse(commands=raw, opaque=True, opaque_scripts=(script,))
        if not inner:
            return CommandParse(commands=raw)
        commands: list[tuple[str, ...]] = []
        shadows: list[tuple[str, ...]] = []
        scripts: list[str] = []
        for command in inner:
            nested = _parse_argv(tuple(command), depth + 1, budget)
            commands.extend(nested.commands)
            shadows.extend(nested.shadow_commands)
            scripts.extend(nested.opaque_scripts)
        return CommandParse(
            commands=tuple(commands),
            opaque=bool(scripts),
            opaque_scripts=tuple(scripts),
            shadow_commands=tuple(shadows),
            from_shell=True,
        )
    shadows, scripts = _wrapped_commands(argv, depth, budget)
    return CommandParse(
        commands=raw, opaque=bool(scripts), opaque_scripts=tuple(scripts), shadow_commands=tuple(shadows)
    )


def _wrapped_commands(argv: tuple[str, ...], depth: int, budget: _Budget) -> tuple[list[tuple[str, ...]], list[str]]:
    if not argv or posixpath.basename(argv[0]) not in WRAPPERS or depth >= _MAX_NESTING:
        return [], []
    shadows: list[tuple[str, ...]] = []
    scripts: list[str] = []
    for index in range(1, len(argv)):
        token = argv[index]
        if any(c.isspace() for c in token):
            scripts.append(token)  # e.g. `env -S "rm -rf /"`
        if token.startswith("-") or _ASSIGNMENT.match(token):
            continue
        if budget.remaining <= 0:
            scripts.append(" ".join(argv[index:]))
            break
        budget.remaining -= 1
        nested = _parse_argv(argv[index:], depth + 1, budget)
        shadows.extend(nested.commands)
        shadows.extend(nested.shadow_commands)
        scripts.extend(nested.opaque_scripts)
    return shadows, scripts


def parse_command_for_policy(argv: Sequence[str]) -> list[list[str]]:
    """The commands an argv runs, for rule evaluation.

    ``["bash", "-lc", "git status && rm -rf /"]`` gives ``[["git", "status"], ["rm", "-rf", "/"]]``;
    a script that cannot be split safely (or any non-shell argv) gives ``[argv]``.
    """
    return [list(c) for c in parse_command_for_policy_detailed(argv).commands]
