"""``codex doctor``: checks that tell a user why Codex will not work here, and what to do about it.

Each check yields one :class:`Check` with a status (``ok``, ``warn``, ``fail``, ``skip``), a one
line summary, and for anything not ``ok`` a ``fix`` sentence. The checks are real: the config is
loaded as the CLI loads it, the credentials are looked up as a turn would, the sandbox probe is
the one a command runs behind, the managed network proxy is started and stopped, and each MCP
server is started and asked for its tools (within its ``startup_timeout_sec``). Nothing is sent to
the model provider. Secrets are never part of a report (an API key shows as ``sk-a***wxyz``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from codex_core.errors import CodexError, ConfigError

if TYPE_CHECKING:
    from codex_core.config import Config, ConfigOverrides, McpServerToml

__all__ = ["Check", "DoctorReport", "Status", "run_doctor"]

Status = Literal["ok", "warn", "fail", "skip"]
PROXY_ENV_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
MCP_TIMEOUT_CAP_S = 30.0
"""A doctor run waits at most this long for one MCP server, whatever its own start-up timeout."""


@attrs.frozen
class Check:
    group: str
    """``Configuration``, ``Connectivity`` or ``Environment``."""
    name: str
    status: Status
    summary: str
    fix: str | None = None
    details: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "name": self.name,
            "status": self.status,
            "summary": self.summary,
            "fix": self.fix,
            "details": dict(self.details),
        }


@attrs.frozen
class DoctorReport:
    checks: tuple[Check, ...]

    @property
    def failed(self) -> bool:
        return any(c.status == "fail" for c in self.checks)

    def counts(self) -> dict[Status, int]:
        out: dict[Status, int] = {"ok": 0, "warn": 0, "fail": 0, "skip": 0}
        for c in self.checks:
            out[c.status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {"ok": not self.failed, "counts": self.counts(), "checks": [c.to_json() for c in self.checks]}


def _mask(secret: str) -> str:
    return f"{secret[:4]}***{secret[-4:]}" if len(secret) > 12 else "***"


# --- configuration ---------------------------------------------------------------------------


def _config_fix(exc: ConfigError) -> str:
    if exc.path:
        where = f"{exc.path}:{exc.line}" if exc.line else exc.path
        what = f" (key `{exc.key}`)" if exc.key else ""
        return f"edit {where}{what}, or run with -c to override the value"
    if exc.key:
        return f"correct `{exc.key}` on the command line or in config.toml"
    return "correct the configuration named above"


def check_config(load: Callable[[], Config]) -> tuple[Check, Config | None]:
    """Load the config as the CLI does; the loaded config for the checks that need it."""
    try:
        config = load()
    except ConfigError as exc:
        return Check("Configuration", "config", "fail", str(exc), _config_fix(exc)), None
    except CodexError as exc:
        return Check("Configuration", "config", "fail", str(exc), "correct the configuration named above"), None
    user_file = config.codex_home / "config.toml"
    details: list[tuple[str, str]] = [
        ("CODEX_HOME", str(config.codex_home)),
        ("user config", str(user_file) if user_file.is_file() else f"{user_file} (absent: defaults)"),
        ("model", config.model),
        ("provider", config.model_provider_id),
    ]
    if config.active_profile:
        details.append(("profile", config.active_profile))
    details += [("warning", w) for w in config.warnings]
    if config.warnings:
        summary = f"loaded with {len(config.warnings)} warning(s): {config.warnings[0]}"
        fix = "remove or correct the keys named in the warnings (`--strict-config` makes them errors)"
        return Check("Configuration", "config", "warn", summary, fix, tuple(details)), config
    return Check("Configuration", "config", "ok", "loaded", None, tuple(details)), config


def check_auth(config: Config, env: Mapping[str, str]) -> Check:
    from codex_core.client import api_key_for, resolve_provider

    try:
        provider = resolve_provider(
            config.model_provider_id, config.model_providers, env=env, openai_base_url=config.toml.openai_base_url
        )
    except CodexError as exc:
        return Check("Configuration", "auth", "fail", str(exc), "define the provider in config.toml or pick another")
    details = (("provider", provider.id), ("base URL", provider.base_url))
    try:
        key = api_key_for(provider, codex_home=config.codex_home, env=env)
    except CodexError as exc:
        var = provider.env_key or "OPENAI_API_KEY"
        fix = f"export {var}=..." + (" or run `codex login --with-api-key`" if provider.requires_openai_auth else "")
        return Check("Configuration", "auth", "fail", str(exc), fix, details)
    if key is None:
        return Check("Configuration", "auth", "ok", f"provider `{provider.id}` needs no credentials", None, details)
    if provider.experimental_bearer_token:
        source = "experimental_bearer_token in config"
    elif provider.env_key and env.get(provider.env_key, "").strip() == key:
        source = f"${provider.env_key}"
    elif env.get("CODEX_API_KEY", "").strip() == key:
        source = "$CODEX_API_KEY"
    else:
        source = str(config.codex_home / "auth.json")
    return Check("Configuration", "auth", "ok", f"API key {_mask(key)} from {source}", None, details)


def check_sandbox(config: Config) -> Check:
    from codex_core.sandbox import SandboxPolicy

    try:
        policy = SandboxPolicy.from_config(config)
    except CodexError as exc:
        return Check("Configuration", "sandbox", "fail", str(exc), "correct the permission profile in config.toml")
    mode = config.default_permissions or config.sandbox_mode
    details: tuple[tuple[str, str], ...] = (
        ("policy", mode),
        ("approval", str(config.approval_policy)),
        ("network", str(policy.network_mode_name)),
    )
    if policy.is_unrestricted:
        summary = f"{mode}: commands run without a sandbox"
        return Check("Configuration", "sandbox", "warn", summary, "use -s workspace-write to confine commands", details)
    if sys.platform == "darwin":
        from codex_core.sandbox.seatbelt import sandbox_exec_available

        if sandbox_exec_available():
            return Check("Configuration", "sandbox", "ok", f"{mode} under Seatbelt", None, details)
        return Check(
            "Configuration", "sandbox", "fail", "/usr/bin/sandbox-exec not found", "restore macOS sandbox-exec", details
        )
    from codex_core.sandbox.linux.probe import linux_sandbox_support

    support = linux_sandbox_support()
    details += (
        ("landlock ABI", str(support.landlock_abi)),
        ("user namespaces", str(support.user_namespaces).lower()),
    )
    if support.available:
        return Check("Configuration", "sandbox", "ok", f"{mode} under Landlock + seccomp", None, details)
    fix = (
        "run on a kernel with Landlock (5.13+) and user namespaces enabled "
        "(sysctl user.max_user_namespaces > 0; kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu), "
        "or run Codex inside an external sandbox with -s danger-full-access"
    )
    return Check("Configuration", "sandbox", "fail", f"sandbox unavailable: {support.problem}", fix, details)


# --- connectivity ----------------------------------------------------------------------------


def _proxy_url_problem(value: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value if "://" in value else f"http://{value}")
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        return str(exc)
    if not parts.hostname:
        return "no host"
    if parts.scheme not in ("http", "https", "socks5", "socks5h", "socks4"):
        return f"unsupported scheme {parts.scheme!r}"
    return None


def check_proxy_env(env: Mapping[str, str]) -> Check:
    set_vars = [(k, env[k]) for k in PROXY_ENV_VARS if env.get(k)]
    if not set_vars:
        return Check("Connectivity", "proxy env", "ok", "no proxy environment variables")
    bad = [(k, p) for k, v in set_vars if (p := _proxy_url_problem(v)) is not None]
    details = tuple((k, _redact_url(v)) for k, v in set_vars)
    if bad:
        names = ", ".join(f"{k} ({p})" for k, p in bad)
        return Check(
            "Connectivity", "proxy env", "fail", f"malformed proxy URL in {names}", "use scheme://host:port", details
        )
    return Check(
        "Connectivity", "proxy env", "ok", "requests go through " + ", ".join(k for k, _ in set_vars), None, details
    )


def _redact_url(value: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        return "(unparsable)"
    if parts.password:
        return value.replace(parts.password, "***")
    return value


def check_network_proxy(config: Config) -> Check:
    from codex_core.network.sandboxing import managed_network_proxy

    if not config.feature("network_proxy") and not config.requirements.experimental_network:
        return Check("Connectivity", "network proxy", "skip", "managed network proxy is off (features.network_proxy)")
    try:
        with managed_network_proxy(config) as proxy:
            if proxy is None:
                return Check("Connectivity", "network proxy", "skip", "managed network proxy is disabled")
            env = proxy.env()
    except CodexError as exc:
        return Check(
            "Connectivity",
            "network proxy",
            "fail",
            str(exc),
            "correct the [permissions.<profile>.network] rules or the managed requirements",
        )
    except OSError as exc:
        return Check("Connectivity", "network proxy", "fail", f"cannot start: {exc}", "free the configured port")
    url = env.get("HTTP_PROXY") or env.get("http_proxy") or ""
    return Check("Connectivity", "network proxy", "ok", "starts and stops", None, (("proxy", url),) if url else ())


# --- MCP servers ----------------------------------------------------------------------------


async def _probe_mcp(name: str, cfg: McpServerToml, cwd: Path) -> Check:
    from codex_core.mcp.connection import ServerConnection

    warnings: list[str] = []
    conn = ServerConnection(name, cfg, cwd=cwd, on_change=lambda _c: None, warn=warnings.append)
    task = asyncio.create_task(conn.run())
    limit = min(float(cfg.startup_timeout), MCP_TIMEOUT_CAP_S) + 1.0
    try:
        await asyncio.wait_for(conn.settled.wait(), limit)
    except TimeoutError:
        pass
    state, error, tools = conn.state, conn.error, [str(t.get("name", "")) for t in conn.tools]
    conn.request_stop()
    try:
        await asyncio.wait_for(task, 10.0)
    except TimeoutError:
        task.cancel()
    label = f"mcp {name}"
    if state in ("ready", "closed") and error is None:
        shown = ", ".join(tools[:8]) + (", ..." if len(tools) > 8 else "")
        return Check("Configuration", label, "ok", f"started; {len(tools)} tool(s)", None, (("tools", shown),))
    reason = error or f"did not start within {limit - 1:g}s"
    fix = (
        f"check [mcp_servers.{name}] in config.toml (command, args, env or url), raise startup_timeout_sec, "
        f"or set enabled = false"
    )
    return Check("Configuration", label, "fail", reason, fix)


async def check_mcp(config: Config) -> list[Check]:
    servers = {n: c for n, c in config.mcp_servers.items() if c.enabled}
    if not config.mcp_servers:
        return [Check("Configuration", "mcp", "ok", "no MCP servers configured")]
    disabled = [
        Check("Configuration", f"mcp {n}", "skip", "disabled") for n, c in config.mcp_servers.items() if not c.enabled
    ]
    probes = await asyncio.gather(*(_probe_mcp(n, c, config.cwd) for n, c in servers.items()))
    return [*probes, *disabled]


# --- environment ----------------------------------------------------------------------------


def check_git(cwd: Path) -> Check:
    from codex_core.git import find_git_root

    git = shutil.which("git")
    if git is None:
        return Check(
            "Environment", "git", "warn", "git not found on PATH", "install git (codex exec needs a repository)"
        )
    root = find_git_root(cwd)
    details = (("git", git), ("repository", str(root) if root else "none"))
    if root is None:
        return Check(
            "Environment",
            "git",
            "warn",
            f"{cwd} is not inside a git repository",
            "run `git init`, or pass --skip-git-repo-check to codex exec",
            details,
        )
    return Check("Environment", "git", "ok", f"repository at {root}", None, details)


def run_doctor(
    overrides: ConfigOverrides | None = None,
    *,
    load: Callable[[], Config] | None = None,
    env: Mapping[str, str] | None = None,
    network_only: bool = False,
) -> DoctorReport:
    """Run every check. ``load`` replaces ``load_config(overrides)`` (a CLI passes its own loader)."""
    from codex_core.config import load_config

    environ = os.environ if env is None else env
    config_check, config = check_config(load or (lambda: load_config(overrides)))
    checks: list[Check] = [config_check]
    if config is None:
        skipped = ("auth", "sandbox", "mcp") if not network_only else ("auth",)
        checks += [Check("Configuration", n, "skip", "skipped: the config did not load") for n in skipped]
        checks.append(check_proxy_env(environ))
        return DoctorReport(tuple(checks))
    checks.append(check_auth(config, environ))
    if not network_only:
        checks.append(check_sandbox(config))
        checks += asyncio.run(check_mcp(config))
    checks.append(check_proxy_env(environ))
    checks.append(check_network_proxy(config))
    if not network_only:
        checks.append(check_git(config.cwd))
    return DoctorReport(tuple(_grouped(checks)))


def _grouped(checks: Iterable[Check]) -> list[Check]:
    order = {"Configuration": 0, "Connectivity": 1, "Environment": 2}
    return sorted(checks, key=lambda c: order.get(c.group, 9))
