"""``build_env`` per spec 2.6."""

from __future__ import annotations

from codex_core.config import ShellEnvironmentPolicyToml as Policy
from codex_core.exec import build_env

PARENT = {
    "PATH": "/bin", "HOME": "/root", "OPENAI_API_KEY": "sk", "GH_TOKEN": "t", "my_secret": "s",
    "FOO": "1", "foo_bar": "2", "LANG": "C",
}  # fmt: skip


def test_inherit_all_default_keeps_everything() -> None:
    assert build_env(Policy(), PARENT) == PARENT


def test_default_excludes_when_not_ignored() -> None:
    env = build_env(Policy(ignore_default_excludes=False), PARENT)
    assert "OPENAI_API_KEY" not in env and "GH_TOKEN" not in env and "my_secret" not in env
    assert env["FOO"] == "1"


def test_core_and_none() -> None:
    assert build_env(Policy(inherit="core"), PARENT) == {"PATH": "/bin", "HOME": "/root", "LANG": "C"}
    assert build_env(Policy(inherit="none"), PARENT) == {}


def test_exclude_set_include_only_order_and_thread_id() -> None:
    p = Policy(exclude=["foo*"], set={"NEW": "x", "FOO": "override"}, include_only=["f?o", "new", "PATH"])
    # exclude drops FOO and foo_bar (case-insensitive), set re-adds FOO, include_only keeps FOO/NEW/PATH
    assert build_env(p, PARENT, thread_id="t-1") == {"PATH": "/bin", "FOO": "override", "NEW": "x",
                                                     "CODEX_THREAD_ID": "t-1"}  # fmt: skip


def test_pure() -> None:
    parent = dict(PARENT)
    build_env(Policy(set={"A": "b"}), parent)
    assert parent == PARENT
