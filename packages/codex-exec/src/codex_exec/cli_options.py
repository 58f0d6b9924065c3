"""Config-related command-line options shared by every ``codex`` subcommand.

Options may appear before the subcommand (``codex -c k=v exec``) or after it
(``codex exec -c k=v``, ``codex exec --json resume -m o3``); every level is merged here, the
innermost winning for scalars. This module imports only click so that ``codex --help`` stays
fast; config loading is imported lazily.

Codex 0.169 narrowed two spellings: ``-a/--ask-for-approval`` takes ``on-request`` or ``never``,
and ``--full-auto`` is gone. Scripts written for older releases keep working here: the old values
and the flag are accepted with a deprecation note on stderr.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from codex_core.config import Config, ConfigOverrides

__all__ = [
    "APPROVAL_POLICIES",
    "LEGACY_APPROVAL_POLICIES",
    "CliOptions",
    "collect_options",
    "config_options",
    "fail",
    "first_positional",
    "load_config_or_exit",
]

F = TypeVar("F", bound=Callable[..., Any])

SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")
APPROVAL_POLICIES = ("on-request", "never")
"""What Codex 0.169 accepts for ``-a``."""
LEGACY_APPROVAL_POLICIES = ("untrusted", "on-failure")
"""Accepted for older scripts, with a deprecation note (``approval_policy`` in config.toml still takes them)."""
FULL_AUTO_DEPRECATION = (
    "warning: --full-auto is deprecated (Codex 0.169 removed it); use `--sandbox workspace-write` "
    "(and `-a on-request` in the TUI) instead"
)


class ApprovalPolicyType(click.Choice):
    """``on-request`` | ``never``; the pre-0.169 values pass with a note on stderr."""

    def __init__(self) -> None:
        super().__init__(APPROVAL_POLICIES)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value in LEGACY_APPROVAL_POLICIES:
            click.echo(
                f"warning: `--ask-for-approval {value}` is deprecated (Codex 0.169 accepts on-request or never); "
                f'set `approval_policy = "{value}"` in config.toml instead',
                err=True,
            )
            return value
        return super().convert(value, param, ctx)


@dataclasses.dataclass
class CliOptions:
    config_overrides: list[str] = dataclasses.field(default_factory=list)
    profile: str | None = None
    model: str | None = None
    sandbox_mode: str | None = None
    approval_policy: str | None = None
    full_auto: bool = False
    dangerously_bypass: bool = False
    cwd: Path | None = None
    add_dirs: list[Path] = dataclasses.field(default_factory=list)
    oss: bool = False
    enable: list[str] = dataclasses.field(default_factory=list)
    disable: list[str] = dataclasses.field(default_factory=list)
    search: bool = False
    strict_config: bool = False
    """``--strict-config``: keys this version does not know are errors, not warnings."""
    ignore_user_config: bool = False
    """``--ignore-user-config`` (exec): do not read ``$CODEX_HOME/config.toml``; auth still uses CODEX_HOME."""

    def merged(self, other: CliOptions) -> CliOptions:
        """``other`` (given after the subcommand) wins for scalars; lists are concatenated."""
        return CliOptions(
            config_overrides=[*self.config_overrides, *other.config_overrides],
            profile=other.profile or self.profile,
            model=other.model or self.model,
            sandbox_mode=other.sandbox_mode or self.sandbox_mode,
            approval_policy=other.approval_policy or self.approval_policy,
            full_auto=self.full_auto or other.full_auto,
            dangerously_bypass=self.dangerously_bypass or other.dangerously_bypass,
            cwd=other.cwd or self.cwd,
            add_dirs=[*self.add_dirs, *other.add_dirs],
            oss=self.oss or other.oss,
            enable=[*self.enable, *other.enable],
            disable=[*self.disable, *other.disable],
            search=self.search or other.search,
            strict_config=self.strict_config or other.strict_config,
            ignore_user_config=self.ignore_user_config or other.ignore_user_config,
        )

    def to_overrides(self) -> ConfigOverrides:
        import attrs

        from codex_core.config import ConfigOverrides

        if self.full_auto and self.dangerously_bypass:
            fail("--full-auto cannot be used with --dangerously-bypass-approvals-and-sandbox")
        extra: dict[str, Any] = {}
        known = attrs.fields_dict(ConfigOverrides)
        # --strict-config travels only when the loader knows the switch; a loader without it is strict already.
        if self.strict_config and "strict_config" in known:
            extra["strict_config"] = True
        if self.ignore_user_config and "ignore_user_config" in known:
            extra["ignore_user_config"] = True
        return ConfigOverrides(
            config_overrides=tuple(self.config_overrides),
            profile=self.profile,
            model=self.model,
            sandbox_mode=self.sandbox_mode,  # type: ignore[arg-type]
            approval_policy=self.approval_policy,  # type: ignore[arg-type]
            full_auto=self.full_auto,
            dangerously_bypass_approvals_and_sandbox=self.dangerously_bypass,
            cwd=self.cwd,
            add_dirs=tuple(self.add_dirs),
            oss=self.oss,
            enable_features=tuple(self.enable),
            disable_features=tuple(self.disable),
            search=self.search,
            **extra,
        )


def config_options(
    *,
    approval: bool = True,
    search: bool = False,
    model: bool = True,
    sandbox: bool = True,
    full_auto: bool = True,
    bypass: bool = True,
    cwd: bool = True,
    add_dir: bool = True,
    oss: bool = True,
    profile: bool = True,
    strict: bool = True,
) -> Callable[[F], F]:
    """Decorator adding the shared config options to a click command.

    ``-c``, ``--enable`` and ``--disable`` are always there; the keyword switches leave out the
    options that do not apply to a command, so its ``--help`` lists only what it honours.
    ``--full-auto`` is accepted but hidden (deprecated in 0.169).
    """

    def deco(f: F) -> F:
        opts: list[Callable[[F], F]] = [
            click.option(
                "-c",
                "--config",
                "config_overrides",
                multiple=True,
                metavar="key=value",
                help="Override a config value (dotted key; value parsed as TOML, else a string).",
            ),
            click.option(
                "--enable", "enable", multiple=True, metavar="FEATURE", help="Enable a feature flag (repeatable)."
            ),
            click.option(
                "--disable", "disable", multiple=True, metavar="FEATURE", help="Disable a feature flag (repeatable)."
            ),
        ]
        if strict:
            opts.append(
                click.option(
                    "--strict-config",
                    "strict_config",
                    is_flag=True,
                    help="Error out when config.toml contains keys this version of Codex does not recognize.",
                )
            )
        if profile:
            opts.append(
                click.option(
                    "-p",
                    "--profile",
                    "profile",
                    default=None,
                    help="Config profile: $CODEX_HOME/NAME.config.toml or [profiles.NAME].",
                )
            )
        if model:
            opts.append(click.option("-m", "--model", "model", default=None, help="Model the agent should use."))
        if oss:
            opts.append(
                click.option("--oss", "oss", is_flag=True, help="Use a local open-source model provider (Ollama).")
            )
        if sandbox:
            opts.append(
                click.option(
                    "-s",
                    "--sandbox",
                    "sandbox_mode",
                    type=click.Choice(SANDBOX_MODES),
                    default=None,
                    help="Sandbox policy for model-generated commands.",
                )
            )
        if full_auto:
            opts.append(
                click.option(
                    "--full-auto",
                    "full_auto",
                    is_flag=True,
                    hidden=True,
                    help="Deprecated: -s workspace-write (and -a on-request).",
                )
            )
        if bypass:
            opts.append(
                click.option(
                    "--dangerously-bypass-approvals-and-sandbox",
                    "--yolo",
                    "dangerously_bypass",
                    is_flag=True,
                    help="Skip all confirmation prompts and run commands without a sandbox. EXTREMELY DANGEROUS.",
                )
            )
        if cwd:
            opts.append(
                click.option(
                    "-C",
                    "--cd",
                    "cwd",
                    type=click.Path(path_type=Path),
                    default=None,
                    help="Use DIR as the working root of the agent.",
                )
            )
        if add_dir:
            opts.append(
                click.option(
                    "--add-dir",
                    "add_dirs",
                    multiple=True,
                    type=click.Path(path_type=Path),
                    help="Additional directory that should be writable.",
                )
            )
        if approval:
            opts.append(
                click.option(
                    "-a",
                    "--ask-for-approval",
                    "approval_policy",
                    type=ApprovalPolicyType(),
                    default=None,
                    help="When the model needs approval before running a command.",
                )
            )
        if search:
            opts.append(click.option("--search", "search", is_flag=True, help="Enable live web search."))
        for o in reversed(opts):
            f = o(f)
        return f

    return deco


_FIELDS = {f.name for f in dataclasses.fields(CliOptions)}


def collect_options(ctx: click.Context, kwargs: dict[str, Any]) -> CliOptions:
    """Pop the shared options out of ``kwargs`` and merge them with the enclosing commands' ones.

    Each level stores its merged options in ``ctx.obj`` (click passes it down), so
    ``codex -c a=1 exec -c b=2 resume -c c=3`` sees all three.
    """
    mine: dict[str, Any] = {}
    for name in list(kwargs):
        if name in _FIELDS:
            value = kwargs.pop(name)
            mine[name] = list(value) if isinstance(value, tuple) else value
    local = CliOptions(**{k: v for k, v in mine.items() if v is not None})
    if local.full_auto:
        click.echo(FULL_AUTO_DEPRECATION, err=True)
    parent = ctx.parent.obj if ctx.parent is not None else None
    merged = parent.merged(local) if isinstance(parent, CliOptions) else local
    ctx.obj = merged
    return merged


def first_positional(command: click.Command, args: list[str]) -> int | None:
    """Index of the first positional argument in ``args`` (after ``--`` if that comes first).

    Knows which of ``command``'s options take a value, so ``-m o3 "fix it"`` finds ``fix it``.
    """
    takes_value: set[str] = set()
    for p in command.params:
        if isinstance(p, click.Option) and not p.is_flag and not p.count:
            takes_value.update(p.opts)
            takes_value.update(p.secondary_opts)
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            return i + 1 if i + 1 < len(args) else None
        if a.startswith("-") and a != "-":
            if a in takes_value:
                i += 2
                continue
            i += 1
            continue
        return i
    return None


def fail(message: str, code: int = 1) -> None:
    """Print ``Error: message`` to stderr and exit (never a traceback)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def load_config_or_exit(opts: CliOptions, **kwargs: Any) -> Config:
    """``load_config`` for a command line: errors become one ``Error:`` line, warnings go to stderr."""
    from codex_core.errors import CodexError

    try:
        config = load_cli_config(opts, **kwargs)
    except CodexError as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from exc
    for w in config.warnings:
        click.echo(f"warning: {w}", err=True)
    return config


def load_cli_config(opts: CliOptions, **kwargs: Any) -> Config:
    """``load_config`` honouring the options the loader itself does not take.

    ``--ignore-user-config``: when the loader has no such switch, the config is loaded with an
    empty stand-in for ``$CODEX_HOME`` (so ``config.toml`` is not read) and the real home is put
    back afterwards: sessions, auth and rules still live there.
    """
    import attrs

    from codex_core.config import ConfigOverrides, find_codex_home, load_config

    overrides = opts.to_overrides()
    if not opts.ignore_user_config or "ignore_user_config" in attrs.fields_dict(ConfigOverrides):
        return load_config(overrides, **kwargs)
    import tempfile

    home = kwargs.pop("codex_home", None) or find_codex_home()
    with tempfile.TemporaryDirectory(prefix="codex-no-user-config-") as empty:
        config = load_config(overrides, codex_home=Path(empty), **kwargs)
    return attrs.evolve(config, codex_home=home)
