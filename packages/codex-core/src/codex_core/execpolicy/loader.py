"""Loading rules files into an :class:`ExecPolicy` (spec 5.1).

Files are read lowest precedence first: system rules dir, ``$CODEX_HOME/rules/*.rules``
(sorted), trusted project rules dirs, explicit extra files; managed rules (admin requirements)
are overlaid last. A file that fails to parse is dropped *as a whole* and reported as a
:class:`LoadIssue` (``path:line: message``); every other file still loads and managed rules
always survive. I/O errors (unreadable directory or file) are fatal, as in Codex.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from codex_core.errors import ExecPolicyError
from codex_core.execpolicy.model import Decision, PatternToken, PrefixRule
from codex_core.execpolicy.parser import RulesParseError, parse_rules_source
from codex_core.execpolicy.policy import ExecPolicy

if TYPE_CHECKING:
    from codex_core.config import Config

__all__ = [
    "DEFAULT_RULES_FILE",
    "MAX_RULES_FILE_BYTES",
    "RULES_DIR_NAME",
    "SYSTEM_RULES_DIR",
    "LoadIssue",
    "LoadedPolicy",
    "ManagedRules",
    "load_config_exec_policy",
    "load_exec_policy",
    "load_rules_files",
    "policy_from_requirements_rules",
]

RULES_DIR_NAME = "rules"
SYSTEM_RULES_DIR = Path("/etc/codex/rules")
"""Rules of the machine's administrator (lowest precedence)."""
DEFAULT_RULES_FILE = "default.rules"

ManagedRules = ExecPolicy | Mapping[str, Any] | Sequence[Path]
"""Managed rules: a ready policy, the requirements ``[rules]`` table, or managed ``.rules`` files."""


@attrs.frozen(kw_only=True)
class LoadIssue:
    """A problem found while loading rules. ``str()`` renders ``path:line: message``."""

    path: str
    line: int | None
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        location = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{location}: {self.message}"

    def display(self) -> str:
        """Codex's warning text: ``<path>:<line>: <msg> (problem is on or around line <line>)``."""
        if self.line is None:
            return str(self)
        return f"{self} (problem is on or around line {self.line})"


@attrs.frozen(kw_only=True)
class LoadedPolicy:
    """The merged policy plus every problem found while loading it."""

    policy: ExecPolicy
    issues: tuple[LoadIssue, ...] = ()
    files: tuple[Path, ...] = ()
    """Rules files that loaded successfully, in load order."""

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    def raise_for_errors(self) -> None:
        """Raise :class:`ExecPolicyError` listing every error (for strict callers like the CLI)."""
        errors = [i for i in self.issues if i.severity == "error"]
        if errors:
            raise ExecPolicyError("; ".join(str(e) for e in errors))


def _rules_files_in(directory: Path) -> list[Path]:
    if not directory.exists():
        return []
    try:
        entries = sorted(p for p in directory.iterdir() if p.suffix == ".rules" and p.is_file())
    except OSError as exc:
        raise ExecPolicyError(f"failed to read rules files from {directory}: {exc}") from exc
    return entries


MAX_RULES_FILE_BYTES = 4 * 1024 * 1024
"""Largest rules file read. Real ones are kilobytes; parsing is linear but not free, and a
runaway file (or a device node named ``x.rules``) must not stall every session start."""


def _read(path: Path) -> str | LoadIssue:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_RULES_FILE_BYTES + 1)
    except OSError as exc:
        raise ExecPolicyError(f"failed to read rules file {path}: {exc}") from exc
    if len(data) > MAX_RULES_FILE_BYTES:
        return LoadIssue(
            path=str(path),
            line=None,
            message=f"rules file is larger than {MAX_RULES_FILE_BYTES // (1024 * 1024)} MiB; not loaded",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return LoadIssue(path=str(path), line=None, message=f"rules file is not valid UTF-8: {exc}")


def load_rules_files(paths: Iterable[Path], *, base: ExecPolicy | None = None) -> LoadedPolicy:
    """Parse ``paths`` in order on top of ``base``; bad files become issues, others load."""
    policy = base or ExecPolicy.empty()
    issues: list[LoadIssue] = []
    loaded: list[Path] = []
    for path in paths:
        text = _read(path)
        if isinstance(text, LoadIssue):
            issues.append(text)
            continue
        try:
            parsed = parse_rules_source(text, path=str(path), base_policy=policy)
        except RulesParseError as exc:
            issues.append(LoadIssue(path=exc.path, line=exc.line, message=exc.detail))
            continue
        policy = policy.merge_overlay(parsed.to_policy())
        loaded.append(path)
    return LoadedPolicy(policy=policy, issues=tuple(issues), files=tuple(loaded))


def load_config_exec_policy(config: Config) -> LoadedPolicy:
    """The exec policy a thread with ``config`` runs under: ``/etc/codex/rules``, the user's
    ``$CODEX_HOME/rules``, the project's ``.codex/rules`` when the project is trusted, and the
    managed rules of ``requirements.toml`` on top (``load_exec_policy``)."""
    return load_exec_policy(
        config.codex_home,
        managed_rules=config.requirements.rules,
        project_rules_dirs=[config.cwd / ".codex" / "rules"] if config.trusted_project else [],
        system_rules_dir=SYSTEM_RULES_DIR,
    )


def load_exec_policy(
    codex_home: Path,
    *,
    extra_rules_files: Sequence[Path] = (),
    managed_rules: ManagedRules | None = None,
    project_rules_dirs: Sequence[Path] = (),
    system_rules_dir: Path | None = None,
) -> LoadedPolicy:
    """Load the effective exec policy.

    Order (lowest precedence first): ``system_rules_dir`` (e.g. ``/etc/codex/rules``),
    ``codex_home/rules/*.rules``, each of ``project_rules_dirs`` (trusted ``.codex/rules``),
    ``extra_rules_files``, then ``managed_rules`` as an overlay. Raises
    :class:`ExecPolicyError` only for I/O errors and invalid *managed* rules; a broken user or
    project file is reported in :attr:`LoadedPolicy.issues` and skipped.
    """
    paths: list[Path] = []
    if system_rules_dir is not None:
        paths.extend(_rules_files_in(system_rules_dir))
    paths.extend(_rules_files_in(codex_home / RULES_DIR_NAME))
    for directory in project_rules_dirs:
        paths.extend(_rules_files_in(directory))
    paths.extend(extra_rules_files)
    loaded = load_rules_files(paths)
    if managed_rules is None:
        return loaded
    managed = _managed_policy(managed_rules)
    return attrs.evolve(loaded, policy=loaded.policy.merge_overlay(managed))


def _managed_policy(managed: ManagedRules) -> ExecPolicy:
    if isinstance(managed, ExecPolicy):
        return managed
    if isinstance(managed, Mapping):
        return policy_from_requirements_rules(managed)
    result = load_rules_files(list(managed))
    if not result.ok:
        # Managed rules are an admin contract: never silently run without them.
        raise ExecPolicyError(
            "invalid managed rules: " + "; ".join(str(i) for i in result.issues if i.severity == "error")
        )
    return result.policy


def policy_from_requirements_rules(table: Mapping[str, Any], *, source: str = "requirements") -> ExecPolicy:
    """Convert the requirements.toml ``[rules]`` table into a policy.

    Shape: ``prefix_rules = [{pattern = [{token = "git"}, {any_of = ["push", "fetch"]}],
    decision = "prompt" | "forbidden", justification = "..."}]``. Raises
    :class:`ExecPolicyError` (``invalid rules in requirements (set by <source>): <reason>``).
    """

    def fail(reason: str) -> ExecPolicyError:
        return ExecPolicyError(f"invalid rules in requirements (set by {source}): {reason}")

    raw_rules = table.get("prefix_rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise fail("rules prefix_rules cannot be empty")
    rules: list[PrefixRule] = []
    for index, raw in enumerate(raw_rules):
        where = f"rules prefix_rule at index {index}"
        if not isinstance(raw, Mapping):
            raise fail(f"{where} must be a table")
        unknown = set(raw) - {"pattern", "decision", "justification"}
        if unknown:
            raise fail(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        pattern_raw = raw.get("pattern")
        if not isinstance(pattern_raw, list) or not pattern_raw:
            raise fail(f"{where} has an empty pattern")
        pattern: list[PatternToken] = []
        for t_index, token in enumerate(pattern_raw):
            try:
                pattern.append(_requirements_token(token))
            except ValueError as exc:
                raise fail(f"{where} has an invalid pattern token at index {t_index}: {exc}") from None
        decision_raw = raw.get("decision")
        if decision_raw is None:
            raise fail(f"{where} is missing a decision")
        if decision_raw == "allow":
            raise fail(f"{where} uses decision 'allow', which requirements cannot grant; use 'prompt' or 'forbidden'")
        if decision_raw not in ("prompt", "forbidden"):
            raise fail(f"{where} has an invalid decision {decision_raw!r}")
        decision: Decision = "prompt" if decision_raw == "prompt" else "forbidden"
        justification = raw.get("justification")
        if justification is not None and (not isinstance(justification, str) or not justification.strip()):
            raise fail(f"{where} has an empty justification")
        first, rest = pattern[0], tuple(pattern[1:])
        for program in (first,) if isinstance(first, str) else first:
            rules.append(
                PrefixRule(
                    program=program,
                    rest=rest,
                    decision=decision,
                    justification=justification,
                    source=f"{source} ({where})",
                )
            )
    return ExecPolicy(prefix_rules=tuple(rules))


def _requirements_token(token: Any) -> PatternToken:
    if not isinstance(token, Mapping):
        raise ValueError("must be a table with `token` or `any_of`")
    has_token, has_any = "token" in token, "any_of" in token
    if has_token and has_any:
        raise ValueError("set either token or any_of, not both")
    if has_token:
        value = token["token"]
        if not isinstance(value, str) or not value.strip():
            raise ValueError("token cannot be empty")
        return value
    if has_any:
        alts = token["any_of"]
        if not isinstance(alts, list) or not alts:
            raise ValueError("any_of cannot be empty")
        if not all(isinstance(a, str) and a.strip() for a in alts):
            raise ValueError("any_of cannot include empty tokens")
        return tuple(alts)
    raise ValueError("set either token or any_of")
