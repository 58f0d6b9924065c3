"""The escape suite: every attempt runs as a real command, as root, and must be blocked.

Policy: workspace-write (cwd only; /tmp and $TMPDIR excluded so that "outside" is really
outside), no network. Each test asserts both the command's failure and the host-side effect
(the outside file is unchanged / was not created).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_core.sandbox import SandboxPolicy

from .conftest import Box, needs_sandbox

pytestmark = [needs_sandbox, pytest.mark.sandbox]


def _exists(path: str | os.PathLike[str]) -> bool:
    return os.path.lexists(path)


@pytest.fixture
def outsider(box: Box) -> Iterator[subprocess.Popen[bytes]]:
    """An unsandboxed process whose cwd is the outside directory."""
    proc = subprocess.Popen(["sleep", "30"], cwd=box.out)
    yield proc
    proc.kill()
    proc.wait()


def _legacy_tiocsti() -> bool:
    legacy = Path("/proc/sys/dev/tty/legacy_tiocsti")
    return legacy.exists() and legacy.read_text().strip() == "1"


def _unchanged(box: Box) -> bool:
    st = box.target.stat()
    return box.target.read_text() == "original\n" and st.st_mode & 0o777 == 0o644 and st.st_uid == 0


async def test_runs_as_root_without_capabilities(box: Box) -> None:
    r = await box.sh("id -u; grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status")
    assert r.exit_code == 0, r.aggregated_output
    lines = r.stdout.split()
    assert lines[0] == "0"  # we really are root inside
    assert "0000000000000000" in r.stdout and "NoNewPrivs:\t1" in r.stdout.replace("NoNewPrivs: ", "NoNewPrivs:\t")


async def test_workspace_is_writable(box: Box) -> None:
    r = await box.sh("echo hi > inside.txt && mkdir -p sub/dir && echo ok > sub/dir/f && cat inside.txt")
    assert r.exit_code == 0 and r.stdout == "hi\n"
    assert (box.ws / "sub/dir/f").read_text() == "ok\n"


async def test_write_outside_roots(box: Box) -> None:
    r = await box.sh(f"echo pwned > {box.target}; echo new > {box.out}/new.txt")
    assert r.exit_code != 0
    assert _unchanged(box) and not (box.out / "new.txt").exists()
    assert r.sandbox_denied is not None and "write outside writable roots" in r.sandbox_denied


async def test_symlink_inside_pointing_outside(box: Box) -> None:
    r = await box.sh(f"ln -s {box.target} link && echo pwned > link")
    assert r.exit_code != 0 and _unchanged(box)


async def test_replace_directory_with_symlink(box: Box) -> None:
    (box.ws / "sub").mkdir()
    r = await box.sh(f"rm -rf sub && ln -s {box.out} sub && echo pwned > sub/target.txt; echo x > sub/new.txt")
    assert r.exit_code != 0 and _unchanged(box) and not (box.out / "new.txt").exists()


async def test_create_git_hook_when_git_missing(box: Box) -> None:
    r = await box.sh("mkdir -p .git/hooks && printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit")
    assert r.exit_code != 0
    assert not (box.ws / ".git/hooks").exists()


async def test_create_codex_config_when_missing(box: Box) -> None:
    r = await box.sh("mkdir -p .codex; echo 'sandbox_mode = \"danger-full-access\"' > .codex/config.toml")
    assert r.exit_code != 0 and not (box.ws / ".codex/config.toml").exists()
    r = await box.sh("mkdir -p .agents/skills && echo x > .agents/skills/a.md")
    assert r.exit_code != 0 and not (box.ws / ".agents/skills").exists()


async def test_existing_git_dir_is_read_only(box: Box) -> None:
    (box.ws / ".git/hooks").mkdir(parents=True)
    r = await box.sh("echo pwned > .git/hooks/pre-commit; mv .git .git2; rm -rf .git")
    assert not (box.ws / ".git/hooks/pre-commit").exists()
    assert (box.ws / ".git/hooks").is_dir() and not _exists(box.ws / ".git2")
    assert r.exit_code != 0


async def test_gitdir_file_target_is_read_only(box: Box) -> None:
    real = box.ws / "realgit"
    (real / "hooks").mkdir(parents=True)
    (box.ws / ".git").write_text(f"gitdir: {real}\n")
    r = await box.sh("echo pwned > realgit/hooks/pre-commit; echo 'gitdir: /tmp' > .git")
    assert r.exit_code != 0
    assert not (real / "hooks/pre-commit").exists() and (box.ws / ".git").read_text() == f"gitdir: {real}\n"


async def test_hard_link_to_outside_file(box: Box) -> None:
    r = await box.sh(f"ln {box.target} hl && echo pwned > hl")
    assert r.exit_code != 0 and _unchanged(box) and not (box.ws / "hl").exists()


async def test_proc_self_root(box: Box) -> None:
    r = await box.sh(f"echo pwned > /proc/self/root{box.target}")
    assert r.exit_code != 0 and _unchanged(box)


async def test_proc_pid_cwd_of_outside_process(box: Box, outsider: subprocess.Popen[bytes]) -> None:
    r = await box.sh(
        f"echo pwned > /proc/{outsider.pid}/cwd/target.txt; echo x > /proc/{outsider.pid}/cwd/new.txt;"
        f" ls /proc/{outsider.pid}/root/"
    )
    assert r.exit_code != 0 and _unchanged(box) and not (box.out / "new.txt").exists()


async def test_chmod_and_chown_outside(box: Box) -> None:
    r = await box.sh(f"chmod 777 {box.target}; chown 65534:65534 {box.target}")
    assert r.exit_code != 0 and _unchanged(box)


async def test_mount(box: Box) -> None:
    (box.ws / "m").mkdir()
    r = await box.sh("mount -t tmpfs none m && echo mounted")
    assert r.exit_code != 0 and "mounted" not in r.stdout


async def test_unshare(box: Box) -> None:
    r = await box.sh("unshare -m -r true && echo escaped; unshare -U true && echo escaped2")
    assert "escaped" not in r.stdout


async def test_ptrace_outside_process(box: Box, outsider: subprocess.Popen[bytes]) -> None:
    code = (
        "import ctypes,sys; libc=ctypes.CDLL(None, use_errno=True);"
        f"r=libc.ptrace(16, {outsider.pid}, 0, 0); print(r, ctypes.get_errno()); sys.exit(0 if r == 0 else 1)"
    )
    r = await box.py(code)
    assert r.exit_code != 0, r.aggregated_output
    r = await box.sh(f"cat /proc/{outsider.pid}/environ > /dev/null && echo read-environ")
    assert "read-environ" not in r.stdout


@pytest.fixture
def loopback_server() -> tuple[int, list[bytes]]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    got: list[bytes] = []

    def serve() -> None:
        srv.settimeout(5)
        try:
            conn, _ = srv.accept()
            got.append(conn.recv(100))
            conn.close()
        except OSError:
            pass
        finally:
            srv.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[1], got


async def test_tcp_to_host_loopback(box: Box, loopback_server: tuple[int, list[bytes]]) -> None:
    port, got = loopback_server
    r = await box.py(f"import socket; s=socket.create_connection(('127.0.0.1', {port}), timeout=2); s.send(b'pwned')")
    assert r.exit_code != 0 and got == []
    assert r.sandbox_denied is not None and "network disabled by sandbox" in r.sandbox_denied


async def test_tcp_to_public_ip(box: Box) -> None:
    r = await box.py("import socket; socket.create_connection(('1.1.1.1', 80), timeout=2)")
    assert r.exit_code != 0 and "PermissionError" in r.stderr


async def test_udp_dns(box: Box) -> None:
    r = await box.py(
        "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'x', ('8.8.8.8', 53))"
    )
    assert r.exit_code != 0 and "PermissionError" in r.stderr


async def test_ipv6(box: Box) -> None:
    r = await box.py("import socket; socket.socket(socket.AF_INET6).connect(('::1', 22))")
    assert r.exit_code != 0 and "PermissionError" in r.stderr


async def test_dev_tcp_redirection(box: Box, loopback_server: tuple[int, list[bytes]]) -> None:
    port, got = loopback_server
    r = await box.run(["bash", "-c", f"echo pwned > /dev/tcp/127.0.0.1/{port} && echo sent"])
    assert r.exit_code != 0 and "sent" not in r.stdout and got == []


async def test_abstract_unix_socket(box: Box) -> None:
    name = f"\0codex-escape-{os.getpid()}"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(name)
    srv.listen()
    try:
        r = await box.py(f"import socket; s=socket.socket(socket.AF_UNIX); s.connect({name!r}); print('connected')")
        assert r.exit_code != 0 and "connected" not in r.stdout
    finally:
        srv.close()


async def test_unix_socket_path(box: Box, tmp_path: object) -> None:
    path = str(box.out / "s.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen()
    try:
        r = await box.py(f"import socket; s=socket.socket(socket.AF_UNIX); s.connect({path!r}); print('connected')")
        assert r.exit_code != 0 and "connected" not in r.stdout
    finally:
        srv.close()


async def test_read_only_policy_writes_nothing_but_dev_null(box: Box) -> None:
    ro = SandboxPolicy.read_only()
    r = await box.sh("echo x > /dev/null && echo devnull-ok; echo x > f; echo x > /tmp/codex-ro-test; touch /etc/x",
                     policy=ro)  # fmt: skip
    assert "devnull-ok" in r.stdout
    assert not (box.ws / "f").exists() and not _exists("/tmp/codex-ro-test")
    assert r.exit_code != 0 and r.sandbox_denied is not None and "read-only" in r.sandbox_denied


async def test_signal_to_outside_process_is_blocked(box: Box, outsider: subprocess.Popen[bytes]) -> None:
    r = await box.sh(f"kill -9 {outsider.pid} && echo killed")
    assert "killed" not in r.stdout and outsider.poll() is None


def test_helper_refuses_when_threads_exist() -> None:
    """The helper checks it is single-threaded before applying anything."""
    from codex_core.sandbox.linux.apply import check_single_threaded

    code = (
        "import threading, time\n"
        "from codex_core.sandbox.linux.apply import check_single_threaded\n"
        "threading.Thread(target=time.sleep, args=(1,), daemon=True).start()\n"
        "check_single_threaded()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode != 0 and "single-threaded" in r.stderr
    assert callable(check_single_threaded)


def test_no_landlock_means_no_run(tmp_path: object) -> None:
    """A kernel without Landlock: the helper refuses (exit 126) and the command never runs."""
    marker = f"{tmp_path}/ran"
    code = (
        "import sys\n"
        "import codex_core.sandbox.linux.landlock as ll\n"
        "ll.abi_version = lambda: 0\n"
        "from codex_core.sandbox.launch import exec_sandboxed\n"
        "from codex_core.sandbox.spec import LinuxSandboxSpec\n"
        f"exec_sandboxed(['touch', {marker!r}], cwd='/', env={{'PATH': '/usr/bin:/bin'}}, spec=LinuxSandboxSpec())\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 126 and "Landlock is not available" in r.stderr
    assert not _exists(marker)


async def test_terminal_keystroke_injection(box: Box) -> None:
    """TIOCSTI on a terminal would let the command type into the user's shell after it exits."""
    code = (
        "import os, pty, fcntl, termios, errno\n"
        "master, slave = pty.openpty()\n"
        "fcntl.ioctl(slave, termios.TIOCSCTTY, 0)  # our own controlling terminal, like the user's shell\n"
        "try:\n"
        "    fcntl.ioctl(slave, termios.TIOCSTI, b'x')\n"
        "    print('injected')\n"
        "except OSError as e:\n"
        "    print(errno.errorcode[e.errno])\n"
    )
    r = await box.py(code)
    assert r.stdout.strip() == "EPERM", r.aggregated_output
    # Control: the same code outside the sandbox does inject (so the test can fail).
    r = await box.py(code, policy=SandboxPolicy.danger_full_access())
    if _legacy_tiocsti():
        assert r.stdout.strip() == "injected"


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv not installed")
def test_non_root_uses_a_user_namespace() -> None:
    """As an unprivileged user the helper gets its namespaces from a user namespace."""
    from codex_core.exec.spawn import helper_argv
    from codex_core.sandbox import SandboxPolicy

    base = tempfile.mkdtemp(prefix="codex-nonroot-", dir="/tmp")
    try:
        ws = os.path.join(base, "ws")
        os.mkdir(ws)
        os.chmod(base, 0o777)
        os.chmod(ws, 0o777)
        policy = SandboxPolicy.workspace_write(cwd=Path(ws), exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
        argv = helper_argv(policy.to_linux_spec(), ["sh", "-c", f"id -u; touch ok; touch {base}/outside; mkdir .git/x"],
                           cwd=ws)  # fmt: skip
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv], cwd=ws,
                           capture_output=True, text=True, timeout=30)  # fmt: skip
        if "Permission denied" in r.stderr and "python" in r.stderr:
            pytest.skip("the venv is not readable by nobody")
        assert r.stdout.split()[0] == "65534", r.stderr
        assert _exists(os.path.join(ws, "ok")) and not _exists(os.path.join(base, "outside"))
        assert not _exists(os.path.join(ws, ".git", "x"))
    finally:
        shutil.rmtree(base, ignore_errors=True)
