"""Can this machine enforce the Linux sandbox? (Checked before running, never silently skipped.)"""

from __future__ import annotations

import os
import sys

import attrs

__all__ = ["MIN_LANDLOCK_ABI", "LinuxSandboxSupport", "linux_sandbox_support"]

MIN_LANDLOCK_ABI = 1


@attrs.frozen(kw_only=True)
class LinuxSandboxSupport:
    """What the kernel offers; ``problem`` is a human sentence when the sandbox cannot work."""

    landlock_abi: int
    user_namespaces: bool
    is_root: bool
    problem: str | None

    @property
    def available(self) -> bool:
        return self.problem is None


def linux_sandbox_support() -> LinuxSandboxSupport:
    """Probe Landlock and namespace support without changing anything."""
    if sys.platform != "linux":
        return LinuxSandboxSupport(
            landlock_abi=0, user_namespaces=False, is_root=False, problem="the Linux sandbox is only available on Linux"
        )
    from codex_core.sandbox.linux._libc import SYS
    from codex_core.sandbox.linux.landlock import abi_version

    abi = abi_version()
    is_root = os.geteuid() == 0
    try:
        with open("/proc/sys/user/max_user_namespaces") as f:
            userns = int(f.read().strip()) > 0
    except (OSError, ValueError):
        userns = False
    problem = None
    if not SYS:
        problem = f"unsupported CPU architecture {os.uname().machine} (x86_64 and aarch64 are supported)"
    elif abi < MIN_LANDLOCK_ABI:
        problem = "this kernel does not support Landlock (Linux 5.13+ with landlock in the LSM list is required)"
    elif not is_root and not userns:
        problem = "unprivileged user namespaces are disabled; the sandbox cannot create its mount namespace"
    return LinuxSandboxSupport(landlock_abi=abi, user_namespaces=userns, is_root=is_root, problem=problem)
