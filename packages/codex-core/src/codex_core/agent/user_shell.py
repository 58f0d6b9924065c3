"""``!cmd`` in a frontend: a shell command the *user* runs, outside the agent loop.

As in Codex 0.169 the command runs through the user's shell (its login shell from the
password database, as ``default_user_shell`` picks it, with ``-lc``; ``-c``
with ``allow_login_shell = false``) in the thread's cwd, without the sandbox (the user typed it,
as in their own terminal) and with the ``shell_environment_policy`` environment. It is shown as a ``command_execution`` item and
recorded in the history as a ``<user_shell_command>`` user message, so the model sees what the
user ran and what it printed in its next turn.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from codex_core.agent.state import ThreadState
from codex_core.exec.user_shell_path import default_user_shell
from codex_core.protocol.events import CommandExecutionItem, ItemCompleted, ItemDelta, ItemStarted, ThreadEvent
from codex_core.protocol.items import Message

__all__ = ["USER_SHELL_TAG", "parse_user_shell_message", "run_user_shell", "user_shell_argv", "user_shell_message"]

USER_SHELL_TAG = "<user_shell_command>"

Emit = Callable[[ThreadEvent], Coroutine[Any, Any, None]]


def user_shell_argv(command: str, shell: str | None = None, *, login: bool = True) -> list[str]:
    """``[<user shell>, "-lc", command]`` (``default_user_shell()``; ``-c`` when ``login`` is off,
    i.e. ``allow_login_shell = false``)."""
    return [shell or default_user_shell(), "-lc" if login else "-c", command]


def user_shell_message(command: str, exit_code: int, duration_s: float, output: str) -> str:
    """The history entry for a user shell command, in Codex 0.169's words."""
    from codex_core.exec.format import truncate_for_model

    return (
        f"{USER_SHELL_TAG}\n<command>\n{command}\n</command>\n<result>\n"
        f"Exit code: {exit_code}\nDuration: {duration_s:.4f} seconds\nOutput:\n{truncate_for_model(output)}\n"
        "</result>\n</user_shell_command>"
    )


def parse_user_shell_message(text: str) -> tuple[str, int | None, str] | None:
    """``(command, exit code, output)`` of a ``user_shell_message`` text; ``None`` for other text
    (a resumed session shows these as commands, not as prompts)."""
    if not text.startswith(USER_SHELL_TAG):
        return None
    body = text[len(USER_SHELL_TAG) :]
    command, _, rest = body.partition("</command>")
    command = command.replace("<command>", "", 1).strip("\n")
    exit_code: int | None = None
    marker = "Exit code: "
    if marker in rest:
        value = rest.split(marker, 1)[1].split("\n", 1)[0].strip()
        exit_code = int(value) if value.lstrip("-").isdigit() else None
    output = rest.split("Output:\n", 1)[1] if "Output:\n" in rest else ""
    output = output.rsplit("</result>", 1)[0]
    return command, exit_code, output.removesuffix("\n")


async def run_user_shell(state: ThreadState, command: str, emit: Emit, *, item_id: str | None = None) -> int:
    """Run ``command`` for the user; emit its item and output; record it; return the exit code.

    Cancelling the calling task kills the command's process group (``run_command``) and ends
    the item as ``failed``; nothing is recorded then.
    """
    from codex_core.agent.context import initial_context_items
    from codex_core.exec import build_env, run_command
    from codex_core.sandbox import SandboxPolicy

    cfg = state.config
    item_id = item_id or state.next_item_id()
    argv = user_shell_argv(command, login=cfg.toml.allow_login_shell)
    env = build_env(cfg.shell_environment_policy, os.environ, thread_id=state.thread_id)
    env.update(state.proxy_env)
    await emit(ItemStarted(item=CommandExecutionItem(id=item_id, command=command)))
    loop = asyncio.get_running_loop()
    pending: list[asyncio.Task[None]] = []

    def on_output(_stream: str, chunk: bytes) -> None:
        text = chunk.decode("utf-8", errors="replace")
        pending.append(loop.create_task(emit(ItemDelta(item_id=item_id, kind="command_output", delta=text))))

    started = time.monotonic()
    try:
        result = await run_command(
            argv,
            cwd=Path(cfg.cwd),
            policy=SandboxPolicy.danger_full_access(),
            env=env,
            timeout_ms=None,
            on_output=on_output,
        )
    except asyncio.CancelledError:
        await emit(ItemCompleted(item=CommandExecutionItem(id=item_id, command=command, status="failed")))
        raise
    await asyncio.gather(*pending)
    status = "completed" if result.exit_code == 0 else "failed"
    item = CommandExecutionItem(
        id=item_id,
        command=command,
        aggregated_output=result.aggregated_output,
        exit_code=result.exit_code,
        status=status,
    )
    await emit(ItemCompleted(item=item))
    if not state.context_initialised:  # the model sees the environment before what the user ran
        state.record(list(await asyncio.to_thread(initial_context_items, cfg)))  # scans skills: off the loop
        state.context_initialised = True
    text = user_shell_message(command, result.exit_code, time.monotonic() - started, result.aggregated_output)
    state.record([Message.user(text)])
    return result.exit_code
