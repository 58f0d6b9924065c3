"""Turning the user's :data:`ReviewDecision` into what happens next."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import attrs

from codex_core.approvals.session import SessionApprovals
from codex_core.approvals.types import ExecAssessment, RetryAssessment, ReviewDecision
from codex_core.execpolicy.amend import append_allow_rule

__all__ = ["ReviewOutcome", "apply_review_decision", "review_outcome"]


@attrs.frozen(kw_only=True)
class ReviewOutcome:
    """What to do after the user answered an approval request."""

    action: Literal["run-sandboxed", "run-unsandboxed", "skip", "abort"]
    """``skip``: do not run, tell the model the user denied it; ``abort``: stop the turn."""
    remember_for_session: bool = False
    remember_escalated: bool = False
    persist_prefix: tuple[str, ...] | None = None
    """Prefix to append to ``default.rules`` (``approved_execpolicy_amendment``)."""


def review_outcome(assessment: ExecAssessment | RetryAssessment, decision: ReviewDecision) -> ReviewOutcome:
    """Pure mapping of (what was asked, what the user said) to the next step."""
    if decision == "denied":
        return ReviewOutcome(action="skip")
    if decision == "abort":
        return ReviewOutcome(action="abort")
    if decision == "approved_sandboxed":
        return ReviewOutcome(action="run-sandboxed")
    action: Literal["run-sandboxed", "run-unsandboxed"] = (
        "run-sandboxed" if assessment.run_sandboxed_on_approval else "run-unsandboxed"
    )
    if decision == "approved":
        return ReviewOutcome(action=action)
    if decision == "approved_for_session":
        return ReviewOutcome(action=action, remember_for_session=True, remember_escalated=assessment.escalation)
    # approved_execpolicy_amendment
    return ReviewOutcome(action=action, persist_prefix=assessment.proposed_rule)


def apply_review_decision(
    assessment: ExecAssessment | RetryAssessment,
    decision: ReviewDecision,
    *,
    command: Sequence[str],
    session_approvals: SessionApprovals,
    codex_home: Path | None = None,
) -> ReviewOutcome:
    """:func:`review_outcome` plus its side effects.

    Records session approvals and, for ``approved_execpolicy_amendment`` with a proposed rule,
    appends the ``prefix_rule`` to ``codex_home/rules/default.rules`` (the caller should also
    add it to its in-memory policy with ``ExecPolicy.with_prefix_rule``; it is remembered for
    the session here so it takes effect immediately). Raises ``ExecPolicyError`` if the rules
    file cannot be written.
    """
    outcome = review_outcome(assessment, decision)
    if outcome.remember_for_session:
        session_approvals.approve_command(command, escalated=outcome.remember_escalated)
    if outcome.persist_prefix is not None:
        session_approvals.approve_prefix(outcome.persist_prefix)
        if codex_home is not None:
            append_allow_rule(codex_home, outcome.persist_prefix)
    return outcome
