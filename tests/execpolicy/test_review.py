from __future__ import annotations

from pathlib import Path

import pytest

from codex_core.approvals import (
    ExecAssessment,
    RetryAssessment,
    ReviewDecision,
    SessionApprovals,
    apply_review_decision,
    assess_command,
    parse_approval_policy,
    parse_sandbox_mode,
    resolve_cli_approval,
    review_outcome,
)
from codex_core.errors import ConfigError, UsageError
from codex_core.execpolicy import ExecPolicy, load_exec_policy

SANDBOXED_ASK = ExecAssessment(action="ask", reason="r", run_sandboxed_on_approval=True, proposed_rule=("npm", "ci"))
ESCALATION_ASK = ExecAssessment(action="ask", reason="r", run_sandboxed_on_approval=False, escalation=True)


@pytest.mark.parametrize(
    ("assessment", "decision", "action", "session", "escalated", "persist"),
    [
        (SANDBOXED_ASK, "approved", "run-sandboxed", False, False, None),
        (ESCALATION_ASK, "approved", "run-unsandboxed", False, False, None),
        (ESCALATION_ASK, "approved_sandboxed", "run-sandboxed", False, False, None),
        (SANDBOXED_ASK, "approved_for_session", "run-sandboxed", True, False, None),
        (ESCALATION_ASK, "approved_for_session", "run-unsandboxed", True, True, None),
        (SANDBOXED_ASK, "approved_execpolicy_amendment", "run-sandboxed", False, False, ("npm", "ci")),
        (ESCALATION_ASK, "approved_execpolicy_amendment", "run-unsandboxed", False, False, None),
        (RetryAssessment(action="ask"), "approved", "run-unsandboxed", False, False, None),
        (SANDBOXED_ASK, "denied", "skip", False, False, None),
        (ESCALATION_ASK, "abort", "abort", False, False, None),
    ],
)
def test_review_outcome(
    assessment: ExecAssessment | RetryAssessment,
    decision: ReviewDecision,
    action: str,
    session: bool,
    escalated: bool,
    persist: tuple[str, ...] | None,
) -> None:
    outcome = review_outcome(assessment, decision)
    assert (
        outcome.action,
        outcome.remember_for_session,
        outcome.remember_escalated,
        outcome.persist_prefix,
    ) == (
        action,
        session,
        escalated,
        persist,
    )


def test_apply_review_persists_rule_and_next_run_is_sandboxed_without_asking(tmp_path: Path) -> None:
    home = tmp_path / "home"
    session = SessionApprovals()
    argv = ["npm", "run", "build"]
    first = assess_command(
        argv,
        cwd=tmp_path,
        approval_policy="untrusted",
        sandbox_mode="workspace-write",
        policy=ExecPolicy.empty(),
    )
    assert first.action == "ask" and first.proposed_rule == tuple(argv)
    outcome = apply_review_decision(
        first, "approved_execpolicy_amendment", command=argv, session_approvals=session, codex_home=home
    )
    assert outcome.action == "run-sandboxed"
    # in this session (no reload) and in a new one (rules reloaded from disk)
    same_session = assess_command(
        [*argv, "--prod"],
        cwd=tmp_path,
        approval_policy="untrusted",
        sandbox_mode="workspace-write",
        policy=ExecPolicy.empty(),
        session_approvals=session,
    )
    assert same_session.action == "run-sandboxed"
    reloaded = load_exec_policy(home)
    new_session = assess_command(
        [*argv, "--prod"],
        cwd=tmp_path,
        approval_policy="untrusted",
        sandbox_mode="workspace-write",
        policy=reloaded.policy,
    )
    assert (new_session.action, new_session.decided_by) == ("run-sandboxed", "rule")


def test_apply_review_for_session_escalation(tmp_path: Path) -> None:
    session = SessionApprovals()
    apply_review_decision(ESCALATION_ASK, "approved_for_session", command=["make"], session_approvals=session)
    assert session.covers(["make"], escalated=True)
    assert session.covers(["make"])
    assert not session.covers(["make", "install"])
    assert not (tmp_path / "rules").exists()


def test_resolve_cli_approval() -> None:
    assert resolve_cli_approval() == (None, None)
    assert resolve_cli_approval(approval_policy="untrusted", sandbox_mode="read-only") == (
        "untrusted",
        "read-only",
    )
    assert resolve_cli_approval(full_auto=True) == ("on-request", "workspace-write")
    assert resolve_cli_approval(dangerously_bypass_approvals_and_sandbox=True) == (
        "never",
        "danger-full-access",
    )
    with pytest.raises(UsageError, match="--full-auto"):
        resolve_cli_approval(full_auto=True, dangerously_bypass_approvals_and_sandbox=True)
    with pytest.raises(UsageError, match="--ask-for-approval"):
        resolve_cli_approval(approval_policy="never", dangerously_bypass_approvals_and_sandbox=True)


def test_parse_wire_values() -> None:
    assert parse_approval_policy("on-request") == "on-request"
    assert parse_sandbox_mode("workspace-write") == "workspace-write"
    with pytest.raises(ConfigError, match="invalid approval_policy 'sometimes'"):
        parse_approval_policy("sometimes")
    with pytest.raises(ConfigError, match="invalid -s 'full'"):
        parse_sandbox_mode("full", source="-s")
