"""codex-exec: headless frontend."""
