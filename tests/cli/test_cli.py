"""The `codex` multitool as a real subprocess: version, help, dispatch, completion, login."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

CODEX = str(Path(sys.executable).parent / "codex")


def run(
    *args: str, input: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CODEX, *args], capture_output=True, text=True, input=input, env=env or dict(os.environ), cwd=cwd, timeout=60
    )


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == "codex-cli 0.1.0"


def test_help_lists_commands_without_importing_them() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for name in (
        "exec",
        "mcp",
        "mcp-server",
        "sandbox",
        "app-server",
        "login",
        "logout",
        "resume",
        "apply",
        "completion",
    ):
        assert f"  {name} " in proc.stdout or f"  {name}\n" in proc.stdout
    code = (
        "import sys; from codex_exec.multitool.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pydantic', 'httpx', 'textual', 'mcp', 'codex_core.config') if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip() == "[]"


def test_unknown_option_is_clean_error() -> None:
    proc = run("--no-such-flag")
    assert proc.returncode == 2 and "No such option" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_override_is_clean_error(tmp_path: Path) -> None:
    proc = run("-c", "novalue", "features", "list")
    assert proc.returncode == 1
    assert "Invalid override (missing '='): novalue" in proc.stderr and "Traceback" not in proc.stderr


def test_global_options_before_and_after_subcommand(codex_home: Path) -> None:
    proc = run("-c", "features.network_proxy=true", "features", "list")
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stdout.splitlines() if line.startswith("network_proxy"))
    assert line.split() == ["network_proxy", "experimental", "true"]  # Codex 0.169's columns
    proc = run("features", "list", "--disable", "unified_exec")
    line = next(line for line in proc.stdout.splitlines() if line.startswith("unified_exec"))
    assert line.endswith("false")
    proc = run("features", "list", "--enable", "bogus")  # an unknown name warns (issue 15)...
    assert proc.returncode == 0 and "Unknown feature flag `bogus` (--enable) is ignored" in proc.stderr
    proc = run("features", "list", "--strict-config", "--enable", "bogus")  # ...and fails when strict
    assert proc.returncode == 1 and "Unknown feature flag: bogus" in proc.stderr


def test_completion_scripts() -> None:
    for shell, marker in (("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete --no-files --command codex")):
        proc = run("completion", shell)
        assert proc.returncode == 0, proc.stderr
        assert marker in proc.stdout
    bash = run("completion").stdout
    subprocess.run(["bash", "-n"], input=bash, text=True, check=True)


def test_login_logout_permissions(codex_home: Path) -> None:
    proc = run("login", "--with-api-key", input="sk-abcdef1234567890\n")
    assert proc.returncode == 0, proc.stderr
    # the reference's words (on stderr) and auth.json shape
    assert proc.stderr.splitlines() == [
        "Reading API key from stdin...",
        "API key saved. Authentication is checked when you send a request.",
    ]
    auth = codex_home / "auth.json"
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    assert json.loads(auth.read_text()) == {"auth_mode": "apikey", "OPENAI_API_KEY": "sk-abcdef1234567890"}
    status = run("login", "status")
    assert status.returncode == 0 and "sk-ab***7890" in status.stdout
    assert run("logout").returncode == 0
    assert not auth.exists()
    assert run("login", "status").returncode == 1


def test_login_with_an_empty_key_says_so_and_keeps_the_stored_one(codex_home: Path) -> None:
    assert run("login", "--api-key", "sk-first-key-123456").returncode == 0
    before = (codex_home / "auth.json").read_text()
    empty = run("login", "--with-api-key", input="\n  \n")
    assert empty.returncode == 1
    assert empty.stderr.splitlines() == ["Reading API key from stdin...", "No API key provided via stdin."]
    blank = run("login", "--api-key", " ")
    assert blank.returncode == 1 and "empty" in blank.stderr and "Traceback" not in blank.stderr
    assert (codex_home / "auth.json").read_text() == before


def test_login_into_an_unwritable_codex_home_is_one_error_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "auth.json").mkdir(parents=True)  # the file cannot be replaced (root ignores modes)
    proc = subprocess.run(
        [CODEX, "login", "--api-key", "sk-abcdef1234567890"],
        env={**os.environ, "CODEX_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"Error: cannot write {home / 'auth.json'}: "), proc.stderr


def test_stored_api_key_is_used_by_openai_provider(codex_home: Path) -> None:
    from codex_core.client import api_key_for, resolve_provider

    run("login", "--api-key", "sk-stored-key-123456")
    provider = resolve_provider("openai", {})
    assert api_key_for(provider, codex_home=codex_home, env={}) == "sk-stored-key-123456"


def test_exec_without_credentials_message(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    proc = run("exec", "hello", cwd=tmp_path)
    assert proc.returncode == 1
    assert "OPENAI_API_KEY" in proc.stderr and "Traceback" not in proc.stderr


def test_prompt_positional_routes_to_tui_not_command_error() -> None:
    from click.testing import CliRunner

    from codex_exec.multitool import main as cli_main

    captured: dict[str, object] = {}

    def fake_run_tui(opts, *, prompt, images, alt_screen):  # type: ignore[no-untyped-def]
        captured.update(prompt=prompt, model=opts.model, images=images)
        return 0

    import codex_tui.launch as launch

    orig = launch.run_tui
    launch.run_tui = fake_run_tui  # type: ignore[assignment]
    try:
        result = CliRunner().invoke(cli_main.cli, ["-m", "o3", "fix the tests"])
    finally:
        launch.run_tui = orig  # type: ignore[assignment]
    assert result.exit_code == 0, result.output
    assert captured == {"prompt": "fix the tests", "model": "o3", "images": []}
