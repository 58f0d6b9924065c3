"""Profiles: 0.169's ``-p NAME`` with ``$CODEX_HOME/NAME.config.toml``, and the older ``[profiles.NAME]``.

Measured with the reference: the profile file is a layer just above the user config (so ``-c``
still beats it) and its unknown keys are reported against that file; ``-p`` naming a profile that
does not exist runs without one. 0.169 refuses a ``[profiles.NAME]`` table outright; codex-py keeps
it working, and when both forms exist the file wins (with a warning).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_core.config import ConfigError, ConfigOverrides, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_profile_file_layers_above_the_user_config_and_below_dash_c(codex_home: Path, tmp_path: Path) -> None:
    write(codex_home / "config.toml", 'model_reasoning_effort = "low"\nmodel_verbosity = "low"\n')
    fast = write(
        codex_home / "fast.config.toml",
        'model_reasoning_effort = "medium"\nmodel_verbosity = "high"\nbogus = 1\n[features]\nshell_tool = false\n',
    )
    cfg = load_config(ConfigOverrides(profile="fast"), cwd=tmp_path)
    assert (cfg.model_reasoning_effort, cfg.model_verbosity, cfg.feature("shell_tool")) == ("medium", "high", False)
    assert cfg.active_profile == "fast" and cfg.profile_file == fast
    assert cfg.explain("model_verbosity").path == str(fast)
    assert f"user ({fast}:3): `bogus` is ignored." in cfg.warnings[0]
    cfg = load_config(ConfigOverrides(profile="fast", config_overrides=["model_reasoning_effort=xhigh"]), cwd=tmp_path)
    assert cfg.model_reasoning_effort == "xhigh"
    # without -p the file is not read
    assert load_config(cwd=tmp_path).model_reasoning_effort == "low"


def test_profile_file_can_be_selected_by_the_profile_key(codex_home: Path, tmp_path: Path) -> None:
    write(codex_home / "config.toml", 'profile = "work"\n')
    write(codex_home / "work.config.toml", 'model = "from-file"\n')
    assert load_config(cwd=tmp_path).model == "from-file"
    write(codex_home / "other.config.toml", 'model = "from-other"\n')
    assert load_config(ConfigOverrides(config_overrides=["profile=other"]), cwd=tmp_path).model == "from-other"


def test_table_profile_still_works(codex_home: Path, tmp_path: Path) -> None:
    write(
        codex_home / "config.toml",
        'model_reasoning_effort = "low"\n[profiles.deep]\nmodel_reasoning_effort = "high"\npersonality = "friendly"\n'
        'service_tier = "flex"\n',
    )
    cfg = load_config(
        ConfigOverrides(profile="deep", config_overrides=["model_reasoning_effort=minimal"]), cwd=tmp_path
    )
    assert (cfg.model_reasoning_effort, cfg.personality, cfg.service_tier) == ("high", "friendly", "flex")
    assert cfg.profile_file is None and not cfg.warnings


def test_when_both_forms_exist_the_file_wins(codex_home: Path, tmp_path: Path) -> None:
    write(codex_home / "config.toml", '[profiles.fast]\nmodel_reasoning_effort = "high"\nmodel = "from-table"\n')
    fast = write(codex_home / "fast.config.toml", 'model_reasoning_effort = "medium"\n')
    cfg = load_config(ConfigOverrides(profile="fast"), cwd=tmp_path)
    assert cfg.model_reasoning_effort == "medium" and cfg.model != "from-table"
    assert any(f"{fast} is used and `[profiles.fast]` in config.toml is ignored" in w for w in cfg.warnings)


def test_missing_profile(codex_home: Path, tmp_path: Path) -> None:
    cfg = load_config(ConfigOverrides(profile="nope"), cwd=tmp_path)
    assert cfg.active_profile == "nope"
    assert any("config profile `nope` not found" in w and "nope.config.toml" in w for w in cfg.warnings)
    write(codex_home / "config.toml", 'profile = "nope"\n')
    with pytest.raises(ConfigError, match="config profile `nope` not found"):
        load_config(cwd=tmp_path)


@pytest.mark.parametrize("name", ["../evil", "a/b", ".."])
def test_profile_names_are_file_names(codex_home: Path, tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError, match="invalid profile name"):
        load_config(ConfigOverrides(profile=name), cwd=tmp_path)


def test_ignore_user_config_skips_config_and_profile_files(codex_home: Path, tmp_path: Path) -> None:
    write(codex_home / "config.toml", 'model = "from-user"\n')
    write(codex_home / "fast.config.toml", 'model = "from-profile"\n')
    cfg = load_config(ConfigOverrides(profile="fast", ignore_user_config=True), cwd=tmp_path)
    assert cfg.model not in ("from-user", "from-profile") and cfg.codex_home == codex_home
