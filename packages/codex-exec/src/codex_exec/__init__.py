"""codex-py-exec: the ``codex`` command without the interactive TUI.

``codex exec`` (human and ``--json`` output), ``mcp-server``, ``app-server``, ``sandbox``,
``login``, ``mcp``, ... (``codex_exec.multitool``, ``codex_exec.commands``). ``codex`` with no
subcommand opens the TUI of the optional ``codex-py-tui`` distribution. Nothing is imported here:
the console script answers ``--version`` before click is loaded.
"""
