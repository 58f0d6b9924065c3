"""Record the reference Codex CLI's model request and ``exec --json`` events as test fixtures.

The fixtures in ``tests/compat/fixtures/`` were recorded from Codex CLI 0.169.0 with this
script; ``test_first_request.py`` replays the same scripted model turns against codex-py and
compares. Re-record (only against the local scripted server, never the internet: run it in a
network namespace that has nothing but loopback)::

    unshare -n sh -c 'ip link set lo up; uv run python -m tests.compat.record_reference --codex PATH/TO/codex'

The reference runs with a scratch ``CODEX_HOME`` and working directory (deleted afterwards),
``model = "gpt-5.5"`` (a catalog model whose tool set is the classic one; the catalog's default
model uses "code mode", which codex-py does not implement) and the scripted ``test`` provider.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.compat.request_shape import normalise_events, normalise_request
from tests.support.sse_server import (
    ScriptedResponsesServer,
    ev_completed,
    ev_created,
    ev_custom_tool_call,
    ev_function_call,
    turn_message,
)

__all__ = [
    "EVENTS_FIXTURE",
    "FIXTURES",
    "MODEL",
    "REQUEST_FIXTURE",
    "exec_events_script",
    "first_request_script",
    "refuse_if_online",
    "scripted_config",
]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REQUEST_FIXTURE = FIXTURES / "reference_first_request.json"
EVENTS_FIXTURE = FIXTURES / "reference_exec_events.jsonl"
MODEL = "gpt-5.5"
PATCH = "*** Begin Patch\n*** Add File: b.txt\n+bee\n*** End Patch\n"


def first_request_script() -> list[Any]:
    """``codex exec "hi"``: one plain answer."""
    return [turn_message("hello there")]


def exec_events_script() -> list[Any]:
    """A shell command, an apply_patch and a message, with cached and reasoning token counts."""
    return [
        [
            ev_created("r1"),
            *ev_function_call("exec_command", {"cmd": "echo hi > a.txt; cat a.txt"}, "c1"),
            ev_completed("r1", 100, 20, 40, 7),
        ],
        [ev_created("r2"), *ev_custom_tool_call("apply_patch", PATCH, "c2"), ev_completed("r2", 200, 30, 80, 9)],
        turn_message("done", "r3", input_tokens=300, output_tokens=5, cached=100, reasoning=2),
    ]


def scripted_config(base_url: str) -> str:
    """``config.toml`` pointing at the scripted server, with the model the fixtures use."""
    return (
        f'model = "{MODEL}"\n'
        'model_provider = "test"\n'
        "[model_providers.test]\n"
        'name = "Test"\n'
        f'base_url = "{base_url}"\n'
        'env_key = "TEST_API_KEY"\n'
        'wire_api = "responses"\n'
        "request_max_retries = 0\n"
        "stream_max_retries = 0\n"
    )


def refuse_if_online() -> None:
    """Exit unless this process is offline (the reference binary must never reach the internet)."""
    try:
        with socket.create_connection(("1.1.1.1", 443), timeout=1):
            pass
    except OSError:
        return
    sys.exit("refusing to run the reference with internet access: run inside `unshare -n` (see module docstring)")


def _run(codex: str, script: list[Any], args: list[str]) -> tuple[ScriptedResponsesServer, str, str, str]:
    with tempfile.TemporaryDirectory(prefix="codex-ref-", dir="/var/tmp") as scratch:
        home, work = Path(scratch, "home"), Path(scratch, "work")
        home.mkdir()
        work.mkdir()
        with ScriptedResponsesServer() as server:
            server.enqueue(*script)
            (home / "config.toml").write_text(scripted_config(server.base_url), encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "CODEX"))}
            env.update(CODEX_HOME=str(home), TEST_API_KEY="sk-test")
            proc = subprocess.run(
                [codex, "exec", "--skip-git-repo-check", "--json", *args, "hi"],
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=120,
            )
        if proc.returncode != 0:
            sys.exit(f"reference exited {proc.returncode}: {proc.stderr[-2000:]}")
        return server, proc.stdout, str(work), str(home)


def _elide_base_instructions(request: dict[str, Any]) -> None:
    """The reference's base instructions (its model prompt, ~21 KB) are not codex-py's and are not
    compared: the fixture keeps their size and digest only."""
    first = request["body"]["input"][0]
    text = first["content"][0]["text"]
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    first["content"][0]["text"] = f"<base_instructions chars={len(text)} sha256={digest}>"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codex", required=True, help="path of the reference codex binary")
    args = parser.parse_args(argv)
    refuse_if_online()
    FIXTURES.mkdir(exist_ok=True)

    server, _, cwd, home = _run(args.codex, first_request_script(), [])
    captured = server.requests[0]
    request = normalise_request(captured.headers, captured.body, cwd=cwd, codex_home=home)
    _elide_base_instructions(request)
    REQUEST_FIXTURE.write_text(json.dumps(request, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    _, stdout, cwd, _ = _run(args.codex, exec_events_script(), ["-s", "workspace-write"])
    events = normalise_events(stdout.splitlines(), cwd=cwd)
    EVENTS_FIXTURE.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    print(f"wrote {REQUEST_FIXTURE} and {EVENTS_FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
