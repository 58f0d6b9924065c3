"""``codex features list|enable|disable``: Codex 0.169's feature flags.

``list`` prints every 0.169 feature with its stage and effective state, in the reference's
columns (name, stage, state), so scripts that read it keep working; ``-c``, ``--enable``,
``--disable`` and ``-p`` change the effective state as they change a session's.
``enable``/``disable`` write ``[features] NAME = true|false`` into ``$CODEX_HOME/config.toml``.
"""

from __future__ import annotations

from typing import Any

import click

from codex_exec.cli_options import collect_options, config_options, fail, load_config_or_exit

__all__ = ["features"]


@click.group(name="features", help="Inspect feature flags.")
@config_options(approval=False, model=False, sandbox=False, full_auto=False, bypass=False, add_dir=False, oss=False)
@click.pass_context
def features(ctx: click.Context, **kwargs: Any) -> None:
    collect_options(ctx, kwargs)


@features.command(name="list", help="List known features with their stage and effective state.")
@config_options(approval=False, model=False, sandbox=False, full_auto=False, bypass=False, add_dir=False, oss=False)
@click.pass_context
def list_features(ctx: click.Context, **kwargs: Any) -> None:
    from codex_core.config.features import FEATURES

    config = load_config_or_exit(collect_options(ctx, kwargs))
    rows = sorted(FEATURES.values(), key=lambda f: f.name)
    name_width = max(len(f.name) for f in rows) + 2
    stage_width = max(len(f.stage) for f in rows) + 2
    for f in rows:
        click.echo(f"{f.name:<{name_width}}{f.stage:<{stage_width}}{str(config.feature(f.name)).lower()}")


def _set_feature(ctx: click.Context, name: str, value: bool) -> None:
    from codex_core.config import find_codex_home
    from codex_core.config.edit import ConfigEdit, write_config_values
    from codex_core.config.features import KNOWN_FEATURES
    from codex_core.errors import CodexError

    if name not in KNOWN_FEATURES:
        fail(f"Unknown feature flag: {name}")
    try:
        path = find_codex_home() / "config.toml"
        write_config_values(path, [ConfigEdit(key_path=f"features.{name}", value=value)])
    except CodexError as exc:
        fail(str(exc))
    click.echo(f"{'Enabled' if value else 'Disabled'} feature `{name}` in config.toml.")


@features.command(name="enable", help="Enable a feature in config.toml.")
@click.argument("name", metavar="FEATURE")
@click.pass_context
def enable_feature(ctx: click.Context, name: str) -> None:
    _set_feature(ctx, name, True)


@features.command(name="disable", help="Disable a feature in config.toml.")
@click.argument("name", metavar="FEATURE")
@click.pass_context
def disable_feature(ctx: click.Context, name: str) -> None:
    _set_feature(ctx, name, False)
