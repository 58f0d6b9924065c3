"""Deeply nested or oversized config input is a ``ConfigError`` naming the file and line,
never a RecursionError traceback, and an edit of such a file leaves it byte-identical
(issue 14, item 12)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codex_core.config import ConfigError, ConfigOverrides, load_config
from codex_core.config.edit import ConfigEdit, ConfigWriteError, write_config_values
from codex_core.config.requirements import load_requirements
from codex_core.config.toml_io import MAX_TOML_BYTES, MAX_TOML_NESTING
from codex_core.mcp.config_edit import add_stdio_server, load_mcp_servers

CODEX = str(Path(sys.executable).parent / "codex")
HEADER = 'model = "m"\n\n[tools]\n'
"""Three lines, so the deep value is on line 4."""

DEEP_VALUES = {
    "arrays": "web = " + "[" * 5000 + "]" * 5000,
    "inline-tables": "web = " + "{a = " * 5000 + "1" + "}" * 5000,
    "dotted-key": "web." + ".".join(["a"] * 100) + " = 1",
    # tomllib needs minutes for this one (quadratic in the parts); it is refused up front.
    "dotted-key-50k": "web." + ".".join(["a"] * 50_000) + " = 1",
    "arrays-just-over": "web = " + "[" * MAX_TOML_NESTING + "]" * MAX_TOML_NESTING,
    "multi-line-arrays": "web = [\n" + "[\n" * 5000 + "]\n" * 5000 + "]",
}


def deep_config(name: str) -> str:
    return HEADER + DEEP_VALUES[name] + "\n"


@pytest.mark.parametrize("name", sorted(DEEP_VALUES))
def test_deep_config_toml_is_an_error_naming_file_and_line(codex_home: Path, name: str) -> None:
    config = codex_home / "config.toml"
    config.write_text(deep_config(name))
    started = time.monotonic()
    with pytest.raises(ConfigError) as info:
        load_config(cwd=codex_home)
    assert time.monotonic() - started < 5
    err = info.value
    assert err.path == str(config)
    # The multi-line value overflows the parser a few thousand lines in; the others on line 4.
    assert err.line is not None and (err.line == 4 or name == "multi-line-arrays")
    assert str(err).startswith(f"{config}:{err.line}: ")
    assert "nested too deeply (more than 64 levels of tables and arrays)" in str(err)
    assert len(str(err)) < 300


def test_nesting_at_the_limit_is_still_read(codex_home: Path) -> None:
    depth = MAX_TOML_NESTING - 2  # tools (1) + web (2) + the arrays inside
    (codex_home / "config.toml").write_text(HEADER + "web = " + "[" * depth + "]" * depth + "\n")
    assert load_config(cwd=codex_home).model == "m"


def test_deep_requirements_managed_and_project_files_name_themselves(codex_home: Path, tmp_path: Path) -> None:
    deep = deep_config("inline-tables")
    requirements = tmp_path / "requirements.toml"
    requirements.write_text(deep)
    with pytest.raises(ConfigError, match=rf"^{requirements}:4: value is nested too deeply"):
        load_requirements(requirements)

    managed = tmp_path / "managed_config.toml"
    managed.write_text(deep)
    with pytest.raises(ConfigError, match=rf"^{managed}:4: value is nested too deeply"):
        load_config(cwd=codex_home, env={**os.environ, "CODEX_MANAGED_CONFIG_PATH": str(managed)})

    project = tmp_path / "proj"
    (project / ".codex").mkdir(parents=True)
    (project / ".codex" / "config.toml").write_text(deep_config("dotted-key"))
    (codex_home / "config.toml").write_text(f'[projects."{project}"]\ntrust_level = "trusted"\n')
    with pytest.raises(ConfigError, match=rf"^{project / '.codex' / 'config.toml'}:4: `tools.web.a.a"):
        load_config(cwd=project)


@pytest.mark.parametrize(
    "override",
    ["tools.x=" + "[" * 5000 + "]" * 5000, "tools." + ".".join(["a"] * 5000) + "=1"],
    ids=["deep-value", "deep-key"],
)
def test_deep_dash_c_override_is_an_error(codex_home: Path, override: str) -> None:
    with pytest.raises(ConfigError, match=r"^Error in -c override.*nested too deeply"):
        load_config(ConfigOverrides(config_overrides=[override]), cwd=codex_home)


def test_oversized_config_file_is_an_error(codex_home: Path) -> None:
    config = codex_home / "config.toml"
    config.write_bytes(b"# pad\n" * (MAX_TOML_BYTES // 6 + 1))
    with pytest.raises(ConfigError, match=rf"^{config}: file is larger than 16 MiB"):
        load_config(cwd=codex_home)


def test_a_huge_bad_value_gives_a_short_message(codex_home: Path) -> None:
    (codex_home / "config.toml").write_text('notify = "' + "x" * 1_000_000 + '"\n')
    with pytest.raises(ConfigError) as info:
        load_config(cwd=codex_home)
    assert "`notify`: Input should be a valid list (got str 'xxxx" in str(info.value)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize("name", ["arrays", "dotted-key", "dotted-key-50k"])
def test_editing_a_deep_config_errors_and_leaves_it_byte_identical(codex_home: Path, name: str) -> None:
    config = codex_home / "config.toml"
    config.write_text(deep_config(name) + "# trailing comment\n")
    before = config.read_bytes()
    with pytest.raises(ConfigError, match=rf"^{config}:4: "):
        write_config_values(config, [ConfigEdit("model", "other")])
    with pytest.raises(ConfigError, match=rf"^{config}:4: "):
        add_stdio_server(config, "docs", ["docs-server"])
    with pytest.raises(ConfigError, match=rf"^{config}:4: "):
        load_mcp_servers(config)
    assert config.read_bytes() == before


def test_a_deep_edit_value_is_refused_and_the_file_is_unchanged(codex_home: Path) -> None:
    config = codex_home / "config.toml"
    config.write_text('# keep me\nmodel = "m"\n')
    before = config.read_bytes()
    value: object = 1
    for _ in range(5000):
        value = [value]
    for edit in (ConfigEdit("tools.web", value), ConfigEdit("tools." + ".".join(["a"] * 5000), 1)):
        with pytest.raises(ConfigWriteError, match="nested too deeply") as info:
            write_config_values(config, [edit])
        assert info.value.write_code == "configValidationError"
    assert config.read_bytes() == before


def test_codex_exec_prints_one_error_line_for_a_deep_config(codex_home: Path, tmp_path: Path) -> None:
    config = codex_home / "config.toml"
    config.write_text(deep_config("arrays"))
    proc = subprocess.run(
        [CODEX, "exec", "--skip-git-repo-check", "hello"],
        cwd=tmp_path,
        env={**os.environ, "OPENAI_API_KEY": "sk-test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"Error: {config}:4: value is nested too deeply (more than 64 levels of tables and arrays)"
    ]
