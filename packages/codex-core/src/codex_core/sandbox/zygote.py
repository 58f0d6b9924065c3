"""The sandbox fork-server ("zygote"): started once per session, forks once per command.

Starting a Python interpreter per command costs ~20 ms; forking an already-running small one
costs ~1 ms. The server is single-threaded (a ``selectors`` loop), so every child it forks may
safely ``unshare`` and apply Landlock/seccomp before ``exec``.

Wire protocol on the ``SOCK_SEQPACKET`` control socket (one message per command)::

    client -> server  JSON {"argv": [...], "cwd": "...", "env": {...}, "spec": {...} | null,
                            "builtin": null | "apply_patch"}
                      + SCM_RIGHTS [stdin, stdout, stderr, reply]
    server -> reply   JSON {"pid": N}            once the child is forked
    server -> reply   JSON {"status": W}         raw wait status when it exits, then closes

With ``builtin`` the child runs one of Codex's own tools in-process after confinement instead of
``exec``ing ``argv`` (which then holds the tool's arguments): see ``launch.BUILTINS``.

The child calls ``setsid()`` so ``killpg(pid)`` reaches the command and its descendants. When
the control socket closes (the session ended, or the owning process died: the kernel closes its
end), every live command's process group is killed and the server exits. Stdlib only.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket

__all__ = ["MAX_MESSAGE", "serve"]

MAX_MESSAGE = 4 * 1024 * 1024


def _child(msg: dict[str, object], fds: list[int], keep_closed: list[int]) -> None:
    from codex_core.sandbox.launch import EXIT_SETUP_FAILED, exec_sandboxed, run_builtin_sandboxed
    from codex_core.sandbox.spec import LinuxSandboxSpec

    try:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        for fd in keep_closed:
            with contextlib.suppress(OSError):
                os.close(fd)
        os.setsid()
        stdin, stdout, stderr, reply = fds
        os.close(reply)
        os.dup2(stdin, 0)
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        for fd in (stdin, stdout, stderr):
            if fd > 2:
                os.close(fd)
        raw_spec = msg.get("spec")
        spec = LinuxSandboxSpec.from_dict(raw_spec) if isinstance(raw_spec, dict) else None
        argv = msg["argv"]
        env = msg["env"]
        cwd = msg["cwd"]
        builtin = msg.get("builtin")
        assert isinstance(argv, list) and isinstance(env, dict) and isinstance(cwd, str)
        assert builtin is None or isinstance(builtin, str)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.write(2, f"codex-sandbox: bad request: {exc}\n".encode())
        os._exit(EXIT_SETUP_FAILED)
    if builtin is not None:
        run_builtin_sandboxed(builtin, [str(a) for a in argv], cwd=cwd, spec=spec)
    exec_sandboxed([str(a) for a in argv], cwd=cwd, env={str(k): str(v) for k, v in env.items()}, spec=spec)


def _preload(builtin: object, done: set[str]) -> None:
    """Import a builtin's code here, once, so every later child forks with it loaded (a patch then
    costs a fork, not an interpreter's worth of imports). Failures surface in the child."""
    from codex_core.sandbox.launch import BUILTINS

    if not isinstance(builtin, str) or builtin in done or builtin not in BUILTINS:
        return
    done.add(builtin)
    with contextlib.suppress(Exception):
        import importlib

        module = importlib.import_module(BUILTINS[builtin])
        preload = getattr(module, "preload", None)
        if callable(preload):
            preload()


def _send(sock: socket.socket, payload: dict[str, object]) -> None:
    with contextlib.suppress(OSError):
        sock.send(json.dumps(payload).encode())


def serve(control_fd: int) -> None:
    """Run the fork-server on the inherited control socket ``control_fd`` until it closes."""
    from codex_core.sandbox import launch, spec  # noqa: F401  (pre-import: children fork with them loaded)
    from codex_core.sandbox.linux import apply, netns  # noqa: F401
    from codex_core.sandbox.linux.seccomp import build_filter

    for mode in ("none", "proxy", "full"):  # children inherit the assembled programs
        build_filter(mode)

    control = socket.socket(fileno=control_fd)
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sel = selectors.DefaultSelector()
    sel.register(control, selectors.EVENT_READ, "control")
    sel.register(wake_r, selectors.EVENT_READ, "wake")
    children: dict[int, socket.socket] = {}
    preloaded: set[str] = set()
    running = True
    while running:
        for key, _ in sel.select():
            if key.data == "wake":
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_r, 4096)
                while children:
                    try:
                        pid, status = os.waitpid(-1, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid == 0:
                        break
                    reply = children.pop(pid, None)
                    if reply is not None:
                        _send(reply, {"status": status})
                        reply.close()
                continue
            try:
                data, fds, _flags, _addr = socket.recv_fds(control, MAX_MESSAGE, 4)
            except OSError:
                data, fds = b"", []
            if not data:
                running = False
                break
            if len(fds) != 4:
                for fd in fds:
                    os.close(fd)
                continue
            try:
                msg = json.loads(data)
            except ValueError:
                msg = {}
            _preload(msg.get("builtin"), preloaded)
            pid = os.fork()
            if pid == 0:
                _child(msg, fds, [control.fileno(), wake_r, wake_w, *(s.fileno() for s in children.values())])
            reply = socket.socket(fileno=fds[3])
            for fd in fds[:3]:
                os.close(fd)
            _send(reply, {"pid": pid})
            children[pid] = reply
    for pid in children:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    os._exit(0)
