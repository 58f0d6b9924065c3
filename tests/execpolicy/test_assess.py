"""The approval decision table (spec 5.4 / 6 / 3.4) and the bypass cases."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from codex_core.approvals import (
    PROMPT_CONFLICT_REASON,
    ApprovalSetting,
    ExecAssessment,
    GranularApproval,
    SandboxMode,
    SessionApprovals,
    assess_command,
    assess_retry_after_denial,
    looks_like_sandbox_denial,
)
from codex_core.execpolicy import ExecPolicy

from .conftest import policy_from

CWD = Path("/work/project")
POLICY = policy_from(
    """
prefix_rule(pattern=["cargo", "test"], decision="allow")
prefix_rule(pattern=["git", "push"], decision="prompt", justification="pushing is visible to others")
prefix_rule(pattern=["curl"], decision="forbidden", justification="no network downloads")
prefix_rule(pattern=["git", "status"], decision="allow")
prefix_rule(pattern=["rm"], decision="forbidden", justification="use trash instead")
"""
)

# One representative command per kind of decision source.
KINDS: dict[str, list[str]] = {
    "known-safe": ["ls", "-la"],
    "unknown": ["cargo", "build"],
    "dangerous": ["sudo", "make", "install"],
    "rule-allow": ["cargo", "test", "--all"],
    "rule-prompt": ["git", "push", "origin"],
    "rule-forbidden": ["curl", "https://x"],
}
POLICIES: dict[str, ApprovalSetting] = {
    "untrusted": "untrusted",
    "on-failure": "on-failure",
    "on-request": "on-request",
    "never": "never",
    "granular": GranularApproval(),
    "granular-no-sandbox-no-rules": GranularApproval(sandbox_approval=False, rules=False),
}
MODES: list[SandboxMode] = ["read-only", "workspace-write", "danger-full-access"]


def expected(policy_name: str, mode: SandboxMode, kind: str, escalation: bool) -> tuple[str, bool | None]:
    """The spec 5.4 table, transcribed: (action, sandboxed-on-approval for asks)."""
    has_sandbox = mode != "danger-full-access"
    escalate = escalation and has_sandbox
    granular = policy_name.startswith("granular")
    strict_granular = policy_name == "granular-no-sandbox-no-rules"
    if kind == "rule-forbidden":
        return "reject", None
    if escalate and not (policy_name == "on-request" or granular):
        return "reject", None  # escalation not allowed under this approval policy
    if kind == "rule-allow":
        decision = "allow"
    elif kind == "rule-prompt":
        decision = "prompt"
    elif kind == "known-safe" and policy_name == "untrusted":
        decision = "allow"
    elif kind == "dangerous":
        decision = "forbidden" if policy_name == "never" else "prompt"
    elif policy_name in ("never", "on-failure"):
        decision = "allow"
    elif policy_name == "untrusted":
        decision = "prompt"
    else:  # on-request / granular
        decision = "prompt" if escalate else "allow"
    if decision == "forbidden":
        return "reject", None
    if escalate:
        if strict_granular:
            return "reject", None
        return "ask", False
    if decision == "prompt":
        if policy_name == "never" or strict_granular:
            return "reject", None
        return "ask", has_sandbox
    return ("run-sandboxed" if has_sandbox else "run-unsandboxed"), None


CASES = list(itertools.product(POLICIES, MODES, KINDS, [False, True]))


@pytest.mark.parametrize(("policy_name", "mode", "kind", "escalation"), CASES)
def test_decision_table(policy_name: str, mode: SandboxMode, kind: str, escalation: bool) -> None:
    result = assess_command(
        KINDS[kind],
        cwd=CWD,
        approval_policy=POLICIES[policy_name],
        sandbox_mode=mode,
        policy=POLICY,
        escalation_requested=escalation,
    )
    action, sandboxed_on_approval = expected(policy_name, mode, kind, escalation)
    assert result.action == action, result
    if action == "ask":
        assert result.run_sandboxed_on_approval is sandboxed_on_approval
        assert result.escalation is (sandboxed_on_approval is False and mode != "danger-full-access")
    if action in ("reject", "ask"):
        assert result.reason


def test_table_covers_every_combination() -> None:
    assert len(CASES) == 6 * 3 * 6 * 2
    outcomes = {expected(*case)[0] for case in CASES}
    assert outcomes == {"run-sandboxed", "run-unsandboxed", "ask", "reject"}


@pytest.mark.parametrize(
    ("argv", "policy", "mode", "escalation", "action", "reason"),
    [
        (
            ["curl", "x"],
            "on-request",
            "workspace-write",
            False,
            "reject",
            "`curl x` rejected: no network downloads",
        ),
        (["git", "push"], "never", "workspace-write", False, "reject", PROMPT_CONFLICT_REASON),
        (
            ["git", "push"],
            "untrusted",
            "read-only",
            False,
            "ask",
            "`git push` requires approval: pushing is visible to others",
        ),
        (
            ["cargo", "build"],
            "never",
            "read-only",
            True,
            "reject",
            "escalation not allowed under approval policy never",
        ),
        (
            ["sudo", "make"],
            "never",
            "danger-full-access",
            False,
            "reject",
            "dangerous command and approval policy is never",
        ),
        (["cargo", "build"], "untrusted", "read-only", False, "ask", "is not a known read-only command"),
        (["sudo", "ls"], "on-request", "read-only", False, "ask", "looks destructive"),
        (
            ["git", "push"],
            GranularApproval(rules=False),
            "read-only",
            False,
            "reject",
            "AskForApproval::Granular.rules is false",
        ),
        (
            ["cargo", "build"],
            GranularApproval(sandbox_approval=False),
            "read-only",
            True,
            "reject",
            "AskForApproval::Granular.sandbox_approval is false",
        ),
    ],
)
def test_reasons(
    argv: list[str], policy: ApprovalSetting, mode: SandboxMode, escalation: bool, action: str, reason: str
) -> None:
    result = assess_command(
        argv,
        cwd=CWD,
        approval_policy=policy,
        sandbox_mode=mode,
        policy=POLICY,
        escalation_requested=escalation,
    )
    assert result.action == action
    assert result.reason is not None and reason in result.reason


def test_rule_allow_stays_sandboxed_and_is_reported_as_rule() -> None:
    result = assess_command(
        ["cargo", "test"], cwd=CWD, approval_policy="untrusted", sandbox_mode="workspace-write", policy=POLICY
    )
    assert (result.action, result.decided_by) == ("run-sandboxed", "rule")
    assert result.evaluation.decision == "allow"


def test_escalation_justification_becomes_the_reason() -> None:
    result = assess_command(
        ["cargo", "test"],
        cwd=CWD,
        approval_policy="on-request",
        sandbox_mode="workspace-write",
        policy=POLICY,
        escalation_requested=True,
        justification="needs network to fetch crates",
    )
    assert (result.action, result.escalation, result.run_sandboxed_on_approval) == ("ask", True, False)
    assert result.reason == "needs network to fetch crates"
    assert result.proposed_rule is None


# -- bypass attempts ---------------------------------------------------------------------------

EVIL_SCRIPTS = [
    "git status && rm -rf /",
    "git status; rm -rf /",
    "git status | rm -rf /",
    "git status || rm -rf /",
    "git status & rm -rf /",
    "git status\nrm -rf /",
    "(git status; rm -rf /)",
    "git status $(rm -rf /)",
    "git status `rm -rf /`",
    'git status "$(rm -rf /)"',
    "FOO=1 rm -rf /",
    "git status; FOO=1 rm -rf /",
    "git status && bash -c 'rm -rf /'",
    "git status > /dev/null; rm -rf / 2>&1",
    "git status; if true; then rm -rf /; fi",
    "git status; env FOO=1 rm -rf /",
    "git status; timeout 5 rm -rf /",
    "git status; sudo -u root rm -rf /",
    "git status; xargs rm -rf < list",
    "git status; nice -n 5 bash -c 'rm -rf /'",
    "git status; env -S 'rm -rf /'",
    "git status; bash -c -- 'rm -rf /'",
    "git status; bash -o pipefail -c 'rm -rf /'",
    "git status; bash --rcfile x -c 'rm -rf /'",
]
WRAPPERS = [["bash", "-lc"], ["sh", "-c"], ["zsh", "-lc"], ["/bin/bash", "-c"]]


@pytest.mark.parametrize("script", EVIL_SCRIPTS)
@pytest.mark.parametrize("policy_name", list(POLICIES))
@pytest.mark.parametrize("wrapper", WRAPPERS, ids=lambda w: " ".join(w))
def test_forbidden_command_cannot_hide_behind_allowed_one(script: str, policy_name: str, wrapper: list[str]) -> None:
    result = assess_command(
        [*wrapper, script],
        cwd=CWD,
        approval_policy=POLICIES[policy_name],
        sandbox_mode="danger-full-access",
        policy=POLICY,
    )
    assert result.action == "reject"
    assert "use trash instead" in (result.reason or "")


UNKNOWN_EVIL = [
    "git status && evil",
    "git status; evil",
    "git status | evil",
    "git status\nevil",
    "git status $(evil)",
    "git status `evil`",
    "FOO=1 evil",
    "git status > /etc/x",
    "git status 2> ~/.bashrc",
    "git status <<EOF\nx\nEOF",
    "git status 'unbalanced",
]


@pytest.mark.parametrize("script", UNKNOWN_EVIL)
def test_allowed_prefix_never_approves_unknown_extra(script: str) -> None:
    argv = ["bash", "-lc", script]
    untrusted = assess_command(argv, cwd=CWD, approval_policy="untrusted", sandbox_mode="read-only", policy=POLICY)
    assert untrusted.action == "ask"
    assert untrusted.decided_by == "heuristic"
    # the allowed `git status` rule must not vouch for the extra part: heuristics decide
    full = assess_command(argv, cwd=CWD, approval_policy="on-request", sandbox_mode="workspace-write", policy=POLICY)
    assert full.decided_by == "heuristic"
    assert full.action == "run-sandboxed"  # sandbox enforces; never run unsandboxed on the rule's word
    plain = assess_command(
        ["bash", "-lc", "git status"],
        cwd=CWD,
        approval_policy="untrusted",
        sandbox_mode="read-only",
        policy=POLICY,
    )
    assert (plain.action, plain.decided_by) == ("run-sandboxed", "rule")


@pytest.mark.parametrize("script", ["echo $(rm -rf /)", "ls `sudo id`", "FOO=1 rm -rf /", "cat <<E\n$(sudo x)\nE"])
def test_dangerous_hidden_in_unparseable_script(script: str) -> None:
    argv = ["bash", "-lc", script]
    empty = ExecPolicy.empty()
    never = assess_command(argv, cwd=CWD, approval_policy="never", sandbox_mode="workspace-write", policy=empty)
    assert never.action == "reject"
    on_request = assess_command(
        argv, cwd=CWD, approval_policy="on-request", sandbox_mode="danger-full-access", policy=empty
    )
    assert on_request.action == "ask"


def test_known_safe_script_runs_under_untrusted_but_not_with_extra() -> None:
    empty = ExecPolicy.empty()
    ok = assess_command(
        ["bash", "-lc", "ls && cat README.md | wc -l"],
        cwd=CWD,
        approval_policy="untrusted",
        sandbox_mode="read-only",
        policy=empty,
    )
    assert ok.action == "run-sandboxed"
    assert ok.commands == (("ls",), ("cat", "README.md"), ("wc", "-l"))
    bad = assess_command(
        ["bash", "-lc", "ls && python x.py"],
        cwd=CWD,
        approval_policy="untrusted",
        sandbox_mode="read-only",
        policy=empty,
    )
    assert bad.action == "ask"
    assert bad.proposed_rule == ("python", "x.py")


# -- proposed rules ------------------------------------------------------------------------------


def ask(
    argv: list[str],
    policy: ExecPolicy = POLICY,
    *,
    suggested_prefix_rule: list[str] | None = None,
    session_approvals: SessionApprovals | None = None,
) -> ExecAssessment:
    result = assess_command(
        argv,
        cwd=CWD,
        approval_policy="untrusted",
        sandbox_mode="read-only",
        policy=policy,
        suggested_prefix_rule=suggested_prefix_rule,
        session_approvals=session_approvals,
    )
    assert result.action == "ask"
    return result


def test_proposed_rule_selection() -> None:
    assert ask(["npm", "run", "build"]).proposed_rule == ("npm", "run", "build")
    assert ask(["npm", "run", "build"], suggested_prefix_rule=["npm", "run"]).proposed_rule == ("npm", "run")
    assert ask(["npm", "run", "build"], suggested_prefix_rule=["yarn"]).proposed_rule == (
        "npm",
        "run",
        "build",
    )
    assert ask(["python", "-c", "print(1)"], suggested_prefix_rule=["python", "-c"]).proposed_rule == (
        "python",
        "-c",
        "print(1)",
    )
    assert ask(["python"]).proposed_rule is None  # banned over-broad prefix
    assert ask(["git", "push"]).proposed_rule is None  # a prompt rule would still apply
    assert ask(["bash", "-lc", "npm i $(x)"]).proposed_rule is None  # opaque scripts never get a rule


# -- session approvals ---------------------------------------------------------------------------


def test_session_approval_skips_prompt_but_keeps_sandbox() -> None:
    session = SessionApprovals()
    argv = ["npm", "run", "build"]
    assert ask(argv, session_approvals=session).action == "ask"
    session.approve_command(argv)
    again = assess_command(
        argv,
        cwd=CWD,
        approval_policy="untrusted",
        sandbox_mode="read-only",
        policy=POLICY,
        session_approvals=session,
    )
    assert (again.action, again.decided_by) == ("run-sandboxed", "session")
    escalated = assess_command(
        argv,
        cwd=CWD,
        approval_policy="on-request",
        sandbox_mode="read-only",
        policy=POLICY,
        escalation_requested=True,
        session_approvals=session,
    )
    assert escalated.action == "ask"  # a sandboxed approval does not cover escalation
    session.approve_command(argv, escalated=True)
    escalated = assess_command(
        argv,
        cwd=CWD,
        approval_policy="on-request",
        sandbox_mode="read-only",
        policy=POLICY,
        escalation_requested=True,
        session_approvals=session,
    )
    assert escalated.action == "run-unsandboxed"


def test_session_prefix_covers_split_commands_but_never_forbidden() -> None:
    session = SessionApprovals()
    session.approve_prefix(["npm"])
    ok = assess_command(
        ["bash", "-lc", "npm ci && npm test"],
        cwd=CWD,
        approval_policy="untrusted",
        sandbox_mode="read-only",
        policy=POLICY,
        session_approvals=session,
    )
    assert ok.action == "run-sandboxed"
    mixed = assess_command(
        ["bash", "-lc", "npm ci && make"],
        cwd=CWD,
        approval_policy="untrusted",
        sandbox_mode="read-only",
        policy=POLICY,
        session_approvals=session,
    )
    assert mixed.action == "ask"
    session.approve_command(["curl", "x"], escalated=True)
    forbidden = assess_command(
        ["curl", "x"], cwd=CWD, approval_policy="untrusted", sandbox_mode="read-only", policy=POLICY,
        session_approvals=session,
    )  # fmt: skip
    assert forbidden.action == "reject"


# -- retries after a sandbox denial (spec 3.4) ----------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "mode", "action"),
    [
        ("on-failure", "workspace-write", "ask"),
        ("on-request", "workspace-write", "ask"),
        ("untrusted", "read-only", "ask"),
        ("never", "workspace-write", "report-failure"),
        (GranularApproval(), "read-only", "ask"),
        (GranularApproval(sandbox_approval=False), "read-only", "report-failure"),
        ("on-failure", "danger-full-access", "report-failure"),
    ],
)
def test_retry_after_denial(policy: ApprovalSetting, mode: SandboxMode, action: str) -> None:
    result = assess_retry_after_denial(["npm", "install"], approval_policy=policy, sandbox_mode=mode, policy=POLICY)
    assert result.action == action
    if action == "ask":
        assert (result.escalation, result.run_sandboxed_on_approval) == (True, False)


def test_retry_never_reruns_forbidden_and_uses_session_cache() -> None:
    forbidden = assess_retry_after_denial(
        ["bash", "-lc", "ls; curl x"], approval_policy="on-failure", sandbox_mode="read-only", policy=POLICY
    )
    assert forbidden.action == "report-failure"
    session = SessionApprovals()
    session.approve_command(["npm", "install"], escalated=True)
    cached = assess_retry_after_denial(
        ["npm", "install"],
        approval_policy="on-failure",
        sandbox_mode="read-only",
        policy=POLICY,
        session_approvals=session,
    )
    assert cached.action == "rerun-unsandboxed"


@pytest.mark.parametrize(
    ("kwargs", "denied"),
    [
        ({"exit_code": 1, "stderr": "touch: cannot touch '/etc/x': Permission denied"}, True),
        ({"exit_code": 1, "stderr": "Read-only file system"}, True),
        ({"exit_code": 1, "stdout": "connect: Operation not permitted"}, True),
        ({"exit_code": 159, "signal": 31}, True),
        ({"exit_code": 1, "stderr": "error: tests failed"}, False),
        ({"exit_code": 0, "stderr": "Permission denied"}, False),
        ({"exit_code": 124, "stderr": "Permission denied", "timed_out": True}, False),
    ],
)
def test_looks_like_sandbox_denial(kwargs: dict[str, object], denied: bool) -> None:
    assert looks_like_sandbox_denial(**kwargs) is denied  # type: ignore[arg-type]
