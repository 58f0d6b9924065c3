"""``--log-denials`` on Linux: record the syscalls the sandbox refused.

Landlock's own audit records (ABI 7) go to the kernel audit subsystem, which is off unless an
audit daemon enabled it, and reading it needs CAP_AUDIT_READ plus a netlink listener. Instead we
run the sandbox helper under ``strace`` (outside the sandbox, so seccomp's ptrace ban does not
apply to it) and keep the failed syscalls whose error is one the sandbox produces (EACCES,
EPERM, EROFS, EXDEV) once the command proper has been ``exec``-ed. Needs ``strace`` on PATH.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence

__all__ = ["DENIAL_ERRNOS", "format_denials", "parse_strace_denials", "strace_argv"]

DENIAL_ERRNOS = ("EACCES", "EPERM", "EROFS", "EXDEV")
_LINE = re.compile(r"^(?P<pid>\d+)\s+(?P<call>\w+)\((?P<args>.*)\)\s+=\s+(?P<ret>-?\w+)(?:\s+(?P<err>E[A-Z]+))?")
_RESUMED = re.compile(r"^(?P<pid>\d+)\s+<\.\.\. (?P<call>\w+) resumed>")
_EXECVE = re.compile(r'^(?P<pid>\d+)\s+execve\("(?P<path>[^"]*)"')


def strace_argv(argv: Sequence[str], log_path: str) -> list[str] | None:
    """``argv`` wrapped in ``strace -f``, or ``None`` when strace is not installed."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    return [strace, "-f", "-qq", "-s", "256", "-e", "signal=none", "-o", log_path, "--", *argv]


def parse_strace_denials(text: str, *, helper_executable: str | None = None) -> list[str]:
    """``(<process name>) <syscall>(<args>) = <errno>`` lines for sandbox-looking failures.

    Failures before a process ``exec``-ed something other than the helper are ignored: they are
    the helper's own set-up probes, not the command's.
    """
    names: dict[str, str] = {}
    pending_exec: dict[str, str] = {}
    out: list[str] = []

    def exec_ok(pid: str, path: str) -> None:
        if helper_executable is None or os.path.realpath(path) != os.path.realpath(helper_executable):
            names[pid] = os.path.basename(path)

    for line in text.splitlines():
        m = _EXECVE.match(line)
        if m:
            if line.endswith("<unfinished ...>"):
                pending_exec[m["pid"]] = m["path"]
            elif line.rstrip().endswith("= 0"):
                exec_ok(m["pid"], m["path"])
            continue
        r = _RESUMED.match(line)
        if r:
            if r["call"] == "execve" and r["pid"] in pending_exec and line.rstrip().endswith("= 0"):
                exec_ok(r["pid"], pending_exec.pop(r["pid"]))
            continue
        m = _LINE.match(line)
        if not m:
            continue
        pid = m["pid"]
        if m["call"] in ("clone", "clone3", "fork", "vfork") and m["ret"].isdigit() and pid in names:
            names[m["ret"]] = names[pid]
            continue
        if m["err"] not in DENIAL_ERRNOS:
            continue
        if pid not in names:
            # Forked children inherit their parent's name until they exec.
            continue
        args = m["args"] if len(m["args"]) <= 160 else m["args"][:157] + "..."
        out.append(f"({names[pid]}) {m['call']}({args}) = {m['err']}")
    return out


def format_denials(denials: Sequence[str]) -> str:
    """The block printed to stderr after the command: header then lines or ``None found.``."""
    body = "\n".join(denials) if denials else "None found."
    return f"\n=== Sandbox denials ===\n{body}\n"
