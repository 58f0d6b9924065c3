"""codex-core: the codex-py SDK.

Quick start::

    from codex_core import Codex
    codex = Codex()                      # loads ~/.codex/config.toml like the CLI
    thread = codex.start_thread()
    result = await thread.run("Explain this repository")   # or thread.run_sync(...)
    print(result.final_response)

Heavy modules are imported lazily so ``import codex_core`` stays cheap.
"""

from __future__ import annotations

TYPE_CHECKING = False  # avoid importing `typing` on the sandbox helper's start-up path

__version__ = "0.1.0"

if TYPE_CHECKING:
    from codex_core.config import Config, ConfigError, ConfigOverrides, load_config
    from codex_core.errors import CodexError
    from codex_core.sdk import Codex, Thread, TurnResult

__all__ = [
    "Codex",
    "CodexError",
    "Config",
    "ConfigError",
    "ConfigOverrides",
    "Thread",
    "TurnResult",
    "__version__",
    "load_config",
]

_LAZY = {
    "Codex": "codex_core.sdk",
    "Thread": "codex_core.sdk",
    "TurnResult": "codex_core.sdk",
    "Config": "codex_core.config",
    "ConfigError": "codex_core.config",
    "ConfigOverrides": "codex_core.config",
    "load_config": "codex_core.config",
    "CodexError": "codex_core.errors",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'codex_core' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
