"""``skills/list``, ``skills/config/write``, ``skills/extraRoots/set`` and the ``skill`` input item
over a real ``codex app-server`` on stdio (shapes as measured on the reference 0.169)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_server.conftest import AppServerClient
from tests.skills.test_discovery import write_skill
from tests.support.provider import write_provider_config
from tests.support.sse_server import ScriptedResponsesServer, turn_message


@pytest.fixture
def setup(tmp_path: Path, codex_home: Path) -> Iterator[tuple[AppServerClient, ScriptedResponsesServer, Path]]:
    ws = tmp_path / "ws"
    ws.mkdir()
    with ScriptedResponsesServer() as server:
        write_provider_config(codex_home, server.base_url, retries=0, stream_idle_timeout_ms=20000)
        config = codex_home / "config.toml"
        config.write_text("# keep this comment\n" + config.read_text())
        env = {**os.environ, "TEST_API_KEY": "sk-test", "HOME": str(tmp_path / "home")}
        client = AppServerClient(env, ws)
        client.initialize()
        yield client, server, ws
        client.close()


def test_skills_list_reports_skills_and_errors_with_the_reference_fields(
    setup: tuple[AppServerClient, ScriptedResponsesServer, Path], codex_home: Path
) -> None:
    client, _, ws = setup
    repo_skill = write_skill(ws / ".agents" / "skills" / "repo-skill", "repo-skill", "Repo skill.")
    (repo_skill.parent / "agents").mkdir()
    (repo_skill.parent / "agents" / "openai.yaml").write_text(
        "interface:\n  display_name: Repo Skill\n  brand_color: '#112233'\n"
    )
    home_skill = codex_home / "skills" / "home-skill" / "SKILL.md"
    home_skill.parent.mkdir(parents=True)
    home_skill.write_text("---\nname: home-skill\ndescription: Home.\nmetadata:\n  short-description: short\n---\n")
    broken = ws / ".agents" / "skills" / "broken" / "SKILL.md"
    broken.parent.mkdir()
    broken.write_text("nope\n")
    result = client.call("skills/list", {})
    assert result == {
        "data": [
            {
                "cwd": str(ws),
                "skills": [
                    {
                        "name": "repo-skill",
                        "description": "Repo skill.",
                        "interface": {
                            "displayName": "Repo Skill",
                            "shortDescription": None,
                            "iconSmall": None,
                            "iconLarge": None,
                            "iconSmallUrl": None,
                            "iconLargeUrl": None,
                            "brandColor": "#112233",
                            "defaultPrompt": None,
                        },
                        "path": str(repo_skill),
                        "scope": "repo",
                        "enabled": True,
                        "pluginId": None,
                    },
                    {
                        "name": "home-skill",
                        "description": "Home.",
                        "shortDescription": "short",
                        "path": str(home_skill),
                        "scope": "user",
                        "enabled": True,
                        "pluginId": None,
                    },
                ],
                "errors": [{"path": str(broken), "message": "missing YAML frontmatter delimited by ---"}],
            }
        ]
    }
    other = ws.parent / "other"
    other.mkdir()
    listed = client.call("skills/list", {"cwds": [str(other)], "forceReload": True})
    assert [(e["cwd"], [s["name"] for s in e["skills"]]) for e in listed["data"]] == [(str(other), ["home-skill"])]


def test_skills_config_write_edits_config_toml_keeping_comments(
    setup: tuple[AppServerClient, ScriptedResponsesServer, Path], codex_home: Path
) -> None:
    client, _, ws = setup
    skill = write_skill(ws / ".agents" / "skills" / "one", "one")
    write_skill(ws / ".agents" / "skills" / "two", "two")
    assert client.call("skills/config/write", {"path": str(skill), "enabled": False}) == {"effectiveEnabled": False}
    assert client.call("skills/config/write", {"name": "two", "enabled": False}) == {"effectiveEnabled": False}
    text = (codex_home / "config.toml").read_text()
    assert text.startswith("# keep this comment\n")
    assert text.endswith(
        f'\n[[skills.config]]\npath = "{skill}"\nenabled = false\n\n[[skills.config]]\nname = "two"\nenabled = false\n'
    )
    listed = client.call("skills/list", {})["data"][0]["skills"]
    assert {s["name"]: s["enabled"] for s in listed} == {"one": False, "two": False}
    assert client.call("skills/config/write", {"path": str(skill), "enabled": True}) == {"effectiveEnabled": True}
    assert "one/SKILL.md" not in (codex_home / "config.toml").read_text()
    for bad in ({"enabled": False}, {"enabled": False, "name": "two", "path": str(skill)}):
        reply = client.response(client.request("skills/config/write", bad))
        assert reply["error"]["code"] == -32602
        assert reply["error"]["message"] == "skills/config/write requires exactly one of path or name"


def test_extra_roots_are_listed_as_user_skills(setup: tuple[AppServerClient, ScriptedResponsesServer, Path]) -> None:
    client, _, ws = setup
    extra = ws.parent / "extra"
    write_skill(extra / "x1", "extra-one")
    assert client.call("skills/extraRoots/set", {"extraRoots": [str(extra)]}) == {}
    skills = client.call("skills/list", {})["data"][0]["skills"]
    assert [(s["name"], s["scope"]) for s in skills] == [("extra-one", "user")]
    reply = client.response(client.request("skills/extraRoots/set", {"extraRoots": ["relative/path"]}))
    assert "error" in reply and "absolute" in reply["error"]["message"]


def test_a_skill_input_item_sends_the_skill_with_the_turn(
    setup: tuple[AppServerClient, ScriptedResponsesServer, Path], codex_home: Path
) -> None:
    client, server, ws = setup
    skill = write_skill(codex_home / "skills" / "picked", "picked", "Picked.", "PICKED BODY\n")
    server.enqueue(turn_message("ok"))
    thread = client.call("thread/start", {"cwd": str(ws)})["thread"]
    item = {"type": "skill", "name": "picked", "path": str(skill)}
    client.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "go"}, item]})
    client.notification("turn/completed")
    user = client.notification("item/completed", lambda p: p["item"]["type"] == "userMessage")["item"]
    assert user["content"][1] == item
    texts = [p["text"] for i in server.requests[0].body["input"] if i.get("role") == "user" for p in i["content"]]
    assert texts[-2:] == ["go", f"<skill>\n<name>picked</name>\n<path>{skill}</path>\n{skill.read_text()}\n</skill>"]
