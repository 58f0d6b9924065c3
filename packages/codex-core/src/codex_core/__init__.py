"""codex-core: the codex-py SDK."""

__version__ = "0.1.0"
