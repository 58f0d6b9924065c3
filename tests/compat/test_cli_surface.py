"""The command-line surface a Codex 0.169 user relies on, through the real `codex` click commands.

Reference: `codex --help`, `codex exec --help` and the subcommands' help of Codex CLI 0.169.0.
Commands of 0.169 that are not implemented here are listed in docs/tui.md ("The `codex` command line").
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from codex_exec.multitool.main import COMMANDS, cli

REFERENCE_COMMANDS = (
    "exec",
    "review",
    "login",
    "logout",
    "mcp",
    "app-server",
    "completion",
    "doctor",
    "sandbox",
    "debug",
    "apply",
    "resume",
    "archive",
    "delete",
    "unarchive",
    "fork",
    "features",
    "help",
)
"""The 0.169 subcommands this implementation provides (with our `execpolicy` and `mcp-server`)."""


def invoke(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input, prog_name="codex")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_help_lists_every_subcommand() -> None:
    code, out = invoke("--help")
    assert code == 0
    rows = out.split("Commands:")[1].splitlines()
    listed = {line.split()[0] for line in rows if line.startswith("  ") and not line.startswith("   ")}
    assert listed == set(COMMANDS)
    assert set(REFERENCE_COMMANDS) | {"execpolicy", "mcp-server"} <= listed


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_has_its_own_help(name: str) -> None:
    code, out = invoke(name, "--help")
    assert code == 0, out
    assert f"Usage: codex {name}" in out


@pytest.mark.parametrize(
    ("args", "usage"),
    [
        (("exec", "resume", "--help"), "Usage: codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]"),
        (("exec", "fork", "--help"), "Usage: codex exec fork [OPTIONS] SESSION_ID [PROMPT]"),
        (("exec", "review", "--help"), "Usage: codex exec review [OPTIONS] [PROMPT]"),
        (("help", "exec", "resume"), "Usage: codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]"),
        (("sandbox", "linux", "--help"), "Usage: codex sandbox linux [OPTIONS] COMMAND..."),
    ],
)
def test_nested_help_is_the_subcommands_own(args: tuple[str, ...], usage: str) -> None:
    code, out = invoke(*args)
    assert code == 0 and out.startswith(usage), out


def test_exec_flags_of_0169() -> None:
    code, out = invoke("exec", "--help")
    assert code == 0
    for flag in ("--ignore-user-config", "--ignore-rules", "--strict-config", "--version", "--json", "--ephemeral"):
        assert flag in out, flag
    for sub in ("resume", "fork", "review"):
        assert f"  {sub} " in out
    assert "--full-auto" not in out and "--ask-for-approval" not in out


def test_approval_values_and_full_auto_as_0169_with_old_spellings_deprecated() -> None:
    code, out = invoke("--help")
    assert "[on-request|never]" in out and "--full-auto" not in out
    for value in ("on-request", "never"):
        code, out = invoke("-a", value, "help")
        assert code == 0 and "deprecated" not in out
    for value in ("untrusted", "on-failure"):
        code, out = invoke("-a", value, "help")
        assert code == 0 and f"`--ask-for-approval {value}` is deprecated" in out
    code, out = invoke("--full-auto", "help")
    assert code == 0 and "--full-auto is deprecated" in out
    code, out = invoke("-a", "sometimes", "help")
    assert code == 2 and "'sometimes' is not one of 'on-request', 'never'" in out
