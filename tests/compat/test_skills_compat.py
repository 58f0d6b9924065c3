"""Skills in the model request compared with Codex 0.169's (``fixtures/reference_skills_request.json``,
recorded by ``record_skills.py``): the ``<skills_instructions>`` text byte for byte, its place in the
developer message, and the messages a ``$skill`` mention adds, through a real ``codex exec`` run
against the scripted server.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.compat.record_skills import PROMPT, SKILLS_FIXTURE, build_scenario, run_exec

CODEX = str(Path(sys.executable).parent / "codex")


def _texts(item: dict[str, Any]) -> list[str]:
    return [str(part.get("text", "")) for part in item.get("content") or []]


@pytest.fixture(scope="module")
def requests(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    scenario = build_scenario(tmp_path_factory.mktemp("skills"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "CODEX"))}
    env.update(CODEX_SYSTEM_CONFIG_PATH=str(scenario.home / "no-system.toml"))
    env.update(CODEX_REQUIREMENTS_PATH=str(scenario.home / "no-requirements.toml"))
    env.update(CODEX_MANAGED_CONFIG_PATH=str(scenario.home / "no-managed.toml"))
    ours, proc = run_exec(CODEX, scenario, env)
    assert proc.returncode == 0, proc.stderr
    reference = json.loads(SKILLS_FIXTURE.read_text(encoding="utf-8"))
    return reference["input"], ours["input"]


def test_skills_section_is_byte_identical(requests: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    reference, ours = requests
    ref_section = next(t for t in _texts(reference[0]) if t.startswith("<skills_instructions>"))
    our_section = next(t for t in _texts(ours[0]) if t.startswith("<skills_instructions>"))
    assert our_section == ref_section
    assert "- off:" not in our_section  # disabled in [[skills.config]]
    assert "x" * 1021 + "... (file: r4/pkg-skill/SKILL.md)" in our_section  # long description cut


def test_skills_section_sits_before_the_permissions(
    requests: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    for developer in (requests[0][0], requests[1][0]):
        texts = _texts(developer)
        assert developer["role"] == "developer"
        assert texts[0].startswith("<skills_instructions>")
        assert texts[1].startswith("<permissions instructions>")


def test_a_mention_adds_the_skill_files_after_the_prompt(
    requests: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    reference, ours = requests

    def after_prompt(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        index = next(i for i, item in enumerate(items) if _texts(item) == [PROMPT])
        return items[index:]

    assert after_prompt(ours) == after_prompt(reference)
    injected = after_prompt(ours)[1:]
    assert [_texts(i)[0].split("\n")[1] for i in injected] == ["<name>repo-tool</name>", "<name>home-helper</name>"]
    assert all(i["role"] == "user" and i["type"] == "message" for i in injected)
