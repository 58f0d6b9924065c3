"""Safe parser for Starlark-style ``*.rules`` files (spec 5.2).

Starlark syntax for these files is a subset of Python, so the text is parsed with
:func:`ast.parse` and then *interpreted* by a tiny restricted evaluator: only literal values
(strings, numbers, booleans, ``None``, lists, tuples), ``+`` on them, names bound by earlier
top-level ``NAME = <literal>`` assignments, and calls of the three builtins
``prefix_rule``, ``network_rule`` and ``host_executable`` are understood. Nothing is ever
compiled or executed, so a rules file cannot run code.

A file either loads completely or not at all: the first problem raises
:class:`RulesParseError` carrying the file path and line.
"""

from __future__ import annotations

import ast
import posixpath
import shlex
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

__all__ = ["ParsedRules", "RulesParseError", "normalize_network_host", "parse_rules_source"]

_MAX_DEPTH: Final = 32
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
    try:
        tree = ast.parse(source, filename=path, mode="exec")
    except SyntaxError as exc:
        raise RulesParseError(f"syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise RulesParseError(f"cannot parse rules file: {type(exc).__name__}: {exc}", path=path, line=None) from None
    builder = _Builder(path=path, base_policy=base_policy or ExecPolicy.empty())
    for stmt in tree.body:
        try:
            builder.statement(stmt)
        except _Problem as problem:
            line = problem.line if problem.line is not None else stmt.lineno
            raise RulesParseError(problem.message, path=path, line=line) from None
        except RecursionError:
            raise RulesParseError("expression is nested too deeply", path=path, line=stmt.lineno) from None
    return ParsedRules(
        prefix_rules=tuple(builder.prefix_rules),
        network_rules=tuple(builder.network_rules),
        host_executables=tuple(builder.host_executables),
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
            raise ValueError(f"network_rule host contains an unsupported suffix: {raw}")
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


@attrs.define(kw_only=True)
class _Builder:
    path: str
    base_policy: ExecPolicy
    env: dict[str, Any] = attrs.Factory(dict)
    prefix_rules: list[PrefixRule] = attrs.Factory(list)
    network_rules: list[NetworkRule] = attrs.Factory(list)
    host_executables: list[HostExecutable] = attrs.Factory(list)

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

    def value(self, node: ast.expr, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise _Problem("expression is nested too deeply", getattr(node, "lineno", None))
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str | int | float | bool) or node.value is None:
                return node.value
            raise _Problem(f"unsupported literal {node.value!r}", node.lineno)
        if isinstance(node, ast.List | ast.Tuple):
            return [self.value(elt, depth + 1) for elt in node.elts]
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            raise _Problem(f"undefined name `{node.id}`", node.lineno)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left, depth + 1), self.value(node.right, depth + 1)
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            raise _Problem(f"cannot add {_type_name(left)} and {_type_name(right)}", node.lineno)
        if isinstance(node, ast.Call):
            raise _Problem("calls are only allowed as top-level statements", node.lineno)
        raise _Problem(f"unsupported expression `{type(node).__name__}` (only literals are allowed)", node.lineno)

    def call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name) or node.func.id not in _BUILTINS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
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
            args[param] = self.value(arg, 0)
        for kw in node.keywords:
            if kw.arg is None:
                raise _Problem(f"{name}(): **kwargs are not supported", node.lineno)
            if kw.arg not in params:
                raise _Problem(f"{name}() got an unexpected keyword argument `{kw.arg}`", kw.value.lineno)
            if kw.arg in args:
                raise _Problem(f"{name}() got multiple values for argument `{kw.arg}`", kw.value.lineno)
            args[kw.arg] = self.value(kw.value, 0)
        source = f"{self.path}:{node.lineno}"
        try:
            _BUILTINS[name](self, args, source)
        except _Problem as problem:
            if problem.line is None:
                problem.line = node.lineno
            raise

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
        for example in _examples(args.get("match"), "match"):
            if not local.matches_for_command(example):
                raise _Problem(
                    f"match example `{shlex.join(example)}` does not match this prefix_rule "
                    f"(pattern {rules[0].render_pattern()})"
                )
        for example in _examples(args.get("not_match"), "not_match"):
            if local.matches_for_command(example):
                raise _Problem(
                    f"not_match example `{shlex.join(example)}` matches this prefix_rule "
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
                f"network_rule protocol must be one of http, https, socks5_tcp, socks5_udp (got {protocol_raw})"
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
            raise _Problem(f"host_executable name must be a bare executable name (got {name!r})")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise _Problem("host_executable paths must be a list of strings")
        resolved: list[str] = []
        for raw in paths:
            path = str(Path(raw).expanduser()) if raw.startswith("~/") else raw
            if not posixpath.isabs(path):
                raise _Problem(f"host_executable path `{raw}` must be absolute or start with ~/")
            if posixpath.basename(path) != name:
                raise _Problem(f"host_executable path `{raw}` must have basename `{name}`")
            resolved.append(posixpath.normpath(path))
        self.host_executables.append(HostExecutable(name=name, paths=tuple(resolved), source=source))

    def _all_host_executables(self) -> tuple[HostExecutable, ...]:
        return self.base_policy.host_executables + tuple(self.host_executables)


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
        raise _Problem(f"invalid {what} {raw!r}: expected one of {', '.join(allowed)}")
    return allowed[raw]


def _justification(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise _Problem(f"justification must be a string (got {_type_name(raw)})")
    if not raw.strip():
        raise _Problem("justification cannot be empty")
    return raw


def _examples(raw: Any, what: str) -> list[Sequence[str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _Problem(f"{what} must be a list of examples (got {_type_name(raw)})")
    out: list[Sequence[str]] = []
    for example in raw:
        if isinstance(example, str):
            try:
                tokens = shlex.split(example)
            except ValueError as exc:
                raise _Problem(f"{what} example {example!r} cannot be split: {exc}") from None
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
