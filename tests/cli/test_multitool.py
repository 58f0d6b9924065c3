"""The `codex` command lives in codex_exec: headless subcommands never load the TUI, and without
the TUI distribution the commands that open it fail with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codex_exec.multitool.command_table import ALIASES, COMMANDS, TUI_COMMANDS
from codex_exec.multitool.entry import tui_may_run
from codex_exec.multitool.tui import TUI_MISSING

BLOCK_TUI = "import sys; sys.modules['codex_tui'] = None\n"
"""Makes `import codex_tui` fail as it does when codex-py-tui is not installed."""


def run_entry(args: list[str], *, prelude: str = "", codex_home: Path) -> subprocess.CompletedProcess[str]:
    """The console script's `main` in a fresh interpreter, then which heavy packages it loaded."""
    code = (
        f"{prelude}import sys\n"
        "from codex_exec.multitool.entry import main\n"
        f"sys.argv = ['codex', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\nelse:\n    code = 0\n"
        "names = {m.split('.')[0] for m, module in sys.modules.items() if module is not None}\n"
        "loaded = sorted(names & {'codex_tui', 'textual'})\n"
        "print('loaded:', ','.join(loaded), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "CODEX_HOME": str(codex_home)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "opens_tui"),
    [
        ([], True),
        (["fix the tests"], True),
        (["-m", "o3", "-c", "k=v"], True),
        (["resume", "--last"], True),
        (["-p", "work", "fork", "abc"], True),
        (["exec", "hello"], False),
        (["e", "hello"], False),
        (["-c", "k=v", "features", "list"], False),
        (["help", "resume"], False),
        (["--help"], False),
        (["-m", "o3", "-h"], False),
        (["--", "exec"], True),
    ],
)
def test_tui_may_run(args: list[str], opens_tui: bool) -> None:
    assert tui_may_run(args) is opens_tui


def test_the_table_names_only_real_commands() -> None:
    assert TUI_COMMANDS <= set(COMMANDS)
    assert set(ALIASES.values()) <= set(COMMANDS)


def test_headless_subcommand_loads_neither_textual_nor_the_tui(tmp_path: Path) -> None:
    proc = run_entry(["features", "list"], codex_home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "unified_exec" in proc.stdout
    assert proc.stderr.splitlines()[-1] == "loaded: "


@pytest.mark.parametrize("args", [[], ["say hi"], ["resume", "--last"], ["fork", "--last"]])
def test_without_the_tui_one_clear_line_and_exit_1(args: list[str], tmp_path: Path) -> None:
    proc = run_entry(args, prelude=BLOCK_TUI, codex_home=tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0] == f"Error: {TUI_MISSING}"
    assert "Traceback" not in proc.stderr
    assert lines[1:] == ["loaded: "]
    assert not list(tmp_path.glob("sessions/**/*.jsonl"))  # `fork --last` made no copy first


def test_without_the_tui_headless_subcommands_still_work(tmp_path: Path) -> None:
    proc = run_entry(["exec", "--help"], prelude=BLOCK_TUI, codex_home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: codex exec")


def test_python_dash_m_codex_exec_is_the_codex_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "codex_exec", "--help"], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.startswith("Usage: codex [OPTIONS] [PROMPT]")
    assert "  app-server " in proc.stdout
    version = subprocess.run(
        [sys.executable, "-m", "codex_exec", "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    assert version.stdout == "codex-cli 0.1.0\n"
