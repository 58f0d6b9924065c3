"""Skill files planted to hurt discovery (a cloned repo can hold any): alias bombs, cycles, deep
nesting and symlink tricks are errors naming the file, never a crash, a hang or a leak."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from codex_core.sandbox import SandboxPolicy
from codex_core.skills import SkillRoot, load_skills
from codex_core.skills.discovery import read_skill_text
from codex_core.skills.frontmatter import MAX_NODES


def _skill(base: Path, name: str, front_matter: str) -> None:
    (base / name).mkdir(parents=True)
    (base / name / "SKILL.md").write_text(f"---\n{front_matter}\n---\nbody\n", encoding="utf-8")


def _good(base: Path) -> None:
    _skill(base, "good", "name: good\ndescription: fine")


def test_self_referencing_aliases_are_an_error_naming_the_line(tmp_path: Path) -> None:
    base = tmp_path / "skills"
    _skill(base, "cycle", "description: d\nname: &a {x: *a}")
    _skill(base, "meta", "description: d\nmetadata: &m\n  short-description: s\n  again: *m")
    _good(base)
    outcome = load_skills([SkillRoot(base, "repo")])
    assert [s.name for s in outcome.skills] == ["good"]
    errors = {e.path.parent.name: e.message for e in outcome.errors}
    assert errors == {
        "cycle": "invalid YAML: recursive aliases are not supported at line 3 column 7",
        "meta": "invalid YAML: recursive aliases are not supported at line 3 column 11",
    }


def test_alias_bombs_are_refused_quickly_and_plain_aliases_still_expand(tmp_path: Path) -> None:
    base = tmp_path / "skills"
    lines = ["description: d", "a0: &a0 [x]", "b0: &b0 {k: v}"]
    for i in range(1, 30):
        refs = ", ".join(f"k{j}: *b{i - 1}" for j in range(10))
        lines.append(f"b{i}: &b{i} {{{refs}}}")
    _skill(base, "laughs", "\n".join(lines))
    _skill(base, "deep", "description: d\nx: " + "{a: " * 5000 + "1" + "}" * 5000)
    _skill(base, "shared", "description: &d shared text\nmetadata: {short-description: *d}")
    _good(base)
    started = time.monotonic()
    outcome = load_skills([SkillRoot(base, "repo")])
    assert time.monotonic() - started < 5
    assert [(s.name, s.description, s.short_description) for s in outcome.skills] == [
        ("good", "fine", None),
        ("shared", "shared text", "shared text"),
    ]
    errors = {e.path.parent.name: e.message for e in outcome.errors}
    assert set(errors) == {"laughs", "deep"}
    assert errors["laughs"].startswith(f"invalid YAML: too many values (aliases expand to more than {MAX_NODES})")
    assert errors["deep"].startswith("invalid YAML:"), errors["deep"]


def test_agents_openai_yaml_is_held_to_the_policy_like_skill_md(tmp_path: Path) -> None:
    base = tmp_path / "skills"
    secret = tmp_path / "secret"
    (secret / "agents").mkdir(parents=True)
    (secret / "agents" / "openai.yaml").write_text("interface:\n  display_name: TOPSECRET\n")
    _good(base)
    (base / "good" / "agents").symlink_to(secret / "agents")  # a symlinked `agents` directory
    _skill(base / "open", "x", "name: open\ndescription: d")
    (base / "open" / "x" / "agents").mkdir()
    (base / "open" / "x" / "agents" / "openai.yaml").write_text("interface:\n  display_name: Open\n")
    policy = SandboxPolicy(kind="read-only", masked_paths=(secret,))
    outcome = load_skills([SkillRoot(base, "repo")], policy=policy)
    interfaces = {s.name: s.interface for s in outcome.skills}
    assert interfaces["good"] is None
    assert interfaces["open"] is not None and interfaces["open"].display_name == "Open"
    # without a policy to respect the same file is read (the check above is what refused it)
    unconfined = {s.name: s.interface for s in load_skills([SkillRoot(base, "repo")]).skills}
    assert unconfined["good"] is not None and unconfined["good"].display_name == "TOPSECRET"


def test_a_directory_swapped_for_a_symlink_after_the_check_is_not_followed(tmp_path: Path) -> None:
    # read_skill_text opens the path it checked; a directory on it replaced by a link meanwhile
    # (here: before the call) makes the read fail instead of landing in the hidden directory
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "SKILL.md").write_text("---\nname: s\ndescription: TOPSECRET\n---\n")
    checked = tmp_path / "skills" / "s"
    (tmp_path / "skills").mkdir()
    checked.symlink_to(secret)
    with pytest.raises(OSError, match="changed while it was being opened"):
        read_skill_text(tmp_path / "elsewhere" / "SKILL.md", checked / "SKILL.md", None)
