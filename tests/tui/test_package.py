"""Package hygiene: curated exports and a CLI import path that stays light."""

from __future__ import annotations

import subprocess
import sys

import codex_tui


def test_exported_members() -> None:
    assert sorted(codex_tui.__all__) == ["CodexApp", "ResumeRequest", "run_tui"]
    for name in codex_tui.__all__:
        assert getattr(codex_tui, name) is not None


def test_cli_import_does_not_load_textual_or_pydantic() -> None:
    code = (
        "import sys, codex_exec.multitool.main, codex_exec.commands.resume\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('textual', 'pydantic', 'httpx')]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_resume_help_lists_options() -> None:
    from click.testing import CliRunner

    from codex_exec.commands.resume import resume

    result = CliRunner().invoke(resume, ["--help"])
    assert result.exit_code == 0
    assert "--last" in result.output and "--all" in result.output and "SESSION_ID" in result.output
