"""``codex features list``: feature flags, their defaults and effective state."""

from __future__ import annotations

from typing import Any

import click

from codex_exec.cli_options import collect_options, config_options, load_config_or_exit

__all__ = ["features"]


@click.group(name="features", help="Inspect feature flags.")
def features() -> None:
    pass


@features.command(name="list", help="List known feature flags with their effective state.")
@config_options()
@click.pass_context
def list_features(ctx: click.Context, **kwargs: Any) -> None:
    from codex_core.config import KNOWN_FEATURES

    config = load_config_or_exit(collect_options(ctx, kwargs))
    width = max(len(n) for n in KNOWN_FEATURES)
    for name in sorted(KNOWN_FEATURES):
        origin = config.explain(f"features.{name}")
        click.echo(f"{name:<{width}}  {str(config.feature(name)).lower():<5}  ({origin})")
