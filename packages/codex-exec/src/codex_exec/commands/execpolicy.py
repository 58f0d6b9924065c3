"""``codex execpolicy check``: evaluate a command against rules files and print JSON (spec 5.6)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click


@click.group(name="execpolicy", help="Check commands against exec policy rules.")
def execpolicy() -> None:
    """Exec policy tools."""


@execpolicy.command(
    name="check",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "--rules",
    "rules_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Rules file to load (repeatable, merged in order). Default: $CODEX_HOME/rules/*.rules.",
)
@click.option("--pretty", is_flag=True, help="Pretty-print the JSON output.")
@click.option(
    "--resolve-host-executables",
    is_flag=True,
    help="Match an absolute program path against rules for its basename.",
)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def check(
    rules_files: tuple[Path, ...], pretty: bool, resolve_host_executables: bool, command: tuple[str, ...]
) -> None:
    """Print the decision and matching rules for COMMAND as JSON.

    Exit status 0 when the rules loaded (whatever the decision); 1 when a rules file is bad.
    """
    import json

    from codex_core.errors import ExecPolicyError
    from codex_core.execpolicy import load_exec_policy, load_rules_files

    argv = list(command)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        raise click.UsageError("missing COMMAND")
    try:
        if rules_files:
            missing = [p for p in rules_files if not p.is_file()]
            if missing:
                raise ExecPolicyError(f"failed to read rules file {missing[0]}: no such file")
            loaded = load_rules_files(list(rules_files))
        else:
            codex_home = Path(os.environ.get("CODEX_HOME") or Path.home() / ".codex")
            loaded = load_exec_policy(codex_home)
    except ExecPolicyError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if not loaded.ok:
        for issue in loaded.issues:
            click.echo(f"error: failed to parse rules file {issue.path}: {issue.display()}", err=True)
        sys.exit(1)
    evaluation = loaded.policy.check(argv, resolve_host_executables=resolve_host_executables)
    payload = evaluation.to_json()
    if pretty:
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(json.dumps(payload, separators=(",", ":")))
