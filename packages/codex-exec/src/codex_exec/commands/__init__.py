"""The ``codex`` subcommands other than ``exec`` (``codex_exec.cli``), ``mcp-server`` and
``app-server``: one module per command, each imported only when its command runs."""
