"""`codex exec review` and `codex review`: the review prompt the model gets, and what the user reads.

Texts checked here are the reference's (Codex 0.169 run against the same scripted server): the
review guidelines as base instructions, the target sentence as the user message, and the rendered
findings as the one agent message.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from codex_core.review import (
    REVIEW_FALLBACK_MESSAGE,
    REVIEW_INTERRUPTED_MESSAGE,
    ReviewTarget,
    parse_review_output,
    render_review_output,
    review_request,
)
from tests.e2e.conftest import run_codex
from tests.support.sse_server import ScriptedResponsesServer, turn_message

FINDING = {
    "title": "[P1] add subtracts",
    "body": "add returns a - b instead of a + b.",
    "confidence_score": 0.9,
    "priority": 1,
    "code_location": {"absolute_file_path": "/w/m.py", "line_range": {"start": 2, "end": 2}},
}
REVIEW = {
    "findings": [FINDING],
    "overall_correctness": "patch is incorrect",
    "overall_explanation": "The change breaks add.",
    "overall_confidence_score": 0.8,
}
RENDERED = (
    "The change breaks add.\n\nReview comment:\n\n- [P1] add subtracts — /w/m.py:2-2\n"
    "  add returns a - b instead of a + b."
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def make_history(repo: Path) -> tuple[str, str]:
    """main: one commit; feature: one more commit; plus an uncommitted edit. Returns (base, head)."""
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    (repo / "m.py").write_text("def add(a, b):\n    return a + b\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "init")
    git(repo, "branch", "-M", "main")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-qb", "feature")
    (repo / "m.py").write_text("def add(a, b):\n    return a - b\n")
    git(repo, "commit", "-qam", "break add")
    (repo / "new.py").write_text("x = 1\n")
    return base, git(repo, "rev-parse", "HEAD")


def user_texts(body: dict[str, object]) -> list[str]:
    items = body["input"]
    assert isinstance(items, list)
    return [i["content"][0]["text"] for i in items if i.get("type") == "message" and i.get("role") == "user"]


def test_exec_review_uncommitted_json(server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path) -> None:
    make_history(repo)
    server.enqueue(turn_message(json.dumps(REVIEW)))
    proc = run_codex(["exec", "review", "--uncommitted", "--json"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["type"] for e in events] == ["thread.started", "turn.started", "item.completed", "turn.completed"]
    assert events[2]["item"]["type"] == "agent_message" and events[2]["item"]["text"] == RENDERED
    body = server.requests[0].body
    base_instructions = json.dumps(body)
    assert "# Review guidelines:" in base_instructions and "overall_correctness" in base_instructions
    assert user_texts(body)[-1] == (
        "Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings."
    )


def test_exec_review_base_branch_names_the_merge_base(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    base, _ = make_history(repo)
    server.enqueue(turn_message(json.dumps(REVIEW)))
    proc = run_codex(["exec", "review", "--base", "main"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == RENDERED
    assert "changes against 'main'" in proc.stderr
    assert user_texts(server.requests[0].body)[-1] == (
        f"Review the code changes against the base branch 'main'. The merge base commit for this comparison is "
        f"{base}. Run `git diff {base}` to inspect the changes relative to main. Provide prioritized, actionable "
        "findings."
    )


def test_top_level_review_of_a_commit_with_title(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    _, head = make_history(repo)
    server.enqueue(turn_message("No JSON here, just prose."))
    proc = run_codex(["review", "--commit", head, "--title", "break add"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "No JSON here, just prose."  # not a ReviewOutput: shown as written
    assert f"commit {head[:7]}: break add" in proc.stderr
    assert user_texts(server.requests[0].body)[-1] == (
        f'Review the code changes introduced by commit {head} ("break add"). Provide prioritized, actionable findings.'
    )


def test_custom_instructions_and_target_errors(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    make_history(repo)
    server.enqueue(turn_message(json.dumps(REVIEW)))
    proc = run_codex(["exec", "review", "-"], cli_env, repo, input="Focus on security\n")
    assert proc.returncode == 0, proc.stderr
    assert user_texts(server.requests[0].body)[-1] == "Focus on security\n"
    proc = run_codex(["exec", "review"], cli_env, repo)
    assert proc.returncode == 1
    assert "Specify --uncommitted, --base, --commit, or provide custom review instructions" in proc.stderr
    proc = run_codex(["review", "--uncommitted", "--base", "main"], cli_env, repo)
    assert proc.returncode == 2 and "'--uncommitted' cannot be used with '--base'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(server.requests) == 1


def test_base_prompt_without_merge_base_falls_back(tmp_path: Path) -> None:
    request = review_request(ReviewTarget.base_branch("nosuch"), tmp_path)
    assert request.prompt.startswith("Review the code changes against the base branch 'nosuch'. Start by finding")
    assert '"nosuch@{upstream}"' in request.prompt and request.display == "changes against 'nosuch'"


def test_parse_and_render_like_the_reference() -> None:
    assert render_review_output(parse_review_output(json.dumps(REVIEW))) == RENDERED
    fenced = (
        "Here:\n```json\n" + json.dumps({**REVIEW, "findings": [FINDING, {**FINDING, "title": "[P2] b"}]}) + "\n```"
    )
    text = render_review_output(parse_review_output(fenced))
    assert text.startswith("The change breaks add.\n\nFull review comments:\n\n- [P1] add subtracts")
    no_priority = {**REVIEW, "findings": [{k: v for k, v in FINDING.items() if k != "priority"}]}
    raw = json.dumps(no_priority)  # every field of the schema is required, as in the reference
    assert render_review_output(parse_review_output(raw)) == raw
    empty = {**REVIEW, "findings": [], "overall_explanation": ""}
    assert render_review_output(parse_review_output(json.dumps(empty))) == REVIEW_FALLBACK_MESSAGE
    assert REVIEW_INTERRUPTED_MESSAGE.startswith("Review was interrupted")
