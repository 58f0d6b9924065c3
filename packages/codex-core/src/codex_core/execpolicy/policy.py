"""``ExecPolicy``: an immutable set of prefix rules, host executables and network rules."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence

import attrs

from codex_core.execpolicy.model import (
    Decision,
    Evaluation,
    HostExecutable,
    NetworkRule,
    PrefixRule,
    PrefixRuleMatch,
    RuleMatch,
)

__all__ = ["ExecPolicy"]


def _index(rules: tuple[PrefixRule, ...]) -> dict[str, tuple[PrefixRule, ...]]:
    index: dict[str, list[PrefixRule]] = {}
    for rule in rules:
        index.setdefault(rule.program, []).append(rule)
    return {program: tuple(group) for program, group in index.items()}


@attrs.frozen(kw_only=True)
class ExecPolicy:
    """Rules loaded from ``*.rules`` files (plus managed rules), ready to match commands.

    Matching follows spec 5.3: a rule matches when the command has at least as many tokens as
    the pattern and each pattern token equals (or is an alternative of) the command token.
    Across several matches the strictest decision wins.
    """

    prefix_rules: tuple[PrefixRule, ...] = ()
    host_executables: tuple[HostExecutable, ...] = ()
    network_rules: tuple[NetworkRule, ...] = ()
    _by_program: dict[str, tuple[PrefixRule, ...]] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(lambda self: _index(self.prefix_rules), takes_self=True),
    )

    @classmethod
    def empty(cls) -> ExecPolicy:
        return cls()

    # -- matching ---------------------------------------------------------------------------

    def matches_for_command(
        self, command: Sequence[str], *, resolve_host_executables: bool = True
    ) -> list[PrefixRuleMatch]:
        """All rules matching ``command`` (exact program first, then basename resolution)."""
        if not command:
            return []
        program = command[0]
        matches = self._match_program(command, program, resolved=None)
        if matches or not resolve_host_executables or not posixpath.isabs(program):
            return matches
        basename = posixpath.basename(program)
        if not basename or not self._host_path_allowed(basename, program):
            return []
        return self._match_program(command, basename, resolved=program)

    def has_rules_for(self, program: str) -> bool:
        """True when some rule is keyed by ``program`` (or by its basename, if absolute)."""
        if program in self._by_program:
            return True
        return posixpath.isabs(program) and posixpath.basename(program) in self._by_program

    def check(self, argv: Sequence[str], *, resolve_host_executables: bool = True) -> Evaluation:
        """Evaluate one argv exactly as given (no shell splitting, no heuristics)."""
        return self.check_multiple([argv], resolve_host_executables=resolve_host_executables)

    def check_multiple(self, commands: Iterable[Sequence[str]], *, resolve_host_executables: bool = True) -> Evaluation:
        """Evaluate several commands; the strictest matched decision wins."""
        matched: list[RuleMatch] = []
        for command in commands:
            matched.extend(self.matches_for_command(command, resolve_host_executables=resolve_host_executables))
        return Evaluation(matched_rules=tuple(matched))

    def _match_program(self, command: Sequence[str], program: str, *, resolved: str | None) -> list[PrefixRuleMatch]:
        out: list[PrefixRuleMatch] = []
        for rule in self._by_program.get(program, ()):
            prefix = rule.match_prefix(command, program=program)
            if prefix is not None:
                if resolved is not None:
                    # reported in the rule's own terms, as Codex does: `git status` matched by
                    # `/usr/bin/git status`, with the absolute path in `resolvedProgram`
                    prefix = [rule.program, *prefix[1:]]
                out.append(
                    PrefixRuleMatch(
                        matched_prefix=tuple(prefix),
                        decision=rule.decision,
                        justification=rule.justification,
                        resolved_program=resolved,
                        source=rule.source,
                    )
                )
        return out

    def _host_path_allowed(self, basename: str, path: str) -> bool:
        entries = [h for h in self.host_executables if h.name == basename]
        if not entries:
            return True
        # The latest definition for a name wins.
        return posixpath.normpath(path) in {posixpath.normpath(p) for p in entries[-1].paths}

    # -- building -----------------------------------------------------------------------------

    def with_prefix_rule(
        self, prefix: Sequence[str], decision: Decision = "allow", *, justification: str | None = None
    ) -> ExecPolicy:
        """A copy with one more literal prefix rule (used after "always allow" approvals)."""
        if not prefix:
            raise ValueError("prefix rule requires at least one token")
        rule = PrefixRule(program=prefix[0], rest=tuple(prefix[1:]), decision=decision, justification=justification)
        return attrs.evolve(self, prefix_rules=(*self.prefix_rules, rule))

    def merge_overlay(self, overlay: ExecPolicy) -> ExecPolicy:
        """This policy with ``overlay``'s rules added after it (managed requirements overlay)."""
        return ExecPolicy(
            prefix_rules=self.prefix_rules + overlay.prefix_rules,
            host_executables=self.host_executables + overlay.host_executables,
            network_rules=self.network_rules + overlay.network_rules,
        )

    def allow_prefixes(self) -> list[list[str]]:
        """Rendered patterns of all ``allow`` rules, sorted and deduplicated."""
        seen = {tuple(r.render_pattern()) for r in self.prefix_rules if r.decision == "allow"}
        return [list(p) for p in sorted(seen)]

    # -- network overlays (spec 4.10) -----------------------------------------------------------

    def compiled_network_domains(self) -> tuple[list[str], list[str]]:
        """``(allowed_hosts, denied_hosts)`` from ``network_rule`` calls, in order, later wins.

        ``allow`` moves a host to the allowed list, ``forbidden`` (or ``deny``) to the denied
        list; ``prompt`` rules are ignored.
        """
        allowed: list[str] = []
        denied: list[str] = []
        for rule in self.network_rules:
            if rule.decision == "allow":
                denied = [h for h in denied if h != rule.host]
                if rule.host not in allowed:
                    allowed.append(rule.host)
            elif rule.decision == "forbidden":
                allowed = [h for h in allowed if h != rule.host]
                if rule.host not in denied:
                    denied.append(rule.host)
        return allowed, denied
