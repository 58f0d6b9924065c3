"""``project_root_markers``: which directory counts as the project root for project config layers."""

from __future__ import annotations

from pathlib import Path

from codex_core.config import ConfigOverrides, load_config
from codex_core.config.project_root import find_project_root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _hg_project(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "repo"
    (root / ".hg").mkdir(parents=True)
    write(root / ".codex" / "config.toml", 'model = "from-project-root"\n')
    cwd = root / "src" / "pkg"
    cwd.mkdir(parents=True)
    return root, cwd


def test_custom_marker_finds_the_root_and_its_project_layer(codex_home: Path, tmp_path: Path) -> None:
    root, cwd = _hg_project(tmp_path)
    write(
        codex_home / "config.toml",
        f'project_root_markers = [".git", ".hg"]\n[projects."{root}"]\ntrust_level = "trusted"\n',
    )
    cfg = load_config(cwd=cwd)
    assert cfg.project_root == root and cfg.project_root_markers == (".git", ".hg")
    assert cfg.model == "from-project-root" and cfg.trusted_project
    assert cfg.explain("model").path == str(root / ".codex" / "config.toml")


def test_default_markers_do_not_see_hg(codex_home: Path, tmp_path: Path) -> None:
    root, cwd = _hg_project(tmp_path)
    write(codex_home / "config.toml", f'[projects."{root}"]\ntrust_level = "trusted"\n')
    cfg = load_config(cwd=cwd)
    assert cfg.project_root is None and cfg.model != "from-project-root"


def test_empty_markers_mean_the_working_directory_alone(codex_home: Path, tmp_path: Path) -> None:
    root, cwd = _hg_project(tmp_path)
    write(cwd / ".codex" / "config.toml", 'model_verbosity = "high"\n')
    write(
        codex_home / "config.toml",
        f'project_root_markers = []\n[projects."{cwd}"]\ntrust_level = "trusted"\n'
        f'[projects."{root}"]\ntrust_level = "trusted"\n',
    )
    cfg = load_config(cwd=cwd)
    assert cfg.project_root is None
    assert cfg.model_verbosity == "high" and cfg.model != "from-project-root"


def test_markers_from_dash_c(codex_home: Path, tmp_path: Path) -> None:
    root, cwd = _hg_project(tmp_path)
    write(codex_home / "config.toml", f'[projects."{root}"]\ntrust_level = "trusted"\n')
    cfg = load_config(ConfigOverrides(config_overrides=['project_root_markers=[".hg"]']), cwd=cwd)
    assert cfg.model == "from-project-root"


def test_find_project_root(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("")
    assert find_project_root(tmp_path / "a" / "b", ["pyproject.toml"]) == tmp_path / "a"
    assert find_project_root(tmp_path / "a" / "b", []) is None
    assert find_project_root(tmp_path / "a" / "b", ["/etc"]) is None  # absolute markers are not markers
    (tmp_path / "a" / ".git").mkdir()  # an empty .git is not a repository (no HEAD)
    assert find_project_root(tmp_path / "a" / "b", [".git"]) is None


def test_agents_md_is_read_from_the_marked_root_down(codex_home: Path, tmp_path: Path) -> None:
    from codex_core.agent.context import user_instructions

    root, cwd = _hg_project(tmp_path)
    write(root / "AGENTS.md", "root rules\n")
    write(cwd / "AGENTS.md", "package rules\n")
    write(codex_home / "config.toml", 'project_root_markers = [".hg"]\n')
    text = user_instructions(load_config(cwd=cwd)) or ""
    assert text.index("root rules") < text.index("package rules")
    write(codex_home / "config.toml", "")  # default markers: no git repository, so only the cwd's file
    text = user_instructions(load_config(cwd=cwd)) or ""
    assert "package rules" in text and "root rules" not in text
