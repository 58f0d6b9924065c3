"""``build_env``: the environment of every spawned command, per ``[shell_environment_policy]``."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_core.config import ShellEnvironmentPolicyToml

__all__ = ["CORE_ENV_VARS", "DEFAULT_EXCLUDES", "build_env"]

CORE_ENV_VARS = ("PATH", "SHELL", "TMPDIR", "TEMP", "TMP", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "LOGNAME", "USER")
DEFAULT_EXCLUDES = ("*KEY*", "*SECRET*", "*TOKEN*")


def _matches(name: str, patterns: Iterable[str]) -> bool:
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, p.upper()) for p in patterns)


def build_env(
    policy: ShellEnvironmentPolicyToml, parent_env: Mapping[str, str], thread_id: str | None = None
) -> dict[str, str]:
    """Apply the policy to ``parent_env`` (pure; spec 2.6, steps in order).

    1. start from all / core / none of the parent; 2. drop ``*KEY*``/``*SECRET*``/``*TOKEN*``
    unless ``ignore_default_excludes``; 3. drop ``exclude`` globs; 4. insert ``set``;
    5. keep only ``include_only`` globs (if any); 6. add ``CODEX_THREAD_ID``.
    Globs are case-insensitive (``*``, ``?``, ``[...]``).
    """
    if policy.inherit == "all":
        env = dict(parent_env)
    elif policy.inherit == "core":
        env = {k: v for k, v in parent_env.items() if k in CORE_ENV_VARS}
    else:
        env = {}
    if not policy.ignore_default_excludes:
        env = {k: v for k, v in env.items() if not _matches(k, DEFAULT_EXCLUDES)}
    if policy.exclude:
        env = {k: v for k, v in env.items() if not _matches(k, policy.exclude)}
    env.update(policy.set)
    if policy.include_only:
        env = {k: v for k, v in env.items() if _matches(k, policy.include_only)}
    if thread_id is not None:
        env["CODEX_THREAD_ID"] = thread_id
    return env
