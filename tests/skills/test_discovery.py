"""Skill discovery on real directories: roots and their order, precedence, limits, bad files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codex_core.config import ConfigOverrides, load_config
from codex_core.skills import SkillRoot, discover_skills, load_skills, render_skills_section, skill_roots
from codex_core.skills.discovery import MAX_SKILL_FILE_BYTES
from codex_core.skills.render import Budget


def write_skill(
    directory: Path, name: str | None, description: str | None = "Does things.", body: str = "Body\n"
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["---"]
    if name is not None:
        lines.append(f"name: {name}")
    if description is not None:
        lines.append(f"description: {description}")
    lines.append("---")
    path = directory / "SKILL.md"
    path.write_text("\n".join(lines) + "\n\n" + body, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def test_roots_are_scanned_in_the_reference_order(repo: Path, codex_home: Path, tmp_path: Path) -> None:
    (repo / ".codex").mkdir()
    (repo / "pkg" / ".codex").mkdir()
    config = load_config(ConfigOverrides(), cwd=repo / "pkg")
    roots = [
        (str(r.path), r.scope) for r in skill_roots(config, home=tmp_path / "user-home", extra_roots=[tmp_path / "x"])
    ]
    assert roots == [
        (str(repo / "pkg" / ".codex" / "skills"), "repo"),
        (str(repo / ".codex" / "skills"), "repo"),
        (str(codex_home / "skills"), "user"),
        (str(tmp_path / "user-home" / ".agents" / "skills"), "user"),
        (str(codex_home / "skills" / ".system"), "system"),
        ("/etc/codex/skills", "admin"),
        (str(tmp_path / "x"), "user"),
        (str(repo / ".agents" / "skills"), "repo"),
        (str(repo / "pkg" / ".agents" / "skills"), "repo"),
    ]


def test_bundled_skills_off_drops_the_system_root(repo: Path, codex_home: Path) -> None:
    (codex_home / "config.toml").write_text("[skills.bundled]\nenabled = false\n")
    config = load_config(ConfigOverrides(), cwd=repo)
    assert all(r.scope != "system" for r in skill_roots(config))


def test_skills_are_ordered_repo_user_then_by_name_and_same_names_both_listed(repo: Path, codex_home: Path) -> None:
    write_skill(codex_home / "skills" / "b", "shared")
    write_skill(codex_home / "skills" / "a", "alpha")
    write_skill(repo / ".agents" / "skills" / "s", "shared")
    write_skill(repo / ".agents" / "skills" / "z", "zeta")
    outcome = discover_skills(load_config(ConfigOverrides(), cwd=repo / "pkg"))
    assert [(s.name, s.scope) for s in outcome.skills] == [
        ("shared", "repo"),
        ("zeta", "repo"),
        ("alpha", "user"),
        ("shared", "user"),
    ]
    assert outcome.errors == ()


def test_bad_skill_files_are_errors_naming_file_and_line_never_a_crash(repo: Path) -> None:
    base = repo / ".agents" / "skills"
    (base / "indent").mkdir(parents=True)
    (base / "indent" / "SKILL.md").write_text("---\nname: indent\n  bad: value\ndescription: d\n---\n")
    (base / "nofm").mkdir()
    (base / "nofm" / "SKILL.md").write_text("no front matter\n")
    write_skill(base / "nodesc", "nodesc", description=None)
    write_skill(base / "long", "x" * 65)
    (base / "list").mkdir()
    (base / "list" / "SKILL.md").write_text("---\nname: list\ndescription: [a, b]\n---\n")
    (base / "binary").mkdir()
    (base / "binary" / "SKILL.md").write_bytes(b"---\nname: bin\ndescription: \xff\xfe\n---\n")
    write_skill(base / "good", "good")
    outcome = load_skills([SkillRoot(base, "repo")])
    assert [s.name for s in outcome.skills] == ["good"]
    errors = {e.path.parent.name: e.message for e in outcome.errors}
    assert errors == {
        "indent": "invalid YAML: mapping values are not allowed in this context at line 3 column 6",
        "nofm": "missing YAML frontmatter delimited by ---",
        "nodesc": "missing field `description`",
        "long": "invalid name: exceeds maximum length of 64 characters",
        "list": "invalid YAML: description: invalid type: sequence, expected a string at line 3 column 14",
        "binary": "failed to read file: stream did not contain valid UTF-8",
    }
    assert str(outcome.errors[0]).startswith(f"failed to load skill {outcome.errors[0].path}: ")


def test_front_matter_values_are_read_as_yaml(repo: Path) -> None:
    base = repo / ".agents" / "skills"
    (base / "dir-name").mkdir(parents=True)
    (base / "dir-name" / "SKILL.md").write_text(
        "---\r\n# comment\r\ndescription: >\r\n  folded   over\r\n  two lines # not this\r\n"
        'metadata:\r\n  short-description: "quoted \\"short\\""\r\n---\r\nbody\r\n'
    )
    write_skill(base / "long-desc", "long-desc", "é" * 1100)
    outcome = load_skills([SkillRoot(base, "repo")])
    first, second = outcome.skills
    assert (first.name, first.description, first.short_description) == (
        "dir-name",
        "folded over two lines # not this",  # a block scalar has no comments
        'quoted "short"',
    )
    assert second.description == "é" * 1021 + "..."


def test_walk_limits_hidden_dirs_and_symlinks(repo: Path, tmp_path: Path) -> None:
    base = repo / ".agents" / "skills"
    write_skill(base / "d1" / "d2" / "d3" / "d4" / "d5" / "d6", "depth6")
    write_skill(base / "d1" / "d2" / "d3" / "d4" / "d5" / "d6" / "d7", "depth7")
    write_skill(base / ".hidden" / "h", "hidden")
    outside = tmp_path / "outside"
    write_skill(outside / "linked-dir", "linked-dir")
    (base / "linked-dir").symlink_to(outside / "linked-dir")
    (base / "loop").mkdir()
    (base / "loop" / "again").symlink_to(base)
    write_skill(outside / "file-target", "file-link")
    (base / "file-link").mkdir()
    (base / "file-link" / "SKILL.md").symlink_to(outside / "file-target" / "SKILL.md")
    outcome = load_skills([SkillRoot(base, "repo")])
    by_name = {s.name: s for s in outcome.skills}
    assert sorted(by_name) == ["depth6", "linked-dir"]
    linked = by_name["linked-dir"]
    assert linked.path == base / "linked-dir" / "SKILL.md"  # listed where it was found
    assert linked.real_path == outside / "linked-dir" / "SKILL.md"


def test_the_same_file_through_two_roots_is_one_skill(repo: Path, tmp_path: Path) -> None:
    write_skill(repo / ".agents" / "skills" / "one", "one")
    alias = tmp_path / "alias"
    alias.symlink_to(repo / ".agents" / "skills")
    outcome = load_skills([SkillRoot(alias, "user"), SkillRoot(repo / ".agents" / "skills", "repo")])
    assert [(s.name, s.scope) for s in outcome.skills] == [("one", "user")]


def test_oversized_skill_file_is_refused(repo: Path) -> None:
    write_skill(repo / ".agents" / "skills" / "big", "big", body="x" * MAX_SKILL_FILE_BYTES)
    outcome = load_skills([SkillRoot(repo / ".agents" / "skills", "repo")])
    assert outcome.skills == () and "larger than" in outcome.errors[0].message


def test_skills_config_disables_by_path_and_by_name_later_entries_win(repo: Path, codex_home: Path) -> None:
    a = write_skill(repo / ".agents" / "skills" / "a", "a")
    write_skill(repo / ".agents" / "skills" / "b", "b")
    write_skill(repo / ".agents" / "skills" / "c", "c")
    (codex_home / "config.toml").write_text(
        f'[[skills.config]]\npath = "{a}"\nenabled = false\n\n'
        '[[skills.config]]\nname = "b"\nenabled = false\n\n'
        '[[skills.config]]\nname = "c"\nenabled = false\n\n'
        '[[skills.config]]\nname = "c"\nenabled = true\n'
    )
    outcome = discover_skills(load_config(ConfigOverrides(), cwd=repo))
    assert {s.name: s.enabled for s in outcome.skills} == {"a": False, "b": False, "c": True}
    section = render_skills_section(outcome, Budget(10_000, tokens=True))
    assert section is not None and "- c:" in section.text and "- a:" not in section.text and "- b:" not in section.text


def test_the_budget_shortens_descriptions_then_drops_skills(tmp_path: Path) -> None:
    base = tmp_path / "skills"
    for n in range(3):
        write_skill(base / f"s{n}", f"s{n}", description="d" * 200)
    outcome = load_skills([SkillRoot(base, "user")])
    full = render_skills_section(outcome, Budget(100_000, tokens=False))
    assert full is not None and full.warning is None and full.text.count("d" * 200) == 3
    table = len("### Skill roots\n") + len(f"- `r0` = `{base}`\n")
    minimum = sum(len(f"- s{n}: (file: r0/s{n}/SKILL.md)\n") for n in range(3))
    shortened = render_skills_section(outcome, Budget(table + minimum + 3 * 11, tokens=False))
    assert shortened is not None and shortened.text.count("- s0: dddddddddd (file: r0/s0/SKILL.md)") == 1
    assert shortened.warning is not None and "shortened" in shortened.warning
    dropped = render_skills_section(outcome, Budget(table + minimum - 5, tokens=False))
    assert dropped is not None and "- s2:" not in dropped.text
    assert dropped.warning == (
        "Exceeded skills context budget. All skill descriptions were removed and 1 additional skill was not "
        "included in the model-visible skills list."
    )
