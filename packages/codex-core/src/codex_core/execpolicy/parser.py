"""Safe parser for Starlark-style ``*.rules`` files (spec 5.2).

Starlark syntax for these files is a subset of Python, so the text is parsed with
:func:`ast.parse` and then *interpreted* by a tiny restricted evaluator: only literal values
(strings, numbers, booleans, ``None``, lists, tuples), ``+`` on them, names bound by earlier
top-level ``NAME = <literal>`` assignments, and calls of the three builtins
``prefix_rule``, ``network_rule`` and ``host_executable`` are understood. Nothing is ever
compiled or executed, so a rules file cannot run code.

A file either loads completely or not at all: the first problem raises
:class:`RulesParseError` carrying the file path and line.

The evaluator is total: without loops it always ends, but ``a = a + a`` repeated 40 times
would still ask for a terabyte, and ``a = [a, a]`` repeated would make a value whose
printout never ends. So every value is measured as it is built (string length, list length,
nesting depth, and its *tree size* -- shared parts counted every time they appear) and the
whole file has a work budget; crossing any limit is a :class:`RulesParseError` at the line
that crossed it, like any other mistake in the file.
"""

from __future__ import annotations

import ast
import io
import posixpath
import reprlib
import shlex
import tokenize
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from codex_core.errors import ExecPolicyError
from codex_core.execpolicy.model import (
    Decision,
    HostExecutable,
    NetworkProtocol,
    NetworkRule,
    PatternToken,
    PrefixRule,
)
from codex_core.execpolicy.policy import ExecPolicy

__all__ = [
    "MAX_LIST_ITEMS",
    "MAX_STEPS",
    "MAX_STRING_CHARS",
    "MAX_VALUE_SIZE",
    "ParsedRules",
    "RulesParseError",
    "normalize_network_host",
    "parse_rules_source",
]

_MAX_DEPTH: Final = 32
"""Deepest expression, and deepest list value (real rules need 2 or 3 levels)."""
MAX_STRING_CHARS: Final = 100_000
"""Longest string a rules file may build (a justification or a command token)."""
MAX_LIST_ITEMS: Final = 10_000
"""Longest list a rules file may build (pattern alternatives, match examples)."""
MAX_VALUE_SIZE: Final = 1_000_000
"""Largest value: characters plus list slots over the whole tree, shared parts each time."""
MAX_STEPS: Final = 5_000_000
"""Work budget of one file: expression nodes, characters/items copied, builtin arguments read.
It bounds evaluation to well under a second."""
_SHLEX_STEPS_PER_CHAR: Final = 20
"""``shlex.split`` is pure Python: a character costs about as much as 20 steps elsewhere."""
_DECISIONS: Final[dict[str, Decision]] = {"allow": "allow", "prompt": "prompt", "forbidden": "forbidden"}
_NETWORK_DECISIONS: Final[dict[str, Decision]] = {**_DECISIONS, "deny": "forbidden"}
_PROTOCOLS: Final[dict[str, NetworkProtocol]] = {
    "http": "http",
    "https": "https",
    "https_connect": "https",
    "http-connect": "https",
    "socks5_tcp": "socks5_tcp",
    "socks5_udp": "socks5_udp",
}


class RulesParseError(ExecPolicyError):
    """A rules file (or one call in it) is invalid. ``str()`` is ``path:line: message``."""

    code = "exec_policy_parse_error"

    def __init__(self, message: str, *, path: str, line: int | None) -> None:
        location = f"{path}:{line}" if line is not None else path
        super().__init__(f"{location}: {message}")
        self.path = path
        self.line = line
        self.detail = message


class _Problem(Exception):
    """Internal: an error at a known line, converted to RulesParseError by the caller."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@attrs.frozen(kw_only=True)
class ParsedRules:
    """Everything defined by one rules file, in file order."""

    prefix_rules: tuple[PrefixRule, ...] = ()
    network_rules: tuple[NetworkRule, ...] = ()
    host_executables: tuple[HostExecutable, ...] = ()

    def to_policy(self) -> ExecPolicy:
        return ExecPolicy(
            prefix_rules=self.prefix_rules,
            network_rules=self.network_rules,
            host_executables=self.host_executables,
        )


def parse_rules_source(source: str, *, path: str = "<rules>", base_policy: ExecPolicy | None = None) -> ParsedRules:
    """Parse the text of one rules file.

    ``base_policy`` supplies ``host_executable`` entries from earlier files so ``match``
    examples using absolute program paths resolve the same way they will at run time.
    Raises :class:`RulesParseError` (``path:line: message``) on the first problem.
    """
    tree = _parse_tree(source, path)
    builder = _Builder(path=path, base_policy=base_policy or ExecPolicy.empty())
    for stmt in tree.body:
        try:
            builder.statement(stmt)
        except _Problem as problem:
            line = problem.line if problem.line is not None else stmt.lineno
            raise RulesParseError(problem.message, path=path, line=line) from None
        except (RecursionError, MemoryError):
            # Unreachable with the limits above; kept so a gap in them is still a clean error.
            raise RulesParseError("statement is too complex to evaluate", path=path, line=stmt.lineno) from None
    return ParsedRules(
        prefix_rules=tuple(builder.prefix_rules),
        network_rules=tuple(builder.network_rules),
        host_executables=tuple(builder.host_executables),
    )


def _parse_tree(source: str, path: str) -> ast.Module:
    """``ast.parse`` with every failure turned into a :class:`RulesParseError` at a line.

    CPython's parser gives up on deep nesting (``not not not ...``, ``1+1+...``, ``a.b.c...``)
    with ``RecursionError``/``MemoryError`` and no line number; the line is then recovered by
    :func:`_too_complex_line`.
    """
    try:
        return ast.parse(source, filename=path, mode="exec")
    except SyntaxError as exc:
        raise RulesParseError(f"syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    except (RecursionError, MemoryError):
        line = _too_complex_line(source)
        raise RulesParseError("statement is nested too deeply or too long to parse", path=path, line=line) from None
    except ValueError as exc:  # e.g. a NUL byte, or an integer literal over Python's digit limit
        raise RulesParseError(f"cannot parse rules file: {exc}", path=path, line=None) from None


def _too_complex_line(source: str) -> int | None:
    """First line of the first logical line that the parser cannot handle on its own.

    Tokenizing is iterative, so it copes with any nesting; each logical line (statement) is
    then parsed alone, and the one that still overflows the parser is the culprit. Only run
    on the failure path.
    """
    lines = source.splitlines(keepends=True)
    start: int | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if start is None and token.type not in _NON_CODE_TOKENS:
                start = token.start[0]
            if token.type == tokenize.NEWLINE and start is not None:
                chunk = "".join(lines[start - 1 : token.end[0]])
                try:
                    ast.parse(chunk)
                except (RecursionError, MemoryError):
                    return start
                except (SyntaxError, ValueError):
                    pass  # e.g. the header of a compound statement: not this kind of problem
                start = None
    except (tokenize.TokenError, SyntaxError, RecursionError, MemoryError):
        pass
    return start


_NON_CODE_TOKENS: Final = frozenset(
    {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}
)


def normalize_network_host(raw: str) -> str:
    """Normalise a ``network_rule`` host (spec 5.2); raises ``ValueError`` with the reason."""
    host = raw.strip()
    if not host:
        raise ValueError("network_rule host cannot be empty")
    if "://" in host or any(c in host for c in "/?#"):
        raise ValueError("network_rule host must be a hostname or IP literal (without scheme or path)")
    if host.startswith("["):
        inside, sep, rest = host[1:].partition("]")
        if not sep:
            raise ValueError("network_rule host has an invalid bracketed IPv6 literal")
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            raise ValueError(f"network_rule host contains an unsupported suffix: {_clip(raw)}")
        host = inside
    elif host.count(":") == 1:
        candidate, _, port = host.rpartition(":")
        if candidate and port.isdigit():
            host = candidate
    normalized = host.rstrip(".").strip().lower()
    if not normalized:
        raise ValueError("network_rule host cannot be empty")
    if "*" in normalized:
        raise ValueError("network_rule host must be a specific host; wildcards are not allowed")
    if any(c.isspace() for c in normalized):
        raise ValueError("network_rule host cannot contain whitespace")
    return normalized


# ----------------------------------------------------------------------------------------------
# evaluator


def _type_name(value: object) -> str:
    return {
        str: "string",
        int: "int",
        float: "float",
        bool: "bool",
        list: "list",
        type(None): "NoneType",
    }.get(type(value), type(value).__name__)


_PREVIEW: Final = reprlib.Repr()
_PREVIEW.maxstring = 80
_PREVIEW.maxother = 80
_PREVIEW.maxlist = 6
_PREVIEW.maxlevel = 3


def _preview(value: object) -> str:
    """A short ``repr`` for error messages: values may be 100k characters or nested."""
    return _PREVIEW.repr(value)


def _clip(text: str, limit: int = 120) -> str:
    """``text`` shortened for an error message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


@attrs.frozen(slots=True)
class _Sized:
    """A value with its measurements, computed once as the value is built."""

    value: Any
    size: int
    """Characters plus list slots over the whole tree (shared parts counted each time)."""
    depth: int
    """List nesting depth (0 for a scalar)."""


def _scalar(value: Any) -> _Sized:
    return _Sized(value, len(value) if isinstance(value, str) else 1, 0)


@attrs.define(kw_only=True)
class _Builder:
    path: str
    base_policy: ExecPolicy
    env: dict[str, _Sized] = attrs.Factory(dict)
    steps: int = 0
    prefix_rules: list[PrefixRule] = attrs.Factory(list)
    network_rules: list[NetworkRule] = attrs.Factory(list)
    host_executables: list[HostExecutable] = attrs.Factory(list)
    _hosts_snapshot: tuple[HostExecutable, ...] | None = None

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                return  # docstring / bare string: harmless
            if isinstance(stmt.value, ast.Call):
                self.call(stmt.value)
                return
            raise _Problem("only calls of prefix_rule, network_rule and host_executable are allowed here")
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                raise _Problem("only simple `NAME = value` assignments are supported")
            name = stmt.targets[0].id
            if name in _BUILTINS or name in {"True", "False", "None"}:
                raise _Problem(f"cannot assign to builtin `{name}`")
            self.env[name] = self.value(stmt.value, 0)
            return
        if isinstance(stmt, ast.Pass):
            return
        raise _Problem(
            f"unsupported statement `{type(stmt).__name__}`: rules files may only call "
            "prefix_rule, network_rule and host_executable"
        )

    def charge(self, steps: int, line: int | None) -> None:
        """Spend ``steps`` of the file's work budget; over budget is a problem at ``line``."""
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise _Problem(f"rules file takes too much work to evaluate (over {MAX_STEPS:,} steps)", line)

    def value(self, node: ast.expr, depth: int) -> _Sized:
        """Evaluate a literal expression, measuring the result and charging the budget."""
        line: int | None = getattr(node, "lineno", None)
        if depth > _MAX_DEPTH:
            raise _Problem("expression is nested too deeply", line)
        self.charge(1, line)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str | int | float | bool) or node.value is None:
                return _checked(_scalar(node.value), line)
            raise _Problem(f"unsupported literal {_preview(node.value)}", line)
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.value(elt, depth + 1) for elt in node.elts]
            self.charge(len(items), line)
            return _checked(
                _Sized(
                    [item.value for item in items],
                    1 + sum(item.size for item in items),
                    1 + max((item.depth for item in items), default=0),
                ),
                line,
            )
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            raise _Problem(f"undefined name `{node.id}`", line)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left, depth + 1), self.value(node.right, depth + 1)
            both_str = isinstance(left.value, str) and isinstance(right.value, str)
            both_list = isinstance(left.value, list) and isinstance(right.value, list)
            if not (both_str or both_list):
                raise _Problem(f"cannot add {_type_name(left.value)} and {_type_name(right.value)}", line)
            # Measure before building, so an oversized result is never allocated.
            sized = _Sized(None, left.size + right.size - (1 if both_list else 0), max(left.depth, right.depth))
            length = len(left.value) + len(right.value)
            _check_length(length, "string" if both_str else "list", line)
            _checked(sized, line)
            self.charge(length, line)
            return attrs.evolve(sized, value=left.value + right.value)
        if isinstance(node, ast.Call):
            raise _Problem("calls are only allowed as top-level statements", line)
        raise _Problem(f"unsupported expression `{type(node).__name__}` (only literals are allowed)", line)

    def call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name) or node.func.id not in _BUILTINS:
            name = node.func.id if isinstance(node.func, ast.Name) else _clip(ast.unparse(node.func))
            raise _Problem(
                f"unknown function `{name}` (expected prefix_rule, network_rule or host_executable)",
                node.lineno,
            )
        name = node.func.id
        params = _SIGNATURES[name]
        args: dict[str, Any] = {}
        if len(node.args) > len(params):
            raise _Problem(f"{name}() takes at most {len(params)} positional arguments", node.lineno)
        for param, arg in zip(params, node.args, strict=False):
            if isinstance(arg, ast.Starred):
                raise _Problem(f"{name}(): *args are not supported", node.lineno)
            args[param] = self.argument(arg)
        for kw in node.keywords:
            if kw.arg is None:
                raise _Problem(f"{name}(): **kwargs are not supported", node.lineno)
            if kw.arg not in params:
                raise _Problem(f"{name}() got an unexpected keyword argument `{kw.arg}`", kw.value.lineno)
            if kw.arg in args:
                raise _Problem(f"{name}() got multiple values for argument `{kw.arg}`", kw.value.lineno)
            args[kw.arg] = self.argument(kw.value)
        source = f"{self.path}:{node.lineno}"
        try:
            _BUILTINS[name](self, args, source)
        except _Problem as problem:
            if problem.line is None:
                problem.line = node.lineno
            raise

    def argument(self, node: ast.expr) -> Any:
        """A builtin's argument; reading it (examples are split and matched) costs its size."""
        sized = self.value(node, 0)
        self.charge(sized.size, node.lineno)
        return sized.value

    # -- builtins -------------------------------------------------------------------------------

    def prefix_rule(self, args: dict[str, Any], source: str) -> None:
        if "pattern" not in args:
            raise _Problem("prefix_rule() missing required argument `pattern`")
        pattern = _parse_pattern(args["pattern"])
        decision = _choice(args.get("decision", "allow"), _DECISIONS, "decision")
        justification = _justification(args.get("justification"))
        firsts, rest = pattern[0], tuple(pattern[1:])
        alternatives = (firsts,) if isinstance(firsts, str) else firsts
        rules = [
            PrefixRule(program=first, rest=rest, decision=decision, justification=justification, source=source)
            for first in alternatives
        ]
        local = ExecPolicy(prefix_rules=tuple(rules), host_executables=self._all_host_executables())
        for example in _examples(args.get("match"), "match", self.charge):
            if not local.matches_for_command(example):
                raise _Problem(
                    f"match example `{_clip(shlex.join(example))}` does not match this prefix_rule "
                    f"(pattern {rules[0].render_pattern()})"
                )
        for example in _examples(args.get("not_match"), "not_match", self.charge):
            if local.matches_for_command(example):
                raise _Problem(
                    f"not_match example `{_clip(shlex.join(example))}` matches this prefix_rule "
                    f"(pattern {rules[0].render_pattern()})"
                )
        self.prefix_rules.extend(rules)

    def network_rule(self, args: dict[str, Any], source: str) -> None:
        for required in ("host", "protocol", "decision"):
            if required not in args:
                raise _Problem(f"network_rule() missing required argument `{required}`")
        host_raw = args["host"]
        if not isinstance(host_raw, str):
            raise _Problem(f"network_rule host must be a string (got {_type_name(host_raw)})")
        try:
            host = normalize_network_host(host_raw)
        except ValueError as exc:
            raise _Problem(str(exc)) from None
        protocol_raw = args["protocol"]
        if not isinstance(protocol_raw, str) or protocol_raw not in _PROTOCOLS:
            raise _Problem(
                f"network_rule protocol must be one of http, https, socks5_tcp, socks5_udp (got {_preview(protocol_raw)})"
            )
        decision = _choice(args["decision"], _NETWORK_DECISIONS, "network_rule decision")
        self.network_rules.append(
            NetworkRule(
                host=host,
                protocol=_PROTOCOLS[protocol_raw],
                decision=decision,
                justification=_justification(args.get("justification")),
                source=source,
            )
        )

    def host_executable(self, args: dict[str, Any], source: str) -> None:
        name, paths = args.get("name"), args.get("paths")
        if not isinstance(name, str) or not name or "/" in name or name in {".", ".."}:
            raise _Problem(f"host_executable name must be a bare executable name (got {_preview(name)})")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise _Problem("host_executable paths must be a list of strings")
        resolved: list[str] = []
        for raw in paths:
            try:
                path = str(Path(raw).expanduser()) if raw.startswith("~/") else raw
            except RuntimeError as exc:  # no HOME and no passwd entry
                raise _Problem(f"host_executable path `{_clip(raw)}`: {exc}") from None
            if not posixpath.isabs(path):
                raise _Problem(f"host_executable path `{_clip(raw)}` must be absolute or start with ~/")
            if posixpath.basename(path) != name:
                raise _Problem(f"host_executable path `{_clip(raw)}` must have basename `{name}`")
            resolved.append(posixpath.normpath(path))
        self.host_executables.append(HostExecutable(name=name, paths=tuple(resolved), source=source))
        self._hosts_snapshot = None

    def _all_host_executables(self) -> tuple[HostExecutable, ...]:
        """Earlier files' entries plus this file's so far; cached so N rules cost O(N), not O(N²)."""
        if self._hosts_snapshot is None:
            self._hosts_snapshot = self.base_policy.host_executables + tuple(self.host_executables)
        return self._hosts_snapshot


def _check_length(length: int, kind: str, line: int | None) -> None:
    limit = MAX_STRING_CHARS if kind == "string" else MAX_LIST_ITEMS
    if length > limit:
        unit = "characters" if kind == "string" else "items"
        raise _Problem(f"{kind} is too long ({length:,} {unit}; the limit is {limit:,})", line)


def _checked(sized: _Sized, line: int | None) -> _Sized:
    """``sized`` if it is within every value limit, else a problem at ``line``."""
    if isinstance(sized.value, str | list):
        _check_length(len(sized.value), "string" if isinstance(sized.value, str) else "list", line)
    if sized.depth > _MAX_DEPTH:
        raise _Problem(f"value is nested too deeply (more than {_MAX_DEPTH} levels of lists)", line)
    if sized.size > MAX_VALUE_SIZE:
        raise _Problem(
            f"value is too large ({sized.size:,} characters and items; the limit is {MAX_VALUE_SIZE:,})", line
        )
    return sized


_BUILTINS: Final[dict[str, Callable[[_Builder, dict[str, Any], str], None]]] = {
    "prefix_rule": _Builder.prefix_rule,
    "network_rule": _Builder.network_rule,
    "host_executable": _Builder.host_executable,
}
_SIGNATURES: Final[dict[str, tuple[str, ...]]] = {
    "prefix_rule": ("pattern", "decision", "justification", "match", "not_match"),
    "network_rule": ("host", "protocol", "decision", "justification"),
    "host_executable": ("name", "paths"),
}


def _parse_pattern(raw: Any) -> list[PatternToken]:
    if not isinstance(raw, list):
        raise _Problem(f"pattern must be a list (got {_type_name(raw)})")
    if not raw:
        raise _Problem("pattern cannot be empty")
    tokens: list[PatternToken] = []
    for element in raw:
        if isinstance(element, str):
            tokens.append(element)
        elif isinstance(element, list):
            if not element:
                raise _Problem("pattern alternatives cannot be empty")
            if not all(isinstance(alt, str) for alt in element):
                bad = next(alt for alt in element if not isinstance(alt, str))
                raise _Problem(f"pattern element must be a string or list of strings (got {_type_name(bad)})")
            tokens.append(tuple(element))
        else:
            raise _Problem(f"pattern element must be a string or list of strings (got {_type_name(element)})")
    return tokens


def _choice(raw: Any, allowed: dict[str, Decision], what: str) -> Decision:
    if not isinstance(raw, str) or raw not in allowed:
        raise _Problem(f"invalid {what} {_preview(raw)}: expected one of {', '.join(allowed)}")
    return allowed[raw]


def _justification(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise _Problem(f"justification must be a string (got {_type_name(raw)})")
    if not raw.strip():
        raise _Problem("justification cannot be empty")
    return raw


def _examples(raw: Any, what: str, charge: Callable[[int, int | None], None]) -> list[Sequence[str]]:
    """The ``match``/``not_match`` examples as argv lists; shlex-splitting is charged per char."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _Problem(f"{what} must be a list of examples (got {_type_name(raw)})")
    out: list[Sequence[str]] = []
    for example in raw:
        if isinstance(example, str):
            charge(_SHLEX_STEPS_PER_CHAR * len(example), None)
            try:
                tokens = shlex.split(example)
            except ValueError as exc:
                raise _Problem(f"{what} example {_preview(example)} cannot be split: {exc}") from None
            if not tokens:
                raise _Problem("example cannot be an empty string")
            out.append(tokens)
        elif isinstance(example, list):
            if not example:
                raise _Problem("example cannot be an empty list")
            if not all(isinstance(t, str) for t in example):
                raise _Problem(f"{what} example list must contain only strings")
            out.append(list(example))
        else:
            raise _Problem(f"{what} example must be a string or list of strings (got {_type_name(example)})")
    return out
