"""``codex mcp add/list/get/remove`` and the config.toml editing library behind it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from codex_core.errors import ConfigError, UsageError
from codex_core.mcp import config_edit
from codex_exec.commands.mcp import mcp

ORIGINAL = """\
# my codex config
model = "o3"  # trailing comment

# servers below
[mcp_servers.existing]
command = "old-server"   # keep me
args = ["--flag"]

[profiles.fast]
model = "gpt-5-mini"
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CODEX_HOME", str(tmp_path))
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(mcp, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_add_and_remove_round_trip_preserves_comments(home: Path) -> None:
    cfg = home / "config.toml"
    cfg.write_text(ORIGINAL)
    os.chmod(cfg, 0o640)
    code, out, _ = run(
        "add", "docs", "--env", "TOKEN=abc", "--env", "EMPTY=", "--", "npx", "-y", "docs-mcp", "--port=1"
    )
    assert code == 0 and out == "Added global MCP server 'docs'.\n"
    code, out, _ = run("add", "web", "--url", "https://mcp.example.com/mcp", "--bearer-token-env-var", "WEB_TOKEN")
    assert code == 0
    text = cfg.read_text()
    assert text.startswith(ORIGINAL.split("[profiles.fast]")[0])  # everything before is byte-identical
    assert "# keep me" in text and "# trailing comment" in text and "[profiles.fast]" in text
    servers = config_edit.load_mcp_servers(cfg)
    assert servers["docs"].command == "npx" and servers["docs"].args == ["-y", "docs-mcp", "--port=1"]
    assert servers["docs"].env == {"TOKEN": "abc", "EMPTY": ""}
    assert servers["web"].url == "https://mcp.example.com/mcp"
    assert servers["web"].bearer_token_env_var == "WEB_TOKEN"
    assert oct(cfg.stat().st_mode & 0o777) == oct(0o640)

    assert run("remove", "docs")[1] == "Removed global MCP server 'docs'.\n"
    assert run("remove", "web")[1] == "Removed global MCP server 'web'.\n"
    assert cfg.read_text() == ORIGINAL
    assert run("remove", "web")[1] == "No MCP server named 'web' found.\n"
    assert not list(home.glob(".config.toml.*"))  # no temp files left behind


def test_add_creates_config_when_missing(home: Path) -> None:
    code, _, _ = run("add", "fx", "--", "python", "server.py")
    assert code == 0
    assert config_edit.load_mcp_servers(home / "config.toml")["fx"].args == ["server.py"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "bad name", "--", "x"], "letters, numbers, '-' and '_'"),
        (["add", "bad.name", "--url", "http://x"], "letters, numbers"),
        (["add", "existing", "--", "x"], "already exists"),
        (["add", "n"], "exactly one of --url or a command"),
        (["add", "n", "--url", "http://x", "--", "cmd"], "either --url or a command"),
        (["add", "n", "--env", "A=1", "--url", "http://x"], "--env is only valid for stdio"),
        (["add", "n", "--bearer-token-env-var", "T", "--", "cmd"], "only valid together with --url"),
        (["add", "n", "--env", "NOEQUALS", "--", "cmd"], "expected KEY=VALUE"),
        (["add", "n", "--url", "ftp://x"], "http:// or https://"),
        (["remove", "bad/name"], "letters, numbers"),
    ],
)
def test_bad_input_is_a_clear_error_and_file_is_untouched(home: Path, args: list[str], message: str) -> None:
    cfg = home / "config.toml"
    cfg.write_text(ORIGINAL)
    before = cfg.read_bytes()
    code, out, err = run(*args)
    assert code == 1 and out == ""
    assert err.startswith("Error: ") and message in err and "Traceback" not in err
    assert cfg.read_bytes() == before


def test_corrupt_config_is_refused_with_line(home: Path) -> None:
    cfg = home / "config.toml"
    broken = 'model = "o3"\n[mcp_servers.a\ncommand = "x"\n'
    cfg.write_text(broken)
    for args in (["add", "n", "--", "x"], ["remove", "a"], ["list"], ["get", "a"]):
        code, _, err = run(*args)
        assert code == 1 and "line 2" in err and str(cfg) in err, err
    assert cfg.read_text() == broken


def test_invalid_server_entry_names_key_and_line(home: Path) -> None:
    cfg = home / "config.toml"
    cfg.write_text('[mcp_servers.a]\ncommand = "x"\nurl = "http://y"\n\n[mcp_servers.b]\ncommand = "y"\nbogus = 1\n')
    with pytest.raises(ConfigError) as info:
        config_edit.load_mcp_servers(cfg)
    assert "mcp_servers.a" in info.value.message and info.value.line == 1
    cfg.write_text('[mcp_servers.b]\ncommand = "y"\nbogus = 1\n')
    code, _, err = run("list")
    assert code == 1 and "mcp_servers.b.bogus" in err and f"{cfg}:3" in err


def test_list_and_get_output(home: Path) -> None:
    assert run("list")[1] == "No MCP servers configured yet. Try `codex mcp add my-tool -- my-command`.\n"
    assert run("list", "--json")[1] == "[]\n"
    run("add", "local", "--env", "SECRET=hunter2", "--", "srv", "--verbose")
    run("add", "remote", "--url", "http://127.0.0.1:1/mcp")
    code, out, _ = run("list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Name", "Command", "Args", "Env", "Cwd", "Status", "Auth"]
    assert lines[1].split() == ["local", "srv", "--verbose", "SECRET=*****", "-", "enabled", "Unsupported"]
    assert "hunter2" not in out
    assert lines[2] == ""
    assert lines[3].startswith("Name") and "Bearer Token Env Var" in lines[3]
    assert lines[4].split()[:2] == ["remote", "http://127.0.0.1:1/mcp"]

    data = json.loads(run("list", "--json")[1])
    assert [d["name"] for d in data] == ["local", "remote"]
    assert data[0]["transport"] == {
        "type": "stdio",
        "command": "srv",
        "args": ["--verbose"],
        "env": {"SECRET": "hunter2"},
        "env_vars": [],
        "cwd": None,
    }
    assert data[1]["transport"]["type"] == "streamable_http" and data[1]["enabled"] is True

    code, out, _ = run("get", "local")
    assert code == 0 and out.splitlines()[0] == "local" and "  transport: stdio" in out
    assert "  remove: codex mcp remove local" in out
    got = json.loads(run("get", "remote", "--json")[1])
    assert got["name"] == "remote" and got["transport"]["url"] == "http://127.0.0.1:1/mcp"
    code, _, err = run("get", "missing")
    assert code == 1 and "No MCP server named 'missing' found." in err


def test_library_errors_are_typed(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    with pytest.raises(UsageError):
        config_edit.add_stdio_server(cfg, "ok", [])
    with pytest.raises(UsageError):
        config_edit.validate_server_name("")
    assert config_edit.remove_server(cfg, "none") is False
    assert not cfg.exists()


def test_codex_entry_point_runs_mcp_list(tmp_path: Path) -> None:
    env = {**os.environ, "CODEX_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", "from codex_exec.multitool.main import main; main()", "mcp", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
