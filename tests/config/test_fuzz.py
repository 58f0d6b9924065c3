"""Property test: random and mutated config files only ever raise ConfigError."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_core.config import ConfigError, load_config

SEED = """model = "o3"
approval_policy = "on-request"
sandbox_mode = "workspace-write"
[sandbox_workspace_write]
writable_roots = ["/tmp/x"]
network_access = false
[shell_environment_policy]
inherit = "core"
exclude = ["*SECRET*"]
[mcp_servers.docs]
command = "docs-server"
args = ["--port", "4000"]
[model_providers.local]
name = "Local"
base_url = "http://localhost:1234/v1"
request_max_retries = 2
[profiles.p]
model = "x"
[history]
max_bytes = 1000
"""


def _check(home: Path, cwd: Path, text: str) -> None:
    (home / "config.toml").write_text(text, encoding="utf-8")
    try:
        load_config(codex_home=home, cwd=cwd)
    except ConfigError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_random_text(tmp_path: Path, text: str) -> None:
    _check(tmp_path, tmp_path, text)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(SEED)), st.integers(min_value=0, max_value=8), st.text(max_size=6)
        ),
        max_size=4,
    )
)
def test_mutated_seed(tmp_path: Path, edits: list[tuple[int, int, str]]) -> None:
    text = SEED
    for pos, cut, insert in edits:
        text = text[:pos] + insert + text[pos + cut :]
    _check(tmp_path, tmp_path, text)
