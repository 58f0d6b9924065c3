"""Value objects of the exec policy: decisions, rules, rule matches and evaluations.

Everything here is immutable (``attrs.frozen``) and cheap to compare; the JSON shapes produced
by :meth:`RuleMatch.to_json` / :meth:`Evaluation.to_json` are the ones printed by
``codex execpolicy check`` (spec 5.6).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs

__all__ = [
    "DECISION_RANK",
    "Decision",
    "Evaluation",
    "HeuristicsRuleMatch",
    "HostExecutable",
    "NetworkProtocol",
    "NetworkRule",
    "PatternToken",
    "PrefixRule",
    "PrefixRuleMatch",
    "RuleMatch",
    "strictest",
]

Decision = Literal["allow", "prompt", "forbidden"]
"""What a rule says about a command. Ordered ``allow < prompt < forbidden`` (strictest wins)."""

DECISION_RANK: dict[Decision, int] = {"allow": 0, "prompt": 1, "forbidden": 2}

NetworkProtocol = Literal["http", "https", "socks5_tcp", "socks5_udp"]


def strictest(decisions: Sequence[Decision]) -> Decision | None:
    """The strictest of ``decisions`` (``forbidden > prompt > allow``), ``None`` when empty."""
    if not decisions:
        return None
    return max(decisions, key=DECISION_RANK.__getitem__)


PatternToken = str | tuple[str, ...]
"""One pattern position: a literal token or a tuple of alternatives (any one matches)."""


@attrs.frozen(kw_only=True)
class PrefixRule:
    """``prefix_rule(pattern=[...], decision=...)`` after first-token expansion."""

    program: str
    """The first token (rules are indexed by it)."""
    rest: tuple[PatternToken, ...] = ()
    """Tokens after the program; a tuple element lists alternatives."""
    decision: Decision = "allow"
    justification: str | None = None
    source: str | None = None
    """``path:line`` of the call that defined the rule (``None`` for rules added at runtime)."""

    def match_prefix(self, command: Sequence[str], *, program: str | None = None) -> list[str] | None:
        """The matched prefix of ``command`` or ``None``.

        ``program`` overrides the first token of ``command`` (used for basename resolution of an
        absolute program path); the reported prefix always uses the real command tokens.
        """
        length = len(self.rest) + 1
        if len(command) < length:
            return None
        first = command[0] if program is None else program
        if first != self.program:
            return None
        for expected, actual in zip(self.rest, command[1:length], strict=True):
            if isinstance(expected, str):
                if expected != actual:
                    return None
            elif actual not in expected:
                return None
        return list(command[:length])

    def render_pattern(self) -> list[str]:
        """The pattern as display tokens (alternatives rendered ``[a|b]``)."""
        rendered = [self.program]
        for token in self.rest:
            rendered.append(token if isinstance(token, str) else "[" + "|".join(token) + "]")
        return rendered


@attrs.frozen(kw_only=True)
class NetworkRule:
    """``network_rule(host=..., protocol=..., decision=...)`` (consumed by the network proxy, 4.10)."""

    host: str
    """Normalised host: lowercased, no port, no trailing dot, never a wildcard."""
    protocol: NetworkProtocol
    decision: Decision
    justification: str | None = None
    source: str | None = None


@attrs.frozen(kw_only=True)
class HostExecutable:
    """``host_executable(name=..., paths=[...])``: which absolute paths may stand for ``name``."""

    name: str
    paths: tuple[str, ...]
    """Absolute paths (``~/`` already expanded)."""
    source: str | None = None


@attrs.frozen(kw_only=True)
class PrefixRuleMatch:
    """A rule that matched a command."""

    matched_prefix: tuple[str, ...]
    decision: Decision
    justification: str | None = None
    resolved_program: str | None = None
    """Set when the rule matched through basename resolution of an absolute program path."""
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"matchedPrefix": list(self.matched_prefix), "decision": self.decision}
        if self.resolved_program is not None:
            body["resolvedProgram"] = self.resolved_program
        if self.justification is not None:
            body["justification"] = self.justification
        return {"prefixRuleMatch": body}


@attrs.frozen(kw_only=True)
class HeuristicsRuleMatch:
    """No rule matched; the decision came from the approval heuristics (5.4)."""

    command: tuple[str, ...]
    decision: Decision

    def to_json(self) -> dict[str, Any]:
        return {"heuristicsRuleMatch": {"command": list(self.command), "decision": self.decision}}


RuleMatch = PrefixRuleMatch | HeuristicsRuleMatch


@attrs.frozen(kw_only=True)
class Evaluation:
    """Result of checking one or more commands against the policy.

    ``decision`` is the strictest decision over ``matched_rules``; ``None`` when nothing matched.
    """

    matched_rules: tuple[RuleMatch, ...] = ()

    @property
    def decision(self) -> Decision | None:
        return strictest([m.decision for m in self.matched_rules])

    @property
    def is_rule_match(self) -> bool:
        """True when at least one real rule (not a heuristic) matched."""
        return any(isinstance(m, PrefixRuleMatch) for m in self.matched_rules)

    def to_json(self) -> dict[str, Any]:
        """The ``codex execpolicy check`` JSON: ``decision`` is omitted when nothing matched."""
        out: dict[str, Any] = {"matchedRules": [m.to_json() for m in self.matched_rules]}
        decision = self.decision
        if decision is not None:
            out["decision"] = decision
        return out
