"""Regression tests for the escapes found in the sandbox security review (each one reproduced)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from codex_core.errors import ConfigError
from codex_core.sandbox import ProxyNetwork, SandboxPolicy
from codex_core.sandbox.forwarder import UdsTarget
from codex_core.sandbox.policy import NetworkMode

from .conftest import Box, needs_sandbox

pytestmark = [needs_sandbox, pytest.mark.sandbox]


def _recording_server(path: Path) -> list[bytes]:
    """A unix socket that records whatever any client sends (a 'host service')."""
    seen: list[bytes] = []
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen()

    def serve() -> None:
        try:
            while True:
                conn, _ = srv.accept()
                conn.settimeout(5)
                try:
                    seen.append(conn.recv(100))
                    conn.sendall(b"host-service\n")
                except OSError:
                    pass
                conn.close()
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    return seen


# -- 1. proxy socket swapped for a symlink to a host socket ------------------------------------


async def test_proxy_socket_cannot_be_swapped_for_a_host_socket(box: Box, tmp_path: Path) -> None:
    netdir = box.ws / "net"  # worst case: the proxy socket lives inside a writable root
    netdir.mkdir()
    proxy_sock = netdir / "proxy.sock"
    proxy_seen = _recording_server(proxy_sock)
    host_sock = tmp_path / "host.sock"
    host_seen = _recording_server(host_sock)
    policy = SandboxPolicy.workspace_write(
        cwd=box.ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True,
        network=ProxyNetwork(uds_path=proxy_sock, http_port=18090),
    )  # fmt: skip
    script = (
        f"rm -f {proxy_sock} && ln -s {host_sock} {proxy_sock}; echo swapped=$?;"
        f"{sys.executable} -c \"import socket;s=socket.create_connection(('127.0.0.1',18090),timeout=3);"
        "s.sendall(b'hello-from-sandbox');print(s.recv(100))\""
    )
    r = await box.sh(script, policy=policy)
    assert "swapped=0" not in r.stdout, r.aggregated_output
    assert proxy_sock.exists() and not proxy_sock.is_symlink()
    assert host_seen == []
    assert proxy_seen == [b"hello-from-sandbox"]


def test_forwarder_refuses_symlinked_socket_and_foreign_listener(tmp_path: Path) -> None:
    host_sock = tmp_path / "host.sock"
    host_seen = _recording_server(host_sock)  # same pid and uid as the expected proxy
    link = tmp_path / "proxy.sock"
    link.symlink_to(host_sock)
    with pytest.raises(PermissionError, match="not a socket"):
        UdsTarget(str(link), peer_pid=os.getpid(), peer_uid=os.getuid()).connect()
    # A real socket, but served by another process: SO_PEERCRED says it is not the proxy.
    other = tmp_path / "other.sock"
    code = (
        "import socket,sys,time;s=socket.socket(socket.AF_UNIX);s.bind(sys.argv[1]);s.listen();"
        "print('ready',flush=True);time.sleep(30)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(other)], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        with pytest.raises(PermissionError, match="unexpected listener"):
            UdsTarget(str(other), peer_pid=os.getpid(), peer_uid=os.getuid()).connect()
    finally:
        proc.kill()
        proc.wait()
    assert host_seen == []


# -- 2. nested writable root redirected between commands ---------------------------------------


def test_nested_root_through_symlink_in_another_root_is_refused(box: Box) -> None:
    (box.ws / "addd").symlink_to(box.out)
    with pytest.raises(ConfigError, match="addd"):
        SandboxPolicy.workspace_write(
            cwd=box.ws, writable_roots=[box.ws / "addd"], exclude_slash_tmp=True, exclude_tmpdir_env_var=True
        )


def test_profile_entry_through_symlink_in_a_writable_root_is_refused(tmp_path: Path) -> None:
    from codex_core.config import ConfigOverrides, load_config

    home, ws = tmp_path / "home", tmp_path / "ws"
    home.mkdir()
    ws.mkdir()
    (tmp_path / "etcish").mkdir()
    (ws / "link").symlink_to(tmp_path / "etcish")
    (home / "config.toml").write_text(
        'default_permissions = "p"\n[permissions.p.filesystem]\n":root" = "read"\n'
        f'":workspace_roots" = "write"\n"{ws}/link/sub" = "write"\n'
    )
    cfg = load_config(
        ConfigOverrides(), codex_home=home, cwd=ws, requirements_path=tmp_path / "none.toml",
        system_config_path=tmp_path / "none.toml", env={},
    )  # fmt: skip
    with pytest.raises(ConfigError, match=r"permissions\.p\.filesystem.*link"):
        SandboxPolicy.from_config(cfg)


async def test_nested_root_parent_cannot_be_renamed_and_redirect_is_refused(box: Box) -> None:
    nested = box.ws / "sub" / "addd"
    nested.mkdir(parents=True)
    policy = SandboxPolicy.workspace_write(
        cwd=box.ws, writable_roots=[nested], exclude_slash_tmp=True, exclude_tmpdir_env_var=True
    )
    r = await box.sh(f"mv sub sub_old && mkdir sub && ln -s {box.out} sub/addd; echo rc=$?", policy=policy)
    assert "rc=0" not in r.stdout, r.aggregated_output
    assert nested.is_dir() and not nested.is_symlink()
    # Redirected on the host side anyway (e.g. by a concurrent command): the next command refuses.
    (box.ws / "sub").rename(box.ws / "sub_old")
    (box.ws / "sub").mkdir()
    (box.ws / "sub" / "addd").symlink_to(box.out)
    r = await box.run(["sh", "-c", f"echo pwned > {nested}/target.txt"], policy=policy)
    assert r.exit_code == 126, r.aggregated_output
    assert "symlink" in r.aggregated_output
    assert box.target.read_text() == "original\n"


# -- 3. .git protection ------------------------------------------------------------------------


async def test_symlinked_dot_git_link_cannot_be_replaced(box: Box) -> None:
    real_git = box.out / "realgit"
    real_git.mkdir()
    (real_git / "config").write_text("[core]\n")
    (box.ws / ".git").symlink_to(real_git)
    r = await box.sh(
        "cat .git/config; rm -f .git; mv .git gone; mkdir .git && printf '[core]\\nfsmonitor=evil\\n' > .git/config;"
        " echo rc=$?"
    )
    assert "rc=0" not in r.stdout, r.aggregated_output
    assert r.stdout.startswith("[core]\n"), r.aggregated_output  # git inside still reads it through the link
    assert (box.ws / ".git").is_symlink() and os.readlink(box.ws / ".git") == str(real_git)
    assert (real_git / "config").read_text() == "[core]\n"


async def test_gitdir_target_parent_cannot_be_renamed(box: Box) -> None:
    gitdir = box.ws / "inner" / "gitdir"
    gitdir.mkdir(parents=True)
    (gitdir / "config").write_text("[core]\n")
    (box.ws / ".git").write_text("gitdir: inner/gitdir\n")
    r = await box.sh("mv inner inner_old && mkdir -p inner/gitdir && echo evil > inner/gitdir/config; echo rc=$?")
    assert "rc=0" not in r.stdout, r.aggregated_output
    assert (gitdir / "config").read_text() == "[core]\n"
    assert not (box.ws / "inner_old").exists()


# -- 4. AF_UNIX datagrams to host socket paths -------------------------------------------------


@pytest.mark.parametrize("mode", ["none", "proxy"])
async def test_unix_datagram_to_host_socket_is_blocked(box: Box, tmp_path: Path, mode: str) -> None:
    host = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    host.bind(str(tmp_path / "dgram.sock"))
    host.setblocking(False)
    network: NetworkMode = "none"
    if mode == "proxy":
        network = ProxyNetwork(uds_path=tmp_path / "unused.sock", http_port=18092)
    policy = SandboxPolicy.workspace_write(
        cwd=box.ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True, network=network
    )
    code = (
        "import socket,sys\n"
        "a,b=socket.socketpair(); a.sendall(b'x'); assert b.recv(1)==b'x'; print('stream-pair-ok')\n"
        "for make in (lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM),\n"
        "             lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)[0]):\n"
        "    try:\n"
        "        s=make(); s.sendmsg([b'escaped'], [], 0, sys.argv[1]); print('SENT')\n"
        "    except OSError as e: print('blocked', e.errno)\n"
    )
    r = await box.run([sys.executable, "-c", code, str(tmp_path / "dgram.sock")], policy=policy)
    host_got = b""
    try:
        host_got = host.recv(100)
    except BlockingIOError:
        pass
    host.close()
    assert "stream-pair-ok" in r.stdout, r.aggregated_output
    assert "SENT" not in r.stdout and r.stdout.count("blocked 1") == 2, r.aggregated_output
    assert host_got == b""


# -- 7. other host terminals -------------------------------------------------------------------


async def test_read_only_command_cannot_write_to_other_host_terminals(box: Box) -> None:
    master, slave = os.openpty()
    try:
        name = os.ttyname(slave)
        code = (
            "import os,sys\n"
            "try:\n"
            "    fd=os.open(sys.argv[1], os.O_WRONLY|os.O_NOCTTY); os.write(fd, b'INJECTED\\n'); print('wrote')\n"
            "except OSError as e: print('blocked', e.strerror)\n"
            "m,s=os.openpty(); os.write(m, b'own\\n'); print('own pty', os.read(s, 10))\n"
        )
        r = await box.run([sys.executable, "-c", code, name], policy=SandboxPolicy.read_only())
        assert "wrote" not in r.stdout and "blocked" in r.stdout, r.aggregated_output
        assert "own pty b'own\\n'" in r.stdout, r.aggregated_output  # new ptys still work
        os.set_blocking(master, False)
        with pytest.raises(BlockingIOError):
            os.read(master, 100)
    finally:
        os.close(master)
        os.close(slave)


def test_proxy_socket_dir_is_a_read_only_carve_out_unless_it_holds_a_root(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "net").mkdir(parents=True)
    (tmp_path / "run").mkdir()
    for sock, expect_ro in (
        (ws / "net" / "p.sock", True),
        (tmp_path / "run" / "p.sock", True),
        (tmp_path / "p.sock", False),
    ):
        policy = SandboxPolicy.workspace_write(
            cwd=ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True,
            network=ProxyNetwork(uds_path=sock, http_port=18093),
        )  # fmt: skip
        spec = policy.to_linux_spec()
        assert spec is not None and spec.proxy_uds == str(sock.resolve())
        assert (str(sock.parent.resolve()) in spec.read_only_paths) is expect_ro
        assert spec.proxy_peer_pid == os.getpid() and spec.proxy_peer_uid == os.geteuid()
