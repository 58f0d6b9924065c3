"""Escape suite, host-side class: ``untrusted`` must not auto-approve writers posing as readers.

Under ``approval_policy = "untrusted"`` the spec 5.5 known-safe commands run without asking.
``uniq IN OUT`` truncates OUT, and ``/ws/bin/cat`` is whatever the model put there: both must
go to the user (issue 14 item 7). Driven end to end: a real local SSE server scripts the model,
the agent loop assesses and runs real commands.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_core import Codex
from codex_core.config import ConfigOverrides, load_config
from tests.support.provider import TEST_ENV_KEY, provider_overrides
from tests.support.sse_server import ScriptedResponsesServer, turn_message, turn_tool_call

from .conftest import needs_sandbox

IN_TEXT = "b\na\na\n"


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / "bin").mkdir(parents=True)
    (ws / "in.txt").write_text(IN_TEXT)
    (ws / "out.txt").write_text("keep\n")
    impostor = ws / "bin" / "cat"
    impostor.write_text(f"#!/bin/sh\necho pwned > {ws / 'pwned'}\n")
    impostor.chmod(0o755)
    return ws


@pytest.mark.parametrize(
    "sandbox_mode",
    [
        pytest.param("workspace-write", marks=[needs_sandbox, pytest.mark.sandbox]),
        "danger-full-access",
    ],
)
async def test_untrusted_asks_before_writers_and_impostors_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox_mode: str
) -> None:
    ws = _workspace(tmp_path)
    writers = [
        ["uniq", "in.txt", "out.txt"],
        ["uniq", "-c", "in.txt", "out.txt"],
        [str(ws / "bin" / "cat"), "in.txt"],
        ["bash", "-lc", "cat in.txt && uniq in.txt out.txt"],
    ]
    reader = ["uniq", "in.txt"]  # the control: known safe, runs without asking
    monkeypatch.setenv(TEST_ENV_KEY, "k")
    with ScriptedResponsesServer() as server:
        server.enqueue(
            *(turn_tool_call("shell", {"command": argv}, call_id=f"c{i}") for i, argv in enumerate([*writers, reader])),
            turn_message("done"),
        )
        config = load_config(
            ConfigOverrides(
                # the classic `shell` tool is scripted: it is offered only with unified exec off
                config_overrides=[*provider_overrides(server.base_url), "features.unified_exec=false"],
                approval_policy="untrusted",
                sandbox_mode=sandbox_mode,  # type: ignore[arg-type]
            ),
            cwd=ws,
        )
        thread = Codex(config).start_thread(ephemeral=True)
        asked: list[list[str]] = []
        async for event in thread.run_streamed("dedupe in.txt"):
            if event.type == "approval.requested":
                asked.append(list(event.command or ()))
                await thread.respond_approval(event.request_id, "denied")
        await thread.aclose()
        outputs = {
            item["call_id"]: item["output"]
            for request in server.requests
            for item in request.body["input"]
            if item["type"] == "function_call_output"
        }

    assert asked == writers
    assert (ws / "out.txt").read_text() == "keep\n"
    assert not (ws / "pwned").exists()
    assert all("rejected" in outputs[f"c{i}"] for i in range(len(writers)))
    reader_result = json.loads(outputs[f"c{len(writers)}"])  # the reader ran unasked
    assert reader_result["metadata"]["exit_code"] == 0 and "b\na\n" in reader_result["output"]


async def test_bare_name_is_judged_on_the_commands_own_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cat`` is whatever the command's PATH (``shell_environment_policy``) finds first: with the
    workspace's bin first on it, a bare ``cat`` is the impostor and must be asked about."""
    ws = _workspace(tmp_path)
    monkeypatch.setenv(TEST_ENV_KEY, "k")
    with ScriptedResponsesServer() as server:
        server.enqueue(turn_tool_call("shell", {"command": ["cat", "in.txt"]}, call_id="c0"), turn_message("done"))
        config = load_config(
            ConfigOverrides(
                config_overrides=[
                    *provider_overrides(server.base_url),
                    "features.unified_exec=false",
                    f'shell_environment_policy.set.PATH="{ws / "bin"}:/usr/bin:/bin"',
                ],
                approval_policy="untrusted",
                sandbox_mode="danger-full-access",
            ),
            cwd=ws,
        )
        thread = Codex(config).start_thread(ephemeral=True)
        asked: list[list[str]] = []
        async for event in thread.run_streamed("show in.txt"):
            if event.type == "approval.requested":
                asked.append(list(event.command or ()))
                await thread.respond_approval(event.request_id, "denied")
        await thread.aclose()
    assert asked == [["cat", "in.txt"]]
    assert not (ws / "pwned").exists()
