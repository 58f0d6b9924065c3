"""The test-only npm packages in ``tests/compat/ts-sdk`` (the official TypeScript SDK, ``tsc``).

Installed by ``.ci/run`` (``npm ci --omit=optional`` in that folder). Tests that need them skip,
saying why, only when ``node``/``npm`` are not installed or ``node_modules`` is missing.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

__all__ = ["SDK_DRIVER", "TS_SDK_DIR", "require_node", "require_tsc", "run_sdk"]

TS_SDK_DIR = Path(__file__).resolve().parent / "ts-sdk"
NODE_MODULES = TS_SDK_DIR / "node_modules"
SDK_DRIVER = TS_SDK_DIR / "sdk_driver.mjs"
_INSTALL_HINT = "run `npm ci --omit=optional` in tests/compat/ts-sdk (.ci/run does)"
MIN_NODE_MAJOR = 18
"""The SDK's ``engines.node``."""


@functools.cache
def _node_major(node: str) -> int:
    out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    try:
        return int(out.lstrip("v").split(".")[0])
    except ValueError:
        return 0


def require_node() -> str:
    """Path of ``node``; skips the test when node/npm or the installed packages are missing."""
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not installed")
    if _node_major(node) < MIN_NODE_MAJOR:
        pytest.skip(f"node {MIN_NODE_MAJOR}+ is required (the SDK's engines.node)")
    if not (NODE_MODULES / "@openai" / "codex-sdk" / "package.json").is_file():
        pytest.skip(f"tests/compat/ts-sdk/node_modules is missing: {_INSTALL_HINT}")
    return node


def require_tsc() -> list[str]:
    """Command running the pinned TypeScript compiler (``node .../tsc``)."""
    node = require_node()
    tsc = NODE_MODULES / "typescript" / "bin" / "tsc"
    if not tsc.is_file():
        pytest.skip(f"typescript is not installed in tests/compat/ts-sdk/node_modules: {_INSTALL_HINT}")
    return [node, str(tsc)]


def run_sdk(spec: dict[str, Any], cwd: Path, timeout: float = 60) -> list[dict[str, Any]]:
    """Run ``sdk_driver.mjs`` with ``spec``; returns its per-step results."""
    node = require_node()
    proc = subprocess.run(
        [node, str(SDK_DRIVER)], input=json.dumps(spec), capture_output=True, text=True, cwd=cwd, timeout=timeout
    )
    assert proc.returncode == 0, f"sdk driver failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    return results
