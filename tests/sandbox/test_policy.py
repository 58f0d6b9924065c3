"""Policy construction from config, carve-outs, spec compilation, seatbelt, denial heuristics."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_core.config import ConfigOverrides, load_config
from codex_core.errors import ConfigError
from codex_core.sandbox import LinuxSandboxSpec, ProxyNetwork, SandboxPolicy, classify_denial, seatbelt_profile
from codex_core.sandbox.linux.seccomp import build_filter


def _config(tmp_path: Path, toml: str = "", **ov: object) -> object:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(toml)
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    return load_config(ConfigOverrides(**ov), codex_home=home, cwd=ws, requirements_path=tmp_path / "none.toml",  # type: ignore[arg-type]
                       system_config_path=tmp_path / "none.toml", env={})  # fmt: skip


def test_workspace_write_roots_from_config(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    add = tmp_path / "added"
    add.mkdir()
    cfg = _config(
        tmp_path,
        f'sandbox_mode = "workspace-write"\n[sandbox_workspace_write]\nwritable_roots = ["{extra}"]\n'
        "network_access = true\n",
        add_dirs=(add,),
    )
    p = SandboxPolicy.from_config(cfg, env={"TMPDIR": str(tmp_path)})  # type: ignore[arg-type]
    assert p.kind == "workspace-write" and p.network == "full"
    assert p.writable_roots == (extra.resolve(), add.resolve(), (tmp_path / "ws").resolve(), Path("/tmp").resolve(),
                                tmp_path.resolve())  # fmt: skip
    excl = _config(tmp_path, 'sandbox_mode = "workspace-write"\n[sandbox_workspace_write]\nexclude_slash_tmp = true\n'
                   "exclude_tmpdir_env_var = true\n")  # fmt: skip
    p = SandboxPolicy.from_config(excl, env={"TMPDIR": str(tmp_path)})  # type: ignore[arg-type]
    assert p.writable_roots == ((tmp_path / "ws").resolve(),) and p.network == "none"


def test_modes_and_proxy(tmp_path: Path) -> None:
    assert SandboxPolicy.from_config(_config(tmp_path, 'sandbox_mode = "read-only"')).kind == "read-only"  # type: ignore[arg-type]
    full = SandboxPolicy.from_config(_config(tmp_path, 'sandbox_mode = "danger-full-access"'))  # type: ignore[arg-type]
    assert full.is_unrestricted and full.to_linux_spec() is None
    proxy = ProxyNetwork(uds_path=tmp_path / "p.sock", http_port=3128)
    cfg = _config(tmp_path, 'sandbox_mode = "workspace-write"\n[sandbox_workspace_write]\nnetwork_access = true\n')
    p = SandboxPolicy.from_config(cfg, proxy=proxy)  # type: ignore[arg-type]
    assert p.network == proxy and not p.network_enabled
    spec = p.to_linux_spec()
    assert spec is not None and spec.network == "proxy" and spec.proxy_http_port == 3128


def test_carve_outs_existing_missing_and_gitdir(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / ".codex").mkdir(parents=True)
    real = tmp_path / "gitdir"
    real.mkdir()
    (ws / ".git").write_text("gitdir: ../gitdir\n")
    p = SandboxPolicy.workspace_write(cwd=ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    [detail] = p.writable_root_details()
    assert set(detail.read_only_subpaths) == {ws.resolve() / ".git", real.resolve(), ws.resolve() / ".codex"}
    assert detail.missing_protected == (ws.resolve() / ".agents",)
    spec = p.to_linux_spec()
    assert spec is not None and LinuxSandboxSpec.from_json(spec.to_json()) == spec


def test_permission_profile(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    toml = (
        'default_permissions = "dev"\n[permissions.dev.filesystem]\n":root" = "read"\n'
        '":workspace_roots" = { "." = "write", "docs" = "read" }\n'
        f'":slash_tmp" = "write"\n"{secret}" = "none"\n'
        "[permissions.dev.network]\nenabled = true\n"
    )
    p = SandboxPolicy.from_config(_config(tmp_path, toml))  # type: ignore[arg-type]
    ws = (tmp_path / "ws").resolve()
    assert p.kind == "workspace-write" and p.network == "full" and p.readable_roots is None
    assert set(p.writable_roots) == {ws, Path("/tmp").resolve()}
    assert p.masked_paths == (secret.resolve(),) and p.read_only_paths == (ws / "docs",)
    narrow = (
        'default_permissions = "n"\n[permissions.n.filesystem]\n":minimal" = "read"\n":workspace_roots" = "write"\n'
    )
    p = SandboxPolicy.from_config(_config(tmp_path, narrow))  # type: ignore[arg-type]
    assert p.readable_roots is not None and Path("/usr") in p.readable_roots and ws in p.readable_roots
    bad = 'default_permissions = "b"\n[permissions.b.filesystem]\n"relative/path" = "read"\n'
    with pytest.raises(ConfigError, match="must be an absolute path"):
        SandboxPolicy.from_config(_config(tmp_path, bad))  # type: ignore[arg-type]
    builtin = SandboxPolicy.from_config(_config(tmp_path, 'default_permissions = ":workspace"\n'))  # type: ignore[arg-type]
    assert builtin.kind == "workspace-write" and ws in builtin.writable_roots


def test_seatbelt_profile(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)
    p = SandboxPolicy.workspace_write(cwd=ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    profile, params = seatbelt_profile(p)
    assert profile.startswith("(version 1)\n(deny default)")
    assert params["WRITABLE_ROOT_0"] == str(ws.resolve())
    assert params["WRITABLE_ROOT_0_RO_0"] == str(ws.resolve() / ".git")
    assert '(require-not (subpath (param "WRITABLE_ROOT_0_RO_0")))' in profile
    assert "network-outbound" not in profile
    ro_profile, ro_params = seatbelt_profile(SandboxPolicy.read_only())
    assert ro_params == {} and "file-write*\n" not in ro_profile
    proxied = SandboxPolicy(kind="read-only", network=ProxyNetwork(uds_path=ws / "s", http_port=3128))
    assert '(allow network-outbound (remote ip "localhost:3128"))' in seatbelt_profile(proxied)[0]


def test_denial_classification() -> None:
    ww = SandboxPolicy(kind="workspace-write", writable_roots=(Path("/w"),))
    assert classify_denial(ww, exit_code=1, output="touch: cannot touch '/etc/x': Read-only file system") == (
        "blocked by sandbox: write outside writable roots"
    )
    assert classify_denial(ww, exit_code=6, output="curl: (6) Could not resolve host: example.com") == (
        "network disabled by sandbox"
    )
    assert classify_denial(ww, exit_code=1, output="some unrelated failure") is None
    assert classify_denial(ww, exit_code=0, output="Permission denied") is None
    net_ok = SandboxPolicy(kind="workspace-write", writable_roots=(Path("/w"),), network="full")
    assert classify_denial(net_ok, exit_code=6, output="Could not resolve host: x") is None
    assert classify_denial(SandboxPolicy.danger_full_access(), exit_code=1, output="Permission denied") is None


def test_seccomp_programs_assemble() -> None:
    for mode in ("none", "proxy", "full"):
        for arch in ("x86_64", "aarch64"):
            prog = build_filter(mode, arch=arch)  # type: ignore[arg-type]
            assert len(prog) % 8 == 0 and 20 < len(prog) // 8 < 255


def test_allows_write_matches_the_carve_outs(tmp_path: Path) -> None:
    ws = (tmp_path / "ws").resolve()
    (ws / "docs").mkdir(parents=True)
    home = tmp_path / "home"
    home.mkdir()
    p = SandboxPolicy(
        kind="workspace-write",
        writable_roots=(tmp_path.resolve(), ws),
        read_only_paths=(ws / "docs",),
        masked_paths=(ws / "secret",),
        state_paths=(home.resolve(),),
    )
    assert p.allows_write(ws / "a.txt") and p.allows_write(ws / "deep" / "new" / "b.txt")
    for blocked in (
        ws / ".git" / "config",
        ws / "sub" / ".git",
        ws / "a" / "b" / ".hg" / "hgrc",
        ws / "x" / ".codex" / "config.toml",
        ws / ".agents" / "x",
        ws / "docs" / "readme.md",
        ws / "secret" / "key",
        home.resolve() / "config.toml",
        Path("/etc/passwd"),
    ):
        assert not p.allows_write(blocked), blocked
    assert not SandboxPolicy.read_only().allows_write(ws / "a.txt")
    assert SandboxPolicy.danger_full_access().allows_write(Path("/etc/passwd"))
