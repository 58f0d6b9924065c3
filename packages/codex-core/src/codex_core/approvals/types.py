"""Approval vocabulary: policies, sandbox modes, user decisions and assessment results."""

from __future__ import annotations

from typing import Final, Literal, get_args

import attrs

from codex_core.config.models import ApprovalPolicy, GranularApprovalFlags, SandboxMode
from codex_core.errors import ConfigError, UsageError
from codex_core.execpolicy.model import Evaluation

__all__ = [
    "APPROVAL_POLICIES",
    "SANDBOX_MODES",
    "ApprovalPolicy",
    "ApprovalSetting",
    "ExecAction",
    "ExecAssessment",
    "GranularApproval",
    "RetryAction",
    "RetryAssessment",
    "ReviewDecision",
    "SandboxMode",
    "approval_setting",
    "parse_approval_policy",
    "parse_sandbox_mode",
    "resolve_cli_approval",
]


APPROVAL_POLICIES: Final[tuple[ApprovalPolicy, ...]] = get_args(ApprovalPolicy)
SANDBOX_MODES: Final[tuple[SandboxMode, ...]] = get_args(SandboxMode)


@attrs.frozen(kw_only=True)
class GranularApproval:
    """``approval_policy = { granular = {...} }``: on-request with per-kind prompt switches.

    ``False`` means prompts of that kind are auto-rejected instead of shown.
    """

    sandbox_approval: bool = True
    """Escalation / rerun-outside-sandbox prompts."""
    rules: bool = True
    """Prompts caused by a ``prompt`` rule."""


ApprovalSetting = ApprovalPolicy | GranularApproval


def approval_setting(policy: ApprovalPolicy, flags: GranularApprovalFlags | None) -> ApprovalSetting:
    """``policy`` as the approval checks take it: a ``GranularApproval`` when granular flags are
    configured (``Config.approval_granular``) and the policy in force is ``on-request``."""
    if flags is None or policy != "on-request":
        return policy
    return GranularApproval(sandbox_approval=flags.sandbox_approval, rules=flags.rules)


ReviewDecision = Literal[
    "approved",
    "approved_sandboxed",
    "approved_for_session",
    "approved_execpolicy_amendment",
    "denied",
    "abort",
]
"""The user's answer to an approval request.

* ``approved`` -- run once, as proposed (escalated if the request was an escalation).
* ``approved_sandboxed`` -- run once but keep the sandbox ("allow, but stay sandboxed").
* ``approved_for_session`` -- as ``approved`` and remember the command for this session.
* ``approved_execpolicy_amendment`` -- as ``approved`` and persist the proposed prefix rule
  (future matches run without asking, still sandboxed).
* ``denied`` -- do not run; the model is told. ``abort`` -- do not run and stop the turn.
"""

ExecAction = Literal["run-sandboxed", "run-unsandboxed", "ask", "reject"]
RetryAction = Literal["ask", "rerun-unsandboxed", "report-failure"]


@attrs.frozen(kw_only=True)
class ExecAssessment:
    """What to do with a command before running it (result of ``assess_command``)."""

    action: ExecAction
    """``run-sandboxed`` / ``run-unsandboxed``: run without asking; ``ask``: ask the user;
    ``reject``: do not run, tell the model ``reason``."""
    reason: str | None = None
    """Why the user is asked / why the command is rejected."""
    run_sandboxed_on_approval: bool = True
    """For ``ask``: whether an ``approved`` answer runs it inside the sandbox."""
    escalation: bool = False
    """For ``ask``: the question is "run outside the sandbox?"."""
    proposed_rule: tuple[str, ...] | None = None
    """For ``ask``: prefix to persist on ``approved_execpolicy_amendment``."""
    decided_by: Literal["rule", "heuristic", "session", "policy"] = "heuristic"
    commands: tuple[tuple[str, ...], ...] = ()
    """The commands the argv was split into for evaluation."""
    evaluation: Evaluation = attrs.field(factory=Evaluation)

    @property
    def needs_approval(self) -> bool:
        return self.action == "ask"

    @property
    def runs_without_asking(self) -> bool:
        return self.action in ("run-sandboxed", "run-unsandboxed")


@attrs.frozen(kw_only=True)
class RetryAssessment:
    """What to do after a sandboxed run failed with what looks like a sandbox denial."""

    action: RetryAction
    reason: str | None = None
    run_sandboxed_on_approval: bool = False
    escalation: bool = True
    proposed_rule: tuple[str, ...] | None = None
    may_request_escalation: bool = False
    """For ``report-failure``: the model may re-issue the command asking for escalation."""


def parse_approval_policy(value: str, *, source: str = "approval_policy") -> ApprovalPolicy:
    """Validate a wire value; raises :class:`ConfigError` naming ``source``."""
    for policy in APPROVAL_POLICIES:
        if value == policy:
            return policy
    raise ConfigError(f"invalid {source} {value!r}: expected one of {', '.join(APPROVAL_POLICIES)}", key=source)


def parse_sandbox_mode(value: str, *, source: str = "sandbox_mode") -> SandboxMode:
    """Validate a wire value; raises :class:`ConfigError` naming ``source``."""
    for mode in SANDBOX_MODES:
        if value == mode:
            return mode
    raise ConfigError(f"invalid {source} {value!r}: expected one of {', '.join(SANDBOX_MODES)}", key=source)


def resolve_cli_approval(
    *,
    approval_policy: ApprovalPolicy | None = None,
    sandbox_mode: SandboxMode | None = None,
    full_auto: bool = False,
    dangerously_bypass_approvals_and_sandbox: bool = False,
) -> tuple[ApprovalPolicy | None, SandboxMode | None]:
    """Apply ``--full-auto`` / ``--dangerously-bypass-approvals-and-sandbox`` to ``-a`` / ``-s``.

    ``--full-auto`` = ``on-request`` + ``workspace-write``; the bypass flag = ``never`` +
    ``danger-full-access`` and conflicts with ``-a`` and ``--full-auto`` (:class:`UsageError`).
    ``None`` in the result means "not set on the command line" (use config).
    """
    if dangerously_bypass_approvals_and_sandbox:
        if full_auto:
            raise UsageError("--dangerously-bypass-approvals-and-sandbox cannot be used with --full-auto")
        if approval_policy is not None:
            raise UsageError("--dangerously-bypass-approvals-and-sandbox cannot be used with --ask-for-approval")
        return "never", "danger-full-access"
    if full_auto:
        return "on-request", "workspace-write"
    return approval_policy, sandbox_mode
