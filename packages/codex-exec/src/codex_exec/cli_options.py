"""Config-related command-line options shared by every ``codex`` subcommand.

Options may appear before the subcommand (``codex -c k=v exec``) or after it
(``codex exec -c k=v``); both are merged here. This module imports only click so that
``codex --help`` stays fast; config loading is imported lazily.
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

__all__ = ["CliOptions", "collect_options", "config_options", "fail", "load_config_or_exit"]

F = TypeVar("F", bound=Callable[..., Any])

SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")
APPROVAL_POLICIES = ("untrusted", "on-failure", "on-request", "never")


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
        )

    def to_overrides(self) -> ConfigOverrides:
        from codex_core.config import ConfigOverrides

        if self.full_auto and self.dangerously_bypass:
            fail("--full-auto cannot be used with --dangerously-bypass-approvals-and-sandbox")
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
        )


def config_options(*, approval: bool = True, search: bool = False) -> Callable[[F], F]:
    """Decorator adding the shared config options to a click command."""

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
            click.option("--enable", "enable", multiple=True, metavar="FEATURE", help="Enable a feature flag."),
            click.option("--disable", "disable", multiple=True, metavar="FEATURE", help="Disable a feature flag."),
            click.option("-p", "--profile", "profile", default=None, help="Config profile from config.toml."),
            click.option("-m", "--model", "model", default=None, help="Model the agent should use."),
            click.option(
                "-s",
                "--sandbox",
                "sandbox_mode",
                type=click.Choice(SANDBOX_MODES),
                default=None,
                help="Sandbox policy for model-generated commands.",
            ),
            click.option(
                "--full-auto",
                "full_auto",
                is_flag=True,
                help="Low-friction sandboxed automatic execution (-a on-request, -s workspace-write).",
            ),
            click.option(
                "--dangerously-bypass-approvals-and-sandbox",
                "--yolo",
                "dangerously_bypass",
                is_flag=True,
                help="Skip all confirmation prompts and run commands without a sandbox. EXTREMELY DANGEROUS.",
            ),
            click.option(
                "-C",
                "--cd",
                "cwd",
                type=click.Path(path_type=Path),
                default=None,
                help="Use DIR as the working root of the agent.",
            ),
            click.option(
                "--add-dir",
                "add_dirs",
                multiple=True,
                type=click.Path(path_type=Path),
                help="Additional directory that should be writable.",
            ),
            click.option("--oss", "oss", is_flag=True, help="Use a local open-source model provider (Ollama)."),
        ]
        if approval:
            opts.append(
                click.option(
                    "-a",
                    "--ask-for-approval",
                    "approval_policy",
                    type=click.Choice(APPROVAL_POLICIES),
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
    """Pop the shared options out of ``kwargs`` and merge them with the root group's."""
    mine: dict[str, Any] = {}
    for name in list(kwargs):
        if name in _FIELDS:
            value = kwargs.pop(name)
            mine[name] = list(value) if isinstance(value, tuple) else value
    local = CliOptions(**{k: v for k, v in mine.items() if v is not None})
    root = ctx.find_root().obj
    if isinstance(root, CliOptions) and ctx.find_root() is not ctx:
        return root.merged(local)
    return local


def fail(message: str, code: int = 1) -> None:
    """Print ``Error: message`` to stderr and exit (never a traceback)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def load_config_or_exit(opts: CliOptions, **kwargs: Any) -> Config:
    from codex_core.config import load_config
    from codex_core.errors import CodexError

    try:
        config = load_config(opts.to_overrides(), **kwargs)
    except CodexError as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from exc
    for w in config.warnings:
        click.echo(f"warning: {w}", err=True)
    return config
