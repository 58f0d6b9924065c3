"""The ``codex`` command: its console script (``entry``), the click group (``main``), the table of
subcommands (``command_table``) and the optional TUI (``tui``). The subcommands live in
``codex_exec.commands`` and ``codex_exec.cli`` (``codex exec``)."""
