"""``codex exec``: run one turn non-interactively (human output or ``--json`` JSONL)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from codex_exec.cli_options import collect_options, config_options, fail, load_config_or_exit

__all__ = ["exec_command", "main"]

CYBER_ACCESS_PROGRAMS = ("standard", "daybreak_blue", "daybreak_red")
ORIGINATOR_OVERRIDE_ENV = "CODEX_INTERNAL_ORIGINATOR_OVERRIDE"
"""Set by the TypeScript SDK (``codex_sdk_ts``): the ``originator`` of requests and the session."""


def _read_prompt(prompt: str | None) -> str:
    if prompt is None or prompt == "-":
        if sys.stdin.isatty() and prompt is None:
            fail("no prompt given: pass PROMPT or pipe it on stdin (use `-` to read stdin explicitly)")
        text = sys.stdin.read()
        if not text.strip():
            fail("no prompt provided via stdin")
        return text
    piped = _piped_stdin()
    if piped is not None:
        return f"{prompt}\n\n<stdin>\n{piped.rstrip()}\n</stdin>"
    return prompt


def _piped_stdin(wait_s: float = 0.2) -> str | None:
    """Text piped to stdin alongside a prompt (``git diff | codex exec "review this"``).

    Only read when stdin is a pipe or file that has data (or EOF) within ``wait_s``: an inherited
    stdin that nobody writes to must not make exec hang.
    """
    import select

    if sys.stdin is None or sys.stdin.isatty():
        return None
    try:
        ready, _, _ = select.select([sys.stdin], [], [], wait_s)
    except (OSError, ValueError):
        return None
    if not ready:
        return None
    data = sys.stdin.read()
    return data if data.strip() else None


def _load_exec_config(opts: Any) -> Any:
    """Exec forces ``approval_policy = never`` (nobody is there to answer), as Codex does.

    A ``--dangerously-bypass-approvals-and-sandbox`` run already implies ``never``; when managed
    requirements forbid ``never``, the constrained policy is used and approvals are auto-denied.
    """
    import dataclasses

    from codex_core.config import ConfigError, load_config

    if opts.dangerously_bypass or opts.approval_policy is not None:
        return load_config_or_exit(opts, default_approval_policy="never")
    try:
        config = load_config(dataclasses.replace(opts, approval_policy="never").to_overrides())
    except ConfigError as exc:
        if exc.key != "approval_policy":
            fail(str(exc))
        print(f"warning: {exc}; approvals will be denied automatically", file=sys.stderr)
        return load_config_or_exit(opts, default_approval_policy="never")
    for w in config.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return config


def _inside_git_repo(cwd: Path) -> bool:
    from codex_core.git import find_git_root

    return find_git_root(cwd) is not None


@click.command(
    name="exec",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Run Codex non-interactively.\n\nUsage: codex exec [OPTIONS] [PROMPT]\n       codex exec resume [--last|SESSION_ID] [PROMPT]",
)
@config_options(approval=False)
@click.option("--json", "json_mode", is_flag=True, help="Print events to stdout as JSONL.")
@click.option("--experimental-json", "json_mode", is_flag=True, hidden=True)
@click.option(
    "-o",
    "--output-last-message",
    "last_message_file",
    type=click.Path(path_type=Path),
    help="File to write the last agent message to.",
)
@click.option(
    "--output-schema",
    "output_schema_file",
    type=click.Path(path_type=Path),
    help="JSON Schema file for the model's final response.",
)
@click.option("--skip-git-repo-check", is_flag=True, help="Allow running outside a Git repository.")
@click.option("--ephemeral", is_flag=True, help="Do not persist session files to disk.")
@click.option(
    "-i",
    "--image",
    "images",
    multiple=True,
    help="Image(s) to attach to the initial prompt (repeat or comma-separate).",
)
@click.option("--color", type=click.Choice(["always", "never", "auto"]), default="auto", help="Colour in human output.")
@click.option(
    "--thread-source",
    "thread_source",
    metavar="SOURCE",
    help="Source classification of a new thread (accepted for SDK compatibility; not recorded).",
)
@click.option(
    "--cyber-access-program",
    "cyber_access_program",
    type=click.Choice(CYBER_ACCESS_PROGRAMS),
    hidden=True,
    help="OpenAI-only Cyber access selection (accepted for SDK compatibility; ignored).",
)
@click.option("--last", "resume_last", is_flag=True, help="With `resume`: resume the most recent session.")
@click.option("--all", "resume_all", is_flag=True, help="With `resume --last`: do not filter sessions by cwd.")
@click.argument("args", nargs=-1)
@click.pass_context
def exec_command(
    ctx: click.Context,
    json_mode: bool,
    last_message_file: Path | None,
    output_schema_file: Path | None,
    skip_git_repo_check: bool,
    ephemeral: bool,
    images: tuple[str, ...],
    color: str,
    thread_source: str | None,
    cyber_access_program: str | None,
    resume_last: bool,
    resume_all: bool,
    args: tuple[str, ...],
    **kwargs: Any,
) -> None:
    opts = collect_options(ctx, kwargs)
    if thread_source is not None and not thread_source.strip():
        fail("--thread-source: expected a non-empty source name")
    resume_id: str | None = None
    resuming = bool(args) and args[0] == "resume"
    rest = list(args[1:] if resuming else args)
    if resuming and not resume_last:
        if not rest:
            fail("codex exec resume: give a SESSION_ID or --last")
        resume_id = rest.pop(0)
    if len(rest) > 1:
        fail(f"unexpected extra arguments: {' '.join(rest[1:])} (quote the prompt)")
    prompt = _read_prompt(rest[0] if rest else None)
    schema = None
    if output_schema_file is not None:
        try:
            schema = json.loads(output_schema_file.read_text(encoding="utf-8"))
        except OSError as exc:
            fail(f"--output-schema: cannot read {output_schema_file}: {exc.strerror}")
        except json.JSONDecodeError as exc:
            fail(f"--output-schema: {output_schema_file}:{exc.lineno}: invalid JSON: {exc.msg}")
        if not isinstance(schema, dict):
            fail(f"--output-schema: {output_schema_file} must contain a JSON object")
    from codex_core.client.providers import codex_api_key_env
    from codex_core.logging import configure_logging

    configure_logging("stderr")
    if cyber_access_program is not None:
        print("warning: --cyber-access-program is not supported by this implementation; ignored", file=sys.stderr)
    config = _load_exec_config(opts)
    if not skip_git_repo_check and not _inside_git_repo(config.cwd):
        fail("Not inside a trusted directory and --skip-git-repo-check was not specified.")
    image_list = [p for spec in images for p in spec.split(",") if p]
    use_color = color == "always" or (color == "auto" and sys.stderr.isatty())
    with codex_api_key_env():  # exec, unlike the other frontends, authenticates with CODEX_API_KEY
        code = asyncio.run(
            _run(
                config,
                prompt,
                json_mode=json_mode,
                last_message_file=last_message_file,
                schema=schema,
                ephemeral=ephemeral,
                images=image_list,
                color=use_color,
                resume_id=resume_id,
                resume_last=resuming and resume_last,
                resume_all=resume_all,
            )
        )
    sys.exit(code)


async def _run(
    config: Any,
    prompt: str,
    *,
    json_mode: bool,
    last_message_file: Path | None,
    schema: Any,
    ephemeral: bool,
    images: list[str],
    color: bool,
    resume_id: str | None,
    resume_last: bool,
    resume_all: bool,
) -> int:
    from codex_core import Codex
    from codex_core.errors import CodexError
    from codex_core.protocol.events import EXEC_JSON_TYPES
    from codex_exec.human import HumanRenderer

    originator = os.environ.get(ORIGINATOR_OVERRIDE_ENV, "").strip() or "codex_exec"
    codex = Codex(config, originator=originator, source="exec")
    renderer = HumanRenderer(color=color)
    try:
        if resume_last:
            from codex_core.session import list_sessions

            sessions = list_sessions(config.codex_home, cwd=None if resume_all else config.cwd)
            if not sessions:
                fail("no saved session to resume" + ("" if resume_all else f" for {config.cwd} (try --all)"))
            thread = codex.resume_thread(sessions[0].path)
        elif resume_id is not None:
            thread = codex.resume_thread(resume_id)
        else:
            thread = codex.start_thread(ephemeral=ephemeral)
    except CodexError as exc:
        fail(str(exc))
        return 1
    if not json_mode:
        renderer.header(config, thread.id, prompt)
    loop = asyncio.get_running_loop()
    interrupted = False

    def on_sigint() -> None:
        nonlocal interrupted
        interrupted = True
        thread.interrupt()

    loop.add_signal_handler(signal.SIGINT, on_sigint)
    last_message: str | None = None
    failed = False
    frame = 0
    try:
        stream = thread.run_streamed(prompt, images=images, output_schema=schema).__aiter__()
        pending: asyncio.Task[Any] | None = None
        while True:
            if pending is None:
                pending = asyncio.ensure_future(stream.__anext__())
            done, _ = await asyncio.wait({pending}, timeout=None if json_mode else 0.5)
            if not done:
                frame += 1
                renderer.spinner(frame)
                continue
            try:
                ev = pending.result()
            except StopAsyncIteration:
                break
            pending = None
            if not json_mode:
                renderer.clear_spinner()
            if ev.type == "approval.requested":
                await thread.respond_approval(ev.request_id, "denied")
            if ev.type == "item.completed" and ev.item.type == "agent_message":
                last_message = ev.item.text
            if ev.type in ("turn.failed", "error"):
                failed = True
            if json_mode:
                if ev.type in EXEC_JSON_TYPES:
                    sys.stdout.write(_exec_json(ev) + "\n")
                    sys.stdout.flush()
            else:
                renderer.event(ev)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        await codex.aclose()
    if last_message_file is not None:
        _write_last_message(last_message_file, last_message)
    if not json_mode and last_message is not None:
        print(last_message)
    if interrupted:
        return 130
    return 1 if failed else 0


def _exec_json(ev: Any) -> str:
    """One JSONL line in Codex's exec schema (live-only fields such as file diffs are dropped)."""
    data = ev.model_dump(mode="json")
    item = data.get("item")
    if isinstance(item, dict) and item.get("type") == "file_change":
        for change in item.get("changes", []):
            change.pop("diff", None)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _write_last_message(path: Path, text: str | None) -> None:
    if text is None:
        print(f"warning: no last agent message; {path} not written", file=sys.stderr)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"Error: cannot write {path}: {exc.strerror}", file=sys.stderr)


def main() -> None:
    """``codex-exec`` console script: same as ``codex exec``."""
    exec_command.main(prog_name="codex-exec")
