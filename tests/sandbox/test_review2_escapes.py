"""Regressions from the second sandbox review: unix SOCK_RAW, worktree commondir, $TMPDIR
re-pointing, symlink chains to .git, symlinked cwd."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

CODEX = str(Path(sys.executable).parent / "codex")


def _sandbox(
    args: list[str], cwd: Path, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    e = dict(os.environ, CODEX_HOME=str(home))
    e.update(env or {})
    return subprocess.run(
        [CODEX, "sandbox", "linux", *args], cwd=cwd, env=e, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("full_auto", [False, True])
def test_unix_sock_raw_datagram_cannot_reach_host_socket(tmp_path: Path, full_auto: bool) -> None:
    path = f"/run/codex-test-{uuid.uuid4().hex[:8]}.sock"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind(path)
    srv.settimeout(3)
    got: list[bytes] = []

    def recv() -> None:
        try:
            got.append(srv.recv(100))
        except OSError:
            pass

    t = threading.Thread(target=recv, daemon=True)
    t.start()
    code = (
        "import socket,sys\n"
        "for t in (2, 3, 5):\n"
        "    try:\n"
        "        s = socket.socket(socket.AF_UNIX, t)\n"
        f"        s.sendmsg([b'x%d' % t], [], 0, {path!r})\n"
        "        print('SENT', t)\n"
        "    except OSError as e:\n"
        "        print('blocked', t, e.errno)\n"
        "    try:\n"
        "        a, b = socket.socketpair(socket.AF_UNIX, t)\n"
        f"        a.sendmsg([b'p%d' % t], [], 0, {path!r})\n"
        "        print('SENT pair', t)\n"
        "    except OSError as e:\n"
        "        print('blocked pair', t, e.errno)\n"
    )
    try:
        proc = _sandbox([*(["--full-auto"] if full_auto else []), "--", sys.executable, "-c", code], tmp_path, tmp_path)
        t.join(4)
    finally:
        srv.close()
        os.unlink(path)
    assert "SENT" not in proc.stdout, proc.stdout
    assert got == []


def test_worktree_common_git_dir_is_read_only(tmp_path: Path) -> None:
    main = tmp_path / "main"
    subprocess.run(["git", "init", "-q", str(main)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(main),
            "-c",
            "user.email=t@t",
            "-c",
            "user.name=t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "i",
        ],
        check=True,
    )
    wt = tmp_path / "wt"
    subprocess.run(["git", "-C", str(main), "worktree", "add", "-q", str(wt)], check=True)
    hook = main / ".git" / "hooks" / "pre-commit"
    proc = _sandbox(
        [
            "--full-auto",
            "--",
            "sh",
            "-c",
            f"echo evil > {hook}; git config --file {main}/.git/config core.fsmonitor evil",
        ],
        wt,
        tmp_path,
    )
    assert proc.returncode != 0
    assert not hook.exists()
    assert "fsmonitor" not in (main / ".git" / "config").read_text()


def test_tmpdir_symlink_planted_in_a_writable_root_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "outside-target"
    target.mkdir()
    link = tmp_path / "tmplink"
    link.symlink_to(target)
    proc = _sandbox(["--full-auto", "--", "true"], tmp_path, tmp_path, env={"TMPDIR": str(link)})
    assert proc.returncode != 0 and "symlink" in proc.stderr


def test_symlink_chain_to_git_cannot_be_repointed(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    real = ws / "realgit"
    subprocess.run(["git", "init", "-q", "--separate-git-dir", str(real), str(tmp_path / "scratch")], check=True)
    (ws / "gl").symlink_to("realgit")
    (ws / ".git").symlink_to("gl")
    proc = _sandbox(["--full-auto", "--", "sh", "-c", "mkdir evil && rm gl && ln -s evil gl"], ws, tmp_path)
    assert proc.returncode != 0
    assert os.readlink(ws / "gl") == "realgit"


def test_symlinked_cwd_still_works(tmp_path: Path) -> None:
    ws = tmp_path / "realws"
    ws.mkdir()
    link = tmp_path / "wslink"
    link.symlink_to(ws)
    proc = _sandbox(["--full-auto", "--", "sh", "-c", "echo ok > f.txt"], link, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (ws / "f.txt").read_text() == "ok\n"


def test_proc_masks_are_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        'default_permissions = "p"\n[permissions.p.filesystem]\n":root" = "read"\n"/proc/cpuinfo" = "none"\n'
    )
    proc = _sandbox(["--", "cat", "/proc/cpuinfo"], tmp_path, home)
    assert proc.returncode == 1 and "/proc/cpuinfo" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_configured_writable_root_is_skipped(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('[sandbox_workspace_write]\nwritable_roots = ["/nonexistent/codex-root"]\n')
    proc = _sandbox(["--full-auto", "--", "sh", "-c", "echo ok > f"], tmp_path, home)
    assert proc.returncode == 0, proc.stderr
