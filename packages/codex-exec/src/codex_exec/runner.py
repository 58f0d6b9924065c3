"""The body of ``codex exec`` and its subcommands: load config, make the thread (new, resumed,
forked or a reviewer), run one turn and print it (human text on stderr + the last message on
stdout, or ``--json`` JSONL on stdout). Returns the exit code."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_exec.cli_options import CliOptions, fail, load_cli_config, load_config_or_exit
from codex_exec.run_options import ExecRun

if TYPE_CHECKING:
    from codex_core.config import Config
    from codex_core.protocol.events import ThreadEvent
    from codex_core.review import ReviewTarget
    from codex_core.sdk import Codex, Thread

__all__ = ["ORIGINATOR_OVERRIDE_ENV", "run_exec"]

ORIGINATOR_OVERRIDE_ENV = "CODEX_INTERNAL_ORIGINATOR_OVERRIDE"
"""Set by the TypeScript SDK (``codex_sdk_ts``): the ``originator`` of requests and the session."""


def _load_exec_config(opts: CliOptions, *, print_warnings: bool = True) -> Config:
    """Exec forces ``approval_policy = never`` (nobody is there to answer), as Codex does.

    A ``--dangerously-bypass-approvals-and-sandbox`` run already implies ``never``; when managed
    requirements forbid ``never``, the constrained policy is used and approvals are auto-denied.
    Config warnings go to stderr unless ``print_warnings`` is off (``--json`` prints them as
    error items in the JSONL stream, as the reference does).
    """
    import dataclasses

    from codex_core.config import ConfigError

    if opts.dangerously_bypass or opts.approval_policy is not None:
        return load_config_or_exit(opts, default_approval_policy="never")
    try:
        config = load_cli_config(dataclasses.replace(opts, approval_policy="never"))
    except ConfigError as exc:
        if exc.key != "approval_policy":
            fail(str(exc))
        # requirements forbid `never`: run with the allowed policy (an invalid value fails here)
        config = load_config_or_exit(opts, default_approval_policy="never")
        print(f"warning: {exc}; approvals will be denied automatically", file=sys.stderr)
        return config
    for w in config.warnings if print_warnings else ():
        print(f"warning: {w}", file=sys.stderr)
    return config


def _read_schema(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"--output-schema: cannot read {path}: {exc.strerror}")
    except json.JSONDecodeError as exc:
        fail(f"--output-schema: {path}:{exc.lineno}: invalid JSON: {exc.msg}")
    if not isinstance(schema, dict):
        fail(f"--output-schema: {path} must contain a JSON object")
    return schema


def run_exec(
    opts: CliOptions,
    run: ExecRun,
    *,
    prompt: str | None,
    resume: str | None = None,
    resume_last: bool = False,
    all_dirs: bool = False,
    fork: str | None = None,
    review: ReviewTarget | None = None,
) -> int:
    """Run ``codex exec``; ``prompt=None`` with ``fork`` only forks."""
    if run.thread_source is not None and not run.thread_source.strip():
        fail("--thread-source: expected a non-empty source name")
    if review is not None and run.cyber_access_program is not None:
        fail("--cyber-access-program is not supported with review")
    schema = _read_schema(run.output_schema_file)
    from codex_core.client.providers import codex_api_key_env
    from codex_core.git import find_git_root
    from codex_core.logging import configure_logging

    configure_logging("stderr")
    if run.cyber_access_program is not None:
        print("warning: --cyber-access-program is not supported by this implementation; ignored", file=sys.stderr)
    config = _load_exec_config(opts, print_warnings=not run.json_mode)
    if not run.skip_git_repo_check and find_git_root(config.cwd) is None:
        fail("Not inside a trusted directory and --skip-git-repo-check was not specified.")
    images = [p for spec in run.images for p in spec.split(",") if p]
    with codex_api_key_env():  # exec, unlike the other frontends, authenticates with CODEX_API_KEY
        return asyncio.run(
            _run(
                config,
                run,
                prompt,
                schema=schema,
                images=images,
                resume=resume,
                resume_last=resume_last,
                all_dirs=all_dirs,
                fork=fork,
                review=review,
            )
        )


def _open_thread(
    codex: Codex,
    config: Config,
    run: ExecRun,
    *,
    resume: str | None,
    resume_last: bool,
    all_dirs: bool,
    fork: str | None,
) -> Thread:
    from codex_core.session import list_sessions
    from codex_exec.sessions import resolve_session

    if resume_last:
        sessions = list_sessions(config.codex_home, cwd=None if all_dirs else config.cwd)
        if not sessions:
            fail("no saved session to resume" + ("" if all_dirs else f" for {config.cwd} (try --all)"))
        return codex.resume_thread(sessions[0].path)
    if resume is not None:
        return codex.resume_thread(resolve_session(config.codex_home, resume))
    if fork is not None:
        return codex.fork_thread(resolve_session(config.codex_home, fork), ephemeral=run.ephemeral)
    return codex.start_thread(ephemeral=run.ephemeral)


def ignore_rule_files(thread: Thread) -> None:
    """``--ignore-rules``: give the thread an exec policy built without the user's and the
    project's ``.rules`` files (system rules and managed requirements still apply).

    The thread loads its policy lazily on its first turn and keeps one that is already set; this
    sets it first.
    """
    import tempfile

    from codex_core.approvals import SessionApprovals
    from codex_core.execpolicy import SYSTEM_RULES_DIR, load_exec_policy

    cfg = thread.config
    with tempfile.TemporaryDirectory(prefix="codex-no-rules-") as empty:
        loaded = load_exec_policy(Path(empty), managed_rules=cfg.requirements.rules, system_rules_dir=SYSTEM_RULES_DIR)
    state = thread._state  # the SDK has no public switch for this yet
    state.exec_policy = loaded.policy
    state.session_approvals = SessionApprovals()


async def _run(
    config: Config,
    run: ExecRun,
    prompt: str | None,
    *,
    schema: Any,
    images: list[str],
    resume: str | None,
    resume_last: bool,
    all_dirs: bool,
    fork: str | None,
    review: ReviewTarget | None,
) -> int:
    from codex_core import Codex
    from codex_core.errors import CodexError
    from codex_core.protocol.events import ThreadStarted
    from codex_exec.human import HumanRenderer
    from codex_exec.json_output import ExecJsonl

    originator = os.environ.get(ORIGINATOR_OVERRIDE_ENV, "").strip() or "codex_exec"
    display = prompt or ""
    request = None
    if review is not None:
        from codex_core.review import review_config, review_request

        config = review_config(config)
        request = review_request(review, config.cwd)
        display = request.display
    codex = Codex(config, originator=originator, source="exec")
    color = run.color or "auto"
    renderer = HumanRenderer(color=color == "always" or (color == "auto" and sys.stderr.isatty()))
    try:
        thread = _open_thread(codex, config, run, resume=resume, resume_last=resume_last, all_dirs=all_dirs, fork=fork)
    except CodexError as exc:
        await codex.aclose()
        fail(str(exc))
        raise AssertionError("unreachable") from exc
    if run.ignore_rules:
        ignore_rule_files(thread)
    if not run.json_mode:
        renderer.header(config, thread.id, display)
    if prompt is None and request is None:  # `exec fork ID` without a prompt: the fork is the result
        if run.json_mode:
            for line in ExecJsonl(config_warnings=config.warnings).lines(ThreadStarted(thread_id=thread.id)):
                sys.stdout.write(line + "\n")
            sys.stdout.flush()
        await codex.aclose()
        return 0
    if request is not None:
        from codex_core.review import review_events

        events: AsyncIterator[ThreadEvent] = review_events(thread, request, output_schema=schema)
    else:
        assert prompt is not None
        events = thread.run_streamed(prompt, images=images, output_schema=schema)
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
    jsonl = ExecJsonl(config_warnings=config.warnings)
    try:
        stream = events.__aiter__()
        pending: asyncio.Future[Any] | None = None
        while True:
            if pending is None:
                pending = asyncio.ensure_future(stream.__anext__())
            done, _ = await asyncio.wait({pending}, timeout=None if run.json_mode else 0.5)
            if not done:
                frame += 1
                renderer.spinner(frame)
                continue
            try:
                ev = pending.result()
            except StopAsyncIteration:
                break
            pending = None
            if not run.json_mode:
                renderer.clear_spinner()
            if ev.type == "approval.requested":
                await thread.respond_approval(ev.request_id, "denied")
            if ev.type == "item.completed" and ev.item.type == "agent_message":
                last_message = ev.item.text
            if ev.type in ("turn.failed", "error"):
                failed = True
            if run.json_mode:
                for line in jsonl.lines(ev):
                    sys.stdout.write(line + "\n")
                sys.stdout.flush()
            else:
                renderer.event(ev)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        await codex.aclose()
    if run.last_message_file is not None:
        _write_last_message(run.last_message_file, last_message)
    if not run.json_mode and last_message is not None:
        print(last_message)
    if interrupted:
        return 130
    return 1 if failed else 0


def _write_last_message(path: Path, text: str | None) -> None:
    if text is None:
        print(f"warning: no last agent message; {path} not written", file=sys.stderr)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"Error: cannot write {path}: {exc.strerror}", file=sys.stderr)
