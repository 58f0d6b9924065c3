"""Approvals: should a shell command run, sandboxed or not, ask the user, or be rejected?

The agent loop's seam (all pure, no I/O)::

    a = assess_command(argv, cwd=cwd, approval_policy=policy, sandbox_mode=mode,
                       policy=loaded.policy, escalation_requested=esc,
                       session_approvals=session.approvals)
    match a.action:
        case "run-sandboxed" | "run-unsandboxed": run it that way
        case "reject": return a.reason to the model as the tool output
        case "ask": emit approval.requested(reason=a.reason, proposed_rule=a.proposed_rule),
                    then outcome = apply_review_decision(a, decision, command=argv, ...)

After a sandboxed run failed and ``looks_like_sandbox_denial(...)``, call
``assess_retry_after_denial`` and handle its ``ask`` the same way.
"""

from __future__ import annotations

from codex_core.approvals.assess import (
    BANNED_PREFIX_SUGGESTIONS,
    PROMPT_CONFLICT_REASON,
    assess_command,
    assess_retry_after_denial,
    heuristic_decision,
    looks_like_sandbox_denial,
)
from codex_core.approvals.review import ReviewOutcome, apply_review_decision, review_outcome
from codex_core.approvals.session import SessionApprovals
from codex_core.approvals.types import (
    APPROVAL_POLICIES,
    SANDBOX_MODES,
    ApprovalPolicy,
    ApprovalSetting,
    ExecAction,
    ExecAssessment,
    GranularApproval,
    RetryAction,
    RetryAssessment,
    ReviewDecision,
    SandboxMode,
    approval_setting,
    parse_approval_policy,
    parse_sandbox_mode,
    resolve_cli_approval,
)

__all__ = [
    "APPROVAL_POLICIES",
    "BANNED_PREFIX_SUGGESTIONS",
    "PROMPT_CONFLICT_REASON",
    "SANDBOX_MODES",
    "ApprovalPolicy",
    "ApprovalSetting",
    "ExecAction",
    "ExecAssessment",
    "GranularApproval",
    "RetryAction",
    "RetryAssessment",
    "ReviewDecision",
    "ReviewOutcome",
    "SandboxMode",
    "SessionApprovals",
    "apply_review_decision",
    "approval_setting",
    "assess_command",
    "assess_retry_after_denial",
    "heuristic_decision",
    "looks_like_sandbox_denial",
    "parse_approval_policy",
    "parse_sandbox_mode",
    "resolve_cli_approval",
    "review_outcome",
]
