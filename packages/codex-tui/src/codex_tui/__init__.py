"""codex-tui: Textual TUI and the codex multitool."""
