"""Unified exec (``exec_command`` / ``write_stdin``): handlers driven with real processes in real
PTYs, real approvals and the real sandbox; plus the loop end to end once the router offers them."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codex_core.agent.runtime import ToolCall, TurnRuntime
from codex_core.agent.state import ThreadState
from codex_core.agent.unified_exec import (
    UnifiedExec,
    exec_command_tool,
    format_unified_output,
    truncate_tokens,
    write_stdin_tool,
)
from codex_core.approvals import SessionApprovals
from codex_core.config import Config
from codex_core.exec.sessions import ProcessSessionManager
from codex_core.execpolicy import load_exec_policy
from codex_core.protocol.events import ApprovalRequested, ThreadEvent
from codex_core.sandbox import linux_sandbox_support
from codex_core.testing import ScriptedModel

SANDBOX_OK = linux_sandbox_support().available
HEADER = re.compile(
    r"^Chunk ID: [0-9a-f]{6}\nWall time: \d+\.\d{4} seconds\n"
    r"(Process exited with code (?P<code>-?\d+)|Process running with session ID (?P<sid>\d+))\n"
)


class Harness:
    """A ThreadState + TurnRuntime built like ``Thread._turn`` builds them, recording events."""

    def __init__(self, config: Config, *, answer: str = "approved", ux: UnifiedExec | None = None) -> None:
        self.state = ThreadState(thread_id="t-1", config=config, model_client=ScriptedModel([]))
        self.state.exec_policy = load_exec_policy(config.codex_home).policy
        self.state.session_approvals = SessionApprovals()
        self.events: list[ThreadEvent] = []
        self.answer = answer
        self.ux = ux or UnifiedExec()
        self.turn = 0
        self.new_turn()
        self._n = 0

    def new_turn(self) -> None:
        self.turn += 1
        self.rt = TurnRuntime(
            state=self.state,
            emit=self._emit,
            turn_id=f"t-1:{self.turn}",
            cwd=self.state.config.cwd,
            approval_policy=self.state.config.approval_policy,
            sandbox_mode=self.state.config.sandbox_mode,
        )

    async def _emit(self, ev: ThreadEvent) -> None:
        self.events.append(ev)
        if isinstance(ev, ApprovalRequested):
            self.state.pending_approvals[ev.request_id].set_result(self.answer)  # type: ignore[arg-type]

    def _call(self, name: str, args: dict[str, Any]) -> ToolCall:
        self._n += 1
        return ToolCall(call_id=f"c{self._n}", name=name, kind="function", arguments=json.dumps(args))

    async def exec(self, **args: Any) -> tuple[str, bool | None]:
        out = await self.ux.exec_command(self._call("exec_command", args), self.rt)
        assert isinstance(out.output, str)
        return out.output, getattr(out, "success", None)

    async def write(self, **args: Any) -> tuple[str, bool | None]:
        out = await self.ux.write_stdin(self._call("write_stdin", args), self.rt)
        assert isinstance(out.output, str)
        return out.output, getattr(out, "success", None)

    def of_type(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.type == kind]

    def cmd_items(self, kind: str) -> list[Any]:
        return [e.item for e in self.of_type(kind) if e.item.type == "command_execution"]

    def deltas(self) -> str:
        return "".join(e.delta for e in self.of_type("item.delta"))


def parse(text: str) -> tuple[int | None, int | None, str]:
    """(exit code, session id, output) of a unified exec answer; asserts the header shape."""
    m = HEADER.match(text)
    assert m, text
    code = int(m["code"]) if m["code"] is not None else None
    sid = int(m["sid"]) if m["sid"] is not None else None
    return code, sid, text.split("\nOutput:\n", 1)[1]


@pytest.fixture
async def harness(make_config: Callable[..., Config]):  # type: ignore[no-untyped-def]
    made: list[Harness] = []

    def make(*overrides: str, answer: str = "approved", ux: UnifiedExec | None = None, **kw: Any) -> Harness:
        h = Harness(make_config(*overrides, **kw), answer=answer, ux=ux)
        made.append(h)
        return h

    yield make
    for h in made:  # no process outlives its test
        await h.ux.aclose()


async def test_quick_command_exits_within_the_yield(harness, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="danger-full-access")
    t0 = time.monotonic()
    text, ok = await h.exec(cmd="echo hello; echo oops >&2; exit 3", login=False)
    assert time.monotonic() - t0 < 5
    code, sid, output = parse(text)
    assert code == 3 and sid is None and ok is False
    assert output == "hello\noops\n"
    [started] = h.cmd_items("item.started")
    [done] = h.cmd_items("item.completed")
    # shown as the reference shows it: the shell argv
    assert started.id == done.id and started.command.endswith(" -c 'echo hello; echo oops >&2; exit 3'")
    assert done.exit_code == 3 and done.status == "failed" and done.aggregated_output == "hello\noops\n"
    assert h.deltas() == "hello\noops\n"
    assert len(h.ux.sessions) == 0  # exited sessions are dropped once reported


async def test_pty_input_round_trip_keeps_one_item(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="danger-full-access")
    cmd = "python3 -c \"import sys; print('tty', sys.stdin.isatty()); print('hi', input('name? '))\""
    text, ok = await h.exec(cmd=cmd, tty=True, yield_time_ms=700, login=False)
    code, sid, output = parse(text)
    assert code is None and sid is not None and ok is True
    assert "tty True" in output and "name? " in output
    assert h.cmd_items("item.completed") == []  # still in progress
    text, ok = await h.write(session_id=sid, chars="bob\n", yield_time_ms=3000)
    code, _, output = parse(text)
    assert code == 0 and ok is True
    assert "hi bob" in output and "tty True" not in output
    assert len(h.cmd_items("item.started")) == 1
    [done] = h.cmd_items("item.completed")
    assert done.exit_code == 0 and "tty True" in done.aggregated_output and "hi bob" in done.aggregated_output
    assert "hi bob" in h.deltas()
    text, ok = await h.write(session_id=sid, chars="again\n")
    assert ok is False and f"Unknown session ID {sid}" in text


async def test_cat_echo_through_write_stdin(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="danger-full-access")
    text, _ = await h.exec(cmd="cat", tty=True, yield_time_ms=250, login=False)
    _, sid, _ = parse(text)
    text, _ = await h.write(session_id=sid, chars="ping\n")
    _, _, output = parse(text)
    assert output.count("ping") == 2  # echoed by the terminal and by cat
    text, _ = await h.write(session_id=sid, chars="\x04", yield_time_ms=3000)
    assert parse(text)[0] == 0


async def test_long_running_process_polled_then_killed(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="danger-full-access")
    t0 = time.monotonic()
    text, _ = await h.exec(cmd="sleep 1.2; echo finished", yield_time_ms=1, login=False)  # clamped up to 250 ms
    assert 0.24 < time.monotonic() - t0 < 1.1
    code, sid, output = parse(text)
    assert code is None and sid is not None and output == ""
    # an empty poll waits up to 5 s (not the 250 ms default) and returns as soon as the process exits
    t0 = time.monotonic()
    text, _ = await h.write(session_id=sid)
    assert time.monotonic() - t0 < 4
    code, _, output = parse(text)
    assert code == 0 and output == "finished\n"
    # a process that never ends: poll, then kill everything
    text, _ = await h.exec(cmd="exec sleep 30", yield_time_ms=300, login=False)
    _, sid, _ = parse(text)
    session = h.ux.sessions.get(sid)
    assert session is not None
    await h.ux.aclose()
    assert session.exit_code == 128 + 9 and len(h.ux.sessions) == 0
    text, ok = await h.write(session_id=sid, chars="x")
    assert ok is False and "Unknown session ID" in text


async def test_end_turn_completes_item_and_later_poll_opens_a_new_one(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="danger-full-access")
    text, _ = await h.exec(cmd="echo one; read x; echo two $x; sleep 0.3; echo three", yield_time_ms=300, login=False)
    _, sid, output = parse(text)
    assert output == "one\n"
    await h.ux.end_turn(h.rt)
    [first] = h.cmd_items("item.completed")
    assert first.status == "completed" and first.exit_code is None and first.aggregated_output == "one\n"
    h.new_turn()
    await h.ux.end_turn(h.rt)  # nothing open in this turn yet
    assert len(h.cmd_items("item.completed")) == 1
    text, _ = await h.write(session_id=sid, chars="2\n", yield_time_ms=3000)
    code, _, output = parse(text)
    assert code == 0 and output == "two 2\nthree\n"
    started = h.cmd_items("item.started")
    completed = h.cmd_items("item.completed")
    assert len(started) == 2 and started[1].id != started[0].id
    assert completed[-1].id == started[1].id and completed[-1].aggregated_output == "two 2\nthree\n"


async def test_output_produced_between_calls_is_delivered_next_time(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="danger-full-access")
    text, _ = await h.exec(cmd="sleep 0.3; echo late; sleep 0.8", yield_time_ms=250, login=False)
    _, sid, output = parse(text)
    assert sid is not None and output == ""
    await asyncio.sleep(0.5)  # "late" arrives while no call is waiting
    assert h.deltas() == ""
    t0 = time.monotonic()
    text, _ = await h.write(session_id=sid)
    assert time.monotonic() - t0 < 3  # returned when the process exited
    code, _, output = parse(text)
    assert code == 0 and output == "late\n"
    assert h.deltas() == "late\n"
    assert h.cmd_items("item.completed")[0].aggregated_output == "late\n"


async def test_truncation_reports_original_token_count(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="danger-full-access")
    text, _ = await h.exec(
        cmd="python3 -c \"print('a' * 400 + 'b' * 400 + 'c' * 400)\"", max_output_tokens=50, login=False
    )
    assert "Original token count: 301\n" in text  # 1201 bytes
    _, _, output = parse(text)
    note = "Warning: truncated output (original token count: 301)\nTotal output lines: 1\n\n"  # the reference's
    assert output.startswith(note + "a" * 100) and output.endswith("c" * 99 + "\n")
    assert "…251 tokens truncated…" in output


def test_format_and_truncate_helpers() -> None:
    text = format_unified_output(wall_time_s=1.23456, exit_code=None, session_id=7, output="x", chunk_id="abcdef")
    assert text == "Chunk ID: abcdef\nWall time: 1.2346 seconds\nProcess running with session ID 7\nOutput:\nx"
    assert truncate_tokens("é" * 10, 10) == ("é" * 10, None)
    cut, original = truncate_tokens("é" * 10, 2)  # 20 bytes, budget 8: no split characters
    assert original == 5 and cut == "éé…3 tokens truncated…éé"
    for spec in (exec_command_tool(), write_stdin_tool()):
        params = spec["parameters"]
        assert params["additionalProperties"] is False and set(params["required"]) <= set(params["properties"])
    assert "sandbox_permissions" in exec_command_tool()["parameters"]["properties"]
    assert "sandbox_permissions" not in write_stdin_tool()["parameters"]["properties"]


async def test_bad_arguments_are_answers_for_the_model(harness, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="danger-full-access")
    with pytest.raises(ValueError, match="cmd"):
        await h.exec(cmd="")
    with pytest.raises(ValueError, match="workdir"):
        await h.exec(cmd="true", workdir="missing")
    with pytest.raises(ValueError, match="session_id"):
        await h.write(session_id="abc")
    text, ok = await h.write(session_id=424242, chars="x")
    assert ok is False and "Unknown session ID 424242" in text
    (workspace / "sub").mkdir()
    text, _ = await h.exec(cmd="pwd", workdir="sub", login=False)
    assert parse(text)[2].strip() == str(workspace / "sub")


async def test_missing_shell_fails_cleanly(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="danger-full-access")
    text, ok = await h.exec(cmd="true", shell="/nonexistent/shell", tty=True)
    assert ok is False and "failed to start" in text
    [done] = h.cmd_items("item.completed")
    assert done.status == "failed"


async def test_forbidden_rule_declines_without_spawning(harness, codex_home: Path, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    rules = codex_home / "rules"
    rules.mkdir()
    (rules / "default.rules").write_text('prefix_rule(pattern=["rm"], decision="forbidden", justification="no")\n')
    (workspace / "keep.txt").write_text("x")
    h = harness(sandbox_mode="danger-full-access")
    text, ok = await h.exec(cmd="rm keep.txt")
    assert ok is False and "rejected" in text
    assert (workspace / "keep.txt").exists()
    assert [i.status for i in h.cmd_items("item.completed")] == ["declined"]
    assert len(h.ux.sessions) == 0


@pytest.mark.parametrize("answer", ["approved", "denied"])
async def test_untrusted_asks_before_spawning(harness, workspace: Path, answer: str) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="workspace-write", approval_policy="untrusted", answer=answer)
    text, ok = await h.exec(cmd="touch made.txt", login=False, yield_time_ms=3000)
    [req] = h.of_type("approval.requested")
    assert req.kind == "exec" and "touch made.txt" in req.command
    if answer == "approved":
        assert parse(text)[0] == 0 and (workspace / "made.txt").exists()
    else:
        assert ok is False and "rejected by user" in text and not (workspace / "made.txt").exists()
        assert [i.status for i in h.cmd_items("item.completed")] == ["declined"]


async def test_write_stdin_needs_no_approval(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="workspace-write", approval_policy="untrusted")
    text, _ = await h.exec(cmd="cat", tty=True, yield_time_ms=250, login=False)
    asked = len(h.of_type("approval.requested"))
    _, sid, _ = parse(text)
    await h.write(session_id=sid, chars="rm -rf /\n")  # only data for cat
    assert len(h.of_type("approval.requested")) == asked


@pytest.mark.skipif(not SANDBOX_OK, reason="Linux sandbox unavailable here")
async def test_sandbox_still_blocks_outside_write_in_pty(harness, workspace: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = Path("/var/tmp") / f"codex-ux-escape-{tmp_path.name}"
    h = harness(sandbox_mode="workspace-write", approval_policy="never")
    text, _ = await h.exec(
        cmd=f"echo in > in.txt; read go; echo x > {target}", tty=True, yield_time_ms=500, login=False
    )
    _, sid, _ = parse(text)
    assert sid is not None
    text, ok = await h.write(session_id=sid, chars="go\n", yield_time_ms=3000)
    code, _, output = parse(text)
    assert code not in (None, 0) and ok is False
    assert (workspace / "in.txt").read_text() == "in\n"
    assert not target.exists()
    assert "sandbox" in output.lower()


async def test_session_cap_prunes_and_warns(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(sandbox_mode="danger-full-access", ux=UnifiedExec(ProcessSessionManager(max_sessions=2, warn_at=2)))
    sids = []
    for _ in range(3):
        text, _ = await h.exec(cmd="exec sleep 30", yield_time_ms=250, login=False)
        sids.append(parse(text)[1])
    assert any("2 interactive sessions" in w.message for w in h.of_type("warning"))
    assert "Warning: 2 interactive sessions" in text
    assert f"Closed the least recently used session {sids[0]}" in text
    assert sorted(s.id for s in h.ux.sessions.sessions()) == sorted(sids[1:])
    h.ux.terminate_all()
    assert len(h.ux.sessions) == 0


def _wired() -> bool:
    import inspect

    from codex_core.agent import router

    return "unified_exec" in inspect.getsource(router)


@pytest.mark.skipif(not _wired(), reason="router does not offer unified exec yet")
async def test_end_to_end_through_the_loop(make_config, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    from codex_core import Codex
    from codex_core.testing import function_call, message

    model = ScriptedModel(
        [
            [
                function_call(
                    "exec_command", {"cmd": "echo ready; read x; echo got $x", "tty": True, "yield_time_ms": 500}, "e1"
                )
            ],
            [function_call("write_stdin", {"session_id": 1000, "chars": "42\n", "yield_time_ms": 3000}, "w1")],
            [message("done")],
        ]
    )
    cfg = make_config("features.unified_exec=true", sandbox_mode="workspace-write", approval_policy="never")
    thread = Codex(cfg, model_client=model).start_thread(ephemeral=True)
    events = [ev async for ev in thread.run_streamed("go")]
    names = [t["name"] for t in model.prompts[0].tools if "name" in t]
    assert "exec_command" in names and "write_stdin" in names and "shell" not in names
    outs = {i.call_id: i.output for p in model.prompts for i in p.input if i.type == "function_call_output"}
    assert "Process running with session ID 1000" in outs["e1"]
    assert "Process exited with code 0" in outs["w1"] and "got 42" in outs["w1"]
    done = [e.item for e in events if e.type == "item.completed" and e.item.type == "command_execution"]
    assert done and done[0].exit_code == 0
    await thread.aclose()
