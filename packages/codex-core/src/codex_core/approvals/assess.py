"""The approval decision for a shell command, as pure functions (spec 5.4, 6 and 3.4).

``assess_command`` runs before every shell call; ``assess_retry_after_denial`` after a
sandboxed run failed in a way that looks like a sandbox denial. Neither does I/O.

Semantics beyond Codex: a rule ``allow`` means "run without asking, *still sandboxed*"; only an
explicit user approval of an escalation (or of a rerun after a denial) runs a command outside
the sandbox. With ``danger-full-access`` there is no sandbox, so "run" is always unsandboxed.
"""

from __future__ import annotations

import functools
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import attrs

from codex_core.approvals.session import SessionApprovals
from codex_core.approvals.types import (
    ApprovalSetting,
    ExecAssessment,
    GranularApproval,
    RetryAssessment,
    SandboxMode,
)
from codex_core.execpolicy.command_safety import (
    is_dangerous_command,
    is_known_safe_command,
    loose_segments,
    shell_wrappers_trusted,
)
from codex_core.execpolicy.model import (
    Decision,
    Evaluation,
    HeuristicsRuleMatch,
    PrefixRuleMatch,
    RuleMatch,
)
from codex_core.execpolicy.policy import ExecPolicy
from codex_core.execpolicy.shell_split import CommandParse, parse_command_for_policy_detailed

__all__ = [
    "BANNED_PREFIX_SUGGESTIONS",
    "PROMPT_CONFLICT_REASON",
    "assess_command",
    "assess_retry_after_denial",
    "heuristic_decision",
    "looks_like_sandbox_denial",
]

PROMPT_CONFLICT_REASON: Final = "approval required by policy, but AskForApproval is set to Never"
REJECT_SANDBOX_APPROVAL_REASON: Final = (
    "approval required by policy, but AskForApproval::Granular.sandbox_approval is false"
)
REJECT_RULES_APPROVAL_REASON: Final = "approval required by policy rule, but AskForApproval::Granular.rules is false"

BANNED_PREFIX_SUGGESTIONS: Final[frozenset[tuple[str, ...]]] = frozenset(
    tuple(p.split(" "))
    for p in (
        "python3", "python3 -", "python3 -c", "python", "python -", "python -c", "py", "py -3", "pythonw",
        "pyw", "pypy", "pypy3", "git", "bash", "bash -lc", "sh", "sh -c", "sh -lc", "zsh", "zsh -lc",
        "/bin/zsh", "/bin/zsh -lc", "/bin/bash", "/bin/bash -lc", "pwsh", "pwsh -Command", "pwsh -c",
        "powershell", "powershell -Command", "powershell -c", "powershell.exe", "powershell.exe -Command",
        "powershell.exe -c", "env", "sudo", "node", "node -e", "perl", "perl -e", "ruby", "ruby -e", "php",
        "php -r", "lua", "lua -e", "osascript",
    )
)  # fmt: skip
"""Over-broad prefixes never proposed as "always allow" rules."""

_SIGSYS: Final = 31
_DENIAL_KEYWORDS: Final = (
    "operation not permitted",
    "permission denied",
    "read-only file system",
    "seccomp",
    "sandbox",
    "landlock",
    "failed to write file",
)


def _policy_name(setting: ApprovalSetting) -> str:
    return "granular" if isinstance(setting, GranularApproval) else setting


def _display(argv: Sequence[str]) -> str:
    return shlex.join(argv)


def heuristic_decision(
    command: Sequence[str],
    *,
    approval_policy: ApprovalSetting,
    sandbox_mode: SandboxMode,
    escalation_requested: bool,
    opaque: bool,
    search_path: str | None = None,
) -> Decision:
    """Decision for a command no rule matched (the spec 5.4 table).

    ``search_path`` is the ``PATH`` the command runs with (default: this process's): a
    known-safe name only counts when it resolves to the system program.
    """
    if approval_policy == "untrusted" and not opaque and is_known_safe_command(command, search_path=search_path):
        return "allow"
    if is_dangerous_command(command):
        return "forbidden" if approval_policy == "never" else "prompt"
    if approval_policy == "never" or approval_policy == "on-failure":
        return "allow"  # the sandbox protects; on-failure asks after a denial
    if approval_policy == "untrusted":
        return "prompt"
    # on-request / granular
    if sandbox_mode == "danger-full-access":
        return "allow"
    return "prompt" if escalation_requested else "allow"


def _prompt_rejection(setting: ApprovalSetting, *, prompt_is_rule: bool) -> str | None:
    if setting == "never":
        return PROMPT_CONFLICT_REASON
    if isinstance(setting, GranularApproval):
        if prompt_is_rule and not setting.rules:
            return REJECT_RULES_APPROVAL_REASON
        if not prompt_is_rule and not setting.sandbox_approval:
            return REJECT_SANDBOX_APPROVAL_REASON
    return None


def _evaluate(
    policy: ExecPolicy,
    parsed: CommandParse,
    *,
    approval_policy: ApprovalSetting,
    sandbox_mode: SandboxMode,
    escalation: bool,
    argv: Sequence[str],
    search_path: str | None,
) -> Evaluation:
    matches: list[RuleMatch] = []
    # Sub-commands of a script run by a shell that is not the system shell (`/tmp/x/bash -lc
    # ls`) are not what runs: like opaque text, none of them is known safe.
    untrusted_shell = parsed.from_shell and not shell_wrappers_trusted(argv, search_path=search_path)
    for command in parsed.commands:
        found = policy.matches_for_command(command)
        if found:
            matches.extend(found)
        else:
            decision = heuristic_decision(
                command,
                approval_policy=approval_policy,
                sandbox_mode=sandbox_mode,
                escalation_requested=escalation,
                opaque=parsed.opaque or untrusted_shell,
                search_path=search_path,
            )
            matches.append(HeuristicsRuleMatch(command=tuple(command), decision=decision))
    # Commands run through wrappers (`env FOO=1 rm -rf /`, `timeout 5 bash -c ...`) may only
    # make the decision stricter.
    for shadow in parsed.shadow_commands:
        matches.extend(m for m in policy.matches_for_command(shadow) if m.decision != "allow")
    # Text the splitter could not understand may hide commands (`$(rm -rf /)`, `FOO=1 rm ...`):
    # rules that would make the decision stricter still apply to anything that looks like one.
    for script in parsed.opaque_scripts:
        for segment in loose_segments(script, starts_at=policy.has_rules_for):
            matches.extend(m for m in policy.matches_for_command(segment) if m.decision != "allow")
    return Evaluation(matched_rules=tuple(matches))


def _is_banned(prefix: Sequence[str]) -> bool:
    return tuple(prefix) in BANNED_PREFIX_SUGGESTIONS


def _proposed_rule(
    evaluation: Evaluation, parsed: CommandParse, suggested: Sequence[str] | None
) -> tuple[str, ...] | None:
    """An "always allow" prefix that would let this command through next time, if any."""
    if parsed.opaque:
        return None
    if any(isinstance(m, PrefixRuleMatch) and m.decision == "prompt" for m in evaluation.matched_rules):
        return None  # a prompt rule would still apply
    prompting = [
        m.command for m in evaluation.matched_rules if isinstance(m, HeuristicsRuleMatch) and m.decision == "prompt"
    ]
    if not prompting:
        return None
    if suggested and not _is_banned(suggested) and not evaluation.is_rule_match:
        prefix = tuple(suggested)
        if all(cmd[: len(prefix)] == prefix for cmd in prompting):
            return prefix
    first = prompting[0]
    return None if _is_banned(first) else first


def _forbidden_reason(argv: Sequence[str], evaluation: Evaluation) -> str:
    for match in evaluation.matched_rules:
        if isinstance(match, PrefixRuleMatch) and match.decision == "forbidden":
            return f"`{_display(argv)}` rejected: {match.justification or 'blocked by policy'}"
    return f"`{_display(argv)}` rejected: dangerous command and approval policy is never"


def _prompt_reason(argv: Sequence[str], evaluation: Evaluation, approval_policy: ApprovalSetting) -> str:
    for match in evaluation.matched_rules:
        if isinstance(match, PrefixRuleMatch) and match.decision == "prompt":
            return f"`{_display(argv)}` requires approval: {match.justification or 'by policy rule'}"
    for match in evaluation.matched_rules:
        if (
            isinstance(match, HeuristicsRuleMatch)
            and match.decision == "prompt"
            and is_dangerous_command(match.command)
        ):
            return f"`{_display(argv)}` looks destructive and requires approval"
    name = _policy_name(approval_policy)
    return f"`{_display(argv)}` is not a known read-only command (approval policy {name})"


def assess_command(
    command: Sequence[str],
    *,
    cwd: Path,
    approval_policy: ApprovalSetting,
    sandbox_mode: SandboxMode,
    policy: ExecPolicy,
    escalation_requested: bool = False,
    session_approvals: SessionApprovals | None = None,
    justification: str | None = None,
    suggested_prefix_rule: Sequence[str] | None = None,
    search_path: str | None = None,
) -> ExecAssessment:
    """Decide whether ``command`` runs (sandboxed or not), needs the user, or is rejected.

    Order: exec-policy ``forbidden`` (any sub-command) > escalation not permitted by the policy
    > heuristic ``forbidden`` (dangerous under ``never``) > session approvals > escalation
    prompt > ``prompt`` (rule or heuristic; rejected where the policy cannot ask) > run.
    ``cwd`` is accepted for future path-aware rules; the decision does not depend on it yet.
    ``justification`` (the model's reason for an escalation) becomes the prompt reason;
    ``suggested_prefix_rule`` is the model's proposed "always allow" prefix. ``search_path`` is
    the ``PATH`` the command will run with (default: this process's ``PATH``).
    """
    del cwd  # reserved: rules are not path-aware yet
    argv = tuple(command)
    if not argv:
        return ExecAssessment(action="reject", reason="empty command", decided_by="policy")
    parsed = parse_command_for_policy_detailed(argv)
    has_sandbox = sandbox_mode != "danger-full-access"
    escalation = escalation_requested and has_sandbox
    evaluation = _evaluate(
        policy,
        parsed,
        approval_policy=approval_policy,
        sandbox_mode=sandbox_mode,
        escalation=escalation,
        argv=argv,
        search_path=search_path,
    )

    base = ExecAssessment(action="reject", commands=parsed.commands, evaluation=evaluation)
    result = functools.partial(attrs.evolve, base)

    rule_decisions = [m.decision for m in evaluation.matched_rules if isinstance(m, PrefixRuleMatch)]
    if "forbidden" in rule_decisions:
        return result(action="reject", reason=_forbidden_reason(argv, evaluation), decided_by="rule")
    if escalation and not (approval_policy == "on-request" or isinstance(approval_policy, GranularApproval)):
        return result(
            action="reject",
            reason=f"escalation not allowed under approval policy {_policy_name(approval_policy)}: "
            "run the command inside the sandbox instead",
            decided_by="policy",
        )
    decision = evaluation.decision
    if decision == "forbidden":
        return result(action="reject", reason=_forbidden_reason(argv, evaluation), decided_by="heuristic")

    run_action = "run-sandboxed" if has_sandbox else "run-unsandboxed"
    if session_approvals is not None and session_approvals.covers(argv, escalated=escalation):
        return result(action="run-unsandboxed" if escalation else run_action, decided_by="session")

    prompt_is_rule = "prompt" in rule_decisions
    if escalation:
        rejection = _prompt_rejection(approval_policy, prompt_is_rule=False) or (
            _prompt_rejection(approval_policy, prompt_is_rule=True) if prompt_is_rule else None
        )
        if rejection:
            return result(action="reject", reason=rejection, decided_by="policy")
        reason = justification or f"`{_display(argv)}` asks to run outside the sandbox"
        return result(
            action="ask", reason=reason, run_sandboxed_on_approval=False, escalation=True, decided_by="policy"
        )
    if decision == "prompt":
        rejection = _prompt_rejection(approval_policy, prompt_is_rule=prompt_is_rule)
        decided_by = "rule" if prompt_is_rule else "heuristic"
        if rejection:
            return result(action="reject", reason=rejection, decided_by=decided_by)
        return result(
            action="ask",
            reason=_prompt_reason(argv, evaluation, approval_policy),
            run_sandboxed_on_approval=has_sandbox,
            proposed_rule=_proposed_rule(evaluation, parsed, suggested_prefix_rule),
            decided_by=decided_by,
        )
    all_rule_allowed = bool(parsed.commands) and all(
        policy.matches_for_command(c) and not parsed.opaque for c in parsed.commands
    )
    return result(action=run_action, decided_by="rule" if all_rule_allowed else "heuristic")


def assess_retry_after_denial(
    command: Sequence[str],
    *,
    approval_policy: ApprovalSetting,
    sandbox_mode: SandboxMode,
    policy: ExecPolicy,
    session_approvals: SessionApprovals | None = None,
) -> RetryAssessment:
    """After a sandboxed run failed with a sandbox denial: ask to rerun unsandboxed, or not.

    ``never`` reports the failure to the model; granular without ``sandbox_approval`` too.
    ``on-failure``, ``on-request`` and ``untrusted`` ask the user to rerun outside the sandbox
    (as Codex's orchestrator does); with ``on-request`` the model could also re-issue the
    command with ``sandbox_permissions="require_escalated"``. A session approval with
    escalation reruns without asking. Forbidden commands are never rerun.
    """
    argv = tuple(command)
    if sandbox_mode == "danger-full-access":
        return RetryAssessment(action="report-failure", reason="the command did not run in a sandbox")
    parsed = parse_command_for_policy_detailed(argv)
    if policy.check_multiple(parsed.commands).decision == "forbidden":
        return RetryAssessment(action="report-failure", reason="the command is forbidden by exec policy")
    if session_approvals is not None and session_approvals.covers(argv, escalated=True):
        return RetryAssessment(action="rerun-unsandboxed", reason="approved for this session")
    may_escalate = approval_policy == "on-request" or isinstance(approval_policy, GranularApproval)
    if approval_policy == "never":
        return RetryAssessment(action="report-failure", reason="sandbox denied the command; approval policy is never")
    if isinstance(approval_policy, GranularApproval) and not approval_policy.sandbox_approval:
        return RetryAssessment(
            action="report-failure", reason=REJECT_SANDBOX_APPROVAL_REASON, may_request_escalation=False
        )
    return RetryAssessment(
        action="ask",
        reason=f"`{_display(argv)}` failed inside the sandbox; retry without sandbox?",
        may_request_escalation=may_escalate,
    )


def looks_like_sandbox_denial(
    *,
    exit_code: int,
    stdout: str = "",
    stderr: str = "",
    timed_out: bool = False,
    signal: int | None = None,
) -> bool:
    """Spec 3.4: non-zero exit with permission-failure wording, or killed by SIGSYS."""
    if timed_out:
        return False
    if signal == _SIGSYS:
        return True
    if exit_code == 0:
        return False
    text = f"{stdout}\n{stderr}".lower()
    return any(keyword in text for keyword in _DENIAL_KEYWORDS)
