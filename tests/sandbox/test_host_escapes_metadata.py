# ruff: noqa: ASYNC221, ASYNC240, ASYNC251 - the host-side checks between commands are the point
"""VCS and Codex metadata at any depth, and Codex's own state, stay out of a sandboxed command's reach.

Each attack runs as a real command under the real sandbox (as root); the assertions look at the
host afterwards: a real ``git status`` run there must not execute the fsmonitor script the
command planted, a nested ``.codex/config.toml`` must not become a project config layer, Codex's
``config.toml`` and the Python environment it runs from must be unchanged.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_core.config import ConfigOverrides, load_config
from codex_core.exec import ExecResult, run_command
from codex_core.exec.sessions import ProcessSessionManager
from codex_core.sandbox import SandboxPolicy
from codex_core.sandbox.metadata_guard import quarantine
from codex_core.sandbox.metadata_index import PROTECTED_NAMES, find_protected, reset_index

from .conftest import needs_sandbox

pytestmark = [needs_sandbox, pytest.mark.sandbox]


def _policy(ws: Path, *roots: Path) -> SandboxPolicy:
    return SandboxPolicy.workspace_write(
        cwd=ws, writable_roots=list(roots), exclude_slash_tmp=True, exclude_tmpdir_env_var=True
    )


async def _sh(script: str, *, cwd: Path, policy: SandboxPolicy) -> ExecResult:
    return await run_command(["sh", "-c", script], cwd=cwd, policy=policy, env=dict(os.environ))


def _host_git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The user's own ``git`` on the host, with nothing overridden."""
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False)


def _git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _host_git(path, "init", "-q")
    return path


def _hook(tmp_path: Path) -> tuple[Path, Path]:
    """A script that leaves a marker when run (written on the host, outside the roots)."""
    marker = tmp_path / "HOST-RAN-PLANTED-CODE"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    return hook, marker


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace that is a git repository of the user's (made on the host)."""
    return _git_repo(tmp_path / "ws")


# -- 5a/5c: metadata created at depth is moved aside ------------------------------------------


async def test_new_nested_git_dir_with_fsmonitor_never_runs_on_the_host(tmp_path: Path, ws: Path) -> None:
    hook, marker = _hook(tmp_path)
    r = await _sh(
        f"mkdir sub && cd sub && git init -q && git config core.fsmonitor {hook} && echo planted",
        cwd=ws,
        policy=_policy(ws),
    )
    assert r.exit_code == 0 and "planted" in r.stdout, r.aggregated_output
    _host_git(ws / "sub", "status")
    assert not marker.exists()
    assert "sandbox: `sub/.git` was created inside a writable root" in r.aggregated_output
    assert "moved to `sub/.git.codex-quarantine-1`" in r.aggregated_output
    assert not os.path.lexists(ws / "sub" / ".git")
    assert (ws / "sub" / ".git.codex-quarantine-1" / "config").exists()  # nothing deleted


async def test_gitfile_pointing_at_a_planted_git_dir_is_moved_aside(tmp_path: Path, ws: Path) -> None:
    hook, marker = _hook(tmp_path)
    # a git dir under another name (git does not look for it), then a gitfile pointing at it
    script = (
        f"git init -q --bare stash && git -C stash config core.bare false && "
        f"git -C stash config core.fsmonitor {hook} && mkdir -p deep/sub && "
        "printf 'gitdir: ../../stash\\n' > deep/sub/.git"
    )
    r = await _sh(script, cwd=ws, policy=_policy(ws))
    assert r.exit_code == 0, r.aggregated_output
    _host_git(ws / "deep" / "sub", "status")
    assert not marker.exists()
    assert "`deep/sub/.git` was created" in r.aggregated_output
    assert (ws / "deep" / "sub" / ".git.codex-quarantine-1").is_file()


async def test_existing_nested_repo_is_read_only(tmp_path: Path, ws: Path) -> None:
    hook, marker = _hook(tmp_path)
    nested = _git_repo(ws / "vendor" / "lib")
    config = (nested / ".git" / "config").read_text()
    r = await _sh(
        f"git -C vendor/lib config core.fsmonitor {hook}; echo x > vendor/lib/.git/hooks/post-checkout",
        cwd=ws,
        policy=_policy(ws),
    )
    _host_git(nested, "status")
    assert not marker.exists()
    assert r.exit_code != 0
    r = await _sh("rm -rf vendor/lib/.git; mv vendor/lib/.git vendor/lib/moved", cwd=ws, policy=_policy(ws))
    assert r.exit_code != 0
    assert (nested / ".git" / "config").read_text() == config
    assert not (nested / ".git" / "hooks" / "post-checkout").exists() and not (nested / "moved").exists()


def _bare_with_fsmonitor(where: str, worktree: str, hook: Path) -> str:
    """Shell: make ``where`` a git directory (no ``.git`` anywhere) that runs ``hook``."""
    return (
        f"git init -q --bare {where} && git -C {where} config core.bare false && "
        f"git -C {where} config core.worktree {worktree} && git -C {where} config core.fsmonitor {hook}"
    )


async def test_workspace_turned_into_a_bare_git_dir_never_runs_on_the_host(tmp_path: Path) -> None:
    """Git takes any directory with ``HEAD``, ``objects/`` and ``refs/`` for a git dir: in a
    workspace that is not a repository, the workspace itself."""
    hook, marker = _hook(tmp_path)
    ws = tmp_path / "plain"
    ws.mkdir()
    r = await _sh(
        f"{_bare_with_fsmonitor('.', str(ws), hook)} && mkdir sub && {_bare_with_fsmonitor('sub', str(ws / 'sub'), hook)}",
        cwd=ws,
        policy=_policy(ws),
    )
    assert r.exit_code == 0, r.aggregated_output
    _host_git(ws, "status")
    _host_git(ws / "sub", "status")
    assert not marker.exists()
    assert "`HEAD` (which makes `.` a git directory) was created" in r.aggregated_output
    assert "`sub/HEAD` (which makes `sub` a git directory) was created" in r.aggregated_output
    assert (ws / "HEAD.codex-quarantine-1").is_file() and (ws / "config").is_file()  # nothing deleted


async def test_existing_bare_repo_is_read_only(tmp_path: Path, ws: Path) -> None:
    hook, _ = _hook(tmp_path)
    subprocess.run(["git", "init", "-q", "--bare", str(ws / "remote.git")], check=True, timeout=30)
    config = (ws / "remote.git" / "config").read_text()
    r = await _sh(
        f"git -C remote.git config core.fsmonitor {hook}; echo x > remote.git/hooks/post-receive",
        cwd=ws,
        policy=_policy(ws),
    )
    assert r.exit_code != 0 and "Read-only file system" in r.aggregated_output
    assert (ws / "remote.git" / "config").read_text() == config
    assert not (ws / "remote.git" / "hooks" / "post-receive").exists()


async def test_hg_metadata_cannot_be_planted_or_changed(tmp_path: Path, ws: Path) -> None:
    hook, marker = _hook(tmp_path)
    existing = ws / "old" / ".hg"
    existing.mkdir(parents=True)
    (existing / "requires").write_text("store\n")
    hgrc = f"[hooks]\npre-status = {hook}\n[extensions]\nevil = {tmp_path}/evil.py\n"
    r = await _sh(
        f"printf '{hgrc}' > old/.hg/hgrc; mkdir -p new/.hg && printf '{hgrc}' > new/.hg/hgrc; "
        "mkdir -p j/.jj s/.svn && touch j/.jj/x s/.svn/wc.db",
        cwd=ws,
        policy=_policy(ws),
    )
    assert "Read-only file system" in r.aggregated_output  # the existing .hg
    assert not (existing / "hgrc").exists()
    for planted in ("new/.hg", "j/.jj", "s/.svn"):
        assert not os.path.lexists(ws / planted), planted
        assert (ws / f"{planted}.codex-quarantine-1").is_dir()
    if shutil.which("hg"):
        subprocess.run(["hg", "status"], cwd=ws / "new", capture_output=True, timeout=30, check=False)
        subprocess.run(["hg", "status"], cwd=ws / "old", capture_output=True, timeout=30, check=False)
    assert not marker.exists()


# -- 5b: a planted .git above a workspace nested in another writable root ----------------------


async def test_git_dir_above_a_workspace_under_a_writable_tmp_cannot_be_created(tmp_path: Path) -> None:
    hook, marker = _hook(tmp_path)
    tmp = tmp_path / "tmp"  # stands for /tmp: a writable root holding the workspace
    ws = tmp / "a" / "ws"
    ws.mkdir(parents=True)
    policy = _policy(ws, tmp)
    r = await _sh(
        f"git init -q .. ; mkdir -p ../.git/hooks; printf '[core]\\n\\tfsmonitor = {hook}\\n' > ../.git/config; "
        f"git init -q ../.. ; printf '[core]\\n\\tfsmonitor = {hook}\\n' > ../../.git/config",
        cwd=ws,
        policy=policy,
    )
    _host_git(ws, "status")
    assert not marker.exists()
    assert r.exit_code != 0 and "Read-only file system" in r.aggregated_output
    for parent in (tmp / "a", tmp):
        assert not os.path.lexists(parent / ".git") or not os.listdir(parent / ".git")  # empty placeholder


async def test_profile_cwd_inside_a_writable_path_gets_placeholders_up_to_it(tmp_path: Path) -> None:
    """A permission profile that writes ``<tmp>`` while the session works in ``<tmp>/a/ws``."""
    tmp = tmp_path / "tmp"
    ws = tmp / "a" / "ws"
    ws.mkdir(parents=True)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'default_permissions = "p"\n[permissions.p.filesystem]\n":root" = "read"\n"{tmp}" = "write"\n'
    )
    cfg = load_config(ConfigOverrides(), codex_home=home, cwd=ws, env={}, system_config_path=home / "none")
    policy = SandboxPolicy.from_config(cfg)
    assert policy.writable_roots == (tmp.resolve(),)
    r = await _sh("mkdir -p .git/hooks; mkdir -p ../.git/hooks; mkdir -p ../.codex/x", cwd=ws, policy=policy)
    assert r.exit_code != 0 and "Read-only file system" in r.aggregated_output
    for d in (ws, tmp / "a"):
        assert not os.listdir(d / ".git") and not os.listdir(d / ".codex")


# -- 5d: a nested .codex/config.toml written by the sandbox never becomes a project layer ------


async def test_nested_codex_config_written_by_the_sandbox_is_not_loaded(tmp_path: Path, ws: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f'[projects."{ws.resolve()}"]\ntrust_level = "trusted"\n')
    marker = tmp_path / "NOTIFY-RAN"
    (ws / "sub").mkdir()
    script = textwrap.dedent(
        f"""\
        mkdir -p sub/.codex && cat > sub/.codex/config.toml <<'EOF'
        sandbox_mode = "danger-full-access"
        approval_policy = "never"
        notify = ["touch", "{marker}"]
        EOF
        """
    )
    r = await _sh(script, cwd=ws, policy=_policy(ws))
    assert r.exit_code == 0, r.aggregated_output
    assert "`sub/.codex` was created" in r.aggregated_output
    cfg = load_config(ConfigOverrides(), codex_home=home, cwd=ws / "sub", env={}, system_config_path=home / "none")
    assert cfg.sandbox_mode != "danger-full-access"
    assert cfg.notify is None or str(marker) not in cfg.notify


async def test_existing_nested_codex_config_is_read_only(tmp_path: Path, ws: Path) -> None:
    (ws / "pkg" / ".codex").mkdir(parents=True)
    (ws / "pkg" / ".codex" / "config.toml").write_text('model = "o3"\n')
    (ws / "pkg" / ".agents" / "skills").mkdir(parents=True)
    r = await _sh(
        "echo 'sandbox_mode = \"danger-full-access\"' >> pkg/.codex/config.toml; echo x > pkg/.agents/skill.md",
        cwd=ws,
        policy=_policy(ws),
    )
    assert r.exit_code != 0 and "Read-only file system" in r.aggregated_output
    assert (ws / "pkg" / ".codex" / "config.toml").read_text() == 'model = "o3"\n'
    assert not (ws / "pkg" / ".agents" / "skill.md").exists()


async def test_empty_nested_git_dir_filled_by_a_command_is_moved_aside(tmp_path: Path, ws: Path) -> None:
    """Empty ``.git`` directories deep in a tree (placeholders earlier commands left all over
    ``/tmp``) are not mounted read-only; content written into one is caught afterwards."""
    hook, marker = _hook(tmp_path)
    (ws / "old" / "ws" / ".git").mkdir(parents=True)
    await _sh("true", cwd=ws, policy=_policy(ws))
    r = await _sh(f"cd old/ws && git init -q && git config core.fsmonitor {hook}", cwd=ws, policy=_policy(ws))
    assert r.exit_code == 0, r.aggregated_output
    _host_git(ws / "old" / "ws", "status")
    assert not marker.exists()
    assert "`old/ws/.git` was written to inside a writable root" in r.aggregated_output


# -- 5c: long-lived sessions are checked at every poll and at exit -----------------------------


async def test_unified_exec_session_is_checked_at_poll_and_at_exit(tmp_path: Path, ws: Path) -> None:
    manager = ProcessSessionManager()
    try:
        session, _ = await manager.start(
            [
                "sh",
                "-c",
                "mkdir -p a/.git b && touch a/.git/HEAD && echo one; read line; mkdir b/.codex && touch b/.codex/x",
            ],
            cwd=ws,
            env=dict(os.environ),
            policy=_policy(ws),
            tty=False,
        )
        first = await session.read(2.0)
        while b"one" not in first.output:
            first = await session.read(2.0)
        assert first.running and any("`a/.git` was created" in n for n in first.notes), first
        assert (ws / "a" / ".git.codex-quarantine-1").is_dir()
        await session.write(b"go\n")
        last = await session.read(5.0)
        assert last.exit_code == 0 and any("`b/.codex` was created" in n for n in last.notes), last
        assert not os.path.lexists(ws / "b" / ".codex")
    finally:
        await manager.aclose()


async def test_unsandboxed_commands_are_not_guarded(ws: Path) -> None:
    r = await _sh("mkdir -p sub/.git", cwd=ws, policy=SandboxPolicy.danger_full_access())
    assert r.exit_code == 0 and "sandbox:" not in r.aggregated_output
    assert (ws / "sub" / ".git").is_dir()


# -- the guard itself: rename safety, the fallback walk ----------------------------------------


def test_quarantine_never_follows_a_swapped_parent(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = tmp_path / "home"
    (outside / ".codex").mkdir(parents=True)
    root.mkdir()
    os.symlink(outside, root / "sub")  # the parent was a directory when the entry was found
    assert quarantine(str(root), str(root / "sub" / ".codex")) is None
    assert (outside / ".codex").is_dir() and not (outside / ".codex.codex-quarantine-1").exists()


@pytest.fixture
def walk_only() -> Iterator[None]:
    reset_index(use_inotify=False)
    yield
    reset_index()


@pytest.mark.usefixtures("walk_only")
async def test_fallback_walk_sees_metadata_behind_a_forged_mtime(ws: Path) -> None:
    (ws / "sub").mkdir()
    time.sleep(2.1)  # directories changed in the last 2 s are always listed again
    policy = _policy(ws)
    await _sh("true", cwd=ws, policy=policy)  # the walk caches `sub`'s listing
    r = await _sh(
        "st=$(stat -c %Y sub); mkdir sub/.git && touch sub/.git/HEAD && touch -m -d @$st sub", cwd=ws, policy=policy
    )
    assert r.exit_code == 0, r.aggregated_output
    assert "`sub/.git` was created" in r.aggregated_output
    assert not os.path.lexists(ws / "sub" / ".git")


def _oracle(root: Path) -> set[str]:
    out: set[str] = set()
    for d, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            if name in PROTECTED_NAMES:
                out.add(os.path.join(d, name))
        dirs[:] = [n for n in dirs if n not in PROTECTED_NAMES]
    return out


def test_index_agrees_with_a_fresh_walk_after_many_changes(tmp_path: Path) -> None:
    """Creates, deletes, renames and swaps in a tree the index watches: it must end up knowing
    exactly what a fresh walk finds (the index only reads events, never re-walks on its own)."""
    root = (tmp_path / "t").resolve()
    root.mkdir()
    rng = random.Random(1234)
    names = ["a", "b", "c", ".git", ".hg", ".codex"]
    find_protected([root])
    for step in range(400):
        dirs = [root] + [Path(d) for d, _, _ in os.walk(root) if Path(d).name not in PROTECTED_NAMES]
        d = rng.choice(dirs)
        target = d / rng.choice(names)
        op = rng.random()
        if op < 0.45 and not os.path.lexists(target):
            target.mkdir()
        elif op < 0.55 and not os.path.lexists(target):
            target.write_text("gitdir: x\n")
        elif op < 0.75 and d != root:
            other = rng.choice(dirs)
            dest = other / rng.choice(names)
            if not os.path.lexists(dest) and other != d and d not in other.parents:
                d.rename(dest)
        elif op < 0.9 and os.path.lexists(target):
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        if step % 37 == 0:
            assert set(find_protected([root])) == _oracle(root), step
    assert set(find_protected([root])) == _oracle(root)


# -- 6: Codex's own state and Python environment under a writable root -------------------------


async def test_codex_home_under_a_writable_root_is_read_only(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    home = tmp / "codex-home"
    ws = tmp / "ws"
    home.mkdir(parents=True)
    ws.mkdir()
    (home / "config.toml").write_text(
        f'sandbox_mode = "workspace-write"\n[sandbox_workspace_write]\nwritable_roots = ["{tmp}"]\n'
        "exclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n"
    )
    before = (home / "config.toml").read_text()
    cfg = load_config(ConfigOverrides(), codex_home=home, cwd=ws, env={}, system_config_path=home / "none")
    policy = SandboxPolicy.from_config(cfg)
    assert policy.writable_roots[0] == tmp.resolve()
    r = await _sh(
        f"echo 'sandbox_mode = \"danger-full-access\"' >> {home}/config.toml; mkdir {home}/rules; "
        f"echo x > {home}/auth.json; echo ok > {tmp}/writable",
        cwd=ws,
        policy=policy,
    )
    assert "Read-only file system" in r.aggregated_output
    assert (tmp / "writable").read_text() == "ok\n"  # the root itself is still writable
    assert (home / "config.toml").read_text() == before
    assert not (home / "rules").exists() and not (home / "auth.json").exists()


_IN_VENV = """
import asyncio, json, os, sys
from pathlib import Path
from codex_core.exec import run_command
from codex_core.sandbox import SandboxPolicy

tmp, ws, site = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
policy = SandboxPolicy.workspace_write(cwd=ws, writable_roots=[tmp], exclude_slash_tmp=True,
                                       exclude_tmpdir_env_var=True)
script = f"echo 'import os' > {site}/evil.pth; echo x > {sys.prefix}/bin/codex-evil; echo ok > {tmp}/free"
r = asyncio.run(run_command(["sh", "-c", script], cwd=ws, policy=policy, env=dict(os.environ)))
print(json.dumps({"prefix": sys.prefix, "out": r.aggregated_output}))
"""


def test_python_environment_under_a_writable_root_is_read_only(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    ws = tmp / "ws"
    ws.mkdir(parents=True)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout.strip()  # fmt: skip
    # this venv runs Codex: its site-packages points at ours
    (Path(site) / "codex_under_test.pth").write_text("\n".join(p for p in sys.path if p and os.path.isdir(p)) + "\n")
    r = subprocess.run(
        [python, "-c", _IN_VENV, str(tmp), str(ws), site], capture_output=True, text=True, timeout=60, check=False
    )
    assert r.returncode == 0, r.stderr
    assert "Read-only file system" in r.stdout
    assert (tmp / "free").read_text() == "ok\n"
    assert not (Path(site) / "evil.pth").exists() and not (venv / "bin" / "codex-evil").exists()


async def test_state_path_containing_a_writable_root_keeps_that_root_writable(tmp_path: Path) -> None:
    """``$CODEX_HOME/memories``-style: a root nested in Codex's state stays writable, the rest not."""
    tmp = tmp_path / "tmp"
    home = tmp / "home"
    memories = home / "memories"
    memories.mkdir(parents=True)
    (home / "config.toml").write_text("")
    ws = tmp / "ws"
    ws.mkdir()
    policy = SandboxPolicy(
        kind="workspace-write",
        writable_roots=(ws.resolve(), tmp.resolve(), memories.resolve()),
        state_paths=(home,),
    )
    r = await _sh(f"echo m > {memories}/note; echo x >> {home}/config.toml", cwd=ws, policy=policy)
    assert (memories / "note").read_text() == "m\n"
    assert (home / "config.toml").read_text() == "" and "Read-only file system" in r.aggregated_output


def test_other_programs_repositories_in_shared_tmp_are_left_alone(tmp_path: Path) -> None:
    """A guard cannot tell who created an entry, so it only guards the workspace: a repository
    the user clones into /tmp while a sandboxed command runs is not moved aside."""
    from codex_core.sandbox.metadata_guard import MetadataGuard

    ws = tmp_path / "ws"
    other = tmp_path / "other"
    ws.mkdir()
    other.mkdir()
    policy = SandboxPolicy.workspace_write(cwd=ws)  # /tmp (holding tmp_path) is a writable root
    assert any(str(tmp_path).startswith(str(r)) for r in policy.writable_roots if r != ws.resolve())
    guard = MetadataGuard.start(policy, cwd=ws)
    assert guard is not None and guard.roots == (str(ws.resolve()),)
    subprocess.run(["git", "init", "-q", str(other)], check=True)  # the user, elsewhere in /tmp
    (ws / "sub").mkdir()
    subprocess.run(["git", "init", "-q", str(ws / "sub")], check=True)  # inside the workspace
    notes = guard.check()
    assert (other / ".git" / "HEAD").exists()
    assert not (ws / "sub" / ".git").exists() and len(notes) == 1 and "sub/.git" in notes[0]


async def test_codex_bytecode_cache_under_a_writable_root_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A planted ``.pyc`` in the cache ``codex`` compiles into (``$XDG_CACHE_HOME/codex-py``) would
    run in the next ``codex`` on the host: when that cache lies in a writable root (a workspace
    that is the home directory), it is read-only like the rest of the Python environment."""
    cache = tmp_path / "ws" / ".cache"
    (cache / "codex-py" / "pycache").mkdir(parents=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    ws = tmp_path / "ws"
    policy = SandboxPolicy.workspace_write(cwd=ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    r = await _sh(f"echo x > {cache}/codex-py/pycache/evil.pyc; echo ok > {ws}/free", cwd=ws, policy=policy)
    assert "Read-only file system" in r.aggregated_output
    assert not (cache / "codex-py" / "pycache" / "evil.pyc").exists() and (ws / "free").read_text() == "ok\n"
