"""Keys this version does not know warn (file, line, key) instead of failing; --strict-config refuses them.

The warning text is Codex 0.169's ("Codex is ignoring N unrecognized configuration settings...",
one ``<layer> (<file>): `key` is ignored.`` line each, three at most), with the line number added.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from tests.app_server.conftest import CODEX, AppServerClient
from tests.support.provider import TEST_ENV_KEY, provider_cli_args
from tests.support.sse_server import ScriptedResponsesServer, turn_message

from codex_core.config import ConfigError, ConfigOverrides, load_config

HEADER = "Codex is ignoring {n} unrecognized configuration {noun}. Check for typos or deprecated settings."


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_keys_warn_with_file_line_and_key_and_known_keys_still_apply(codex_home: Path, tmp_path: Path) -> None:
    cfg_path = write(
        codex_home / "config.toml",
        'bogus_top = 1\nmodel_reasoning_effort = "low"\n\n[history]\npersistence = "none"\nnope = 3\n',
    )
    cfg = load_config(ConfigOverrides(config_overrides=["zz_flag=1"]), cwd=tmp_path)
    assert cfg.model_reasoning_effort == "low" and cfg.history.persistence == "none"
    assert cfg.warnings[0] == "\n".join(
        [
            HEADER.format(n=3, noun="settings"),
            f"  user ({cfg_path}:1): `bogus_top` is ignored.",
            f"  user ({cfg_path}:6): `history.nope` is ignored.",
            "  session-flags: `zz_flag` is ignored.",
        ]
    )
    assert [(k.key, k.layer, k.line) for k in cfg.unknown_keys] == [
        ("bogus_top", "user", 1),
        ("history.nope", "user", 6),
        ("zz_flag", "session-flags", None),
    ]
    assert "bogus_top" not in cfg.toml.model_dump()


def test_nested_unknown_keys_are_found_everywhere_and_listed_three_at_a_time(codex_home: Path, tmp_path: Path) -> None:
    write(
        codex_home / "config.toml",
        "[tui]\nbogus_tui = 1\n[features]\nbogus_feature = true\nshell_tool = false\n"
        '[mcp_servers.m]\ncommand = "true"\nbogus_mcp = 1\n[mcp_servers.m.tools.t]\nbogus_tool = 1\n'
        "[profiles.p]\nbogus_profile = 1\n[agents.reviewer]\nbogus_role = 1\n",
    )
    cfg = load_config(cwd=tmp_path)
    assert [k.key for k in cfg.unknown_keys] == [
        "agents.reviewer.bogus_role",
        "features.bogus_feature",
        "mcp_servers.m.bogus_mcp",
        "mcp_servers.m.tools.t.bogus_tool",
        "profiles.p.bogus_profile",
        "tui.bogus_tui",
    ]
    summary = cfg.warnings[0].splitlines()
    assert summary[0] == HEADER.format(n=6, noun="settings") and len(summary) == 5
    assert summary[-1] == "  ... and 3 more ignored settings."
    assert cfg.feature("shell_tool") is False and cfg.feature("bogus_feature") is False


def test_one_unknown_key_is_singular(codex_home: Path, tmp_path: Path) -> None:
    write(codex_home / "config.toml", "zz = 1\n")
    assert load_config(cwd=tmp_path).warnings[0].startswith(HEADER.format(n=1, noun="setting"))


def test_strict_config_refuses_the_first_unknown_key(codex_home: Path, tmp_path: Path) -> None:
    path = write(codex_home / "config.toml", 'model = "m"\n[history]\nnope = 3\n[tui]\nbogus = 1\n')
    with pytest.raises(ConfigError) as info:
        load_config(ConfigOverrides(strict_config=True), cwd=tmp_path)
    err = info.value
    assert (err.path, err.line, err.key) == (str(path), 3, "history.nope")
    assert str(err).startswith(f"{path}:3: unknown configuration field `history.nope` (and 1 more)")
    write(codex_home / "config.toml", "")
    with pytest.raises(ConfigError, match=r"^unknown configuration field `bogus_c` in -c/--config override"):
        load_config(ConfigOverrides(strict_config=True, config_overrides=["bogus_c=1"]), cwd=tmp_path)


def test_invalid_values_of_known_keys_stay_errors(codex_home: Path, tmp_path: Path) -> None:
    path = write(codex_home / "config.toml", 'zz = 1\n[tui]\nbogus = 1\nanimations = "yes"\n')
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    assert (info.value.path, info.value.line, info.value.key) == (str(path), 4, "tui.animations")
    write(codex_home / "config.toml", "")
    with pytest.raises(ConfigError, match="personality"):
        load_config(ConfigOverrides(config_overrides=["personality=grumpy"]), cwd=tmp_path)


def test_unknown_keys_in_permission_profiles_stay_errors(codex_home: Path, tmp_path: Path) -> None:
    # a misspelt rule must never leave the sandbox wider than written (spec 2.7)
    path = write(codex_home / "config.toml", '[permissions.p]\nextends = ":workspace"\ndenny = 1\n')
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    assert info.value.path == str(path) and "denny" in str(info.value)


def test_config_writes_keep_keys_this_version_does_not_read(codex_home: Path, tmp_path: Path) -> None:
    from codex_core.config.edit import ConfigEdit, write_config_values

    path = write(codex_home / "config.toml", "from_a_newer_codex = 1\n")
    write_config_values(path, [ConfigEdit(key_path="model", value="m")])
    assert "from_a_newer_codex = 1" in path.read_text() and 'model = "m"' in path.read_text()


def test_exec_warns_and_strict_config_fails(codex_home: Path, tmp_path: Path) -> None:
    path = write(codex_home / "config.toml", 'model_reasoning_effort = "low"\nbogus_top = 1\n')
    env = {**os.environ, TEST_ENV_KEY: "sk-test"}
    with ScriptedResponsesServer() as server:
        server.enqueue(turn_message("done"))
        args = [CODEX, "exec", *provider_cli_args(server.base_url), "--skip-git-repo-check"]
        strict = subprocess.run(
            [*args, "--strict-config", "hi"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        assert strict.returncode == 1 and "Traceback" not in strict.stderr and not server.requests
        assert f"{path}:2: unknown configuration field `bogus_top`" in strict.stderr
        lenient = subprocess.run([*args, "hi"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert lenient.returncode == 0, lenient.stderr
    assert lenient.stdout.strip() == "done"
    assert f"user ({path}:2): `bogus_top` is ignored." in lenient.stderr


def test_app_server_sends_config_warning_after_initialize(codex_home: Path, tmp_path: Path) -> None:
    path = write(codex_home / "config.toml", "bogus_top = 1\n")
    client = AppServerClient(dict(os.environ), tmp_path)
    try:
        request_id = client.request("initialize", {"clientInfo": {"name": "t", "version": "1"}})
        note = client.wait_for(lambda m: m.get("method") == "configWarning")
        response_index = next(i for i, m in enumerate(client.messages) if m.get("id") == request_id)
        assert client.messages.index(note) > response_index  # after the initialize response, as Codex
        assert note["params"] == {
            "summary": f"{HEADER.format(n=1, noun='setting')}\n  user ({path}:1): `bogus_top` is ignored.",
            "details": None,
        }
        json.dumps(note)
    finally:
        client.close()
