"""Legible sandbox denials: recognise a failure caused by the sandbox from exit status + output.

Landlock and seccomp fail syscalls with ``EACCES``/``EPERM``/``EROFS``/``EXDEV``; tools print
those as "Permission denied", "Operation not permitted", "Read-only file system", ... The
classification is a heuristic (like upstream Codex's), made specific with the policy: a network
failure only counts when the policy has no direct network.
"""

from __future__ import annotations

import re
import signal

from codex_core.sandbox.policy import SandboxPolicy

__all__ = ["NETWORK_DENIED", "WRITE_DENIED", "classify_denial", "denial_message"]

WRITE_DENIED = "blocked by sandbox: write outside writable roots"
READ_ONLY_DENIED = "blocked by sandbox: the filesystem is read-only under this sandbox"
NETWORK_DENIED = "network disabled by sandbox"
PRIVILEGED_DENIED = "blocked by sandbox: privileged operation (mount, namespaces, ptrace) not permitted"
SYSCALL_DENIED = "blocked by sandbox: forbidden system call"

_NETWORK = re.compile(
    r"network is unreachable|could not resolve host|temporary failure in name resolution"
    r"|name or service not known|failed to establish a new connection|name resolution"
    r"|getaddrinfo|nodename nor servname|no address associated|connect: operation not permitted"
    r"|socket: operation not permitted|/dev/tcp|address family not supported|err_socket"
    r"|socket\(\)|\bsocket\b.*(?:permission|not permitted)|(?:permission|not permitted).*\bsocket\b",
    re.IGNORECASE,
)
_NET_WORDS = re.compile(
    r"\bsocket|\bconnect|create_connection|urlopen|\bhttps?\b|https?://|\btcp\b|\budp\b|\bdns\b"
    r"|\bcurl\b|\bwget\b|\bssh\b|\bnpm\b|\bpip\b|getaddrinfo|\bresolve",
    re.IGNORECASE,
)
_PRIVILEGED = re.compile(
    r"(?:mount|unshare|ptrace|strace|setns|chroot|pivot_root|nsenter|keyctl|bpf).*(?:not permitted|permission denied)"
    r"|(?:not permitted|permission denied).*(?:mount|unshare|ptrace)",
    re.IGNORECASE,
)
_FS_WORDS = re.compile(
    r"read-only file system|cannot create|cannot touch|cannot open|cannot remove|\bEROFS\b", re.IGNORECASE
)
_FS = re.compile(
    r"read-only file system|permission denied|operation not permitted|invalid cross-device link"
    r"|\beacces\b|\beperm\b|\berofs\b",
    re.IGNORECASE,
)


def classify_denial(policy: SandboxPolicy, *, exit_code: int, output: str, timed_out: bool = False) -> str | None:
    """The legible reason a failed command was blocked by ``policy``, or ``None``."""
    if policy.is_unrestricted or exit_code == 0 or timed_out:
        return None
    if exit_code == 128 + signal.SIGSYS:
        return SYSCALL_DENIED
    if not policy.network_enabled and (
        _NETWORK.search(output) or (_FS.search(output) and _NET_WORDS.search(output) and not _FS_WORDS.search(output))
    ):
        return NETWORK_DENIED
    if _PRIVILEGED.search(output):
        return PRIVILEGED_DENIED
    if _FS.search(output):
        return READ_ONLY_DENIED if policy.kind == "read-only" else WRITE_DENIED
    return None


def denial_message(reason: str, policy: SandboxPolicy) -> str:
    """The line appended to the model-visible output."""
    return f"{reason} (sandbox policy: {policy.describe()})"
