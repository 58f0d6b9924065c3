"""``codex sandbox [-P PROFILE] [-C DIR] [-c k=v]... [--] COMMAND...`` (the 0.169 form) and the
older ``codex sandbox linux|macos|windows [--full-auto] [--log-denials] [-c k=v]... -- COMMAND...``.

The 0.169 form runs COMMAND under the sandbox the effective config gives model commands:
``-P NAME`` selects the permission profile NAME (``default_permissions``, built-ins ``:read-only``,
``:workspace``, ``:danger-full-access`` included), otherwise ``sandbox_mode`` /
``default_permissions`` from config apply. The platform forms force ``read-only`` (or
``workspace-write`` with ``--full-auto``) unless a permission profile is configured.

Exit code = the command's (``128 + signal`` when killed by a signal; 126 when the sandbox cannot
be set up, 127 when the command is not found). Never runs a command unsandboxed because the
sandbox is unavailable: that is an error.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from typing import TYPE_CHECKING, Any

import click

from codex_exec.cli_options import (
    CliOptions,
    collect_options,
    config_options,
    fail,
    first_positional,
    load_config_or_exit,
)

if TYPE_CHECKING:
    from codex_core.config import Config
    from codex_core.sandbox import ProxyNetwork, SandboxPolicy

__all__ = ["run_sandbox_cli", "run_with_config", "sandbox", "sandbox_command"]

FULL_AUTO_PROFILE_ERROR = (
    "`codex sandbox --full-auto` is only supported for legacy `sandbox_mode` configs; "
    "choose a writable `[permissions]` profile instead"
)
_ALIASES = {"landlock": "linux", "seatbelt": "macos"}


class _AliasGroup(click.Group):
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, _ALIASES.get(cmd_name, cmd_name))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        return (cmd.name if cmd else name), cmd, rest


def _load(opts: CliOptions, *, full_auto: bool) -> Config:
    import dataclasses

    plain = dataclasses.replace(opts, full_auto=False, dangerously_bypass=False)
    config = load_config_or_exit(plain)
    if config.default_permissions is not None:  # permission-profile mode: the profile is used as-is
        if full_auto:
            fail(FULL_AUTO_PROFILE_ERROR)
        return config
    # legacy mode: the sandbox mode is forced (an explicit -s leaves profile mode, see config docs)
    forced = dataclasses.replace(plain, sandbox_mode="workspace-write" if full_auto else "read-only")
    return load_config_or_exit(forced)


def _policy(config: Config, proxy: ProxyNetwork | None) -> SandboxPolicy:
    from codex_core.errors import CodexError
    from codex_core.sandbox import SandboxPolicy

    try:
        return SandboxPolicy.from_config(config, proxy=proxy)
    except CodexError as exc:  # e.g. a bad permission profile path
        fail(str(exc))
        raise


def _child_env(config: Config, policy: SandboxPolicy, *, seatbelt: bool = False) -> dict[str, str]:
    from codex_core.exec import build_env

    env = build_env(config.shell_environment_policy, os.environ)
    if not policy.is_unrestricted and policy.network_mode_name == "none":  # not with the proxy
        env["CODEX_SANDBOX_NETWORK_DISABLED"] = "1"
    if seatbelt:
        env["CODEX_SANDBOX"] = "seatbelt"
    return env


def _run_foreground(argv: list[str], env: dict[str, str], cwd: str) -> int:
    """Run with inherited stdio; Ctrl-C reaches the child (same process group), not us."""
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc = subprocess.Popen(argv, env=env, cwd=cwd)
        code = proc.wait()
    except FileNotFoundError as exc:
        click.echo(f"Error: {exc.filename or argv[0]}: command not found", err=True)
        return 127
    finally:
        signal.signal(signal.SIGINT, old)
    return 128 - code if code < 0 else code


def run_sandbox_cli(platform: str, opts: CliOptions, command: list[str], *, full_auto: bool, log_denials: bool) -> int:
    """The body of ``codex sandbox <platform>``; returns the exit code."""
    if platform == "windows":
        fail("Windows sandbox is only available on Windows")
    if platform == "macos" and sys.platform != "darwin":
        fail("Seatbelt sandbox is only available on macOS")
    if platform == "linux" and sys.platform != "linux":
        fail("the Linux sandbox (Landlock) is only available on Linux")
    return run_with_config(platform, _load(opts, full_auto=full_auto), command, log_denials=log_denials)


def run_with_config(platform: str, config: Config, command: list[str], *, log_denials: bool) -> int:
    """Run ``command`` under ``config``'s sandbox on ``platform`` (with its managed proxy, if any)."""
    from codex_core.errors import CodexError
    from codex_core.network.sandboxing import managed_network_proxy

    try:
        domains = None
        if config.feature("network_proxy") or config.requirements.experimental_network:
            from codex_core.execpolicy import load_exec_policy

            # network_rule(...) overlays from the rules files apply here as in agent threads
            domains = load_exec_policy(config.codex_home).policy.compiled_network_domains()
        proxy_cm = managed_network_proxy(config, exec_policy_domains=domains)
        proxy = proxy_cm.__enter__()
    except CodexError as exc:
        fail(str(exc))
        raise
    try:
        # A managed proxy (features.network_proxy / requirements) runs for the child's lifetime.
        policy = _policy(config, proxy.sandbox_network() if proxy is not None else None)
        extra_env = proxy.env() if proxy is not None else {}
        return _run_platform(platform, config, policy, command, extra_env=extra_env, log_denials=log_denials)
    finally:
        proxy_cm.__exit__(None, None, None)


def _run_platform(
    platform: str,
    config: Config,
    policy: SandboxPolicy,
    command: list[str],
    *,
    extra_env: dict[str, str],
    log_denials: bool,
) -> int:
    cwd = str(config.cwd)
    if platform == "macos":
        from codex_core.sandbox.seatbelt import sandbox_exec_available, seatbelt_command

        if not sandbox_exec_available():
            fail("/usr/bin/sandbox-exec not found; cannot apply the Seatbelt sandbox")
        argv = command if policy.is_unrestricted else seatbelt_command(policy, command)
        code = _run_foreground(argv, {**_child_env(config, policy, seatbelt=True), **extra_env}, cwd)
        if log_denials:
            click.echo("\n=== Sandbox denials ===\nNone found.", err=True)
        return code
    from codex_core.exec.spawn import helper_argv
    from codex_core.sandbox.linux.probe import linux_sandbox_support

    env = {**_child_env(config, policy), **extra_env}
    spec = policy.to_linux_spec(log_denials=log_denials)
    if spec is not None:
        support = linux_sandbox_support()
        if not support.available:
            fail(f"cannot sandbox the command: {support.problem}")
    argv = helper_argv(spec, command, cwd=cwd)
    from codex_core.sandbox.metadata_guard import MetadataGuard

    # VCS/Codex metadata the command creates in the workspace is moved aside afterwards, as for
    # the agent's commands (docs/sandbox.md, "Carve-outs")
    guard = MetadataGuard.start(policy, cwd=cwd) if spec is not None else None
    try:
        return _run_linux(argv, env, cwd, log_denials=log_denials)
    finally:
        for note in guard.check() if guard is not None else []:
            click.echo(note, err=True)


def _run_linux(argv: list[str], env: dict[str, str], cwd: str, *, log_denials: bool) -> int:
    if not log_denials:
        return _run_foreground(argv, env, cwd)
    from codex_core.sandbox.denial_log import format_denials, parse_strace_denials, strace_argv

    with tempfile.TemporaryDirectory(prefix="codex-denials-") as tmp:
        log_path = os.path.join(tmp, "strace.log")
        traced = strace_argv(argv, log_path)
        if traced is None:
            fail("--log-denials needs `strace` on PATH on Linux (apt-get install strace)")
            raise AssertionError("unreachable")
        code = _run_foreground(traced, env, cwd)
        try:
            with open(log_path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            text = ""
    click.echo(format_denials(parse_strace_denials(text, helper_executable=sys.executable)), err=True, nl=False)
    return code


def sandbox_command(platform: str, *, help_text: str) -> click.Command:
    """A ``codex sandbox <platform>`` command (also used by ``codex debug``)."""

    @click.command(platform, help=help_text, context_settings={"allow_interspersed_args": False})
    @config_options(approval=False, model=False, oss=False, sandbox=False, bypass=False, full_auto=False)
    @click.option(
        "--full-auto",
        "legacy_full_auto",
        is_flag=True,
        help="Let COMMAND write to the working directory (workspace-write). "
        "Deprecated: use `codex sandbox -P :workspace -- COMMAND`.",
    )
    @click.option("--log-denials", is_flag=True, help="After the command exits, print what the sandbox blocked.")
    @click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
    @click.pass_context
    def cmd(
        ctx: click.Context, /, legacy_full_auto: bool, log_denials: bool, command: tuple[str, ...], **kwargs: Any
    ) -> None:
        opts = collect_options(ctx, kwargs)
        full_auto = legacy_full_auto or opts.full_auto
        if legacy_full_auto:
            click.echo(
                f"warning: `codex sandbox {platform} --full-auto` is deprecated: "
                "use `codex sandbox -P :workspace -- COMMAND`",
                err=True,
            )
        sys.exit(run_sandbox_cli(platform, opts, list(command), full_auto=full_auto, log_denials=log_denials))

    return cmd


class SandboxGroup(_AliasGroup):
    """``codex sandbox [OPTIONS] [--] COMMAND...``, with the platform subcommands kept beside it.

    A first positional that names a platform (and is not after ``--``) is the old form; anything
    else starts the command to run.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        idx = first_positional(self, args)
        after_dashes = idx is not None and "--" in args[:idx]
        if idx is not None and not after_dashes and _ALIASES.get(args[idx], args[idx]) in self.commands:
            return super().parse_args(ctx, args)
        if idx is None:
            options, command = [a for a in args if a != "--"], []
        else:
            options, command = args[:idx], args[idx:]
            if options and options[-1] == "--":
                options = options[:-1]
        if any(a in ("-h", "--help") for a in options) or not command:
            return super().parse_args(ctx, options or ["--help"])
        ctx.meta["codex.sandbox.command"] = command
        return super().parse_args(ctx, options)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("codex sandbox", "[OPTIONS] [--] COMMAND...")
        formatter.write_usage("codex sandbox", "linux|macos|windows [OPTIONS] [--] COMMAND...")


@click.group(
    "sandbox",
    cls=SandboxGroup,
    invoke_without_command=True,
    help="Run a command within a Codex-provided sandbox: the one model commands get from the effective "
    "config, or the permission profile named by -P (e.g. `codex sandbox -P :workspace -- make test`).",
)
@config_options(approval=False, model=False, oss=False, sandbox=False, bypass=False, add_dir=False, full_auto=False)
@click.option(
    "-P",
    "--permission-profile",
    "permission_profile",
    metavar="NAME",
    help="Named permission profile to apply ([permissions.NAME] or :read-only, :workspace, :danger-full-access).",
)
@click.option(
    "--include-managed-config",
    is_flag=True,
    hidden=True,
    help="Accepted for compatibility: managed requirements always apply.",
)
@click.option("--log-denials", is_flag=True, help="After the command exits, print what the sandbox blocked.")
@click.pass_context
def sandbox(
    ctx: click.Context,
    /,
    permission_profile: str | None,
    include_managed_config: bool,
    log_denials: bool,
    **kwargs: Any,
) -> None:
    opts = collect_options(ctx, kwargs)
    command = ctx.meta.get("codex.sandbox.command")
    if ctx.invoked_subcommand is not None or not command:
        return
    import dataclasses
    import json

    if permission_profile is not None:
        override = f"default_permissions={json.dumps(permission_profile)}"
        opts = dataclasses.replace(opts, config_overrides=[*opts.config_overrides, override])
    config = load_config_or_exit(opts)
    platform = "macos" if sys.platform == "darwin" else "windows" if sys.platform == "win32" else "linux"
    sys.exit(run_with_config(platform, config, list(command), log_denials=log_denials))


sandbox.add_command(
    sandbox_command("linux", help_text="Run COMMAND under Landlock + seccomp + namespaces (alias: landlock).")
)
sandbox.add_command(sandbox_command("macos", help_text="Run COMMAND under Seatbelt (alias: seatbelt)."))
sandbox.add_command(sandbox_command("windows", help_text="Run COMMAND under the Windows sandbox (Windows only)."))
