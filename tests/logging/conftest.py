"""Logging tests run ``codex exec`` against the scripted model server (the end-to-end fixtures)."""

from tests.e2e.conftest import cli_env, repo, server

__all__ = ["cli_env", "repo", "server"]
