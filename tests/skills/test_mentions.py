"""``$skill`` mentions: what counts as one, and which skills a turn uses."""

from __future__ import annotations

from pathlib import Path

from codex_core.skills import Skill, SkillRoot, extract_mentions, load_skills, select_skills
from tests.skills.test_discovery import write_skill


def _skills(tmp_path: Path) -> tuple[Skill, ...]:
    user, repo = tmp_path / "user", tmp_path / "repo"
    write_skill(repo / "tool", "tool")
    write_skill(repo / "twin", "twin")
    write_skill(user / "twin", "twin")
    write_skill(user / "Mixed_Case", "Mixed_Case")
    write_skill(user / "ns", "ns:thing")
    return load_skills([SkillRoot(repo, "repo"), SkillRoot(user, "user")]).skills


def test_mentions_take_name_characters_and_skip_common_environment_variables() -> None:
    m = extract_mentions("run $tool, then $ns:thing. $PATH $home $x-y_z9 [$linked](/a/b/SKILL.md) $ end$")
    assert m.names == {"tool", "ns:thing", "x-y_z9"}
    assert m.paths == {"/a/b/SKILL.md"}
    assert extract_mentions("[$app](app://123) [$s](skill:///p/SKILL.md)").paths == {"/p/SKILL.md"}


def test_selection_is_case_sensitive_skips_ambiguous_names_and_keeps_skill_order(tmp_path: Path) -> None:
    skills = _skills(tmp_path)
    chosen = select_skills(skills, ["$Mixed_Case $mixed_case $twin $tool"])
    assert [s.name for s in chosen] == ["tool", "Mixed_Case"]  # repo before user; twin is ambiguous


def test_a_link_or_a_picked_skill_selects_by_path_even_when_the_name_is_shared(tmp_path: Path) -> None:
    skills = _skills(tmp_path)
    user_twin = next(s for s in skills if s.name == "twin" and s.scope == "user")
    assert select_skills(skills, [f"[$twin]({user_twin.path})"]) == [user_twin]
    assert select_skills(skills, ["$tool"], picked=[("twin", str(user_twin.path))])[0] == user_twin
    assert [s.name for s in select_skills(skills, ["$tool $tool"], picked=[("tool", "/nowhere/SKILL.md")])] == []
