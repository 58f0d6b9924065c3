"""Interrupts stop a turn cleanly: through the SDK and with Ctrl-C on `codex exec`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

from codex_core import Codex
from codex_core.config import ConfigOverrides, load_config
from tests.e2e.conftest import CODEX
from tests.support.provider import provider_cli_args, provider_overrides
from tests.support.sse_server import ScriptedResponsesServer, Stall, ev_created, ev_message, turn_message


def _config(server: ScriptedResponsesServer, cwd: Path, codex_home: Path):  # type: ignore[no-untyped-def]
    os.environ["TEST_API_KEY"] = "k"
    return load_config(
        ConfigOverrides(config_overrides=provider_overrides(server.base_url)),
        cwd=cwd,
    )


async def test_sdk_interrupt_during_stream_then_continue(tmp_path: Path, codex_home: Path) -> None:
    with ScriptedResponsesServer() as server:
        server.enqueue(Stall([ev_created(), *ev_message("slow")], 2), turn_message("second turn works"))
        thread = Codex(_config(server, tmp_path, codex_home)).start_thread()
        events = []
        t0 = time.monotonic()

        async def interrupt_when_streaming() -> None:
            while not server.requests:  # noqa: ASYNC110 - polling another thread's server state
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.2)
            thread.interrupt()

        waiter = asyncio.create_task(interrupt_when_streaming())
        async for ev in thread.run_streamed("hang please"):
            events.append(ev)
        await waiter
        assert time.monotonic() - t0 < 10
        assert events[-1].type == "turn.failed" and "interrupted" in events[-1].error.message
        result = await thread.run("again")
        assert result.final_response == "second turn works"
        # the interrupted partial answer was not committed to history
        texts = [getattr(i, "text", "") for i in thread.history]
        assert "slow" not in texts


def test_exec_ctrl_c_exits_130_without_traceback(tmp_path: Path, codex_home: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with ScriptedResponsesServer() as server:
        server.enqueue(Stall([ev_created(), *ev_message("slow")], 2))
        env = dict(os.environ, TEST_API_KEY="k")
        args = [
            CODEX,
            "exec",
            *provider_cli_args(server.base_url),
            "--json",
            "hang",
        ]
        p = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while not server.requests and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        assert p.returncode == 130, err
        assert "Traceback" not in err
        assert '"turn.failed"' in out


async def test_interrupt_with_no_turn_is_harmless(tmp_path: Path, codex_home: Path) -> None:
    with ScriptedResponsesServer() as server:
        thread = Codex(_config(server, tmp_path, codex_home)).start_thread(ephemeral=True)
        thread.interrupt()
        await asyncio.sleep(0)
