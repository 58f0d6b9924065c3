"""The run options of ``codex exec`` and its subcommands (output, persistence, rules), merged
across ``codex exec [opts] resume [opts]`` like the config options are."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["CYBER_ACCESS_PROGRAMS", "ExecRun", "collect_run", "run_options"]

F = TypeVar("F", bound=Callable[..., Any])
CYBER_ACCESS_PROGRAMS = ("standard", "daybreak_blue", "daybreak_red")
_META_KEY = "codex.exec.run"


@dataclasses.dataclass
class ExecRun:
    """How one ``codex exec`` run reports and records (everything but config)."""

    json_mode: bool = False
    last_message_file: Path | None = None
    output_schema_file: Path | None = None
    skip_git_repo_check: bool = False
    ephemeral: bool = False
    images: list[str] = dataclasses.field(default_factory=list)
    color: str | None = None
    thread_source: str | None = None
    cyber_access_program: str | None = None
    ignore_rules: bool = False

    def merged(self, inner: ExecRun) -> ExecRun:
        """``inner`` (given on the subcommand) wins for values; flags add up; images concatenate."""
        return ExecRun(
            json_mode=self.json_mode or inner.json_mode,
            last_message_file=inner.last_message_file or self.last_message_file,
            output_schema_file=inner.output_schema_file or self.output_schema_file,
            skip_git_repo_check=self.skip_git_repo_check or inner.skip_git_repo_check,
            ephemeral=self.ephemeral or inner.ephemeral,
            images=[*self.images, *inner.images],
            color=inner.color or self.color,
            thread_source=inner.thread_source if inner.thread_source is not None else self.thread_source,
            cyber_access_program=inner.cyber_access_program or self.cyber_access_program,
            ignore_rules=self.ignore_rules or inner.ignore_rules,
        )


_FIELDS = {f.name for f in dataclasses.fields(ExecRun)}


def run_options(*, images: bool = True) -> Callable[[F], F]:
    """Decorator adding the exec run options (``images=False`` for ``review``, which takes none)."""

    def deco(f: F) -> F:
        opts: list[Callable[[F], F]] = []
        if images:
            opts.append(
                click.option(
                    "-i",
                    "--image",
                    "images",
                    multiple=True,
                    metavar="FILE",
                    help="Image(s) to attach to the prompt (repeat or comma-separate).",
                )
            )
        opts += [
            click.option(
                "--thread-source",
                "thread_source",
                metavar="SOURCE",
                help="Source classification of a new thread (accepted for SDK compatibility; not recorded).",
            ),
            click.option(
                "--cyber-access-program",
                "cyber_access_program",
                type=click.Choice(CYBER_ACCESS_PROGRAMS),
                hidden=True,
                help="OpenAI-only Cyber access selection (accepted for SDK compatibility; ignored).",
            ),
            click.option("--skip-git-repo-check", is_flag=True, help="Allow running outside a Git repository."),
            click.option("--ephemeral", is_flag=True, help="Do not persist session files to disk."),
            click.option(
                "--ignore-user-config",
                "ignore_user_config",
                is_flag=True,
                help="Do not load $CODEX_HOME/config.toml; auth and sessions still use CODEX_HOME.",
            ),
            click.option(
                "--ignore-rules",
                "ignore_rules",
                is_flag=True,
                help="Do not load user or project exec-policy .rules files (managed and system rules still apply).",
            ),
            click.option(
                "--output-schema",
                "output_schema_file",
                type=click.Path(path_type=Path),
                metavar="FILE",
                help="JSON Schema file for the model's final response.",
            ),
            click.option(
                "--color",
                type=click.Choice(["always", "never", "auto"]),
                default=None,
                help="Colour in human output (default: auto).",
            ),
            click.option("--json", "json_mode", is_flag=True, help="Print events to stdout as JSONL."),
            click.option("--experimental-json", "json_mode", is_flag=True, hidden=True),
            click.option(
                "-o",
                "--output-last-message",
                "last_message_file",
                type=click.Path(path_type=Path),
                metavar="FILE",
                help="File to write the last agent message to.",
            ),
        ]
        for o in reversed(opts):
            f = o(f)
        return f

    return deco


def collect_run(ctx: click.Context, kwargs: dict[str, Any]) -> ExecRun:
    """Pop the run options out of ``kwargs`` and merge them with the ones given on ``codex exec``."""
    mine: dict[str, Any] = {}
    for name in list(kwargs):
        if name in _FIELDS:
            value = kwargs.pop(name)
            mine[name] = list(value) if isinstance(value, tuple) else value
    local = ExecRun(**{k: v for k, v in mine.items() if v is not None})
    outer = ctx.meta.get(_META_KEY)
    merged = outer.merged(local) if isinstance(outer, ExecRun) else local
    ctx.meta[_META_KEY] = merged
    return merged
