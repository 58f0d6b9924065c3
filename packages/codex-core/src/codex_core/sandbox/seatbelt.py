"""macOS Seatbelt: the SBPL profile and ``sandbox-exec`` command line for a ``SandboxPolicy``.

Deny by default; allow process exec/fork, reading everything, writing ``/dev/null`` and the
writable roots minus their carve-outs (passed as ``-DWRITABLE_ROOT_n`` /
``-DWRITABLE_ROOT_n_RO_m`` parameters, so paths never need escaping inside the profile), and
network only when the policy allows it (with a proxy: only its loopback ports).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from codex_core.sandbox.policy import ProxyNetwork, SandboxPolicy

__all__ = ["SANDBOX_EXEC", "seatbelt_command", "seatbelt_profile"]

SANDBOX_EXEC = "/usr/bin/sandbox-exec"

_BASE = """(version 1)
(deny default)
(allow process-exec)
(allow process-fork)
(allow signal (target same-sandbox))
(allow process-info* (target same-sandbox))
(allow user-preference-read)
(allow sysctl-read)
(allow mach-lookup
  (global-name "com.apple.system.opendirectoryd.libinfo")
  (global-name "com.apple.trustd.agent")
  (global-name "com.apple.logd")
  (global-name "com.apple.system.notification_center"))
(allow ipc-posix-sem)
(allow pseudo-tty)
(allow file-read* file-write* file-ioctl (literal "/dev/ptmx") (regex #"^/dev/ttys[0-9]+"))
(allow file-write-data (require-all (path "/dev/null") (vnode-type CHARACTER-DEVICE)))
(allow file-read*)
"""


def _param(name: str) -> str:
    return f'(param "{name}")'


def seatbelt_profile(policy: SandboxPolicy) -> tuple[str, dict[str, str]]:
    """The SBPL text and its ``-D`` parameters for ``policy``."""
    params: dict[str, str] = {}
    lines = [_BASE.rstrip("\n")]
    if policy.kind == "workspace-write":
        clauses = []
        for i, detail in enumerate(policy.writable_root_details()):
            root_name = f"WRITABLE_ROOT_{i}"
            params[root_name] = str(detail.root)
            carve = [*detail.read_only_subpaths, *detail.missing_protected]
            if not carve:
                clauses.append(f"(subpath {_param(root_name)})")
                continue
            nots = []
            for j, path in enumerate(carve):
                ro_name = f"{root_name}_RO_{j}"
                params[ro_name] = str(path)
                nots.append(f"(require-not (subpath {_param(ro_name)}))")
            clauses.append(f"(require-all (subpath {_param(root_name)}) {' '.join(nots)})")
        if clauses:
            lines.append("(allow file-write*\n  " + "\n  ".join(clauses) + ")")
    net = policy.network
    if net == "full" or policy.is_unrestricted:
        lines += ["(allow network-outbound)", "(allow network-inbound)", "(allow system-socket)"]
    elif isinstance(net, ProxyNetwork):
        ports = [p for p in (net.http_port, net.socks_port) if p is not None]
        remotes = " ".join(f'(remote ip "localhost:{p}")' for p in ports)
        lines.append(f"(allow network-outbound {remotes})")
    return "\n".join(lines) + "\n", params


def seatbelt_command(policy: SandboxPolicy, argv: Sequence[str]) -> list[str]:
    """``sandbox-exec -p PROFILE -DK=V... -- argv``."""
    profile, params = seatbelt_profile(policy)
    return [SANDBOX_EXEC, "-p", profile, *(f"-D{k}={v}" for k, v in params.items()), "--", *argv]


def sandbox_exec_available() -> bool:
    return Path(SANDBOX_EXEC).exists()
