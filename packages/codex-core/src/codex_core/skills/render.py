"""The skills section of the model's instructions (``<skills_instructions>``), as Codex 0.169 writes it.

It is one part of the developer message, after ``developer_instructions`` and before the
permissions text: the skill roots table (``r0``, ``r1``... in scan order), one line per skill
(``- name: description (file: rN/relative/SKILL.md)``; system, admin, repo, then user skills, each
by name), then fixed usage rules. Skills disabled in ``[[skills.config]]`` or whose
``agents/openai.yaml`` sets ``policy.allow_implicit_invocation: false`` are left out.

The list has a budget: 2% of the model's context window in tokens (about 4 bytes each), or 8,000
characters when the window is unknown. Over budget, descriptions are shortened evenly first, then
skills are dropped (a warning says so).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from codex_core.skills.model import Skill, SkillsOutcome

__all__ = ["SkillsSection", "render_skills_section", "skills_budget"]

OPEN_TAG = "<skills_instructions>"
CLOSE_TAG = "</skills_instructions>"
INTRO = (
    "A skill is a set of local instructions to follow that is stored in a `SKILL.md` file. Below is the list of "
    "skills that can be used. Each entry includes a name, description, and a short path that can be expanded into "
    "an absolute path using the skill roots table."
)
HOW_TO_USE = (
    "- Discovery: The list above is the skills available in this session (name + description + short path). Skill bodies live on disk at the listed paths after expanding the matching alias from `### Skill roots`.\n"
    "- Trigger rules: If the user names a skill (with `$SkillName` or plain text) OR the task clearly matches a skill's description shown above, you must use that skill for that turn. Multiple mentions mean use them all. Do not carry skills across turns unless re-mentioned.\n"
    "- Missing/blocked: If a named skill isn't in the list or the path can't be read, say so briefly and continue with the best fallback.\n"
    "- How to use a skill (progressive disclosure):\n"
    "  1) After deciding to use a skill, the main agent must expand the listed short `path` with the matching alias from `### Skill roots`, then open and read its `SKILL.md` completely before taking task actions. If a read is truncated or paginated, continue until EOF.\n"
    "  2) When `SKILL.md` references relative paths (e.g., `scripts/foo.py`), resolve them relative to the directory containing that expanded `SKILL.md` first, and only consider other paths if needed.\n"
    "  3) If `SKILL.md` points to extra folders such as `references/`, use its routing instructions to identify the files required for the task. The main agent must read each required instruction or reference file itself before acting on it. Do not delegate reading, summarizing, or interpreting skill instructions to a subagent. Subagents may still perform task work when the selected skill allows it.\n"
    "  4) If `scripts/` exist, prefer running or patching them instead of retyping large code blocks.\n"
    "  5) If `assets/` or templates exist, reuse them instead of recreating from scratch.\n"
    "- Coordination and sequencing:\n"
    "  - If multiple skills apply, choose the minimal set that covers the request and state the order you'll use them.\n"
    "  - Announce which skill(s) you're using and why (one short line). If you skip an obvious skill, say why.\n"
    "- Context hygiene:\n"
    "  - Progressive disclosure applies to selecting relevant files, not partially reading a selected instruction file. Do not load unrelated references, scripts, or assets.\n"
    "  - Avoid deep reference-chasing: prefer opening only files directly linked from `SKILL.md` unless you're blocked.\n"
    "  - When variants exist (frameworks, providers, domains), pick only the relevant reference file(s) and note that choice.\n"
    "- Safety and fallback: If a skill can't be applied cleanly (missing files, unclear instructions), state the issue, pick the next-best approach, and continue."
)
DEFAULT_CHAR_BUDGET = 8000
CONTEXT_WINDOW_PERCENT = 2
_PROMPT_RANK = {"system": 0, "admin": 1, "repo": 2, "user": 3}
_DESCRIPTIONS_REMOVED = "Exceeded skills context budget{of}. All skill descriptions were removed and"
_DESCRIPTIONS_SHORTENED = (
    "Skill descriptions were shortened to fit the{pct} skills context budget. Codex can still see every skill, "
    "but some descriptions are shorter. Disable unused skills or plugins to leave more room for the rest."
)
_WARN_AVERAGE_TRUNCATED_CHARS = 100


@attrs.frozen
class Budget:
    """``limit`` in tokens (``tokens=True``, about 4 bytes each) or in characters."""

    limit: int
    tokens: bool

    def cost(self, text: str) -> int:
        return (len(text.encode("utf-8")) + 3) // 4 if self.tokens else len(text)


def skills_budget(context_window: int | None) -> Budget:
    """2% of the context window in tokens, or 8,000 characters without one."""
    if context_window and context_window > 0:
        return Budget(max(context_window * CONTEXT_WINDOW_PERCENT // 100, 1), tokens=True)
    return Budget(DEFAULT_CHAR_BUDGET, tokens=False)


@attrs.frozen
class SkillsSection:
    """The rendered section and, when the budget cut it, the warning to show the user."""

    text: str
    warning: str | None = None


@attrs.frozen
class _Line:
    name: str
    description: str
    path: str

    def render(self, chars: int | None = None) -> str:
        description = self.description if chars is None else self.description[:chars]
        if not description:
            return f"- {self.name}: (file: {self.path})"
        return f"- {self.name}: {description} (file: {self.path})"


def _line_cost(budget: Budget, line: str) -> int:
    return budget.cost(line + "\n")


def _shorten_evenly(budget: Budget, lines: Sequence[_Line], room: int) -> tuple[list[str], int]:
    """Give description characters out one at a time, skill by skill, while they fit in ``room``."""
    chars = [0] * len(lines)
    spent = [0] * len(lines)
    base = [_line_cost(budget, line.render(0)) for line in lines]
    changed = True
    while changed:
        changed = False
        for i, line in enumerate(lines):
            if chars[i] >= len(line.description):
                continue
            extra = _line_cost(budget, line.render(chars[i] + 1)) - base[i]
            delta = max(extra - spent[i], 0)
            if delta <= room:
                chars[i] += 1
                spent[i] = extra
                room -= delta
                changed = True
    cut = sum(len(line.description) - n for line, n in zip(lines, chars, strict=True))
    return [line.render(n) for line, n in zip(lines, chars, strict=True)], cut


def _fit(budget: Budget, lines: Sequence[_Line]) -> tuple[list[str], str | None]:
    if sum(_line_cost(budget, line.render()) for line in lines) <= budget.limit:
        return [line.render() for line in lines], None
    minimum = sum(_line_cost(budget, line.render(0)) for line in lines)
    if minimum <= budget.limit:
        rendered, cut = _shorten_evenly(budget, lines, budget.limit - minimum)
        average = -(-cut // len(lines)) if cut else 0
        warning = None
        if average > _WARN_AVERAGE_TRUNCATED_CHARS:
            warning = _DESCRIPTIONS_SHORTENED.format(pct=" 2%" if budget.tokens else "")
        return rendered, warning
    kept: list[str] = []
    used = 0
    for line in lines:
        cost = _line_cost(budget, line.render(0))
        if used + cost <= budget.limit:
            used += cost
            kept.append(line.render(0))
    omitted = len(lines) - len(kept)
    prefix = _DESCRIPTIONS_REMOVED.format(of=" of 2%" if budget.tokens else "")
    noun, verb = ("skill", "was") if omitted == 1 else ("skills", "were")
    return kept, f"{prefix} {omitted} additional {noun} {verb} not included in the model-visible skills list."


def model_visible(outcome: SkillsOutcome) -> list[Skill]:
    """The skills the model is told about: enabled, and allowed to be used without being named."""
    return [s for s in outcome.skills if s.enabled and s.allow_implicit_invocation]


def render_skills_section(outcome: SkillsOutcome, budget: Budget) -> SkillsSection | None:
    """The ``<skills_instructions>`` text for ``outcome``; ``None`` when no skill is visible."""
    skills = sorted(model_visible(outcome), key=lambda s: (_PROMPT_RANK[s.scope], s.name, str(s.path)))
    if not skills:
        return None
    used_roots = {s.root for s in skills}
    roots = [r for r in outcome.roots if r in used_roots]
    alias = {root: f"r{n}" for n, root in enumerate(roots)}
    root_lines = [f"- `{alias[root]}` = `{root}`" for root in roots]
    lines = [_Line(s.name, s.description, f"{alias[s.root]}/{s.path.relative_to(s.root).as_posix()}") for s in skills]
    table_cost = budget.cost("### Skill roots\n" + "".join(f"{line}\n" for line in root_lines))
    rendered, warning = _fit(Budget(max(budget.limit - table_cost, 0), budget.tokens), lines)
    body = ["## Skills", INTRO, "### Skill roots", *root_lines, "### Available skills", *rendered]
    body += ["### How to use skills", HOW_TO_USE]
    return SkillsSection(text=OPEN_TAG + "\n" + "\n".join(body) + "\n" + CLOSE_TAG, warning=warning)
