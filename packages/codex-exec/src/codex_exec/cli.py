"""``codex exec``: run one turn non-interactively (human output or ``--json`` JSONL).

``codex exec [OPTIONS] [PROMPT]`` starts a thread; the subcommands continue one:
``resume [SESSION_ID|--last] [PROMPT]``, ``fork SESSION_ID [PROMPT]`` and
``review [--uncommitted|--base BRANCH|--commit SHA] [PROMPT]``. Options may be given on
``exec`` or on the subcommand (``codex exec --json resume --last``); both are merged.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from codex_exec.cli_options import collect_options, config_options, fail, first_positional
from codex_exec.run_options import collect_run, run_options

__all__ = ["exec_command", "main"]

_SUBCOMMAND_CONFIG: dict[str, bool] = dict.fromkeys(
    ("approval", "sandbox", "cwd", "add_dir", "oss", "profile", "full_auto"), False
)
"""Options the subcommands leave to ``codex exec`` itself (``codex exec -C DIR resume ...``)."""


class ExecGroup(click.Group):
    """``codex exec`` takes a PROMPT or a subcommand: a first positional that names no
    subcommand is the prompt (``codex exec "fix the tests"``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        idx = first_positional(self, args)
        if idx is not None and args[idx] not in self.commands and args[idx] != "help":
            ctx.meta["codex.exec.prompt"] = args[idx]
            args = args[:idx] + args[idx + 1 :]
            extra = first_positional(self, args)
            if extra is not None and extra >= idx:
                fail(f"unexpected extra arguments: {' '.join(args[extra:])} (quote the prompt)")
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("codex exec", "[OPTIONS] [PROMPT]")
        formatter.write_usage("codex exec", "[OPTIONS] COMMAND [ARGS]...")


@click.group(
    name="exec",
    cls=ExecGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Run Codex non-interactively.\n\nPROMPT is the first message; without it (or with `-`) it is read from "
    "stdin. If stdin is piped and a PROMPT is also given, stdin is appended as a <stdin> block.",
)
@click.version_option(
    None, "-V", "--version", package_name="codex-py-exec", prog_name="codex-cli-exec", message="%(prog)s %(version)s"
)
@config_options(approval=False)
@run_options()
@click.pass_context
def exec_command(ctx: click.Context, /, **kwargs: Any) -> None:
    opts = collect_options(ctx, kwargs)
    run = collect_run(ctx, kwargs)
    if ctx.invoked_subcommand is not None:
        return
    from codex_exec.runner import run_exec

    prompt = read_prompt(ctx.meta.get("codex.exec.prompt"))
    sys.exit(run_exec(opts, run, prompt=prompt))


@exec_command.command(
    "resume",
    short_help="Resume a previous session by id or pick the most recent with --last.",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Resume a previous session by id or name, or the most recent one with --last.",
)
@click.argument("session_id", required=False)
@click.argument("prompt", required=False)
@click.option("--last", is_flag=True, help="Resume the most recent recorded session (newest).")
@click.option("--all", "all_dirs", is_flag=True, help="With --last: consider sessions from every directory.")
@config_options(**_SUBCOMMAND_CONFIG)
@run_options(images=True)
@click.pass_context
def resume_command(
    ctx: click.Context, /, session_id: str | None, prompt: str | None, last: bool, all_dirs: bool, **kwargs: Any
) -> None:
    opts = collect_options(ctx, kwargs)
    run = collect_run(ctx, kwargs)
    if last and session_id is not None:
        if prompt is not None:
            fail("SESSION_ID and --last cannot be used together")
        prompt, session_id = session_id, None  # with --last the only positional is the prompt
    if not last and session_id is None:
        fail("codex exec resume: give a SESSION_ID or --last")
    from codex_exec.runner import run_exec

    sys.exit(run_exec(opts, run, prompt=read_prompt(prompt), resume=session_id, resume_last=last, all_dirs=all_dirs))


@exec_command.command(
    "fork",
    short_help="Fork a previous session by id into a new session.",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Fork a saved session (by id or name) into a new session, then run PROMPT on the fork if one is given.",
)
@click.argument("session_id")
@click.argument("prompt", required=False)
@config_options(**_SUBCOMMAND_CONFIG)
@run_options(images=True)
@click.pass_context
def fork_command(ctx: click.Context, /, session_id: str, prompt: str | None, **kwargs: Any) -> None:
    opts = collect_options(ctx, kwargs)
    run = collect_run(ctx, kwargs)
    from codex_exec.runner import run_exec

    text = read_prompt(prompt) if prompt is not None else _optional_stdin()
    sys.exit(run_exec(opts, run, prompt=text, fork=session_id))


_REVIEW_TARGET_OPTIONS = (
    click.option("--uncommitted", is_flag=True, help="Review staged, unstaged, and untracked changes."),
    click.option("--base", "base", metavar="BRANCH", help="Review changes against the given base branch."),
    click.option("--commit", "commit", metavar="SHA", help="Review the changes introduced by a commit."),
    click.option("--title", "title", metavar="TITLE", help="Commit title to show in the review (with --commit)."),
)


def review_target_options(f: Any) -> Any:
    """``--uncommitted``, ``--base``, ``--commit``, ``--title`` (``codex review`` and ``codex exec
    review``; ``review_target`` reads them)."""
    for option in reversed(_REVIEW_TARGET_OPTIONS):
        f = option(f)
    return f


@exec_command.command(
    "review",
    short_help="Run a code review against the current repository.",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Run a code review against the current repository: the uncommitted changes, the changes against a "
    "base branch, a commit, or what PROMPT asks (`-` reads it from stdin).",
)
@click.argument("prompt", required=False)
@review_target_options
@config_options(**_SUBCOMMAND_CONFIG)
@run_options(images=False)
@click.pass_context
def review_command(
    ctx: click.Context,
    /,
    prompt: str | None,
    uncommitted: bool,
    base: str | None,
    commit: str | None,
    title: str | None,
    **kwargs: Any,
) -> None:
    opts = collect_options(ctx, kwargs)
    run = collect_run(ctx, kwargs)
    target = review_target(prompt, uncommitted=uncommitted, base=base, commit=commit, title=title)
    from codex_exec.runner import run_exec

    sys.exit(run_exec(opts, run, prompt=None, review=target))


def review_target(
    prompt: str | None, *, uncommitted: bool, base: str | None, commit: str | None, title: str | None
) -> Any:
    """The ``codex_core.review.ReviewTarget`` the review flags name (exactly one kind)."""
    given = [name for name, on in (("--uncommitted", uncommitted), ("--base", base), ("--commit", commit)) if on]
    if prompt is not None:
        given.append("[PROMPT]")
    if len(given) > 1:
        fail(f"the argument '{given[0]}' cannot be used with '{given[1]}'", code=2)
    if title is not None and commit is None:
        fail("--title can only be used with --commit", code=2)
    from codex_core.errors import UsageError
    from codex_core.review import ReviewTarget

    try:
        if uncommitted:
            return ReviewTarget.uncommitted()
        if base is not None:
            return ReviewTarget.base_branch(base)
        if commit is not None:
            return ReviewTarget.commit(commit, title)
        if prompt is not None:
            return ReviewTarget.custom(read_prompt(prompt))
    except UsageError as exc:
        fail(str(exc))
    fail("Specify --uncommitted, --base, --commit, or provide custom review instructions")
    raise AssertionError("unreachable")


def read_prompt(prompt: str | None) -> str:
    """PROMPT, or stdin when it is absent or ``-``; piped stdin beside a PROMPT is appended."""
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


def _optional_stdin() -> str | None:
    """``codex exec fork ID`` with no PROMPT: a piped prompt if there is one, else none (fork only)."""
    text = _piped_stdin()
    return text if text is not None and text.strip() else None


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


def main() -> None:
    """``codex-exec`` console script: same as ``codex exec``."""
    exec_command.main(prog_name="codex-exec")
