"""config.edit.write_config_values: serialised writers, rollback when the config stops loading,
values TOML cannot hold, symlinked config files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from codex_core.config import ConfigOverrides, load_config
from codex_core.config.edit import ConfigEdit, ConfigWriteError, file_version, write_config_values


def test_concurrent_writers_with_the_same_version_cannot_both_win(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('model = "m"\n', encoding="utf-8")
    for round_ in range(20):
        version = file_version(cfg)
        outcomes: list[str] = []

        def write(key: str, version: str = version, round_: int = round_, outcomes: list[str] = outcomes) -> None:
            try:
                write_config_values(cfg, [ConfigEdit(key, f"v{round_}")], expected_version=version)
                outcomes.append("ok")
            except ConfigWriteError as exc:
                outcomes.append(exc.write_code)

        threads = [threading.Thread(target=write, args=(k,)) for k in ("model", "model_provider")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["configVersionConflict", "ok"]


def test_a_write_that_breaks_loading_is_rolled_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cfg = home / "config.toml"
    cfg.write_text('# keep me\nmodel = "m"\n', encoding="utf-8")
    before = cfg.read_bytes()

    def check() -> None:
        load_config(ConfigOverrides(), codex_home=home, cwd=tmp_path)

    for key in ("profile", "model_provider"):
        with pytest.raises(ConfigWriteError) as info:
            write_config_values(cfg, [ConfigEdit(key, "nope")], check=check)
        assert info.value.write_code == "configValidationError" and "nope" in str(info.value)
        assert cfg.read_bytes() == before
    version = write_config_values(cfg, [ConfigEdit("model", "other")], check=check)
    assert version == file_version(cfg) and "# keep me" in cfg.read_text()


def test_a_new_file_is_removed_again_when_the_check_fails(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"

    def check() -> None:
        from codex_core.errors import ConfigError

        raise ConfigError("nope", key="profile")

    with pytest.raises(ConfigWriteError):
        write_config_values(cfg, [ConfigEdit("profile", "x")], check=check)
    assert not cfg.exists()


def test_integers_beyond_64_bits_are_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("", encoding="utf-8")
    with pytest.raises(ConfigWriteError, match=r"model_context_window.*64-bit"):
        write_config_values(cfg, [ConfigEdit("model_context_window", 2**80)])
    write_config_values(cfg, [ConfigEdit("model_context_window", 2**62)])
    assert str(2**62) in cfg.read_text()


def test_a_symlinked_config_stays_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "codex.toml"
    target.parent.mkdir()
    target.write_text('model = "a"\n', encoding="utf-8")
    link = tmp_path / "config.toml"
    link.symlink_to(target)
    write_config_values(link, [ConfigEdit("model", "b")])
    assert link.is_symlink() and 'model = "b"' in target.read_text()


def test_rollback_through_a_dangling_symlink_keeps_the_link(tmp_path: Path) -> None:
    from codex_core.errors import ConfigError

    link = tmp_path / "config.toml"
    target = tmp_path / "dotfiles" / "codex.toml"
    target.parent.mkdir()
    link.symlink_to(target)

    def check() -> None:
        raise ConfigError("config profile `nope` not found", key="profile")

    with pytest.raises(ConfigWriteError):
        write_config_values(link, [ConfigEdit("profile", "nope")], check=check)
    assert link.is_symlink() and not target.exists()
