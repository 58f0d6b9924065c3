"""CLI tests share the end-to-end fixtures: a scripted model server, a git repo, and an env
whose `$CODEX_HOME/config.toml` points `codex` at that server."""

from tests.e2e.conftest import cli_env, repo, server

__all__ = ["cli_env", "repo", "server"]
