"""Skills end to end through ``codex exec`` and the scripted model server: the list in the first
request, a ``$skill`` mention carrying the file, warnings for bad skill files, and the sandbox
keeping hidden files out of both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.skills.test_discovery import write_skill
from tests.support.provider import provider_cli_args
from tests.support.sse_server import ScriptedResponsesServer, turn_message

CODEX = str(Path(sys.executable).parent / "codex")


def _exec(ws: Path, prompt: str, *args: str) -> tuple[list[dict[str, Any]], subprocess.CompletedProcess[str]]:
    """``codex exec`` (human output: warnings are printed there) against the scripted server."""
    with ScriptedResponsesServer() as server:
        server.enqueue(turn_message("ok"))
        env = {**os.environ, "TEST_API_KEY": "sk-test"}
        proc = subprocess.run(
            [CODEX, "exec", "--skip-git-repo-check", *provider_cli_args(server.base_url), *args, prompt],
            cwd=ws,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    return server.requests[0].body["input"], proc


def _warnings(proc: subprocess.CompletedProcess[str]) -> list[str]:
    lines = (proc.stderr + proc.stdout).splitlines()
    return [line.removeprefix("warning: ") for line in lines if line.startswith("warning: ")]


def _texts(items: list[dict[str, Any]]) -> list[str]:
    return [p.get("text", "") for i in items if i.get("type") == "message" for p in i["content"]]


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


def test_a_mention_sends_the_skill_file_after_the_prompt(ws: Path) -> None:
    path = write_skill(ws / ".agents" / "skills" / "deploy", "deploy", "Deploys.", "1. Build.\n2. Ship.\n")
    items, _ = _exec(ws, "please $deploy now")
    texts = _texts(items)
    section = next(t for t in texts if t.startswith("<skills_instructions>"))
    assert f"- `r0` = `{ws / '.agents' / 'skills'}`" in section
    assert "- deploy: Deploys. (file: r0/deploy/SKILL.md)" in section
    assert texts[-2:] == [
        "please $deploy now",
        f"<skill>\n<name>deploy</name>\n<path>{path}</path>\n{path.read_text()}\n</skill>",
    ]


def test_no_mention_no_file_and_include_instructions_false_hides_the_list(ws: Path) -> None:
    write_skill(ws / ".agents" / "skills" / "deploy", "deploy")
    items, _ = _exec(ws, "plain prompt", "-c", "skills.include_instructions=false")
    texts = _texts(items)
    assert not any(t.startswith(("<skills_instructions>", "<skill>")) for t in texts)
    items, _ = _exec(ws, "$deploy", "-c", "skills.include_instructions=false")
    assert _texts(items)[-1].startswith("<skill>\n<name>deploy</name>")


def test_a_bad_skill_file_is_a_warning_naming_the_file_and_line(ws: Path) -> None:
    bad = ws / ".agents" / "skills" / "bad" / "SKILL.md"
    bad.parent.mkdir(parents=True)
    bad.write_text("---\nname: bad\n  oops: here\ndescription: d\n---\n")
    write_skill(ws / ".agents" / "skills" / "good", "good")
    items, proc = _exec(ws, "hi")
    assert _warnings(proc) == [
        f"failed to load skill {bad}: invalid YAML: mapping values are not allowed in this context at line 3 column 7"
    ]
    assert any("- good:" in t for t in _texts(items))


PROFILE = (
    'default_permissions = "ws"\n'
    "[permissions.ws.filesystem]\n"
    '":workspace_roots" = { "." = "write", "secret" = "none" }\n'
)


def test_skills_behind_a_hidden_path_are_never_listed_or_sent(ws: Path, codex_home: Path) -> None:
    (codex_home / "config.toml").write_text(PROFILE)
    hidden = write_skill(ws / "secret" / "stash", "stash", "TOPSECRET description", "TOPSECRET body\n")
    (ws / ".agents" / "skills").mkdir(parents=True)
    (ws / ".agents" / "skills" / "stash").symlink_to(ws / "secret" / "stash")
    (ws / ".agents" / "skills" / "file-link").mkdir()
    (ws / ".agents" / "skills" / "file-link" / "SKILL.md").symlink_to(hidden)  # a symlinked SKILL.md
    write_skill(ws / ".agents" / "skills" / "fine", "fine")
    link = ws / ".agents" / "skills" / "file-link" / "SKILL.md"
    items, proc = _exec(ws, f"use $stash and [$stash]({hidden}) and [$stash]({link}) and $fine")
    texts = _texts(items)
    assert not any("TOPSECRET" in t for t in texts), texts
    assert texts[-1].startswith("<skill>\n<name>fine</name>")
    warnings = _warnings(proc)
    assert len(warnings) == 1 and "hides (access `none`)" in warnings[0] and "stash" in warnings[0]
