"""Where the proxy's unix socket lives: private 0700 dirs outside every writable root, stale-dir cleanup."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_core.errors import SandboxError
from codex_core.exec import run_command
from codex_core.network import EffectiveNetwork, start_network_proxy
from codex_core.network.rundir import (
    check_private_dir,
    create_proxy_dir,
    proxy_runtime_base,
    remove_stale_proxy_dirs,
    runtime_base_candidates,
)
from codex_core.sandbox import ProxyNetwork, SandboxPolicy, linux_sandbox_support

from .conftest import Origins

pytestmark = pytest.mark.timeout(60)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A short private dir (pytest's tmp_path can exceed what a unix socket path allows)."""
    path = Path(tempfile.mkdtemp(prefix="cx"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


async def test_default_socket_dir_is_private_under_xdg_runtime_dir(
    short_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = short_dir / "xdg"
    xdg.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(xdg))
    async with start_network_proxy(EffectiveNetwork.from_maps({"localhost": "allow"})) as proxy:
        assert proxy.uds_path is not None
        own = proxy.uds_path.parent
        assert own.parent == xdg / "codex"
        assert own.name.startswith(f"proxy-{os.getpid()}-") and proxy.uds_path.name == "proxy.sock"
        assert _mode(xdg / "codex") == 0o700 and _mode(own) == 0o700
        assert stat.S_ISSOCK(os.lstat(proxy.uds_path).st_mode)
    assert not own.exists()  # the per-proxy dir goes away with the proxy
    assert (xdg / "codex").is_dir()


@pytest.mark.parametrize("problem", ["group-writable", "other-writable", "symlink", "foreign-owner", "file"])
def test_unfit_base_dirs_are_refused_and_skipped(tmp_path: Path, problem: str) -> None:
    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700)
    bad = xdg / "codex"
    if problem == "symlink":
        target = tmp_path / "elsewhere"
        target.mkdir(mode=0o700)
        bad.symlink_to(target)
    elif problem == "file":
        bad.write_text("")
    else:
        bad.mkdir(mode=0o700)
        if problem == "group-writable":
            bad.chmod(0o770)
        elif problem == "other-writable":
            bad.chmod(0o703)
        else:
            if os.geteuid() != 0:
                pytest.skip("chown to another uid needs root")
            os.chown(bad, 65534, 65534)
    reason = check_private_dir(bad)
    assert reason is not None and str(bad) in reason
    env = {"XDG_RUNTIME_DIR": str(xdg), "CODEX_HOME": str(tmp_path / "home")}
    assert runtime_base_candidates(env)[0] == bad
    chosen = proxy_runtime_base(env)
    assert chosen != bad and check_private_dir(chosen) is None
    # the unfit dir was left as it was (not chmod-ed into shape, not followed)
    if problem == "group-writable":
        assert _mode(bad) == 0o770


def test_codex_home_fallback_without_xdg_or_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cands = runtime_base_candidates({"CODEX_HOME": str(home)})
    assert cands[-1] == home / "run"
    assert all(not str(c).startswith(tempfile.gettempdir() + "/codex-net") for c in cands)


async def test_explicit_uds_dir_must_be_private(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(SandboxError, match="group- or other-writable"):
        async with start_network_proxy(EffectiveNetwork.from_maps({}), uds_dir=shared):
            pass
    assert list(shared.iterdir()) == []


def test_stale_dirs_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead, live = _dead_pid(), os.getpid()
    base, legacy = tmp_path / "base", tmp_path / "tmp"
    base.mkdir(mode=0o700)
    legacy.mkdir()
    stale = base / f"proxy-{dead}-abc123"
    mine = base / f"proxy-{live}-def456"
    other = base / "unrelated"
    for d in (stale, mine, other):
        d.mkdir()
        (d / "proxy-1-2.sock").write_text("")
    old_stale = legacy / "codex-net-aaaa"
    old_live = legacy / "codex-net-bbbb"
    old_foreign = legacy / "codex-net-cccc"
    old_empty = legacy / "codex-net-dddd"
    for d in (old_stale, old_live, old_foreign, old_empty):
        d.mkdir()
    (old_stale / f"proxy-{dead}-4242.sock").write_text("")
    (old_live / f"proxy-{live}-4243.sock").write_text("")
    (old_foreign / "notes.txt").write_text("not ours")
    os.utime(old_empty, (0, 0))  # empty and long untouched
    removed = remove_stale_proxy_dirs(base, legacy_tmp=legacy)
    assert sorted(removed) == sorted([stale, old_stale, old_empty])
    for d in (mine, other, old_live, old_foreign):
        assert d.is_dir()


def test_base_dir_too_long_for_a_socket_path_is_skipped(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 80)
    deep.mkdir(mode=0o700)
    env = {"XDG_RUNTIME_DIR": str(deep), "CODEX_HOME": str(tmp_path / "home")}
    chosen = proxy_runtime_base(env)
    assert chosen != deep / "codex" and not (deep / "codex").exists()
    made = create_proxy_dir(env)
    try:
        assert made.parent == chosen and len(str(made / "proxy.sock")) < 108
    finally:
        made.rmdir()


def test_new_proxy_dir_cleans_up_after_crashed_runs(short_dir: Path) -> None:
    xdg = short_dir / "xdg"
    (xdg / "codex").mkdir(parents=True, mode=0o700)
    stale = xdg / "codex" / f"proxy-{_dead_pid()}-zzz999"
    stale.mkdir()
    fresh = create_proxy_dir({"XDG_RUNTIME_DIR": str(xdg)})
    try:
        assert not stale.exists()
        assert fresh.parent == xdg / "codex" and _mode(fresh) == 0o700
    finally:
        fresh.rmdir()


SUPPORT = linux_sandbox_support()


@pytest.mark.skipif(not SUPPORT.available, reason=f"Linux sandbox unavailable: {SUPPORT.problem}")
async def test_sandboxed_command_cannot_replace_the_proxy_socket(
    origins: Origins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression for the /tmp socket escape: the default socket dir is outside the writable roots."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    host_sock = tmp_path / "host-service.sock"
    async with start_network_proxy(EffectiveNetwork.from_maps({"localhost": "allow"})) as proxy:
        assert proxy.uds_path is not None
        uds = proxy.uds_path
        assert not uds.is_relative_to(tempfile.gettempdir()) and not uds.is_relative_to(tmp_path)
        mode = ProxyNetwork(uds_path=uds, http_port=proxy.http_port, socks_port=proxy.socks_port)
        policy = SandboxPolicy.workspace_write(cwd=tmp_path, network=mode)  # /tmp and $TMPDIR writable
        env = {**os.environ, **proxy.env()}
        attack = await run_command(
            ["sh", "-c", 'rm -f "$0" && ln -s "$1" "$0" && echo REPLACED', str(uds), str(host_sock)],
            cwd=tmp_path, policy=policy, env=env,
        )  # fmt: skip
        assert attack.exit_code != 0 and "REPLACED" not in attack.stdout, attack
        st = os.lstat(uds)
        assert stat.S_ISSOCK(st.st_mode)
        ok = await run_command(
            ["curl", "-sS", "--max-time", "10", "--noproxy", "", f"http://localhost:{origins.http_port}/after"],
            cwd=tmp_path, policy=policy, env=env,
        )  # fmt: skip
        assert ok.exit_code == 0 and "/after" in ok.stdout, ok
