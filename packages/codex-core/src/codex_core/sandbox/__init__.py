"""Sandboxing of model-generated commands.

``SandboxPolicy`` says what a command may read, write and reach (build it with
``SandboxPolicy.from_config(config)``); on Linux it is enforced by Landlock + seccomp + private
mount/network namespaces + dropped capabilities, applied by a helper
(``python -m codex_core.sandbox``) or by the per-session fork-server right before ``exec``.
``seatbelt_profile`` generates the macOS policy.

Exports are loaded lazily: ``python -m codex_core.sandbox`` (the per-command helper) must not pay
for importing attrs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codex_core.sandbox.denials import NETWORK_DENIED, WRITE_DENIED, classify_denial
    from codex_core.sandbox.linux.probe import LinuxSandboxSupport, linux_sandbox_support
    from codex_core.sandbox.policy import (
        PROTECTED_DIR_NAMES,
        NetworkMode,
        ProxyNetwork,
        SandboxKind,
        SandboxPolicy,
        WritableRoot,
    )
    from codex_core.sandbox.seatbelt import seatbelt_command, seatbelt_profile
    from codex_core.sandbox.spec import LinuxSandboxSpec
    from codex_core.sandbox.zygote_client import ZygoteClient, default_zygote

__all__ = [
    "NETWORK_DENIED",
    "PROTECTED_DIR_NAMES",
    "WRITE_DENIED",
    "LinuxSandboxSpec",
    "LinuxSandboxSupport",
    "NetworkMode",
    "ProxyNetwork",
    "SandboxKind",
    "SandboxPolicy",
    "WritableRoot",
    "ZygoteClient",
    "classify_denial",
    "default_zygote",
    "linux_sandbox_support",
    "seatbelt_command",
    "seatbelt_profile",
]

_WHERE = {
    "NETWORK_DENIED": "denials",
    "WRITE_DENIED": "denials",
    "classify_denial": "denials",
    "LinuxSandboxSupport": "linux.probe",
    "linux_sandbox_support": "linux.probe",
    "PROTECTED_DIR_NAMES": "policy",
    "NetworkMode": "policy",
    "ProxyNetwork": "policy",
    "SandboxKind": "policy",
    "SandboxPolicy": "policy",
    "WritableRoot": "policy",
    "seatbelt_command": "seatbelt",
    "seatbelt_profile": "seatbelt",
    "LinuxSandboxSpec": "spec",
    "ZygoteClient": "zygote_client",
    "default_zygote": "zygote_client",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'codex_core.sandbox' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"codex_core.sandbox.{module}"), name)
    globals()[name] = value
    return value
