"""Record the reference Codex CLI's skills behaviour: the ``<skills_instructions>`` part of its first
model request and the messages a ``$skill`` mention adds (``fixtures/reference_skills_request.json``).

``test_skills_compat.py`` builds the same scenario (:func:`build_scenario`) for codex-py and
compares. Re-record (only against the local scripted server, in a network namespace that has
nothing but loopback)::

    unshare -n sh -c 'ip link set lo up; uv run python -m tests.compat.record_skills --codex PATH/TO/codex'

The scenario: a git repository whose working directory is a subdirectory, skills in
``$CODEX_HOME/skills``, ``$HOME/.agents/skills``, the repository's ``.codex/skills`` and
``.agents/skills`` (root and subdirectory), one skill with a long folded description and one
disabled in ``[[skills.config]]``; bundled system skills off (``skills.bundled.enabled = false``,
so nothing of OpenAI's own skills is recorded). The prompt mentions two skills, an ambiguous
name and ``$PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.compat.record_reference import refuse_if_online, scripted_config
from tests.compat.request_shape import normalise_request
from tests.support.sse_server import ScriptedResponsesServer, turn_message

__all__ = ["PROMPT", "SKILLS_FIXTURE", "Scenario", "build_scenario", "normalise_skills_request", "run_exec"]

SKILLS_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "reference_skills_request.json"
PROMPT = "Use $repo-tool and $home-helper here; $twin is ambiguous and $PATH is not a skill."


def _skill(directory: Path, front_matter: str, body: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "SKILL.md").write_text(f"---\n{front_matter}---\n\n{body}", encoding="utf-8")


class Scenario:
    """The directories of one recording (all under ``scratch``)."""

    def __init__(self, scratch: Path) -> None:
        self.home = scratch / "codex-home"
        self.user_home = scratch / "user-home"
        self.repo = scratch / "repo"
        self.cwd = self.repo / "pkg"


def build_scenario(scratch: Path) -> Scenario:
    s = Scenario(scratch)
    for d in (s.home, s.user_home, s.cwd):
        d.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(s.repo)], check=True)
    _skill(s.home / "skills" / "home-helper", "name: home-helper\ndescription: Helps at home.\n", "Home steps.\n")
    _skill(s.home / "skills" / "twin-a", "name: twin\ndescription: First twin.\n", "A\n")
    _skill(
        s.user_home / ".agents" / "skills" / "agents-user", "name: agents-user\ndescription: From ~/.agents.\n", "U\n"
    )
    _skill(
        s.repo / ".agents" / "skills" / "repo-tool",
        "name: repo-tool\ndescription: >\n  Runs the repo's\n  tool.\nmetadata:\n  short-description: repo tool\n",
        "1. Run `make tool`.\n2. Report.\n",
    )
    _skill(s.repo / ".agents" / "skills" / "twin-b", "name: twin\ndescription: Second twin.\n", "B\n")
    _skill(s.repo / ".codex" / "skills" / "codex-dir", "name: codex-dir\ndescription: In .codex/skills.\n", "C\n")
    _skill(s.cwd / ".agents" / "skills" / "pkg-skill", "name: pkg-skill\ndescription: " + "x" * 1100 + "\n", "P\n")
    _skill(s.repo / ".agents" / "skills" / "off", "name: off\ndescription: Disabled.\n", "O\n")
    return s


def extra_config(s: Scenario) -> str:
    return '\n[skills.bundled]\nenabled = false\n\n[[skills.config]]\nname = "off"\nenabled = false\n'


def run_exec(codex: str, s: Scenario, env: dict[str, str]) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """``codex exec --json PROMPT`` in the scenario; ``(the normalised first request, the process)``."""
    with ScriptedResponsesServer() as server:
        server.enqueue(turn_message("ok"))
        (s.home / "config.toml").write_text(scripted_config(server.base_url) + extra_config(s), encoding="utf-8")
        env = {**env, "CODEX_HOME": str(s.home), "HOME": str(s.user_home), "TEST_API_KEY": "sk-test"}
        proc = subprocess.run(
            [codex, "exec", "-c", "analytics.enabled=false", "--json", PROMPT],
            cwd=s.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if not server.requests:
            return {}, proc
        captured = server.requests[0]
    return normalise_skills_request(captured.headers, captured.body, s), proc


def normalise_skills_request(headers: Any, body: Any, s: Scenario) -> dict[str, Any]:
    """The request's input messages (base instructions left out), with the scenario's paths as
    ``<cwd>``, ``<repo>``, ``<codex_home>`` and ``<user_home>``."""
    request = normalise_request(headers, body, cwd=str(s.cwd), codex_home=str(s.home))
    text = json.dumps(request["body"]["input"][1:])
    text = text.replace(str(s.repo), "<repo>").replace(str(s.user_home), "<user_home>")
    items = json.loads(text)
    for item in items:
        item.pop("id", None)
    return {"input": items}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codex", required=True, help="path of the reference codex binary")
    args = parser.parse_args(argv)
    refuse_if_online()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "CODEX"))}
    with tempfile.TemporaryDirectory(prefix="codex-ref-skills-", dir="/var/tmp") as scratch:
        request, proc = run_exec(args.codex, build_scenario(Path(scratch)), env)
    if proc.returncode != 0 or not request:
        sys.exit(f"reference exited {proc.returncode}: {proc.stderr[-2000:]}")
    SKILLS_FIXTURE.write_text(json.dumps(request, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {SKILLS_FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
