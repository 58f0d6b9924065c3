"""End to end: sandboxed curl in its own network namespace, reaching the network only via the proxy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codex_core.exec import run_command
from codex_core.network import EffectiveNetwork, NetworkProxyThread, sandbox_network_for, start_network_proxy
from codex_core.sandbox import ProxyNetwork, SandboxPolicy, linux_sandbox_support
from tests.support.network import proxy_profile_config

from .conftest import Origins

SUPPORT = linux_sandbox_support()
pytestmark = [
    pytest.mark.skipif(not SUPPORT.available, reason=f"Linux sandbox unavailable: {SUPPORT.problem}"),
    pytest.mark.timeout(90),
]
CODEX = str(Path(sys.executable).parent / "codex")


def _policy(cwd: Path, net: ProxyNetwork) -> SandboxPolicy:
    return SandboxPolicy.workspace_write(cwd=cwd, exclude_slash_tmp=True, exclude_tmpdir_env_var=True, network=net)


async def test_sandboxed_curl_goes_through_proxy(origins: Origins, tmp_path: Path) -> None:
    net = EffectiveNetwork.from_maps({"localhost": "allow", "blocked.test": "deny"})
    async with start_network_proxy(net, uds_dir=tmp_path) as proxy:
        assert proxy.uds_path is not None
        mode = ProxyNetwork(uds_path=proxy.uds_path, http_port=proxy.http_port, socks_port=proxy.socks_port)
        policy = _policy(tmp_path, mode)
        env = {**os.environ, **proxy.env()}
        curl = ["curl", "-sS", "--max-time", "10", "--noproxy", ""]

        ok = await run_command(
            [*curl, "-k", f"https://localhost:{origins.https_port}/tls"], cwd=tmp_path, policy=policy, env=env
        )
        assert ok.exit_code == 0, ok
        assert f"hello localhost:{origins.https_port} /tls" in ok.stdout

        plain = await run_command(
            [*curl, f"http://localhost:{origins.http_port}/plain"], cwd=tmp_path, policy=policy, env=env
        )
        assert plain.exit_code == 0 and "/plain" in plain.stdout

        socks = await run_command(
            ["curl", "-sS", "--max-time", "10", "--noproxy", "", "--socks5-hostname", f"127.0.0.1:{proxy.socks_port}",
             f"http://localhost:{origins.http_port}/socks"],
            cwd=tmp_path, policy=policy, env=env,
        )  # fmt: skip
        assert socks.exit_code == 0 and "/socks" in socks.stdout

        denied = await run_command([*curl, "-k", "https://blocked.test/"], cwd=tmp_path, policy=policy, env=env)
        assert denied.exit_code == 56
        assert "curl: (56) CONNECT tunnel failed, response 403" in denied.stderr

        unlisted = await run_command([*curl, "-i", "http://127.0.0.1:9/"], cwd=tmp_path, policy=policy, env=env)
        assert "x-proxy-error: blocked-by-allowlist" in unlisted.stdout

        # no direct egress: with the proxy bypassed the origin is unreachable from the namespace
        direct = await run_command(
            ["curl", "-sS", "--max-time", "5", "--noproxy", "*", f"http://localhost:{origins.http_port}/"],
            cwd=tmp_path, policy=policy, env=env,
        )  # fmt: skip
        assert direct.exit_code == 7, direct
        bare_env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        bare = await run_command(
            ["curl", "-sS", "--max-time", "5", f"http://localhost:{origins.http_port}/"],
            cwd=tmp_path,
            policy=policy,
            env=bare_env,
        )
        assert bare.exit_code == 7
    assert [b.host for b in proxy.blocked] == ["blocked.test", "127.0.0.1"]


def test_thread_runner_and_sandbox_network_for(origins: Origins, tmp_path: Path) -> None:
    from codex_core.exec.spawn import helper_argv

    with NetworkProxyThread(EffectiveNetwork.from_maps({"localhost": "deny"})) as proxy:
        mode = sandbox_network_for(proxy)
        assert mode.uds_path == proxy.uds_path and mode.http_port == proxy.http_port
        spec = _policy(tmp_path, mode).to_linux_spec()
        argv = ["curl", "-sS", "--max-time", "10", "--noproxy", "", "-k", f"https://localhost:{origins.https_port}/"]
        env = {**os.environ, **proxy.env()}
        r = subprocess.run(
            helper_argv(spec, argv, cwd=str(tmp_path)), env=env, capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 56 and "curl: (56) CONNECT tunnel failed, response 403" in r.stderr
        assert [b.reason for b in proxy.policy.blocked] == ["denied"]


def _codex_home(tmp_path: Path, verdict: str) -> dict[str, str]:
    home = tmp_path / f"home-{verdict}"
    home.mkdir()
    (home / "config.toml").write_text(proxy_profile_config(verdict))
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(CODEX_HOME=str(home), CODEX_REQUIREMENTS_PATH=str(tmp_path / "none.toml"))
    return env


@pytest.mark.parametrize(("verdict", "code"), [("allow", 0), ("deny", 56)])
def test_codex_sandbox_linux_cli_uses_the_proxy(origins: Origins, tmp_path: Path, verdict: str, code: int) -> None:
    env = _codex_home(tmp_path, verdict)
    url = f"https://localhost:{origins.https_port}/cli"
    proc = subprocess.run(
        [CODEX, "sandbox", "linux", "--", "curl", "-sS", "--max-time", "10", "--noproxy", "", "-k", url],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == code, proc
    if verdict == "allow":
        assert "/cli" in proc.stdout
        # ... and it went through the proxy: bypassing it fails (no direct egress)
        direct = subprocess.run(
            [CODEX, "sandbox", "linux", "--", "curl", "-sS", "--max-time", "5", "--noproxy", "*", "-k", url],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert direct.returncode == 7, direct
    else:
        assert "curl: (56) CONNECT tunnel failed, response 403" in proc.stderr


@pytest.mark.parametrize(("verdict", "status"), [("allow", "200"), ("deny", "403")])
def test_codex_sandbox_linux_reaches_allowed_localhost_through_the_proxy(
    origins: Origins, tmp_path: Path, verdict: str, status: str
) -> None:
    """Regression: ``"localhost" = "allow"`` without ``allow_local_binding`` must reach a host
    service. ``NO_PROXY`` used to list localhost, so curl connected directly, which the sandbox's
    network namespace cannot do (``000``); now it is empty and the proxy answers by the rules."""
    env = _codex_home(tmp_path, verdict)
    url = f"http://localhost:{origins.http_port}/local"
    proc = subprocess.run(
        [CODEX, "sandbox", "linux", "--", "curl", "-sS", "-i", "--max-time", "10", url],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.stdout.startswith(f"HTTP/1.1 {status} ") or proc.stdout.startswith(f"HTTP/1.0 {status} "), proc
    if verdict == "allow":
        assert proc.returncode == 0 and f"hello localhost:{origins.http_port} /local" in proc.stdout
    else:
        assert "x-proxy-error: blocked-by-denylist" in proc.stdout
    env_dump = subprocess.run(
        [CODEX, "sandbox", "linux", "--", "sh", "-c", 'printf "[%s][%s]" "$NO_PROXY" "$no_proxy"'],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert env_dump.stdout == "[][]", env_dump
