"""Code review: what ``codex review`` and ``codex exec review`` ask the model, and how its answer reads.

A review is an ordinary turn on a thread whose base instructions are the review guidelines
(``review_prompt.md``, the reviewer's system prompt) and whose user message names what to review:

* the working tree (``--uncommitted``): staged, unstaged and untracked changes;
* a base branch (``--base BRANCH``): the changes since the merge base of ``HEAD`` and the branch
  (its upstream when the remote is ahead), computed here with Codex's host git;
* a commit (``--commit SHA [--title T]``);
* or free-form instructions.

The prompt does not carry the diff: the reviewer reads it with its own (sandboxed) git commands,
as the reference Codex does. The model answers with a JSON ``ReviewOutput``; what the user sees
is :func:`render_review_output` of it (or the raw text when it is not such JSON).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from codex_core.errors import UsageError
from codex_core.git import find_git_root, host_git

if TYPE_CHECKING:
    from codex_core.config import Config
    from codex_core.protocol.events import ThreadEvent
    from codex_core.sdk import Codex, Thread

__all__ = [
    "REVIEW_FALLBACK_MESSAGE",
    "REVIEW_INTERRUPTED_MESSAGE",
    "ReviewFinding",
    "ReviewOutput",
    "ReviewRequest",
    "ReviewTarget",
    "merge_base_with_head",
    "parse_review_output",
    "render_review_output",
    "review_config",
    "review_events",
    "review_instructions",
    "review_request",
    "start_review_thread",
]

REVIEW_FALLBACK_MESSAGE = "Reviewer failed to output a response."
REVIEW_INTERRUPTED_MESSAGE = "Review was interrupted. Please re-run /review and wait for it to complete."

UNCOMMITTED_PROMPT = (
    "Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings."
)
BASE_BRANCH_PROMPT = (
    "Review the code changes against the base branch '{branch}'. The merge base commit for this comparison is "
    "{sha}. Run `git diff {sha}` to inspect the changes relative to {branch}. Provide prioritized, actionable "
    "findings."
)
BASE_BRANCH_PROMPT_BACKUP = (
    "Review the code changes against the base branch '{branch}'. Start by finding the merge diff between the "
    "current branch and {branch}'s upstream e.g. (`git merge-base HEAD \"$(git rev-parse --abbrev-ref "
    '"{branch}@{{upstream}}")"`), then run `git diff` against that SHA to see what changes we would merge into '
    "the {branch} branch. Provide prioritized, actionable findings."
)
COMMIT_PROMPT = "Review the code changes introduced by commit {sha}. Provide prioritized, actionable findings."
COMMIT_PROMPT_WITH_TITLE = (
    'Review the code changes introduced by commit {sha} ("{title}"). Provide prioritized, actionable findings.'
)
_GIT_TIMEOUT_S = 5.0


@attrs.frozen(kw_only=True)
class ReviewTarget:
    """What to review. Build one with the class methods."""

    kind: Literal["uncommitted", "base", "commit", "custom"]
    branch: str | None = None
    sha: str | None = None
    title: str | None = None
    instructions: str | None = None

    @classmethod
    def uncommitted(cls) -> ReviewTarget:
        return cls(kind="uncommitted")

    @classmethod
    def base_branch(cls, branch: str) -> ReviewTarget:
        if not branch.strip():
            raise UsageError("--base: the branch name must not be empty")
        return cls(kind="base", branch=branch)

    @classmethod
    def commit(cls, sha: str, title: str | None = None) -> ReviewTarget:
        if not sha.strip():
            raise UsageError("--commit: the commit SHA must not be empty")
        return cls(kind="commit", sha=sha.strip(), title=title)

    @classmethod
    def custom(cls, instructions: str) -> ReviewTarget:
        if not instructions.strip():
            raise UsageError("review instructions must not be empty")
        return cls(kind="custom", instructions=instructions)


@attrs.frozen
class ReviewRequest:
    """The user message of the review turn, and the short line a frontend shows for it."""

    prompt: str
    display: str


def _git(cwd: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            host_git(*args), cwd=cwd, capture_output=True, text=True, timeout=_GIT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = out.stdout.strip()
    return text if out.returncode == 0 and text else None


def _upstream_if_ahead(cwd: Path, branch: str) -> str | None:
    """``branch``'s upstream when the remote has commits the local branch lacks."""
    upstream = _git(cwd, "rev-parse", "--abbrev-ref", "--symbolic-full-name", f"{branch}@{{upstream}}")
    if upstream is None:
        return None
    counts = _git(cwd, "rev-list", "--left-right", "--count", f"{branch}...{upstream}")
    if counts is None:
        return None
    parts = counts.split()
    if len(parts) != 2 or not parts[1].isdigit():
        return None
    return upstream if int(parts[1]) > 0 else None


def merge_base_with_head(cwd: Path, branch: str) -> str | None:
    """The merge base of ``HEAD`` and ``branch`` (its upstream if that is ahead); ``None`` if git cannot tell."""
    if find_git_root(cwd) is None:
        return None
    head = _git(cwd, "rev-parse", "HEAD")
    branch_ref = _git(cwd, "rev-parse", "--verify", "--end-of-options", f"{branch}^{{commit}}")
    if head is None or branch_ref is None:
        return None
    preferred = branch_ref
    upstream = _upstream_if_ahead(cwd, branch)
    if upstream is not None:
        preferred = _git(cwd, "rev-parse", "--verify", "--end-of-options", f"{upstream}^{{commit}}") or branch_ref
    return _git(cwd, "merge-base", head, preferred)


def review_request(target: ReviewTarget, cwd: Path) -> ReviewRequest:
    """The review prompt for ``target`` in the repository at ``cwd``."""
    if target.kind == "uncommitted":
        return ReviewRequest(UNCOMMITTED_PROMPT, "current changes")
    if target.kind == "base":
        assert target.branch is not None
        sha = merge_base_with_head(cwd, target.branch)
        if sha is None:
            prompt = BASE_BRANCH_PROMPT_BACKUP.format(branch=target.branch)
        else:
            prompt = BASE_BRANCH_PROMPT.format(branch=target.branch, sha=sha)
        return ReviewRequest(prompt, f"changes against '{target.branch}'")
    if target.kind == "commit":
        assert target.sha is not None
        short = target.sha[:7]
        if target.title:
            return ReviewRequest(
                COMMIT_PROMPT_WITH_TITLE.format(sha=target.sha, title=target.title), f"commit {short}: {target.title}"
            )
        return ReviewRequest(COMMIT_PROMPT.format(sha=target.sha), f"commit {short}")
    assert target.instructions is not None
    return ReviewRequest(target.instructions, target.instructions)


def review_instructions() -> str:
    """The reviewer's base instructions (guidelines and the JSON output schema)."""
    return (Path(__file__).parent / "review_prompt.md").read_text("utf-8")


def review_config(config: Config) -> Config:
    """``config`` for the reviewer: the review guidelines as base instructions, ``review_model`` if set."""
    model = config.review_model or config.model
    return attrs.evolve(config, base_instructions=review_instructions(), model=model)


def start_review_thread(codex: Codex, config: Config) -> Thread:
    """An ephemeral reviewer thread for an interactive ``/review``: ``config`` (the session's current
    settings) with the review guidelines, on ``codex``'s model client. The session's own thread and
    history are untouched, as in Codex, where the review runs beside the conversation."""
    from codex_core.sdk import Codex

    reviewer = Codex(
        review_config(config),
        model_client=codex._model_client,
        originator=codex._originator,
        source=codex._source,
    )
    return reviewer.start_thread(ephemeral=True)


# --- the model's answer -------------------------------------------------------------------------


@attrs.frozen
class ReviewFinding:
    title: str
    body: str
    confidence_score: float
    priority: int
    absolute_file_path: str
    line_start: int
    line_end: int


@attrs.frozen
class ReviewOutput:
    findings: tuple[ReviewFinding, ...] = ()
    overall_correctness: str = ""
    overall_explanation: str = ""
    overall_confidence_score: float = 0.0


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _finding(raw: object) -> ReviewFinding | None:
    if not isinstance(raw, Mapping):
        return None
    loc = raw.get("code_location")
    rng = loc.get("line_range") if isinstance(loc, Mapping) else None
    if not isinstance(loc, Mapping) or not isinstance(rng, Mapping):
        return None
    title, body, path = raw.get("title"), raw.get("body"), loc.get("absolute_file_path")
    score, priority, start, end = raw.get("confidence_score"), raw.get("priority"), rng.get("start"), rng.get("end")
    if not (isinstance(title, str) and isinstance(body, str) and isinstance(path, str)):
        return None
    if not (_number(score) and _count(priority) and _count(start) and _count(end)):
        return None
    assert isinstance(score, int | float) and isinstance(priority, int)
    assert isinstance(start, int) and isinstance(end, int)
    return ReviewFinding(title, body, float(score), priority, path, start, end)


def _output(raw: object) -> ReviewOutput | None:
    """A complete ``ReviewOutput`` document, or ``None`` (every field is required, as the schema says)."""
    if not isinstance(raw, Mapping):
        return None
    findings, correctness = raw.get("findings"), raw.get("overall_correctness")
    explanation, score = raw.get("overall_explanation"), raw.get("overall_confidence_score")
    if not isinstance(findings, list) or not isinstance(correctness, str) or not isinstance(explanation, str):
        return None
    if not _number(score):
        return None
    parsed = [_finding(f) for f in findings]
    if any(f is None for f in parsed):
        return None
    assert isinstance(score, int | float)
    return ReviewOutput(tuple(f for f in parsed if f is not None), correctness, explanation, float(score))


def _loads(text: str) -> object:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None


def parse_review_output(text: str) -> ReviewOutput:
    """The reviewer's answer: the JSON document, or the ``{...}`` inside surrounding prose/fences,
    else the whole text as the explanation."""
    parsed = _output(_loads(text))
    if parsed is not None:
        return parsed
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        parsed = _output(_loads(text[start : end + 1]))
        if parsed is not None:
            return parsed
    return ReviewOutput(overall_explanation=text)


def _findings_block(findings: Sequence[ReviewFinding]) -> str:
    lines = ["", "Full review comments:" if len(findings) > 1 else "Review comment:"]
    for f in findings:
        lines.append("")
        lines.append(f"- {f.title} — {f.absolute_file_path}:{f.line_start}-{f.line_end}")
        lines.extend(f"  {body_line}" for body_line in f.body.splitlines())
    return "\n".join(lines)


def render_review_output(output: ReviewOutput) -> str:
    """What the user reads: the explanation, then the findings with their locations."""
    sections: list[str] = []
    explanation = output.overall_explanation.strip()
    if explanation:
        sections.append(explanation)
    if output.findings:
        block = _findings_block(output.findings).strip()
        if block:
            sections.append(block)
    return "\n\n".join(sections) if sections else REVIEW_FALLBACK_MESSAGE


# --- running one -------------------------------------------------------------------------------


def _final_text(last_message: str | None) -> str:
    if last_message is None or not last_message.strip():
        return REVIEW_INTERRUPTED_MESSAGE
    return render_review_output(parse_review_output(last_message))


async def review_events(thread: Thread, request: ReviewRequest, **run_kwargs: Any) -> AsyncIterator[ThreadEvent]:
    """Run the review turn ``request`` (see :func:`review_request`) on ``thread`` (made with
    :func:`review_config`), yielding its events.

    The reviewer's own messages (raw JSON) are held back; just before the turn ends one
    ``agent_message`` carries the rendered review, which is what a frontend shows and records as
    the last message.
    """
    from codex_core.protocol.events import AgentMessageItem, ItemCompleted

    last_message: str | None = None
    final_id: str | None = None
    async for ev in thread.run_streamed(request.prompt, **run_kwargs):
        if ev.type == "item.delta" and ev.kind == "agent_message":
            continue
        if ev.type in ("item.started", "item.updated", "item.completed") and ev.item.type == "agent_message":
            final_id = ev.item.id
            if ev.type == "item.completed":
                last_message = ev.item.text
            continue
        if ev.type in ("turn.completed", "turn.failed"):
            yield ItemCompleted(item=AgentMessageItem(id=final_id or "review", text=_final_text(last_message)))
        yield ev
