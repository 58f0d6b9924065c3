"""The scripted server also runs as a standalone process (benchmarks, tmux sessions)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from codex_core.client import Completed, OutputItemDone, Prompt
from codex_core.errors import ModelHTTPError
from codex_core.protocol.items import Message
from tests.client.conftest import make_client
from tests.support.sse_server import turn_message

SERVER = Path(__file__).resolve().parents[1] / "support" / "sse_server.py"
PROMPT = Prompt(input=[Message.user("hi")], instructions="x")


async def _exercise(base_url: str) -> None:
    async with make_client(base_url) as client:
        try:
            _ = [e async for e in client.stream(PROMPT)]
        except ModelHTTPError as exc:
            assert exc.status == 400 and "bad thing" in str(exc)
        else:
            raise AssertionError("the scripted 400 was not served")
        for _ in range(2):  # the last response keeps being served
            events = [e async for e in client.stream(PROMPT)]
            done = [e.item for e in events if isinstance(e, OutputItemDone)]
            assert isinstance(done[0], Message) and done[0].text == "scripted"
            assert isinstance(events[-1], Completed)


def test_script_mode_serves_and_repeats_last(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps([{"status": 400, "body": {"error": {"message": "bad thing"}}}, turn_message("scripted")])
    )
    log = tmp_path / "requests.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(SERVER),
            "--port",
            "0",
            "--script",
            str(script),
            "--repeat-last",
            "--log",
            str(log),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        asyncio.run(_exercise(base_url))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(logged) == 3
    assert logged[0]["path"] == "/v1/responses" and logged[0]["body"]["model"] == "gpt-test"


def test_script_mode_rejects_bad_script(tmp_path: Path) -> None:
    script = tmp_path / "bad.json"
    script.write_text('[{"events": 3}]')
    result = subprocess.run(
        [sys.executable, str(SERVER), "--script", str(script)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "bad.json: response #1: object responses need an 'events' list" in result.stderr
